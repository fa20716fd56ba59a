//! `rt monitor`: print every change of the IPv4 routing tables, as it
//! happens, whoever makes it (`ip route`, `rt`, the kernel itself when an
//! address or an interface changes).
//!
//! The socket joins the multicast group `RTNLGRP_IPV4_ROUTE` (7), to which
//! the kernel sends a notification of each change (`rtmsg_fib()` in
//! net/ipv4/fib_semantics.c): an `RTM_NEWROUTE` or `RTM_DELROUTE` that looks
//! exactly like a dump part, sent by multicast. The kernel filters nothing
//! for a listener: to watch one table, the monitor reads the table of each
//! notification and skips the others.
//!
//! `--list` first lists the routes, on the same socket, after joining: no
//! change can fall between the list and the watch. Notifications that
//! arrive during the listing are not parts of the dump: they wait, and are
//! printed after it.

use crate::dump::{self, Filter};
use crate::link::Links;
use crate::route::Route;
use crate::session::{Answer, Failure, Session};
use crate::text;
use std::collections::VecDeque;
use std::io::{self, Write};
use std::time::Duration;
use wire::nlmsg;
use wire::rtnl;

/// What the monitor was asked to do.
#[derive(Debug, Default)]
pub struct Options {
    /// Only this table's changes (`None`: every table).
    pub table: Option<u32>,
    /// Stop after this many changes.
    pub count: Option<u64>,
    /// First list the routes (of `table`, or of every table).
    pub list: bool,
    /// Wait this long after asking for the list before reading it (to let
    /// a check make a change meanwhile).
    pub delay: Option<Duration>,
}

/// One notification as a line: `add ROUTE`, `replace ROUTE`, `del ROUTE`
/// (`ROUTE` as `ip route` prints it, with its table unless main), or
/// `None` when it is about a table the monitor does not watch.
///
/// The kernel says what happened in the type and flags: `RTM_NEWROUTE`
/// with `NLM_F_REPLACE` replaced a route, without it added one
/// (`NLM_F_CREATE`, with `NLM_F_EXCL` or `NLM_F_APPEND` as requested);
/// `RTM_DELROUTE` deleted one.
fn event(answer: &Answer, table: Option<u32>, name: impl FnMut(u32) -> String) -> Option<String> {
    let route = match Route::decode(&answer.payload) {
        Ok(r) => r,
        Err(e) => return Some(format!("undecodable {}: {e}", rtnl::type_name(answer.header.ty))),
    };
    if table.is_some_and(|t| t != route.table) {
        return None;
    }
    let what = match answer.header.ty {
        rtnl::RTM_DELROUTE => "del",
        _ if answer.header.has(nlmsg::F_REPLACE) => "replace",
        _ => "add",
    };
    Some(format!("{what} {}", text::show(&route, false, name)))
}

/// Lists the routes on the monitor's own socket; notifications that come
/// meanwhile go to `pending`.
fn list(s: &mut Session, o: &Options, links: &mut Links, pending: &mut VecDeque<Answer>) -> Result<(), Failure> {
    let seq = s.seq();
    let request = dump::request(&Filter { table: o.table, oif: None }, seq, s.port)?;
    s.send(&request)?;
    if let Some(pause) = o.delay {
        // The first part of the answer is made at once, the rest only as
        // it is read: a change made during the pause is notified between
        // the parts.
        println!("monitor: listing (port {})", s.port);
        io::stdout().flush()?;
        std::thread::sleep(pause);
    }
    let mut parts = Vec::new();
    dump::receive(s, &request, seq, |a| parts.push(a), |a| pending.push_back(a))?;
    print_listed(s, &parts, o, links, pending)
}

/// Prints the listed routes, `route ROUTE` each, then how many.
fn print_listed(
    s: &mut Session,
    parts: &[Answer],
    o: &Options,
    links: &mut Links,
    pending: &mut VecDeque<Answer>,
) -> Result<(), Failure> {
    for p in parts {
        let route = Route::decode(&p.payload).map_err(Failure::other)?;
        let line = text::show(&route, o.table.is_some(), |i| links.name(s, i, |a| pending.push_back(a)));
        println!("route {line}");
    }
    println!("monitor: listed {} routes", parts.len());
    Ok(())
}

/// Prints changes until `count` of them were seen (or for ever).
pub fn run(o: &Options) -> Result<(), Failure> {
    let mut s = Session::open()?;
    // Join the group by its number (not a bitmask).
    s.sock().add_membership(rtnl::RTNLGRP_IPV4_ROUTE)?;
    // Changes must wait as long as it takes: no receive timeout.
    s.sock().set_recv_timeout(None)?;
    let mut links = Links::default();
    let mut pending = VecDeque::new();
    if o.list {
        list(&mut s, o, &mut links, &mut pending)?;
    }
    println!("monitor: listening (port {})", s.port);
    io::stdout().flush()?;
    let mut seen = 0u64;
    while o.count.is_none_or(|n| seen < n) {
        let answer = match pending.pop_front() {
            Some(a) => a,
            None => {
                pending.extend(s.recv()?);
                continue;
            }
        };
        // Our own requests' answers (interface names) are no changes.
        if !answer.multicast || !matches!(answer.header.ty, rtnl::RTM_NEWROUTE | rtnl::RTM_DELROUTE) {
            continue;
        }
        let mut later = VecDeque::new();
        let line = event(&answer, o.table, |i| links.name(&mut s, i, |a| later.push_back(a)));
        pending.extend(later);
        if let Some(line) = line {
            println!("{line}");
            io::stdout().flush()?;
            seen += 1;
        }
    }
    Ok(())
}
