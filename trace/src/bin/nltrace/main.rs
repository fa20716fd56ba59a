//! `nltrace`: watch the netlink traffic of the lab. In the VM it captures
//! (`nltrace capture`) and carries the file out (`nltrace send`); anywhere
//! it lists a capture decoded (`nltrace show`) and checks that requests got
//! their replies and ACKs (`nltrace expect`).

mod capture;
mod nlmon;
mod packet;
mod serial;
mod tshark;

use clap::{Parser, Subcommand};
use nltrace::exchange;
use nltrace::names::{self, NETLINK_COURSE};
use std::path::PathBuf;
use std::process::ExitCode;
use wire::nlmsg;

/// Watch netlink: capture the messages that cross every netlink socket
/// (with an nlmon device), save them as a pcap file for Wireshark, and list
/// them decoded with the course's wire formats.
///
/// In the lab VM (as root): `nltrace capture --print` shows each message as
/// it passes, until Ctrl-C; `-w FILE` also saves them. The file opens in
/// Wireshark or with `tshark -r FILE -V`, or here with `nltrace show FILE`.
/// `make trace-N` does all of it around lesson N's demo.
#[derive(Parser)]
#[command(version, about, long_about)]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Create the nlmon device, capture until SIGINT or SIGTERM, delete it.
    Capture(capture::Options),
    /// Copy a file unchanged to a serial port (how a capture leaves the VM).
    Send {
        /// The file to send.
        file: PathBuf,
        /// The serial port: the VM's second one is the host's file.
        #[arg(long, default_value = "/dev/ttyS1")]
        port: PathBuf,
    },
    /// List a capture file decoded, one message a line.
    Show {
        /// A pcap file of link type NETLINK (253).
        file: PathBuf,
        /// Only the frames numbered FIRST-LAST (from 1), e.g. 12-15.
        #[arg(long, value_parser = frame_range)]
        frames: Option<std::ops::RangeInclusive<usize>>,
    },
    /// Check a capture: every request of type REQUEST with NLM_F_ACK has a
    /// reply of type REPLY with its sequence number, sent to its port, then
    /// an ACK naming it. Prints PASS/FAIL lines; fails if any is missing.
    Expect {
        /// A pcap file of link type NETLINK (253).
        file: PathBuf,
        /// The netlink protocol of the exchange.
        #[arg(long, default_value_t = NETLINK_COURSE)]
        protocol: u16,
        /// The request's message type, by name or number (GREET, 20).
        #[arg(long, value_parser = course_type)]
        request: u16,
        /// The reply's message type, by name or number (GREET_REPLY, 32).
        #[arg(long, value_parser = course_type)]
        reply: u16,
        /// Fewest complete exchanges the capture must hold.
        #[arg(long, default_value_t = 1)]
        at_least: usize,
        /// Also decode the file with tshark and find the same messages there.
        #[arg(long)]
        tshark: bool,
    },
}

fn main() -> ExitCode {
    let result = match Cli::parse().command {
        Cmd::Capture(options) => capture::run(&options).map(|()| true),
        Cmd::Send { file, port } => send(&file, &port).map(|()| true),
        Cmd::Show { file, frames } => show(&file, frames).map(|()| true),
        Cmd::Expect { file, protocol, request, reply, at_least, tshark } => {
            expect(&file, protocol, request, reply, at_least, tshark)
        }
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("nltrace: {e}");
            ExitCode::FAILURE
        }
    }
}

/// A message type of the course's protocol, by number or by name.
fn course_type(s: &str) -> std::result::Result<u16, String> {
    s.parse()
        .ok()
        .or_else(|| (nlmsg::MIN_TYPE..=0x400).find(|t| names::type_name(NETLINK_COURSE, *t) == s))
        .ok_or(format!("{s}: neither a number nor a message type of protocol 31"))
}

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

fn read(file: &std::path::Path) -> Result<Vec<nltrace::pcap::Frame>> {
    let f = std::fs::File::open(file).map_err(|e| format!("{}: {e}", file.display()))?;
    Ok(nltrace::pcap::read(std::io::BufReader::new(f)).map_err(|e| format!("{}: {e}", file.display()))?)
}

fn send(file: &std::path::Path, port: &std::path::Path) -> Result<()> {
    let data = std::fs::read(file).map_err(|e| format!("{}: {e}", file.display()))?;
    serial::send(&data, port).map_err(|e| format!("{}: {e}", port.display()))?;
    println!("nltrace: sent {} bytes on {}", data.len(), port.display());
    Ok(())
}

fn show(file: &std::path::Path, numbers: Option<std::ops::RangeInclusive<usize>>) -> Result<()> {
    let frames = read(file)?;
    print!("{}", nltrace::listing::render_some(&frames, numbers.unwrap_or(1..=frames.len())));
    Ok(())
}

/// `12-15` or `12`.
fn frame_range(s: &str) -> std::result::Result<std::ops::RangeInclusive<usize>, String> {
    let (a, b) = s.split_once('-').unwrap_or((s, s));
    match (a.parse(), b.parse()) {
        (Ok(a), Ok(b)) if a <= b => Ok(a..=b),
        _ => Err(format!("{s}: not a range of frame numbers like 12-15")),
    }
}

fn expect(
    file: &std::path::Path,
    protocol: u16,
    request: u16,
    reply: u16,
    at_least: usize,
    tshark: bool,
) -> Result<bool> {
    let frames = read(file)?;
    let (rq, rp) = (names::type_name(protocol, request), names::type_name(protocol, reply));
    let (mut passed, mut failed) = (0, 0);
    let mut found = Vec::new();
    for e in exchange::find(&frames, protocol, request, reply) {
        match e {
            Ok(x) => {
                let h = x.request.header;
                println!(
                    "PASS: {rq} seq {} port {} (frame {}), its {rp} (frame {}), its ACK (frame {})",
                    h.seq, h.pid, x.request.frame, x.reply.frame, x.ack.frame
                );
                passed += 1;
                found.push(x);
            }
            Err(why) => {
                println!("FAIL: {rq}: {why}");
                failed += 1;
            }
        }
    }
    if found.len() < at_least {
        println!("FAIL: {} complete {rq} exchange(s) found, {at_least} expected", found.len());
        failed += 1;
    }
    if tshark {
        let rows = tshark::rows(file)?;
        for x in &found {
            match tshark::confirm(&rows, x) {
                Ok(seen) => {
                    println!("PASS: tshark: {seen}");
                    passed += 1;
                }
                Err(why) => {
                    println!("FAIL: tshark: {why}");
                    failed += 1;
                }
            }
        }
    }
    println!("{passed} passed, {failed} failed");
    Ok(failed == 0)
}
