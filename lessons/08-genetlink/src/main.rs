//! Lesson 08: `rtm` once more, for the routing table manager reborn as the
//! generic netlink family "rtm" (module rtm_genl.ko).
//!
//! The family has no fixed number: every command first asks the kernel's
//! controller for it by name (`rtm family` shows what the controller says),
//! then sends its requests to that id, the command in the generic header.

mod client;
mod family;
mod monitor;

use clap::{Parser, Subcommand};
use client::Client;
use rtm_cli::session::Failure;
use rtm_cli::{text, RouteSpec};
use std::io::{self, Write};
use std::process::ExitCode;
use wire::rtm::{self, Route};
use wire::rtm_genl::*;

/// Drives the lesson 08 routing table manager, generic netlink family "rtm"
/// (insmod rtm_genl.ko), resolved by name through the kernel's controller.
/// Changes need CAP_NET_ADMIN (root; the kernel checks it for the family);
/// reading and monitoring do not.
#[derive(Parser)]
#[command(name = "rtm", about, long_about)]
struct Cli {
    /// Ask the kernel to echo each change back (NLM_F_ECHO): its event is
    /// printed before the command returns.
    #[arg(long, global = true)]
    echo: bool,
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Ask the controller (nlctrl) about a family by name: its id, version,
    /// operations and multicast groups.
    Family {
        /// The family's name.
        #[arg(default_value = FAMILY_NAME)]
        name: String,
    },
    /// Routing tables: add, del, get, show.
    #[command(subcommand)]
    Table(TableCmd),
    /// Routes of a table: add, replace, del, get, lookup, show.
    #[command(subcommand)]
    Route(RouteCmd),
    /// Print every change as the family announces it on its multicast
    /// groups (found by name); any number of monitors may run, unprivileged.
    Monitor {
        /// Only table events (default: tables and routes).
        #[arg(long)]
        tables: bool,
        /// Only route events (default: tables and routes).
        #[arg(long)]
        routes: bool,
        /// Exit after this many events.
        #[arg(long)]
        count: Option<u64>,
        /// Print each event's command, seq and port instead of decoding it.
        #[arg(long)]
        raw: bool,
    },
}

#[derive(Subcommand)]
enum TableCmd {
    /// Create a table (TABLE_NEW: an existing one is EEXIST).
    Add { name: String },
    /// Delete a table and its routes.
    Del { name: String },
    /// Show one table and its route count.
    Get { name: String },
    /// List every table (a dump).
    Show,
}

#[derive(Subcommand)]
enum RouteCmd {
    /// Add a route (ROUTE_NEW: a route of the same prefix is EEXIST):
    /// TABLE PREFIX via GATEWAY dev IF.
    Add(RouteSpec),
    /// Add or replace the route of the same prefix (ROUTE_REPLACE).
    Replace(RouteSpec),
    /// Delete the route of an exact prefix.
    Del { table: String, prefix: String },
    /// Show the route of an exact prefix.
    Get { table: String, prefix: String },
    /// Show the route that an address takes: the longest matching prefix.
    Lookup { table: String, address: String },
    /// Show every route of a table, in prefix order (a dump).
    Show { table: String },
}

/// The attributes of a whole route.
fn route(spec: &RouteSpec) -> Result<(String, Route<'_>), String> {
    let dst = text::prefix(&spec.prefix)?;
    let gateway = text::address(&spec.gateway)?;
    Ok((spec.table.clone(), Route { dst, gateway, oif: &spec.oif }))
}

