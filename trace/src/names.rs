//! Message types and header flags by name, for the two protocols the lab
//! traces: the course's protocol 31 (names from `wire`) and
//! `NETLINK_ROUTE` (rtnetlink's `RTM_*`, numbers from `libc`).

use std::borrow::Cow;
use wire::{nlmsg, proto, rtm};

/// `NETLINK_ROUTE`, the protocol of `ip` and of creating the nlmon device.
pub const NETLINK_ROUTE: u16 = libc::NETLINK_ROUTE as u16;
/// The course's protocol, [`proto::NETLINK_COURSE`].
pub const NETLINK_COURSE: u16 = proto::NETLINK_COURSE as u16;

/// A short name of a netlink protocol: `"route"`, `"31"`...
pub fn protocol_name(protocol: u16) -> Cow<'static, str> {
    match protocol {
        NETLINK_ROUTE => "route".into(),
        p => p.to_string().into(),
    }
}

/// What a message type does, which decides what its flags 0x100-0x800
/// mean (`include/uapi/linux/netlink.h`: "Modifiers to GET request", "to
/// NEW request", "to DELETE request", "Flags for ACK message").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A GET request: `NLM_F_ROOT`, `NLM_F_MATCH`, `NLM_F_ATOMIC`.
    Get,
    /// A NEW request: `NLM_F_REPLACE`, `NLM_F_EXCL`, `NLM_F_CREATE`, `NLM_F_APPEND`.
    New,
    /// A DEL request: `NLM_F_NONREC`, `NLM_F_BULK`.
    Del,
    /// `NLMSG_ERROR` and `NLMSG_DONE`: `NLM_F_CAPPED`, `NLM_F_ACK_TLVS`.
    Ack,
    /// Anything else: the high flags have no standard meaning.
    Other,
}

/// The kind of message type `ty` of `protocol`.
pub fn kind(protocol: u16, ty: u16) -> Kind {
    match (protocol, ty) {
        (_, nlmsg::ERROR | nlmsg::DONE) => Kind::Ack,
        (NETLINK_COURSE, rtm::TABLE_NEW | rtm::ROUTE_NEW) => Kind::New,
        (NETLINK_COURSE, rtm::TABLE_DEL | rtm::ROUTE_DEL) => Kind::Del,
        (NETLINK_COURSE, rtm::TABLE_GET | rtm::ROUTE_GET | rtm::ROUTE_LOOKUP) => Kind::Get,
        // rtnetlink's types come in fours from RTM_BASE (16): NEW, DEL, GET, SET.
        (NETLINK_ROUTE, ty) if ty >= libc::RTM_NEWLINK => match (ty - libc::RTM_NEWLINK) % 4 {
            0 => Kind::New,
            1 => Kind::Del,
            2 => Kind::Get,
            _ => Kind::Other,
        },
        _ => Kind::Other,
    }
}

/// The name of message type `ty` of `protocol`: `GREET`, `ROUTE_NEW`,
/// `RTM_NEWLINK`, `NLMSG_ERROR`...; a number for types without a name.
pub fn type_name(protocol: u16, ty: u16) -> Cow<'static, str> {
    let name = match protocol {
        NETLINK_COURSE => match rtm::type_name(ty) {
            // Reserved for the routing table manager, but not used.
            "RTM" | "UNKNOWN" => None,
            n => Some(n),
        },
        NETLINK_ROUTE if ty < nlmsg::MIN_TYPE => Some(proto::type_name(ty)).filter(|n| *n != "UNKNOWN"),
        NETLINK_ROUTE => route_type_name(ty),
        _ => Some(proto::type_name(ty)).filter(|n| ty < nlmsg::MIN_TYPE && *n != "UNKNOWN"),
    };
    match name {
        Some(n) => n.into(),
        None => format!("type {ty}").into(),
    }
}

/// rtnetlink's names (`include/uapi/linux/rtnetlink.h`) of the types the lab
/// may see.
fn route_type_name(ty: u16) -> Option<&'static str> {
    Some(match ty {
        libc::RTM_NEWLINK => "RTM_NEWLINK",
        libc::RTM_DELLINK => "RTM_DELLINK",
        libc::RTM_GETLINK => "RTM_GETLINK",
        libc::RTM_SETLINK => "RTM_SETLINK",
        libc::RTM_NEWADDR => "RTM_NEWADDR",
        libc::RTM_DELADDR => "RTM_DELADDR",
        libc::RTM_GETADDR => "RTM_GETADDR",
        libc::RTM_NEWROUTE => "RTM_NEWROUTE",
        libc::RTM_DELROUTE => "RTM_DELROUTE",
        libc::RTM_GETROUTE => "RTM_GETROUTE",
        libc::RTM_NEWNEIGH => "RTM_NEWNEIGH",
        libc::RTM_DELNEIGH => "RTM_DELNEIGH",
        libc::RTM_GETNEIGH => "RTM_GETNEIGH",
        libc::RTM_NEWRULE => "RTM_NEWRULE",
        libc::RTM_DELRULE => "RTM_DELRULE",
        libc::RTM_GETRULE => "RTM_GETRULE",
        _ => return None,
    })
}

