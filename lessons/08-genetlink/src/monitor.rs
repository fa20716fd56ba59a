//! `rtm monitor`: every change, as the family announces it on its groups.
//!
//! The groups are found by *name*: the controller's description of the
//! family lists them with the ids the kernel gave them. Those ids come from
//! one space shared by every family and are often above 32, out of reach of
//! the `nl_groups` bitmask of `bind`: a generic netlink program joins with
//! `setsockopt(SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &id)`.

use crate::client;
use crate::family;
use std::io::{self, Write};
use wire::rtm_genl;

/// What the monitor was asked to do.
pub struct Options {
    pub tables: bool,
    pub routes: bool,
    pub count: Option<u64>,
    pub raw: bool,
}

/// Prints events until `count` of them were seen (or forever).
pub fn run(o: &Options) -> Result<(), String> {
    let e = |e: io::Error| e.to_string();
    let (mut session, family) = family::open(rtm_genl::FAMILY_NAME)?;
    let wanted = [(o.tables, rtm_genl::GROUP_TABLES_NAME), (o.routes, rtm_genl::GROUP_ROUTES_NAME)];
    let mut joined = Vec::new();
    for (_, name) in wanted.iter().filter(|(on, _)| *on) {
        let id = family.group(name).ok_or_else(|| format!("family {} has no group {name}", family.name))?;
        session.sock().add_membership(id).map_err(e)?;
        joined.push(format!("{name} {id}"));
    }
    // Events must wait as long as it takes: no receive timeout.
    session.set_timeout(None).map_err(e)?;
    let stdout = io::stdout();
    let mut out = stdout.lock();
    writeln!(out, "monitor: listening (port {}, groups {})", session.port, joined.join(", ")).map_err(e)?;
    out.flush().map_err(e)?;
    let mut seen = 0u64;
    while o.count.is_none_or(|n| seen < n) {
        let answers = match session.recv() {
            Ok(a) => a,
            Err(err) if err.raw_os_error() == Some(libc::ENOBUFS) => {
                writeln!(out, "monitor: ENOBUFS: events were lost (we read too slowly)").map_err(e)?;
                continue;
            }
            Err(err) => return Err(err.to_string()),
        };
        for a in answers.iter().filter(|a| a.multicast && a.header.ty == family.id) {
            let line = match family::split(a) {
                Some((h, _)) if o.raw => {
                    format!("{} seq={} port={}", rtm_genl::command_name(h.cmd), a.header.seq, a.header.pid)
                }
                _ => client::event_line(a),
            };
            writeln!(out, "{line}").map_err(e)?;
            seen += 1;
        }
        out.flush().map_err(e)?;
    }
    Ok(())
}
