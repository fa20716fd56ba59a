//! Interface names and indexes. A route names its interface by *index*
//! (`RTA_OIF`, a `u32`); people name it `d0`. `RTM_GETLINK` turns one into
//! the other: `struct ifinfomsg` with the index, or index 0 and the name in
//! `IFLA_IFNAME`; the answer is an `RTM_NEWLINK` with both.

use crate::session::{Answer, Failure, Session};
use std::collections::HashMap;
use wire::attr::Attrs;
use wire::nlmsg;
use wire::rtnl::{self, IfInfoMsg};
use wire::writer::Writer;

/// The interfaces seen so far, index to name: each is asked for once.
#[derive(Debug, Default)]
pub struct Links {
    names: HashMap<u32, String>,
}

// ANCHOR: getlink
/// An `RTM_GETLINK` request for one interface: by `index`, or, with index
/// 0, by `name` (`IFLA_IFNAME`). With strict checking on, the kernel wants
/// every other field of `struct ifinfomsg` zero ("Invalid values in header
/// for get link request", `rtnl_valid_getlink_req` in
/// net/core/rtnetlink.c).
fn getlink(session: &mut Session, index: u32, name: Option<&str>) -> Result<(Vec<u8>, u32), Failure> {
    let seq = session.seq();
    let mut buf = vec![0u8; 128];
    let mut w = Writer::new(&mut buf);
    let m = w.start(rtnl::RTM_GETLINK, nlmsg::F_REQUEST | nlmsg::F_ACK, seq, session.port)?;
    let index = i32::try_from(index).map_err(|_| Failure::other(format!("no interface has index {index}")))?;
    w.put_payload(&IfInfoMsg { index, ..IfInfoMsg::default() }.to_bytes())?;
    if let Some(name) = name {
        w.put_str(rtnl::IFLA_IFNAME, name)?;
    }
    let len = w.finish(m)?;
    buf.truncate(len);
    Ok((buf, seq))
}
// ANCHOR_END: getlink

/// The index and name an `RTM_NEWLINK` answer carries.
fn index_and_name(answer: &Answer) -> Option<(u32, String)> {
    let (h, attrs) = IfInfoMsg::parse(&answer.payload).ok()?;
    let name = Attrs::new(attrs).find(rtnl::IFLA_IFNAME).ok()??.str().ok()?.to_string();
    Some((u32::try_from(h.index).ok()?, name))
}

impl Links {
    /// The index of the interface called `name`.
    ///
    /// Errors: `ENODEV` when there is none; a name of 16 bytes or more is
    /// refused by the attribute's policy (`ERANGE`). Notifications that
    /// arrive meanwhile go to `other`.
    pub fn index(&mut self, session: &mut Session, name: &str, other: impl FnMut(Answer)) -> Result<u32, Failure> {
        let (request, seq) = getlink(session, 0, Some(name))?;
        let answers = session.request(&request, seq, rtnl::LINK_ATTRS_AT, other)?;
        let (index, name) = answers
            .iter()
            .find_map(index_and_name)
            .ok_or_else(|| Failure::other("the kernel's answer to RTM_GETLINK names no interface"))?;
        self.names.insert(index, name);
        Ok(index)
    }

    /// The name of interface `index`, asked of the kernel the first time;
    /// the index as a number if it has none (gone since).
    pub fn name(&mut self, session: &mut Session, index: u32, other: impl FnMut(Answer)) -> String {
        if let Some(n) = self.names.get(&index) {
            return n.clone();
        }
        let found = getlink(session, index, None)
            .and_then(|(request, seq)| session.request(&request, seq, rtnl::LINK_ATTRS_AT, other))
            .ok()
            .and_then(|answers| answers.iter().find_map(index_and_name));
        match found {
            Some((i, name)) if i == index => {
                self.names.insert(index, name.clone());
                name
            }
            _ => format!("if{index}"),
        }
    }
}
