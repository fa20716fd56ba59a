//! Lesson 07: `rt`, the kernel's own IPv4 routing tables over rtnetlink.
//!
//! `rt add 10.1.0.0/16 via 192.0.2.254`, `rt show table 1000`, `rt get
//! 10.1.2.3`, `rt monitor`: the words of `ip route`, the same messages
//! (`RTM_NEWROUTE`, `RTM_DELROUTE`, `RTM_GETROUTE`, `RTM_GETLINK`), built
//! and read here byte by byte.

mod dump;
mod link;
mod monitor;
mod route;
mod session;
mod text;

use clap::{Parser, Subcommand};
use dump::Filter;
use link::Links;
use route::{Nexthop, Route, Verb};
use session::{Failure, Session};
use std::net::Ipv4Addr;
use std::process::ExitCode;
use std::time::Duration;
use wire::rtnl;

/// rt: the kernel's own IPv4 routing tables, over rtnetlink (NETLINK_ROUTE).
///
/// Each command sends one rtnetlink request and prints the kernel's answer;
/// errors come with the kernel's own message (extended ACK). Routes are
/// written and printed as `ip route` writes and prints them.
///
///   rt add 10.1.0.0/16 via 192.0.2.254          # RTM_NEWROUTE, NLM_F_CREATE|NLM_F_EXCL
///   rt replace 10.1.0.0/16 dev d0 table 1000    # NLM_F_CREATE|NLM_F_REPLACE, RTA_TABLE
///   rt del 10.1.0.0/16                          # RTM_DELROUTE
///   rt get 10.1.2.3                             # RTM_GETROUTE: which route the kernel uses
///   rt show table all dev d0                    # RTM_GETROUTE|NLM_F_DUMP, filtered by the kernel
///   rt monitor                                  # the group RTNLGRP_IPV4_ROUTE
///
/// Changes need CAP_NET_ADMIN (root); reading and monitoring do not.
#[derive(Parser)]
#[command(name = "rt", version, about, long_about, verbatim_doc_comment)]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

/// What a route command takes: the words of `ip route add`.
#[derive(clap::Args)]
struct RouteWords {
    /// [TYPE] PREFIX [via GW] [dev NAME] [table ID] [metric N] [proto P]
    /// [scope S] [nexthop via GW [dev NAME] [weight W]]...
    #[arg(required = true, num_args = 1.., allow_hyphen_values = true)]
    words: Vec<String>,
}

#[derive(Subcommand)]
enum Cmd {
    /// Add a route (RTM_NEWROUTE with NLM_F_CREATE|NLM_F_EXCL): EEXIST if the
    /// table has one for the prefix, metric and tos.
    Add(RouteWords),
    /// Add a route after those of the same prefix (NLM_F_CREATE|NLM_F_APPEND).
    Append(RouteWords),
    /// Replace the route of the prefix, or add it (NLM_F_CREATE|NLM_F_REPLACE).
    Replace(RouteWords),
    /// Replace the route of the prefix (NLM_F_REPLACE): ENOENT if none.
    Change(RouteWords),
    /// Delete the first route matching what is given (RTM_DELROUTE): ESRCH
    /// if none does.
    Del(RouteWords),
    /// The route the kernel would send ADDRESS by (RTM_GETROUTE with
    /// RTM_F_FIB_MATCH: the table entry that matched).
    Get {
        /// An IPv4 address.
        address: Ipv4Addr,
    },
    /// List routes (RTM_GETROUTE dump): `[table ID|all] [dev NAME]`, table
    /// main by default. The kernel filters (NETLINK_GET_STRICT_CHK).
    Show {
        /// `table ID` (a number, main, local, default or all) and `dev NAME`.
        words: Vec<String>,
        /// Do not ask for strict checking: the kernel then ignores the
        /// filter and dumps every table (see what it does).
        #[arg(long)]
        no_strict: bool,
        /// Set a field of the request's struct rtmsg by hand, to see the
        /// kernel's answer: dst_len, src_len, tos, table, protocol, scope,
        /// type or flags, e.g. `--header dst_len=24`.
        #[arg(long, value_name = "FIELD=VALUE")]
        header: Vec<String>,
    },
    /// Print route changes as they happen (the multicast group
    /// RTNLGRP_IPV4_ROUTE): `add ROUTE`, `replace ROUTE`, `del ROUTE`.
    Monitor {
        /// `table ID`: only that table's changes (the kernel sends all).
        words: Vec<String>,
        /// Stop after N changes.
        #[arg(long, value_name = "N")]
        count: Option<u64>,
        /// First list the routes, on the same socket (`route ROUTE` lines).
        #[arg(long)]
        list: bool,
        /// With --list: wait MS milliseconds between asking for the list and
        /// reading it (to make a change meanwhile).
        #[arg(long, value_name = "MS", requires = "list")]
        delay: Option<u64>,
    },
    /// The index of interface NAME (RTM_GETLINK with IFLA_IFNAME).
    Link {
        /// An interface name, e.g. lo.
        name: String,
    },
}

