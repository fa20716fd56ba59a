//! `rtm monitor`: print every change the module announces, in order.
//!
//! The socket joins the module's multicast groups, one of two ways:
//!
//! * at `bind` time, with the bitmask `nl_groups` (bit N-1 for group N; only
//!   groups 1 to 32 can be named that way);
//! * after `bind`, with `setsockopt(SOL_NETLINK, NETLINK_ADD_MEMBERSHIP,
//!   group)`, one call per group number (any number).
//!
//! Both end in the same membership bitmap. Mixing them for one socket is
//! where mistakes hide: a group *number* put into `nl_groups` (16 = bit 4 =
//! group 5) joins the wrong group.
//!
//! A listener that reads too slowly overflows its receive queue: the kernel
//! drops the notification and the next `recvmsg` fails with ENOBUFS. The
//! events in between are lost for good; the monitor says so and reads the
//! whole state again with dumps (it resynchronises).

use rtm_cli::session::{Answer, Failure, Session};
use rtm_cli::text;
use std::io::{self, Write};
use std::time::Duration;
use wire::errno;
use wire::rtm::{self, Attributes};

/// How the monitor joins the groups.
#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum Join {
    /// `nl_groups` bitmask in `bind`.
    Bind,
    /// `NETLINK_ADD_MEMBERSHIP` after `bind`.
    Option,
}

/// What the monitor was asked to do.
pub struct Options {
    pub join: Join,
    pub tables: bool,
    pub routes: bool,
    pub count: Option<u64>,
    pub raw: bool,
    pub rcvbuf: Option<usize>,
    pub delay: Option<u64>,
}

/// Opens the monitor's socket and joins the groups.
fn listen(o: &Options) -> io::Result<Session> {
    let groups: Vec<u32> = [(o.tables, rtm::GROUP_TABLES), (o.routes, rtm::GROUP_ROUTES)]
        .into_iter()
        .filter_map(|(on, g)| on.then_some(g))
        .collect();
    match o.join {
        // One bit per group in the bind address.
        Join::Bind => Session::open_with_groups(groups.iter().fold(0, |mask, &g| mask | rtm::group_mask(g))),
        // Bind to no group, then join each by its number:
        // setsockopt(SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &group).
        Join::Option => {
            let s = Session::open()?;
            for g in groups {
                s.sock().add_membership(g)?;
            }
            Ok(s)
        }
    }
}

/// One notification as a line: what happened, and to what.
///
/// `table add t1`, `table del t1`, `route add t1 10.1.1.0/24 via 11.1.1.1
/// dev eth0/6`, `route replace ...`, `route del ...`.
pub fn event_line(answer: &Answer) -> String {
    // TODO(exercise 6.2): Decode a notification: TABLE_NEW is "table add NAME", TABLE_DEL "table del NAME", ROUTE_NEW "route add T ROUTE" or, with NLM_F_REPLACE, "route replace T ROUTE", ROUTE_DEL "route del T ROUTE" (ROUTE as text::show writes it).
    format!("TODO: decode event type {}", answer.header.ty)
}

/// After ENOBUFS: the events in between are lost. Read the whole state
/// again (one dump of the tables, one per table of its routes), on a socket
/// of its own so that it does not mix with the events, and print it.
///
/// The state may change meanwhile: an interrupted dump is done again
/// (`dump_consistent`), and a table deleted between the two dumps (its
/// route dump says ENOENT) is left out; its deletion is among the events
/// that follow.
fn resync(out: &mut impl Write) -> io::Result<()> {
    let err = |e: Failure| io::Error::other(e.to_string());
    let mut s = Session::open()?;
    let mut lines = Vec::new();
    let (tables, _) = s.dump_consistent(rtm::TABLE_GET, &|_| Ok(())).map_err(err)?;
    for t in &tables {
        let name = Attributes::parse(&t.payload).ok().and_then(|a| a.table().ok()).unwrap_or_default().to_string();
        let routes = match s.dump_consistent(rtm::ROUTE_GET, &|w| rtm::put_table(w, &name, None)) {
            Err(e) if e.errno() == Some(errno::ENOENT) => continue, // gone since the table dump
            other => other.map_err(err)?.0,
        };
        lines.push(format!("sync: table {}", text::show(t)));
        lines.extend(routes.iter().map(|r| format!("sync: route {name} {}", text::show(r))));
    }
    for l in lines {
        writeln!(out, "{l}")?;
    }
    writeln!(out, "sync: done")
}

/// Prints events until `count` of them were seen (or forever).
pub fn run(o: &Options) -> Result<(), String> {
    let e = |e: io::Error| e.to_string();
    let mut session = listen(o).map_err(e)?;
    if let Some(size) = o.rcvbuf {
        session.sock().set_recv_buffer(size).map_err(e)?;
    }
    // Events must wait as long as it takes: no receive timeout.
    session.set_timeout(None).map_err(e)?;
    let stdout = io::stdout();
    let mut out = stdout.lock();
    writeln!(out, "monitor: listening (port {})", session.port).map_err(e)?;
    out.flush().map_err(e)?;
    if let Some(ms) = o.delay {
        std::thread::sleep(Duration::from_millis(ms)); // a slow reader, on purpose
    }
    let mut seen = 0u64;
    while o.count.is_none_or(|n| seen < n) {
        let answers = match session.recv() {
            Ok(a) => a,
            Err(err) if err.raw_os_error() == Some(libc::ENOBUFS) => {
                writeln!(out, "monitor: ENOBUFS: events were lost (we read too slowly); resynchronising").map_err(e)?;
                // What is still queued is older than the dump: drop it.
                session.drain().map_err(e)?;
                resync(&mut out).map_err(e)?;
                out.flush().map_err(e)?;
                continue;
            }
            Err(err) => return Err(err.to_string()),
        };
        for a in answers {
            let line = if o.raw {
                format!(
                    "{} flags={:#x} seq={} port={}",
                    rtm::type_name(a.header.ty),
                    a.header.flags,
                    a.header.seq,
                    a.header.pid
                )
            } else {
                event_line(&a)
            };
            writeln!(out, "{line}").map_err(e)?;
            seen += 1;
        }
        out.flush().map_err(e)?;
    }
    Ok(())
}
