//! Lesson 03: TLV records over netlink.
//!
//! `tlv send` packs names, websites and employee ids into TLVs, sends them
//! to the tlv module and prints the module's summary; `tlv selftest` tests
//! your TLV iterator and macro (exercises 3.1 and 3.2).

// The kernel module compiles iter.rs too, where the wire formats are the
// module `crate::wire`: name them the same way here.
use ::wire;

mod iter;
mod pack;
mod receive;
mod selftest;
mod session;

use clap::{Parser, Subcommand};
use iter::for_each_tlv;
use pack::Records;
use session::Session;
use std::io;
use std::process::ExitCode;
use wire::tlv;

/// Sends records in the course's TLV format to the lesson 03 kernel module
/// over netlink protocol 31, and prints what the module understood. Load the
/// module first (insmod tlv.ko).
#[derive(Parser)]
#[command(about, long_about)]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Pack the records into TLVs, show them, send them as one TLV_RECORDS
    /// request and print the kernel's TLV_SUMMARY.
    Send {
        /// A name (at most 31 bytes); repeat for more.
        #[arg(long = "name", value_name = "NAME")]
        names: Vec<String>,
        /// A website (at most 63 bytes); repeat for more.
        #[arg(long = "website", value_name = "URL")]
        websites: Vec<String>,
        /// An employee id; repeat for more.
        #[arg(long = "id", value_name = "N")]
        ids: Vec<u64>,
        /// A TLV of any type with any value, e.g. 9:cafe; repeat for more.
        #[arg(long, value_name = "TYPE:HEX", value_parser = pack::parse_raw)]
        raw: Vec<(u8, Vec<u8>)>,
        /// Ask for an ACK too (NLM_F_ACK) and wait for it.
        #[arg(long)]
        ack: bool,
    },
    /// Run your TLV iterator (exercise 3.1) and macro (exercise 3.2) over
    /// good and malformed buffers; one line per case, exit status 1 if any
    /// is wrong.
    Selftest {
        /// What to test.
        #[arg(value_enum, default_value_t = selftest::Which::All)]
        which: selftest::Which,
    },
}

fn main() -> ExitCode {
    let result = match Cli::parse().command {
        Cmd::Send { names, websites, ids, raw, ack } => send(&Records { names, websites, ids, raw }, ack),
        Cmd::Selftest { which } => {
            return if selftest::run(which) { ExitCode::SUCCESS } else { ExitCode::FAILURE };
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("tlv: {e}");
            ExitCode::FAILURE
        }
    }
}

/// `tlv send`: pack, show, send, print the summary.
fn send(records: &Records, ack: bool) -> io::Result<()> {
    let tlvs = pack::pack(records)?;
    println!("packed {} bytes of TLVs; for_each_tlv! finds:", tlvs.len());
    show(&tlvs);
    let mut session = Session::open()?;
    let (s, seq) = session.records(&tlvs, ack)?;
    let acked = if ack { " (acked)" } else { "" };
    println!(
        "port {}, seq {seq}: the kernel understood {} names, {} websites, {} ids, {} skipped{acked}",
        session.port, s.names, s.websites, s.ids, s.skipped
    );
    Ok(())
}

/// Prints the TLVs of `tlvs`, one line each, with the macro of exercise 3.2.
fn show(tlvs: &[u8]) {
    let walked = for_each_tlv!(tlvs, |ty, len, value| {
        // The macro only runs this for known types, whose unit size is known.
        let unit = tlv::unit_size(ty).unwrap_or(1);
        let units: Vec<String> = value
            .chunks(unit)
            .map(|u| match ty {
                tlv::EMPLOYEE_ID => tlv::unit_u64(u).map(|id| id.to_string()),
                _ => tlv::unit_str(u).map(|s| format!("{s:?}")),
            })
            .map(|text| text.unwrap_or_else(|e| format!("<{e}>")))
            .collect();
        println!("  {}, {len} bytes: {}", tlv::type_name(ty), units.join(", "));
    });
    match walked {
        Ok(0) => {}
        Ok(n) => println!("  and {n} TLV(s) of an unknown type or a wrong size, skipped"),
        Err(e) => println!("  and then a walk-stopping error: {e}"),
    }
}
