//! Lesson 06: `rtm` of lesson 05, now with `rtm monitor`: every change, as
//! the module announces it on its multicast groups.
//!
//! Everything else comes from lesson 05's `rtm` library (its reference
//! solution): the subcommands are flattened in, so `rtm table add`, `rtm
//! route show`, `rtm batch` ... work as before. Only the monitor is new.

mod monitor;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// Drives the lesson 06 routing table manager module (rtm_notify.ko) over
/// netlink protocol 31, and watches its notifications. Changes need
/// CAP_NET_ADMIN (root); reading and monitoring do not.
///
/// Without a subcommand, an interactive menu.
#[derive(Parser)]
#[command(name = "rtm", about, long_about)]
struct Cli {
    #[command(subcommand)]
    command: Option<Cmd>,
}

// ANCHOR: cli
#[derive(Subcommand)]
enum Cmd {
    /// Everything lesson 05's `rtm` does.
    #[command(flatten)]
    Rtm(rtm_cli::Cmd),
    /// Print every change (table or route event) as the module announces
    /// it, in order; any number of monitors may run, unprivileged.
    Monitor {
        /// How to join the multicast groups: `option`
        /// (NETLINK_ADD_MEMBERSHIP) or `bind` (nl_groups bitmask).
        #[arg(long, value_enum, default_value_t = monitor::Join::Option)]
        join: monitor::Join,
        /// Only table events (default: tables and routes).
        #[arg(long)]
        tables: bool,
        /// Only route events (default: tables and routes).
        #[arg(long)]
        routes: bool,
        /// Exit after this many events.
        #[arg(long)]
        count: Option<u64>,
        /// Print type, flags, seq and port of each event instead of decoding it.
        #[arg(long)]
        raw: bool,
        /// Ask for this receive buffer size in bytes (small: see ENOBUFS
        /// happen).
        #[arg(long)]
        rcvbuf: Option<usize>,
        /// Wait this many milliseconds before reading (a slow reader).
        #[arg(long)]
        delay_ms: Option<u64>,
    },
}
// ANCHOR_END: cli

fn main() -> ExitCode {
    rtm_cli::cli::die_on_closed_pipe();
    let result = match Cli::parse().command {
        None => rtm_cli::cli::execute(None),
        Some(Cmd::Rtm(cmd)) => rtm_cli::cli::execute(Some(cmd)),
        Some(Cmd::Monitor { join, tables, routes, count, raw, rcvbuf, delay_ms }) => {
            let both = !tables && !routes;
            let o = monitor::Options {
                join,
                tables: tables || both,
                routes: routes || both,
                count,
                raw,
                rcvbuf,
                delay: delay_ms,
            };
            monitor::run(&o)
        }
    };
    rtm_cli::cli::exit_code(result)
}
