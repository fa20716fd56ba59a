//! `nlconform`: the kernel as the oracle. It plays the same framing-level
//! inputs against the kernel's own `NETLINK_ROUTE` and against a lesson's
//! module (protocol 31), in the same run, and compares the shapes of the
//! answers: which messages come back, their types and flags, their lengths
//! relative to the request, sequence numbers and port ids, error codes.
//!
//! It prints one `PASS:`/`FAIL:` line per group of cases, as the lab checks
//! do, with both answers of every case that differs.

mod cases;
mod differences;
mod profile;
mod run;
mod shape;

use cases::{Case, Needs};
use clap::Parser;
use differences::How;
use profile::Profile;
use run::Run;
use shape::Event;
use std::io;
use std::process::ExitCode;
use std::time::Duration;

/// Compares a course module's netlink answers with the kernel's own
/// NETLINK_ROUTE, case by case, and prints one PASS:/FAIL: line per group
/// (conform-framing, conform-ack, conform-errors, conform-attrs,
/// conform-sockopts, conform-ports, conform-dump, conform-echo).
///
/// Each case sends the same kind of input to both (a header cut short, a
/// message without NLM_F_REQUEST, an unknown type, a broken attribute, a
/// dump read with a tiny buffer or changed while it runs...) and reduces
/// every answer to its shape: ACK or ERROR (with errno, NLM_F_CAPPED,
/// NLM_F_ACK_TLVS, what it copies of the request), reply or dump part
/// (NLM_F_MULTI, NLM_F_DUMP_INTR), NLMSG_DONE, sequence number and port id.
/// Differences the course keeps on purpose are listed with their reasons
/// by --list.
///
/// Needs root for the dump and echo cases (they add and remove IPv4
/// addresses on `lo`, and change the module's tables). The module of the
/// profile must be loaded.
#[derive(Parser)]
#[command(about, long_about)]
struct Cli {
    /// The module to compare: greet (02), tlv (03), person (04), rtm (05),
    /// rtm-notify (06).
    #[arg(long, value_parser = clap::builder::PossibleValuesParser::new(profile::NAMES))]
    profile: Option<String>,
    /// Run only these groups (e.g. conform-ack); repeat for more.
    #[arg(long = "group")]
    groups: Vec<String>,
    /// Run only these cases (e.g. no-request-ack); repeat for more.
    #[arg(long = "case")]
    cases: Vec<String>,
    /// Print the profiles, the cases and the differences kept on purpose, then exit.
    #[arg(long)]
    list: bool,
    /// Print both answers of every case, not only of those that differ.
    #[arg(long)]
    show: bool,
    /// Play the cases against NETLINK_ROUTE alone and print its answers.
    #[arg(long)]
    kernel_only: bool,
    /// How long to wait for answers that may still come, in milliseconds.
    /// (The kernel answers during sendmsg; this only catches stragglers.)
    #[arg(long, default_value_t = 50)]
    wait_ms: u64,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if cli.list {
        list();
        return ExitCode::SUCCESS;
    }
    let selected = |c: &Case| {
        (cli.groups.is_empty() || cli.groups.iter().any(|g| *g == c.group.to_string()))
            && (cli.cases.is_empty() || cli.cases.iter().any(|n| n == c.name))
    };
    let wait = Duration::from_millis(cli.wait_ms);
    let kernel = profile::route();
    let result = match (&cli.profile, cli.kernel_only) {
        (_, true) => kernel_only(&kernel, wait, &selected),
        (Some(name), false) => {
            let Some(module) = profile::by_name(name) else { unreachable!("clap checked the name") };
            compare(&kernel, &module, wait, cli.show, &selected)
        }
        (None, false) => {
            eprintln!("nlconform: say which module to compare (--profile), or --kernel-only, or --list");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("nlconform: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Does `p` have what case `c` needs?
fn fits(p: &Profile, c: &Case) -> bool {
    match c.needs {
        Needs::Any => true,
        Needs::Attributes => p.attrs.is_some(),
        Needs::Dumps => p.dump.is_some(),
        Needs::Notifications => p.echo.is_some(),
    }
}

/// Plays `case` against `p`: the transcript, collapsed and normalized for
/// comparison with `against` (a module's profile name, for the table).
fn play(case: &Case, p: &Profile, wait: Duration, against: &str) -> io::Result<Vec<Event>> {
    let mut r = Run::new(p, wait);
    (case.run)(&mut r)?;
    let mut events = shape::collapse(r.events);
    differences::normalize(&mut events, against, case.name);
    Ok(events)
}

/// Puts in place what the valid requests need (lessons 05 and 06: the
/// table they ask for, with the routes the dumps list).
fn prepare(p: &Profile) -> io::Result<()> {
    if let Err(e) = nlprobe::sock::Socket::open(p.protocol) {
        return Err(io::Error::other(format!("no socket of protocol {} ({e}): is {} loaded?", p.protocol, p.what)));
    }
    match &p.dump {
        Some(d) => d.fill().map_err(|e| io::Error::other(format!("preparing {}: {e}", p.name))),
        None => Ok(()),
    }
}

/// Leaves what the dumps changed as it was.
fn cleanup(p: &Profile) {
    if let Some(d) = &p.dump {
        if let Err(e) = d.fixture.cleanup() {
            eprintln!("nlconform: cleaning up after {}: {e}", p.name);
        }
    }
}

/// The kernel's answers alone.
fn kernel_only(kernel: &Profile, wait: Duration, selected: &dyn Fn(&Case) -> bool) -> io::Result<bool> {
    prepare(kernel)?;
    for c in cases::all().iter().filter(|c| selected(c)) {
        let events = play(c, kernel, wait, kernel.name)?;
        println!("{} {}: {}", c.group, c.name, shape::render(&events));
    }
    cleanup(kernel);
    Ok(true)
}

/// One case's outcome.
enum Outcome {
    Same,
    /// Differs, as the table says it does.
    Expected,
    Differs(String),
}

/// Compares every selected case; prints a line per group.
fn compare(
    kernel: &Profile,
    module: &Profile,
    wait: Duration,
    show: bool,
    selected: &dyn Fn(&Case) -> bool,
) -> io::Result<bool> {
    let all = cases::all();
    let mut ok = true;
    prepare(kernel)?;
    if let Err(e) = prepare(module) {
        // Every group fails: say why on each line.
        for group in cases::GROUPS {
            if all.iter().any(|c| c.group == group && selected(c) && fits(module, c)) {
                println!("FAIL: {group}: {e}");
            }
        }
        cleanup(kernel);
        return Ok(false);
    }
    for group in cases::GROUPS {
        let cases: Vec<&Case> = all.iter().filter(|c| c.group == group && selected(c) && fits(module, c)).collect();
        if cases.is_empty() {
            continue;
        }
        let mut failed = Vec::new();
        let mut expected = 0;
        for c in &cases {
            match outcome(c, kernel, module, wait, show) {
                Outcome::Same => {}
                Outcome::Expected => expected += 1,
                Outcome::Differs(d) => failed.push(d),
            }
        }
        if failed.is_empty() {
            let known = if expected > 0 { format!(", {expected} listed difference(s)") } else { String::new() };
            println!("PASS: {group}");
            println!("  {} case(s) answered as NETLINK_ROUTE answers them{known}", cases.len());
        } else {
            ok = false;
            // One line: the lab's report shows the FAIL line alone.
            println!(
                "FAIL: {group}: {} of {} case(s) answered unlike NETLINK_ROUTE: {}",
                failed.len(),
                cases.len(),
                failed.join(" || ")
            );
        }
    }
    cleanup(kernel);
    cleanup(module);
    Ok(ok)
}

/// Plays `c` against both and compares. A difference is described on one
/// line: `case: kernel [answers] module [answers]`.
fn outcome(c: &Case, kernel: &Profile, module: &Profile, wait: Duration, show: bool) -> Outcome {
    let k = match play(c, kernel, wait, module.name) {
        Ok(k) => k,
        Err(e) => return Outcome::Differs(format!("{}: could not play it against NETLINK_ROUTE: {e}", c.name)),
    };
    let m = match play(c, module, wait, module.name) {
        Ok(m) => m,
        Err(e) => return Outcome::Differs(format!("{}: could not play it against the module: {e}", c.name)),
    };
    let (k, m) = (shape::render(&k), shape::render(&m));
    if show {
        println!("  {}: {}\n    kernel: {k}\n    module: {m}", c.name, c.what);
    }
    let both = format!("{}: kernel [{k}] module [{m}]", c.name);
    match (k == m, differences::expected(module.name, c.name)) {
        (true, None) => Outcome::Same,
        (false, None) => Outcome::Differs(both),
        (false, Some(_)) => Outcome::Expected,
        (true, Some(d)) => Outcome::Differs(format!(
            "{both}: the same now, but listed as a difference (\"{}\"): remove it from \
             checks/probe/src/bin/nlconform/differences.rs and from the book",
            d.what
        )),
    }
}

/// `--list`: profiles, cases, differences.
fn list() {
    println!("Profiles (--profile):");
    let kernel = profile::route();
    println!("  {:<11} {}", kernel.name, kernel.what);
    for name in profile::NAMES {
        if let Some(p) = profile::by_name(name) {
            println!("  {:<11} {}", p.name, p.what);
        }
    }
    println!();
    println!("Cases, by group (each played against NETLINK_ROUTE and the module):");
    let all = cases::all();
    for group in cases::GROUPS {
        println!("  {group}");
        for c in all.iter().filter(|c| c.group == group) {
            let needs = match c.needs {
                Needs::Any => "",
                Needs::Attributes => " [attributes: person, rtm, rtm-notify]",
                Needs::Dumps => " [dumps: rtm, rtm-notify]",
                Needs::Notifications => " [notifications: rtm, rtm-notify]",
            };
            println!("    {:<26} {}{needs}", c.name, c.what);
        }
    }
    println!();
    println!("Differences kept on purpose:");
    for d in differences::TABLE {
        let cases = if d.cases.is_empty() { "every case".to_string() } else { d.cases.join(", ") };
        let how = match d.how {
            How::Ignore(_) => "taken out before comparing",
            How::Expected => "answers shown, not compared",
        };
        println!("  - {} ({}; {}; {how})", d.what, d.profiles.join(", "), cases);
        println!("    why: {}", d.why);
    }
}

/// These tests play the cases against the host's own NETLINK_ROUTE: the
/// kernel's answers are facts of `netlink_rcv_skb` and `netlink_ack`, the
/// same in every kernel since extended ACKs (4.12), so what is asserted
/// here is that the shapes are read right.
#[cfg(test)]
mod tests {
    use super::*;

    fn kernel(case: &str) -> String {
        let c = cases::all().into_iter().find(|c| c.name == case).expect("a case of that name");
        shape::render(&play(&c, &profile::route(), Duration::from_millis(20), "route").expect("the case plays"))
    }

    #[test]
    fn framing_as_netlink_rcv_skb() {
        let ok = |s: u32| format!("REPLY seq={s} flags=0; ACK seq={s} flags=CAPPED echo=header");
        assert_eq!(kernel("valid"), ok(1));
        assert_eq!(kernel("empty-datagram"), "sendmsg: errno 61 (No data available)");
        for silent in
            ["header-10-bytes", "header-15-bytes", "len-0", "len-15", "len-past-end", "len-4GiB", "bad-len-then-valid"]
        {
            assert_eq!(kernel(silent), "silence", "{silent}");
        }
        assert_eq!(kernel("unaligned-single"), ok(1));
        assert_eq!(kernel("unaligned-last"), format!("{}; {}", ok(1), ok(2)));
        assert_eq!(kernel("trailing-10-bytes"), ok(1));
        assert_eq!(kernel("valid-then-bad-len"), ok(1));
        assert_eq!(kernel("batch-of-10"), (1..=10).map(ok).collect::<Vec<_>>().join("; "));
    }

    #[test]
    fn acks_as_netlink_rcv_skb() {
        let ack = |s: u32| format!("ACK seq={s} flags=CAPPED echo=header");
        assert_eq!(kernel("valid-no-ack"), "REPLY seq=1 flags=0");
        assert_eq!(kernel("no-request"), "silence");
        assert_eq!(kernel("no-request-ack"), ack(1));
        assert_eq!(kernel("bare-header-ack"), ack(1));
        assert_eq!(kernel("noop-request-ack"), ack(1));
        assert_eq!(kernel("control-types-ack"), "ACK seq=1..16 flags=CAPPED echo=header");
        assert_eq!(kernel("control-types-ack-only"), "ACK seq=1..16 flags=CAPPED echo=header");
        assert_eq!(kernel("control-types-no-ack"), "silence");
    }

    #[test]
    fn errors_as_netlink_ack() {
        let full = "ERROR -EOPNOTSUPP seq=1 flags=0 echo=header+payload";
        for c in ["unknown-type-ack", "unknown-type-no-ack", "unknown-type-no-payload", "unknown-type-unaligned"] {
            assert_eq!(kernel(c), full, "{c}");
        }
        assert_eq!(kernel("cap-ack-error"), "ERROR -EOPNOTSUPP seq=1 flags=CAPPED echo=header");
        assert_eq!(kernel("ext-ack-error"), full);
        assert_eq!(
            kernel("ext-ack-too-long"),
            "ERROR any error seq=1 flags=ACK_TLVS echo=header+payload ext-ack=msg,policy,offs=bad-attr"
        );
        assert_eq!(
            kernel("cap-ext-ack-too-long"),
            "ERROR any error seq=1 flags=CAPPED|ACK_TLVS echo=header ext-ack=msg,policy,offs=bad-attr"
        );
        assert_eq!(
            kernel("ext-ack-leftover-strict"),
            "ERROR -EINVAL seq=1 flags=ACK_TLVS echo=header+payload ext-ack=msg"
        );
        let batch = kernel("batch-mixed");
        assert!(batch.starts_with("REPLY seq=1 flags=0; ACK seq=1"), "{batch}");
        assert!(batch.ends_with("REPLY seq=8 flags=0; ACK seq=8 flags=CAPPED echo=header"), "{batch}");
    }

    #[test]
    fn answers_go_to_the_sender() {
        let got = kernel("pid-of-other-socket");
        assert_eq!(got, "REPLY seq=1 flags=0; ACK seq=1 flags=CAPPED echo=header; -- on the other socket:");
        assert_eq!(kernel("pid-random"), "REPLY seq=1 flags=0; ACK seq=1 flags=CAPPED echo=header");
    }

    #[test]
    fn the_kernel_agrees_with_itself_and_a_difference_is_caught() {
        let route = profile::route();
        let all = cases::all();
        let wait = Duration::from_millis(20);
        for c in all.iter().filter(|c| c.needs == Needs::Any || c.needs == Needs::Attributes) {
            assert!(matches!(outcome(c, &route, &route, wait, false), Outcome::Same), "{}", c.name);
        }
        // A "module" whose valid request is refused: RTM_GETLINK of a
        // device index nobody has.
        let mut broken = profile::route();
        broken.valid.payload.truncate(16);
        broken.valid.payload[4..8].copy_from_slice(&i32::MAX.to_ne_bytes());
        let valid = all.iter().find(|c| c.name == "valid").expect("case valid");
        match outcome(valid, &route, &broken, wait, false) {
            Outcome::Differs(d) => assert!(d.contains("module [ERROR"), "{d}"),
            _ => panic!("a refused valid request went unnoticed"),
        }
    }

    /// The dump and notification cases change addresses on `lo`: they run
    /// in a network namespace of their own, made for this test's thread,
    /// when this user may make one (root); otherwise they are skipped and
    /// say so.
    #[test]
    fn dumps_as_netlink_dump() {
        // SAFETY: unshare with a plain flag; it moves only this thread.
        if unsafe { libc::unshare(libc::CLONE_NEWNET) } != 0 {
            eprintln!("skipped: cannot make a network namespace ({})", io::Error::last_os_error());
            return;
        }
        let parts = "REPLY (1 or more) seq=1 flags=MULTI";
        let done = "DONE 0 seq=1 flags=MULTI";
        assert_eq!(kernel("dump"), format!("{parts}; {done}"));
        assert_eq!(kernel("dump-ack"), format!("{parts}; {done}"));
        assert_eq!(
            kernel("dump-busy"),
            format!("{parts}; ERROR -EBUSY seq=2 flags=0 echo=header+payload; {parts}; {done}")
        );
        // nl_dump_check_consistent: the first message after the change is
        // flagged, the ones after it are not, nor is DONE...
        assert_eq!(
            kernel("dump-change"),
            format!("{parts}; -- one entry added; {parts}; REPLY seq=1 flags=MULTI|DUMP_INTR; {parts}; {done}")
        );
        // ...unless nothing came after the change but DONE.
        assert_eq!(
            kernel("dump-change-all"),
            format!("{parts}; -- every entry removed; {parts}; DONE 0 seq=1 flags=MULTI|DUMP_INTR")
        );
        assert_eq!(kernel("dump-start-error-ext-ack"), "DONE any error seq=1 flags=MULTI|ACK_TLVS ext-ack=msg");
        assert_eq!(kernel("change-echo"), "REPLY seq=1 flags=0; ACK seq=1 flags=CAPPED echo=header");
        assert_eq!(kernel("change-no-echo"), "ACK seq=1 flags=CAPPED echo=header");
        cleanup(&profile::route());
    }
}
