//! The `rtm` command line: its subcommands, in the style of `ip route`,
//! and how each becomes a request.

use crate::session::{Failure, Session, DUMP_TRIES};
use crate::{batch, bench, menu, text};
use clap::{Parser, Subcommand};
use std::io::{self, Write};
use std::process::ExitCode;
use wire::nlmsg;
use wire::rtm::{self, Route};

/// Drives the lesson 05 routing table manager module over netlink protocol
/// 31. Load the module first (insmod rtm.ko). Changes need CAP_NET_ADMIN
/// (root); reading does not.
///
/// Without a subcommand, an interactive menu.
#[derive(Parser)]
#[command(about, long_about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Cmd>,
}

#[derive(Subcommand, Debug, Clone)]
pub enum Cmd {
    /// Routing tables: add, del, get, show.
    #[command(subcommand)]
    Table(TableCmd),
    /// Routes of a table: add, replace, change, del, get, lookup, show.
    #[command(subcommand)]
    Route(RouteCmd),
    /// Run the commands of FILE (one per line, as after `rtm`; `-` for
    /// standard input), sent as cascaded messages in few sendmsg calls, and
    /// report each result.
    Batch {
        /// The file of commands.
        file: String,
        /// Messages per sendmsg.
        #[arg(long, default_value_t = 256)]
        chunk: usize,
        /// Report only failures and the summary.
        #[arg(long, short)]
        quiet: bool,
    },
    /// Measure: routes per second into the module and into the kernel's own
    /// routing table (rtnetlink), one per sendmsg and batched. Needs root and
    /// `ip link set lo up`.
    Bench {
        /// Routes per measurement.
        #[arg(long, default_value_t = 10_000)]
        count: u32,
    },
}

#[derive(Subcommand, Debug, Clone)]
pub enum TableCmd {
    /// Create a table (NLM_F_CREATE | NLM_F_EXCL: an existing one is EEXIST).
    Add { name: String },
    /// Delete a table and its routes.
    Del { name: String },
    /// Show one table and its route count.
    Get { name: String },
    /// List every table (a dump).
    Show,
}

#[derive(Subcommand, Debug, Clone)]
pub enum RouteCmd {
    /// Add a route (NLM_F_CREATE | NLM_F_EXCL): TABLE PREFIX via GATEWAY dev IF.
    Add(RouteSpec),
    /// Add or replace a route (NLM_F_CREATE | NLM_F_REPLACE).
    Replace(RouteSpec),
    /// Replace an existing route (NLM_F_REPLACE: a missing one is ENOENT).
    Change(RouteSpec),
    /// Delete the route of an exact prefix.
    Del { table: String, prefix: String },
    /// Show the route of an exact prefix.
    Get { table: String, prefix: String },
    /// Show the route that an address takes: the longest matching prefix.
    Lookup { table: String, address: String },
    /// Show every route of a table, in prefix order (a dump).
    Show { table: String },
}

/// `TABLE PREFIX via GATEWAY dev IF`, as `ip route` writes it.
#[derive(clap::Args, Debug, Clone)]
pub struct RouteSpec {
    /// The table.
    pub table: String,
    /// The destination, e.g. 10.1.1.0/24 (no length: /32).
    pub prefix: String,
    /// The word `via`.
    #[arg(value_parser = ["via"])]
    pub via: String,
    /// The gateway, e.g. 11.1.1.1.
    pub gateway: String,
    /// The word `dev`.
    #[arg(value_parser = ["dev"])]
    pub dev: String,
    /// The outgoing interface, e.g. eth0/6.
    pub oif: String,
}

/// Runs what the command line asked for: a subcommand, or the menu.
pub fn execute(command: Option<Cmd>) -> Result<(), String> {
    match command {
        None => menu::run().map_err(|e| e.to_string()),
        Some(Cmd::Batch { file, chunk, quiet }) => batch::run(&file, chunk.max(1), quiet),
        Some(Cmd::Bench { count }) => bench::run(count),
        Some(cmd) => Session::open().map_err(|e| e.to_string()).and_then(|mut s| {
            // Buffered: a dump may print 100,000 lines.
            let mut out = io::BufWriter::new(io::stdout().lock());
            let result = run(&mut s, &cmd, &mut |line| {
                let _ = writeln!(out, "{line}");
            });
            let _ = out.flush();
            result.map_err(|e| format!("{}: {e}", describe(&cmd)))
        }),
    }
}

/// The exit status of a command: failure after printing why.
pub fn exit_code(result: Result<(), String>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("rtm: {e}");
            ExitCode::FAILURE
        }
    }
}

/// A short name of a command, for error messages: "route add".
pub fn describe(cmd: &Cmd) -> &'static str {
    match cmd {
        Cmd::Table(TableCmd::Add { .. }) => "table add",
        Cmd::Table(TableCmd::Del { .. }) => "table del",
        Cmd::Table(TableCmd::Get { .. }) => "table get",
        Cmd::Table(TableCmd::Show) => "table show",
        Cmd::Route(RouteCmd::Add(_)) => "route add",
        Cmd::Route(RouteCmd::Replace(_)) => "route replace",
        Cmd::Route(RouteCmd::Change(_)) => "route change",
        Cmd::Route(RouteCmd::Del { .. }) => "route del",
        Cmd::Route(RouteCmd::Get { .. }) => "route get",
        Cmd::Route(RouteCmd::Lookup { .. }) => "route lookup",
        Cmd::Route(RouteCmd::Show { .. }) => "route show",
        Cmd::Batch { .. } => "batch",
        Cmd::Bench { .. } => "bench",
    }
}