/// The flags of a message by name, `|`-separated as in C: `REQUEST|ACK`,
/// `MULTI`, `REQUEST|ACK|CREATE|EXCL`, `CAPPED`; `0` for none. The bits
/// 0x100-0x800 are named by the [`kind`] of the message; bits without a name
/// are shown in hex.
pub fn flags(protocol: u16, ty: u16, flags: u16) -> String {
    let common: &[(u16, &str)] = &[
        (nlmsg::F_REQUEST, "REQUEST"),
        (nlmsg::F_MULTI, "MULTI"),
        (nlmsg::F_ACK, "ACK"),
        (nlmsg::F_ECHO, "ECHO"),
        (nlmsg::F_DUMP_INTR, "DUMP_INTR"),
        (nlmsg::F_DUMP_FILTERED, "DUMP_FILTERED"),
    ];
    let high: &[(u16, &str)] = match kind(protocol, ty) {
        Kind::Get if flags & nlmsg::F_DUMP == nlmsg::F_DUMP => &[(nlmsg::F_DUMP, "DUMP"), (nlmsg::F_ATOMIC, "ATOMIC")],
        Kind::Get => &[(nlmsg::F_ROOT, "ROOT"), (nlmsg::F_MATCH, "MATCH"), (nlmsg::F_ATOMIC, "ATOMIC")],
        Kind::New => &[
            (nlmsg::F_REPLACE, "REPLACE"),
            (nlmsg::F_EXCL, "EXCL"),
            (nlmsg::F_CREATE, "CREATE"),
            (nlmsg::F_APPEND, "APPEND"),
        ],
        Kind::Del => &[(nlmsg::F_NONREC, "NONREC"), (nlmsg::F_BULK, "BULK")],
        Kind::Ack => &[(nlmsg::F_CAPPED, "CAPPED"), (nlmsg::F_ACK_TLVS, "ACK_TLVS")],
        Kind::Other => &[],
    };
    let mut names = Vec::new();
    let mut left = flags;
    for &(bit, name) in common.iter().chain(high) {
        if left & bit == bit {
            names.push(name.to_string());
            left &= !bit;
        }
    }
    if left != 0 {
        names.push(format!("{left:#x}"));
    }
    if names.is_empty() {
        "0".into()
    } else {
        names.join("|")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types() {
        assert_eq!(type_name(31, proto::GREET), "GREET");
        assert_eq!(type_name(31, rtm::ROUTE_NEW), "ROUTE_NEW");
        assert_eq!(type_name(31, nlmsg::ERROR), "NLMSG_ERROR");
        assert_eq!(type_name(31, 29), "type 29");
        assert_eq!(type_name(31, 0x7ff0), "type 32752");
        assert_eq!(type_name(0, 16), "RTM_NEWLINK");
        assert_eq!(type_name(0, nlmsg::DONE), "NLMSG_DONE");
        assert_eq!(type_name(0, 99), "type 99");
        assert_eq!(type_name(16, 20), "type 20");
        assert_eq!(type_name(16, 2), "NLMSG_ERROR");
    }

    #[test]
    fn flags_by_kind() {
        use nlmsg::*;
        assert_eq!(flags(31, proto::GREET, F_REQUEST | F_ACK), "REQUEST|ACK");
        assert_eq!(flags(31, proto::GREET, 0), "0");
        assert_eq!(flags(31, proto::GREET, F_REQUEST | 0x100), "REQUEST|0x100");
        assert_eq!(flags(31, rtm::ROUTE_NEW, F_REQUEST | F_ACK | F_CREATE | F_EXCL), "REQUEST|ACK|EXCL|CREATE");
        assert_eq!(flags(31, rtm::ROUTE_GET, F_REQUEST | F_DUMP), "REQUEST|DUMP");
        assert_eq!(flags(31, rtm::ROUTE_NEW, F_MULTI), "MULTI");
        assert_eq!(flags(31, ERROR, F_CAPPED | F_ACK_TLVS), "CAPPED|ACK_TLVS");
        assert_eq!(flags(0, libc::RTM_GETLINK, F_REQUEST | F_ROOT), "REQUEST|ROOT");
        assert_eq!(flags(0, libc::RTM_DELLINK, F_REQUEST | F_ACK), "REQUEST|ACK");
        assert_eq!(kind(0, libc::RTM_NEWLINK), Kind::New);
        assert_eq!(kind(0, libc::RTM_SETLINK), Kind::Other);
        assert_eq!(kind(0, libc::RTM_GETROUTE), Kind::Get);
    }
}