fn main() -> ExitCode {
    // SAFETY: SIG_DFL installs no handler, so no code of ours runs in signal
    // context; called first thing in main, before any thread exists that
    // could race on the signal disposition. `rt show | head` then ends
    // quietly, as a filter should.
    unsafe { libc::signal(libc::SIGPIPE, libc::SIG_DFL) };
    let cli = Cli::parse();
    let what = describe(&cli.command);
    match execute(cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("rt: {what}: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The command's name, for error messages.
fn describe(cmd: &Cmd) -> &'static str {
    match cmd {
        Cmd::Add(_) => "add",
        Cmd::Append(_) => "append",
        Cmd::Replace(_) => "replace",
        Cmd::Change(_) => "change",
        Cmd::Del(_) => "del",
        Cmd::Get { .. } => "get",
        Cmd::Show { .. } => "show",
        Cmd::Monitor { .. } => "monitor",
        Cmd::Link { .. } => "link",
    }
}

fn execute(cmd: Cmd) -> Result<(), Failure> {
    match cmd {
        Cmd::Add(r) => change(Verb::Add, &r.words),
        Cmd::Append(r) => change(Verb::Append, &r.words),
        Cmd::Replace(r) => change(Verb::Replace, &r.words),
        Cmd::Change(r) => change(Verb::Change, &r.words),
        Cmd::Del(r) => change(Verb::Del, &r.words),
        Cmd::Get { address } => get(address),
        Cmd::Show { words, no_strict, header } => show(&words, no_strict, &header),
        Cmd::Monitor { words, count, list, delay } => monitor::run(&monitor::Options {
            table: table_word(&words)?,
            count,
            list,
            delay: delay.map(Duration::from_millis),
        }),
        Cmd::Link { name } => {
            let mut s = Session::open()?;
            println!("{}", Links::default().index(&mut s, &name, drop)?);
            Ok(())
        }
    }
}

/// `rt add` and friends: the words to a route, interface names to indexes,
/// the request, the kernel's ACK.
fn change(verb: Verb, words: &[String]) -> Result<(), Failure> {
    let spec = text::parse_route(verb, words).map_err(Failure::other)?;
    let mut s = Session::open()?;
    let mut links = Links::default();
    let mut route = spec.route;
    if let Some(dev) = &spec.dev {
        route.oif = Some(links.index(&mut s, dev, drop)?);
    }
    for (gateway, dev, weight) in spec.hops {
        let oif = match dev {
            Some(d) => links.index(&mut s, &d, drop)?,
            None => 0,
        };
        route.nexthops.push(Nexthop { gateway, oif, weight, flags: 0 });
    }
    let seq = s.seq();
    let request = route::request(verb, &route, seq, s.port)?;
    s.request(&request, seq, rtnl::ROUTE_ATTRS_AT, drop)?;
    Ok(())
}

/// `rt get ADDRESS`: a route lookup, answered with one `RTM_NEWROUTE`.
/// `RTM_F_FIB_MATCH` asks for the routing table's entry (prefix, table)
/// rather than the result for this one address; `RTM_F_LOOKUP_TABLE` for
/// the table the lookup found it in.
fn get(address: Ipv4Addr) -> Result<(), Failure> {
    let mut s = Session::open()?;
    let seq = s.seq();
    let mut buf = vec![0u8; 128];
    let mut w = wire::writer::Writer::new(&mut buf);
    let m = w.start(rtnl::RTM_GETROUTE, wire::nlmsg::F_REQUEST | wire::nlmsg::F_ACK, seq, s.port)?;
    let flags = rtnl::RTM_F_FIB_MATCH | rtnl::RTM_F_LOOKUP_TABLE;
    w.put_payload(&rtnl::RtMsg { family: rtnl::AF_INET, dst_len: 32, flags, ..rtnl::RtMsg::default() }.to_bytes())?;
    w.put_attr(rtnl::RTA_DST, &address.octets())?;
    let len = w.finish(m)?;
    buf.truncate(len);
    let answers = s.request(&buf, seq, rtnl::ROUTE_ATTRS_AT, drop)?;
    let mut links = Links::default();
    for a in answers {
        let route = Route::decode(&a.payload).map_err(Failure::other)?;
        println!("{}", text::show(&route, false, |i| links.name(&mut s, i, drop)));
    }
    Ok(())
}

/// `table ID` among `words` (`table all` or none: `None`).
fn table_word(words: &[String]) -> Result<Option<u32>, Failure> {
    let mut it = words.iter();
    let mut table = None;
    while let Some(w) = it.next() {
        match (w.as_str(), it.next()) {
            ("table", Some(t)) if t == "all" => table = None,
            ("table", Some(t)) => table = Some(text::table_id(t).map_err(Failure::other)?),
            _ => return Err(Failure::other(format!("`{w}`: expected `table ID`"))),
        }
    }
    Ok(table)
}

/// `rt show [table ID|all] [dev NAME]`: a dump the kernel filters.
fn show(words: &[String], no_strict: bool, header: &[String]) -> Result<(), Failure> {
    let mut s = Session::open()?;
    if no_strict {
        s.sock().set_strict_check(false)?;
    }
    let mut links = Links::default();
    let mut filter = Filter { table: Some(rtnl::RT_TABLE_MAIN), oif: None };
    let mut it = words.iter();
    while let Some(w) = it.next() {
        match (w.as_str(), it.next()) {
            ("table", Some(t)) if t == "all" => filter.table = None,
            ("table", Some(t)) => filter.table = Some(text::table_id(t).map_err(Failure::other)?),
            ("dev", Some(d)) => filter.oif = Some(links.index(&mut s, d, drop)?),
            _ => return Err(Failure::other(format!("`{w}`: expected `table ID` or `dev NAME`"))),
        }
    }
    let seq = s.seq();
    let mut request = dump::request(&filter, seq, s.port)?;
    set_header_fields(&mut request, header)?;
    s.send(&request)?;
    let mut parts = Vec::new();
    dump::receive(&mut s, &request, seq, |a| parts.push(a), drop)?;
    for p in parts {
        let route = Route::decode(&p.payload).map_err(Failure::other)?;
        println!("{}", text::show(&route, filter.table.is_some() && !no_strict, |i| links.name(&mut s, i, drop)));
    }
    Ok(())
}

/// `--header FIELD=VALUE`: overwrites a field of the request's `struct
/// rtmsg` (bytes 16 to 27 of the message).
fn set_header_fields(request: &mut [u8], fields: &[String]) -> Result<(), Failure> {
    for f in fields {
        let (name, value) = f.split_once('=').ok_or_else(|| Failure::other(format!("`{f}`: FIELD=VALUE")))?;
        let value: u32 = value.parse().map_err(|_| Failure::other(format!("`{value}` is no number")))?;
        let byte =
            |v: u32| u8::try_from(v).map_err(|_| Failure::other(format!("{name} is one byte: {v} does not fit")));
        let at = 16
            + match name {
                "dst_len" => 1,
                "src_len" => 2,
                "tos" => 3,
                "table" => 4,
                "protocol" => 5,
                "scope" => 6,
                "type" => 7,
                "flags" => {
                    request[24..28].copy_from_slice(&value.to_ne_bytes());
                    continue;
                }
                _ => return Err(Failure::other(format!("struct rtmsg has no field `{name}`"))),
            };
        request[at] = byte(value)?;
    }
    Ok(())
}