/// Writes the attributes of a request.
pub type Encode = Box<dyn Fn(&mut wire::writer::Writer<'_>) -> Result<(), wire::Error>>;

/// A single request: type, flags and the attribute writer of a command that
/// is one message (everything but the dumps, batch and bench).
pub struct Single {
    pub ty: u16,
    pub flags: u16,
    pub bytes_of: Encode,
}

// ANCHOR: single
/// The message of a one-message command, or `None` for the others.
pub fn single(cmd: &Cmd) -> Result<Option<Single>, String> {
    let create = nlmsg::F_CREATE;
    let one = |ty, flags, f: Encode| Ok(Some(Single { ty, flags, bytes_of: f }));
    match cmd.clone() {
        Cmd::Table(TableCmd::Add { name }) => {
            one(rtm::TABLE_NEW, create | nlmsg::F_EXCL, Box::new(move |w| rtm::put_table(w, &name, None)))
        }
        Cmd::Table(TableCmd::Del { name }) => one(rtm::TABLE_DEL, 0, Box::new(move |w| rtm::put_table(w, &name, None))),
        Cmd::Table(TableCmd::Get { name }) => one(rtm::TABLE_GET, 0, Box::new(move |w| rtm::put_table(w, &name, None))),
        Cmd::Route(RouteCmd::Add(spec)) => route_new(spec, create | nlmsg::F_EXCL),
        Cmd::Route(RouteCmd::Replace(spec)) => route_new(spec, create | nlmsg::F_REPLACE),
        Cmd::Route(RouteCmd::Change(spec)) => route_new(spec, nlmsg::F_REPLACE),
        Cmd::Route(RouteCmd::Del { table, prefix }) => {
            let p = text::prefix(&prefix)?;
            one(rtm::ROUTE_DEL, 0, Box::new(move |w| rtm::put_prefix(w, &table, p)))
        }
        Cmd::Route(RouteCmd::Get { table, prefix }) => {
            let p = text::prefix(&prefix)?;
            one(rtm::ROUTE_GET, 0, Box::new(move |w| rtm::put_prefix(w, &table, p)))
        }
        Cmd::Route(RouteCmd::Lookup { table, address }) => {
            let a = text::address(&address)?;
            one(rtm::ROUTE_LOOKUP, 0, Box::new(move |w| rtm::put_lookup(w, &table, a)))
        }
        _ => Ok(None),
    }
}
// ANCHOR_END: single

fn route_new(spec: RouteSpec, flags: u16) -> Result<Option<Single>, String> {
    let dst = text::prefix(&spec.prefix)?;
    let gateway = text::address(&spec.gateway)?;
    let (table, oif) = (spec.table, spec.oif);
    let f = move |w: &mut wire::writer::Writer<'_>| rtm::put_route(w, &table, &Route { dst, gateway, oif: &oif });
    Ok(Some(Single { ty: rtm::ROUTE_NEW, flags, bytes_of: Box::new(f) }))
}

/// Runs one command on `session`, giving each output line to `out`.
///
/// A dump the kernel flags as interrupted (`NLM_F_DUMP_INTR`: the data
/// changed while it ran) is done again, up to [`DUMP_TRIES`] times; if the
/// last one is still interrupted, its lines are given and the command fails.
pub fn run(session: &mut Session, cmd: &Cmd, out: &mut dyn FnMut(String)) -> Result<(), String> {
    let err = |e: Failure| e.to_string();
    if let Some(s) = single(cmd)? {
        for answer in session.request(s.ty, s.flags, |w| (s.bytes_of)(w)).map_err(err)? {
            out(text::show(&answer));
        }
        return Ok(());
    }
    let (parts, consistent) = match cmd {
        Cmd::Table(TableCmd::Show) => session.dump_consistent(rtm::TABLE_GET, &|_| Ok(())).map_err(err)?,
        Cmd::Route(RouteCmd::Show { table }) => {
            session.dump_consistent(rtm::ROUTE_GET, &|w| rtm::put_table(w, table, None)).map_err(err)?
        }
        _ => return Err("not a single command".into()),
    };
    for answer in &parts {
        out(text::show(answer));
    }
    if !consistent {
        return Err(format!(
            "the data changed during each of {DUMP_TRIES} dumps (NLM_F_DUMP_INTR): the list above may be inconsistent"
        ));
    }
    Ok(())
}

/// Makes a write to a closed pipe end the program quietly, as it ends `ls`
/// or `cat`: `rtm route show big | head` prints ten lines and stops.
///
/// Rust programs start with `SIGPIPE` ignored, so such a write fails with
/// `EPIPE` instead (and `println!` panics on it). This restores the default
/// action, termination by the signal, without a message. Call it first in
/// `main`.
pub fn die_on_closed_pipe() {
    // SAFETY: SIG_DFL installs no handler, so no code of ours runs in signal
    // context; called at the start of main, before any thread is started
    // that could race on the signal disposition.
    unsafe { libc::signal(libc::SIGPIPE, libc::SIG_DFL) };
}