/// Runs a table or route command, giving each output line to `out`.
fn run(client: &mut Client, cmd: &Cmd, out: &mut dyn FnMut(String)) -> Result<(), String> {
    let err = |e: Failure| e.to_string();
    // A change: its answer is the ACK (and, with --echo, its event).
    let change =
        |client: &mut Client, cmd, attrs: &dyn Fn(&mut wire::writer::Writer<'_>) -> Result<(), wire::Error>| {
            client.request(cmd, attrs).map(|events| events.iter().map(client::event_line).collect::<Vec<_>>())
        };
    let lines = match cmd {
        Cmd::Table(TableCmd::Add { name }) => change(client, CMD_TABLE_NEW, &client::table(name)).map_err(err)?,
        Cmd::Table(TableCmd::Del { name }) => change(client, CMD_TABLE_DEL, &client::table(name)).map_err(err)?,
        Cmd::Route(RouteCmd::Add(spec)) | Cmd::Route(RouteCmd::Replace(spec)) => {
            let command = if matches!(cmd, Cmd::Route(RouteCmd::Add(_))) { CMD_ROUTE_NEW } else { CMD_ROUTE_REPLACE };
            let (table, r) = route(spec)?;
            change(client, command, &|w| rtm::put_route(w, &table, &r)).map_err(err)?
        }
        Cmd::Route(RouteCmd::Del { table, prefix }) => {
            let p = text::prefix(prefix)?;
            change(client, CMD_ROUTE_DEL, &|w| rtm::put_prefix(w, table, p)).map_err(err)?
        }
        Cmd::Table(TableCmd::Get { name }) => {
            client.request(CMD_TABLE_GET, client::table(name)).map_err(err)?.iter().map(client::show).collect()
        }
        Cmd::Route(RouteCmd::Get { table, prefix }) => {
            let p = text::prefix(prefix)?;
            let answers = client.request(CMD_ROUTE_GET, |w| rtm::put_prefix(w, table, p)).map_err(err)?;
            answers.iter().map(client::show).collect()
        }
        Cmd::Route(RouteCmd::Lookup { table, address }) => {
            let a = text::address(address)?;
            let answers = client.request(CMD_ROUTE_LOOKUP, |w| rtm::put_lookup(w, table, a)).map_err(err)?;
            answers.iter().map(client::show).collect()
        }
        Cmd::Table(TableCmd::Show) | Cmd::Route(RouteCmd::Show { .. }) => {
            let (parts, consistent) = match cmd {
                Cmd::Route(RouteCmd::Show { table }) => client.dump(CMD_ROUTE_GET, &client::table(table)),
                _ => client.dump(CMD_TABLE_GET, &|_| Ok(())),
            }
            .map_err(err)?;
            for p in &parts {
                out(client::show(p));
            }
            if !consistent {
                return Err("the data changed during every dump (NLM_F_DUMP_INTR)".into());
            }
            Vec::new()
        }
        Cmd::Family { .. } | Cmd::Monitor { .. } => return Err("not a table or route command".into()),
    };
    for l in lines {
        out(l);
    }
    Ok(())
}

/// A short name of a command, for error messages.
fn describe(cmd: &Cmd) -> &'static str {
    match cmd {
        Cmd::Family { .. } => "family",
        Cmd::Monitor { .. } => "monitor",
        Cmd::Table(TableCmd::Add { .. }) => "table add",
        Cmd::Table(TableCmd::Del { .. }) => "table del",
        Cmd::Table(TableCmd::Get { .. }) => "table get",
        Cmd::Table(TableCmd::Show) => "table show",
        Cmd::Route(RouteCmd::Add(_)) => "route add",
        Cmd::Route(RouteCmd::Replace(_)) => "route replace",
        Cmd::Route(RouteCmd::Del { .. }) => "route del",
        Cmd::Route(RouteCmd::Get { .. }) => "route get",
        Cmd::Route(RouteCmd::Lookup { .. }) => "route lookup",
        Cmd::Route(RouteCmd::Show { .. }) => "route show",
    }
}

fn main() -> ExitCode {
    rtm_cli::cli::die_on_closed_pipe();
    let cli = Cli::parse();
    let result = match &cli.command {
        Cmd::Family { name } => family::open(name).map(|(_, f)| println!("{f}")),
        Cmd::Monitor { tables, routes, count, raw } => {
            let both = !tables && !routes;
            let o = monitor::Options { tables: *tables || both, routes: *routes || both, count: *count, raw: *raw };
            monitor::run(&o)
        }
        cmd => Client::open(cli.echo).and_then(|mut client| {
            // Buffered: a dump may print many lines.
            let mut out = io::BufWriter::new(io::stdout().lock());
            let result = run(&mut client, cmd, &mut |line| {
                let _ = writeln!(out, "{line}");
            });
            let _ = out.flush();
            result.map_err(|e| format!("{}: {e}", describe(cmd)))
        }),
    };
    rtm_cli::cli::exit_code(result)
}
