//! `nlfuzz`: the lab's fuzzer for the course's modules. See [`Cli`] (its
//! `--help`) for what a run does, and the book's chapter "The lab" for how
//! to read its verdict.

mod gen;
mod kmsg;
mod loader;
mod regress;
mod ring;
mod supervise;
mod worker;

use clap::Parser;
use nlprobe::profile::{self, Profile};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

/// Fuzzes a course module in the lab: thousands of datagrams mutated from
/// its valid requests (the same profiles as nlconform's), sent by several
/// processes at once, root and the unprivileged user, for a bounded time,
/// while the module is unloaded and loaded again; then the module must
/// answer its valid request as it did before, and unload (it is left
/// unloaded), and the kernel must have reported nothing (leaks are for
/// kmemleak, which the lab's no-oops check asks). Prints `PASS: fuzz` or
/// `FAIL: fuzz: why`, and a line of figures (`nlfuzz: ...`).
///
/// In the lab shell (`make shell`): `nlfuzz --profile greet --module
/// /lab/greet.ko --seconds 30`; again with the `--seed` it printed; or
/// `nlfuzz --profile greet --replay case.hex` for one case.
///
/// The inputs: the header's length, type and flags (the dump flags among
/// them); the payload's attribute headers and lengths, nests, TLV records
/// or text; batches of up to 64 messages in one datagram, a last message
/// without padding, garbage after it, datagrams cut anywhere. Each process
/// draws its own from the seed: `--seed` gives a run the same inputs again
/// (their interleaving across processes, and the moments of the unloads,
/// are up to the scheduler).
///
/// Regression cases (checks/probe/regressions/PROFILE.hex, built in, and
/// --regressions files) are replayed first. An input that fails (the kernel
/// reports a bug while replaying it alone, or it gets a broken answer) is
/// printed as an `nlfuzz-keep PROFILE HEX...` line, which `course check`
/// adds to the regression file.
///
/// While it runs, an oops kills only the process that caused it
/// (kernel.panic_on_oops and panic_on_warn are 0 until it ends), so that
/// the fuzzer lives on to find the input. Needs root; the module must not
/// be in use by anything else.
#[derive(Parser)]
#[command(about, long_about)]
pub struct Cli {
    /// The module's profile: greet (02), tlv (03), person (04), rtm (05),
    /// rtm-notify (06).
    #[arg(long, value_parser = clap::builder::PossibleValuesParser::new(profile::NAMES))]
    profile: String,
    /// The module's .ko file: loaded at the start if it is not, and again
    /// after each unload.
    #[arg(long, value_name = "KO")]
    module: Option<PathBuf>,
    /// How long to fuzz, in seconds (0: only the regression cases and the
    /// checks after).
    #[arg(long, default_value_t = 10.0)]
    seconds: f64,
    /// The seed of the inputs (decimal or 0x-hex); a new one by default. It
    /// is printed: pass it again to send the same inputs.
    #[arg(long, value_parser = parse_seed)]
    seed: Option<u64>,
    /// Processes sending at once; every second one runs as the unprivileged
    /// user (--student-uid).
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..=32))]
    processes: u32,
    /// The unprivileged user's uid (and gid).
    #[arg(long, default_value_t = 1000)]
    student_uid: u32,
    /// More regression cases to replay first (files in the format of
    /// checks/probe/regressions/*.hex); repeat for more.
    #[arg(long, value_name = "FILE")]
    regressions: Vec<PathBuf>,
    /// Skip the built-in regression cases (to see whether the fuzz alone
    /// finds a bug that one of them would catch at once).
    #[arg(long)]
    fresh: bool,
    /// What starts a kernel report in the kernel log, `|`-separated plain
    /// texts (the lab passes lab/guest/lib.sh's REPORT_SIGNS).
    #[arg(long, default_value = kmsg::REPORT_SIGNS)]
    report_signs: String,
    /// Leave the module loaded while fuzzing (no unloads).
    #[arg(long)]
    no_reload: bool,
    /// The check's name on the PASS:/FAIL: line.
    #[arg(long, default_value = "fuzz")]
    check: String,
    /// Only send the cases of this file (the regression format), as root,
    /// each on a socket of its own, and exit: no verdict. For a case by hand.
    #[arg(long, value_name = "FILE")]
    replay: Option<PathBuf>,
    /// (Internal) Run as fuzzing process number N.
    #[arg(long, hide = true)]
    worker: Option<u32>,
    /// (Internal) The fuzzing process's ring of last inputs.
    #[arg(long, hide = true)]
    ring: Option<PathBuf>,
}

/// A seed: decimal, or hex after `0x`.
fn parse_seed(s: &str) -> Result<u64, String> {
    match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        Some(hex) => u64::from_str_radix(hex, 16),
        None => s.parse(),
    }
    .map_err(|e| format!("`{s}` is not a seed (decimal, or hex after 0x): {e}"))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let Some(profile) = profile::by_name(&cli.profile) else { unreachable!("clap checked the name") };
    if let Some(index) = cli.worker {
        return work(&cli, &profile, index);
    }
    if let Some(file) = &cli.replay {
        return match supervise::replay_file(&profile, file) {
            Ok(line) => {
                println!("{line}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("nlfuzz: {e}");
                ExitCode::FAILURE
            }
        };
    }
    supervise::run(&cli, &profile)
}

/// Fuzzing process `index`: sends until `--seconds` are over, prints its
/// counts.
fn work(cli: &Cli, profile: &Profile, index: u32) -> ExitCode {
    let (Some(seed), Some(ring)) = (cli.seed, &cli.ring) else {
        eprintln!("nlfuzz: a fuzzing process needs --seed and --ring");
        return ExitCode::from(2);
    };
    let (own, actions) = worker::seeds(seed, index);
    let job = worker::Job {
        protocol: profile.protocol,
        groups: if profile.echo.is_some() { &[wire::rtm::GROUP_TABLES, wire::rtm::GROUP_ROUTES] } else { &[] },
        gen: gen::Gen::new(own, profile.requests(), supervise::layout(profile)),
        actions,
        until: Instant::now() + Duration::from_secs_f64(cli.seconds),
    };
    match worker::run(job, ring) {
        Ok(stats) => {
            println!("{}", stats.line());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("nlfuzz: process {index}: {e}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeds_read_as_decimal_or_hex() {
        assert_eq!(parse_seed("42"), Ok(42));
        assert_eq!(parse_seed("0x2a"), Ok(42));
        assert!(parse_seed("0xzz").is_err());
    }
}
