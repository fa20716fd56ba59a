//! An IPv4 route as rtnetlink carries it, both ways: the request that
//! changes one (exercise 7.1) and the decoding of what the kernel sends
//! about one (exercise 7.2): answers, dump parts and notifications.

use crate::session::Failure;
use std::net::Ipv4Addr;
use wire::attr::{Attr, Attrs};
use wire::nlmsg;
use wire::rtnl::{self, RtMsg, RtNexthop};
use wire::writer::Writer;

/// One next hop of a multipath route (`RTA_MULTIPATH`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Nexthop {
    /// Its gateway, if it has one.
    pub gateway: Option<Ipv4Addr>,
    /// Its output interface's index.
    pub oif: u32,
    /// Its weight, 1..=256 (`rtnh_hops` + 1).
    pub weight: u16,
    /// `RTNH_F_*` flags the kernel reports (`dead`, `linkdown`).
    pub flags: u8,
}

/// A route of the kernel's IPv4 routing tables: the fields of `struct
/// rtmsg` and the `RTA_*` attributes lesson 07 uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    /// Destination address (`RTA_DST`; 0.0.0.0 when absent).
    pub dst: Ipv4Addr,
    /// Destination prefix length (`rtm_dst_len`), 0..=32.
    pub dst_len: u8,
    /// Table id (`RTA_TABLE`, or `rtm_table` below 256).
    pub table: u32,
    /// Who made it (`rtm_protocol`, `RTPROT_*`).
    pub protocol: u8,
    /// How far the destination is (`rtm_scope`, `RT_SCOPE_*`).
    pub scope: u8,
    /// What kind of route (`rtm_type`, `RTN_*`).
    pub kind: u8,
    /// `rtm_flags` (`RTNH_F_*` of a single next hop, in what the kernel
    /// sends).
    pub flags: u32,
    /// Next-hop address (`RTA_GATEWAY`).
    pub gateway: Option<Ipv4Addr>,
    /// Output interface index (`RTA_OIF`).
    pub oif: Option<u32>,
    /// Metric (`RTA_PRIORITY`); lower wins.
    pub priority: Option<u32>,
    /// Preferred source address (`RTA_PREFSRC`).
    pub prefsrc: Option<Ipv4Addr>,
    /// Next hops of a multipath route (`RTA_MULTIPATH`), else empty.
    pub nexthops: Vec<Nexthop>,
}

impl Default for Route {
    /// 0.0.0.0/0 in table main: a unicast route made by the administrator,
    /// of universe scope.
    fn default() -> Route {
        Route {
            dst: Ipv4Addr::UNSPECIFIED,
            dst_len: 0,
            table: rtnl::RT_TABLE_MAIN,
            protocol: rtnl::RTPROT_STATIC,
            scope: rtnl::RT_SCOPE_UNIVERSE,
            kind: rtnl::RTN_UNICAST,
            flags: 0,
            gateway: None,
            oif: None,
            priority: None,
            prefsrc: None,
            nexthops: Vec::new(),
        }
    }
}

/// What a request does to a route: the verbs of `ip route`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verb {
    /// Add a new route; one of the same prefix, metric and tos: `EEXIST`.
    Add,
    /// Add another route for the same prefix, after the existing ones.
    Append,
    /// Replace the route of that prefix, or add it if there is none.
    Replace,
    /// Replace the route of that prefix; none: `ENOENT`.
    Change,
    /// Delete the first route that matches what the request names.
    Del,
}

/// Appends `RTA_MULTIPATH` with the next hops `hops`: for each one a
/// `struct rtnexthop` (its length counting its own attributes), then its
/// `RTA_GATEWAY`. No `NLA_F_NESTED`: the kernel reads the value as a list
/// of `rtnexthop`, not of attributes (`fib_get_nhs` in
/// net/ipv4/fib_semantics.c), and iproute2 does not set it either.
fn put_multipath(w: &mut Writer<'_>, hops: &[Nexthop]) -> Result<(), wire::Error> {
    let mut value = vec![0u8; hops.len() * 16];
    let mut v = Writer::new(&mut value);
    for hop in hops {
        let attrs_len = if hop.gateway.is_some() { 8 } else { 0 };
        let hops_field = u8::try_from(hop.weight.saturating_sub(1)).map_err(|_| wire::Error::TooBig)?;
        let ifindex = i32::try_from(hop.oif).map_err(|_| wire::Error::TooBig)?;
        v.put_payload(&RtNexthop { flags: 0, hops: hops_field, ifindex }.to_bytes(attrs_len)?)?;
        if let Some(gw) = hop.gateway {
            v.put_attr(rtnl::RTA_GATEWAY, &gw.octets())?;
        }
    }
    w.put_attr(rtnl::RTA_MULTIPATH, v.as_bytes())
}

/// The request that makes the change `verb` to `route`: one `RTM_NEWROUTE` or
/// `RTM_DELROUTE` message with `NLM_F_REQUEST | NLM_F_ACK` and the flags of
/// the verb, `struct rtmsg`, then the attributes. Returns its bytes.
///
/// Errors: a route that does not fit the 1 KiB buffer (some 60 next hops).
pub fn request(verb: Verb, route: &Route, seq: u32, port: u32) -> Result<Vec<u8>, Failure> {
    let mut buf = vec![0u8; 1024];
    let mut w = Writer::new(&mut buf);
    // TODO(exercise 7.1): Build the request in `w`: the header (the message type, and the NLM_F_* flags that make the kernel do what `verb` says), struct rtmsg (RtMsg, from `route`), then the route's attributes (RTA_*; the next hops with put_multipath). Mind the table: see the chapter.
    let _ = (verb, route, seq, port, put_multipath, &mut w, nlmsg::F_REQUEST);
    Err(Failure::other("building the request is not written yet (exercise 7.1)"))
}

