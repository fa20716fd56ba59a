//! Lesson 05: `rtm`, the routing table manager's command line.
//!
//! `rtm table add NAME`, `rtm route add NAME 10.1.1.0/24 via 11.1.1.1 dev
//! eth0/6`, `rtm route show NAME`, ... in the style of `ip route`; `rtm
//! batch FILE` sends many commands in few `sendmsg` calls; without a
//! subcommand, an interactive menu. The work is done in the library
//! (`src/lib.rs`), which lesson 06 builds on.

// SOLUTION
use rtm_cli_solution as rtm_cli;
// END
use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    rtm_cli::cli::die_on_closed_pipe();
    rtm_cli::cli::exit_code(rtm_cli::cli::execute(rtm_cli::Cli::parse().command))
}