impl Route {
    /// Decodes the payload of a route message (`RTM_NEWROUTE` or
    /// `RTM_DELROUTE`: an answer, a dump part or a notification): `struct
    /// rtmsg`, then the attributes. Attributes it does not know are
    /// skipped, as a newer kernel may send more.
    ///
    /// Errors: a payload shorter than `struct rtmsg`, a family other than
    /// IPv4, malformed attributes.
    pub fn decode(payload: &[u8]) -> Result<Route, String> {
        // TODO(exercise 7.2): Decode a route message: struct rtmsg first (RtMsg::parse gives it and the attributes after it), then the attributes (Attrs) by type, into a Route: RTA_DST, RTA_GATEWAY, RTA_PREFSRC, RTA_OIF, RTA_PRIORITY, RTA_TABLE, RTA_MULTIPATH (rtnl::Nexthops walks its next hops). Only IPv4 (AF_INET).
        let _ = (payload, RtMsg::parse, Attrs::new, Attr::u32);
        Err("decoding a route message is not written yet (exercise 7.2)".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wire::nlmsg::{self, Messages};

    fn route() -> Route {
        Route {
            dst: Ipv4Addr::new(10, 1, 0, 0),
            dst_len: 16,
            table: 1000,
            gateway: Some(Ipv4Addr::new(192, 0, 2, 254)),
            oif: Some(2),
            priority: Some(5),
            ..Route::default()
        }
    }

    /// A request decodes back into the route it was made of (a request
    /// and the kernel's answer share their layout), and carries the bytes
    /// the kernel reads.
    #[test]
    #[ignore = "exercises 7.1 and 7.2: run with `cargo test -p rt -- --ignored` once they are written"]
    fn request_and_decode_agree() {
        let bytes = request(Verb::Add, &route(), 7, 99).unwrap();
        let m = Messages::new(&bytes).next().unwrap().unwrap();
        assert_eq!(m.header.ty, rtnl::RTM_NEWROUTE);
        assert_eq!(m.header.flags, nlmsg::F_REQUEST | nlmsg::F_ACK | nlmsg::F_CREATE | nlmsg::F_EXCL);
        assert_eq!((m.header.seq, m.header.pid), (7, 99));
        // struct rtmsg: AF_INET, /16, table 0 (1000 does not fit), static, universe, unicast.
        assert_eq!(&m.payload[..8], &[2, 16, 0, 0, 0, 4, 0, 1]);
        let tb = Attrs::new(&m.payload[12..]).find(rtnl::RTA_TABLE).unwrap().unwrap();
        assert_eq!(tb.u32(), Ok(1000));
        let dst = Attrs::new(&m.payload[12..]).find(rtnl::RTA_DST).unwrap().unwrap();
        assert_eq!(dst.payload(), &[10, 1, 0, 0]);
        assert_eq!(Route::decode(m.payload), Ok(route()));
    }

    #[test]
    #[ignore = "exercise 7.1: run with `cargo test -p rt -- --ignored` once they are written"]
    fn flags_of_each_verb() {
        let flags = |c| Messages::new(&request(c, &route(), 1, 0).unwrap()).next().unwrap().unwrap().header;
        assert_eq!(flags(Verb::Append).flags & 0xf00, nlmsg::F_CREATE | nlmsg::F_APPEND);
        assert_eq!(flags(Verb::Replace).flags & 0xf00, nlmsg::F_CREATE | nlmsg::F_REPLACE);
        assert_eq!(flags(Verb::Change).flags & 0xf00, nlmsg::F_REPLACE);
        let del = flags(Verb::Del);
        assert_eq!((del.ty, del.flags), (rtnl::RTM_DELROUTE, nlmsg::F_REQUEST | nlmsg::F_ACK));
    }

    #[test]
    #[ignore = "exercises 7.1 and 7.2: run with `cargo test -p rt -- --ignored` once they are written"]
    fn default_route_has_no_dst_and_multipath_round_trips() {
        let r = Route {
            table: rtnl::RT_TABLE_MAIN,
            nexthops: vec![
                Nexthop { gateway: Some(Ipv4Addr::new(192, 0, 2, 2)), oif: 2, weight: 1, flags: 0 },
                Nexthop { gateway: Some(Ipv4Addr::new(192, 0, 2, 3)), oif: 3, weight: 3, flags: 0 },
            ],
            ..Route::default()
        };
        let bytes = request(Verb::Replace, &r, 1, 0).unwrap();
        let m = Messages::new(&bytes).next().unwrap().unwrap();
        assert_eq!(m.payload[4], 254, "main fits rtm_table");
        assert_eq!(Attrs::new(&m.payload[12..]).find(rtnl::RTA_DST), Ok(None));
        assert_eq!(Route::decode(m.payload), Ok(r));
    }

    #[test]
    #[ignore = "exercise 7.2: run with `cargo test -p rt -- --ignored` once they are written"]
    fn refuses_what_is_no_ipv4_route() {
        assert!(Route::decode(&[2, 0, 0]).is_err());
        let mut six = RtMsg { family: 10, ..RtMsg::default() }.to_bytes().to_vec();
        assert!(Route::decode(&six).unwrap_err().contains("family 10"));
        six[0] = rtnl::AF_INET;
        six.extend_from_slice(&[8, 0, 1, 0, 10, 0, 0]); // RTA_DST cut short
        assert!(Route::decode(&six).is_err());
    }
}
