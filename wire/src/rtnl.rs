//! rtnetlink (`NETLINK_ROUTE`): the kernel's own routing protocol, as far as
//! lesson 07 speaks it: IPv4 routes and the names of interfaces. The
//! constants carry the names of the kernel's uapi headers
//! (`include/uapi/linux/rtnetlink.h`, `if_link.h`, `netlink.h`), so that
//! this file reads next to them.
//!
//! ## What a route message looks like
//!
//! Lesson 05's messages were a header and attributes. rtnetlink puts a
//! fixed-size *family header* between the two: `struct rtmsg` for routes,
//! `struct ifinfomsg` for links. The attributes start after it, at byte
//! [`ROUTE_ATTRS_AT`] (16 + 12) of a route message:
//!
//! ```text
//!  0                16                                          28
//! +----------------+--------------------------------------------+------------------
//! | nlmsghdr (16)  | rtmsg (12)                                 | RTA_* attributes
//! |                | family dst_len src_len tos                 | RTA_TABLE  u32
//! |                | table protocol scope type   flags (u32)    | RTA_DST    4 bytes, network order
//! |                |                                            | RTA_GATEWAY, RTA_OIF (u32 ifindex),
//! |                |                                            | RTA_PRIORITY, RTA_MULTIPATH ...
//! +----------------+--------------------------------------------+------------------
//! ```
//!
//! The fixed header holds what every route has: the prefix *length* (the
//! address is `RTA_DST`, absent for the default route), the table (a `u8`:
//! only ids below 256 fit; [`RTA_TABLE`] carries the whole `u32`), who made
//! the route (`RTPROT_*`), how far its destination is (`RT_SCOPE_*`) and
//! what kind of route it is (`RTN_*`: a unicast route, a blackhole...).
//!
//! A route with several next hops carries [`RTA_MULTIPATH`]: a list of
//! `struct rtnexthop` (8 bytes: length, flags, hops, interface index), each
//! followed by its own attributes (`RTA_GATEWAY`): fixed headers again, one
//! level down. [`Nexthops`] walks them.
//!
//! Byte order: the fixed headers and attribute headers are in host order,
//! like all of netlink; addresses are in network order (big-endian), as the
//! kernel keeps them (`__be32`).

use super::bytes;
use super::error::Error;
use super::nlmsg;

/// `NETLINK_ROUTE`: the protocol number of rtnetlink, `socket(AF_NETLINK,
/// SOCK_RAW, NETLINK_ROUTE)`.
pub const NETLINK_ROUTE: i32 = 0;

// ANCHOR: types
/// `RTM_NEWLINK`: what the kernel sends about an interface (answers to
/// [`RTM_GETLINK`], dump parts, notifications).
pub const RTM_NEWLINK: u16 = 16;
/// `RTM_DELLINK`: delete an interface; its notification.
pub const RTM_DELLINK: u16 = 17;
/// `RTM_GETLINK`: one interface (by index or by [`IFLA_IFNAME`]), or all of
/// them with `NLM_F_DUMP`.
pub const RTM_GETLINK: u16 = 18;
/// `RTM_NEWROUTE`: add a route (`NLM_F_CREATE`), replace one
/// (`NLM_F_REPLACE`); also what the kernel sends about a route.
pub const RTM_NEWROUTE: u16 = 24;
/// `RTM_DELROUTE`: delete a route; also the notification of it.
pub const RTM_DELROUTE: u16 = 25;
/// `RTM_GETROUTE`: a route lookup for one address; with `NLM_F_DUMP`, the
/// routes of every table (or of the tables and interface a strict dump
/// request names).
pub const RTM_GETROUTE: u16 = 26;
// ANCHOR_END: types

/// `AF_UNSPEC`: no address family (a dump of every family).
pub const AF_UNSPEC: u8 = 0;
/// `AF_INET`: IPv4, the `rtm_family` of lesson 07's routes.
pub const AF_INET: u8 = 2;

/// `RTNLGRP_LINK`: the multicast group of interface changes.
pub const RTNLGRP_LINK: u32 = 1;
/// `RTNLGRP_IPV4_ROUTE`: the multicast group of IPv4 route changes
/// (`rtmsg_fib()` in net/ipv4/fib_semantics.c sends to it). A group
/// *number*: join it with `NETLINK_ADD_MEMBERSHIP`, or with bit 6 of
/// `nl_groups` at bind time.
pub const RTNLGRP_IPV4_ROUTE: u32 = 7;

// ---------------------------------------------------------------------------
// struct rtmsg and its fields' values
// ---------------------------------------------------------------------------

// ANCHOR: rtmsg
/// Size of `struct rtmsg`, the fixed header of route messages.
pub const RTMSG_LEN: usize = 12;
/// Where the attributes of a route message start: after the netlink header
/// and `struct rtmsg` (what an extended ACK's offsets are counted against).
pub const ROUTE_ATTRS_AT: usize = nlmsg::HDRLEN + RTMSG_LEN;

/// `struct rtmsg` (`include/uapi/linux/rtnetlink.h`), decoded. Every field
/// is a `u8` but `flags`; all in host byte order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct RtMsg {
    /// `rtm_family`: [`AF_INET`] for IPv4.
    pub family: u8,
    /// `rtm_dst_len`: the destination prefix length, 0..=32 for IPv4.
    pub dst_len: u8,
    /// `rtm_src_len`: the source prefix length (policy routing; 0 here).
    pub src_len: u8,
    /// `rtm_tos`: the type-of-service byte the route matches (0: any).
    pub tos: u8,
    /// `rtm_table`: the table id if below 256, else [`RT_TABLE_COMPAT`] in
    /// what the kernel sends; [`RTA_TABLE`] holds the real one.
    pub table: u8,
    /// `rtm_protocol`: who made the route, `RTPROT_*`.
    pub protocol: u8,
    /// `rtm_scope`: how far the destination is, `RT_SCOPE_*`.
    pub scope: u8,
    /// `rtm_type`: what kind of route, `RTN_*`.
    pub kind: u8,
    /// `rtm_flags`: `RTM_F_*` (requests, dumps) and `RTNH_F_*` (a single
    /// next hop's state, in what the kernel sends).
    pub flags: u32,
}

impl RtMsg {
    /// Decodes the first [`RTMSG_LEN`] bytes of a route message's payload
    /// and returns the header and the attribute area after it
    /// ([`Error::Truncated`] if the payload is shorter).
    pub fn parse(payload: &[u8]) -> Result<(RtMsg, &[u8]), Error> {
        let raw: [u8; RTMSG_LEN] = bytes::array(payload, 0).ok_or(Error::Truncated)?;
        let [family, dst_len, src_len, tos, table, protocol, scope, kind, f0, f1, f2, f3] = raw;
        let h = RtMsg {
            family,
            dst_len,
            src_len,
            tos,
            table,
            protocol,
            scope,
            kind,
            flags: u32::from_ne_bytes([f0, f1, f2, f3]),
        };
        Ok((h, payload.get(RTMSG_LEN..).unwrap_or(&[])))
    }

    /// Encodes the 12 bytes, to follow the netlink header
    /// (`Writer::put_payload`).
    pub fn to_bytes(self) -> [u8; RTMSG_LEN] {
        let [f0, f1, f2, f3] = self.flags.to_ne_bytes();
        [
            self.family,
            self.dst_len,
            self.src_len,
            self.tos,
            self.table,
            self.protocol,
            self.scope,
            self.kind,
            f0,
            f1,
            f2,
            f3,
        ]
    }
}
// ANCHOR_END: rtmsg

// ANCHOR: values
/// `RT_TABLE_UNSPEC`: no table named (a request then means main; a dump
/// means all).
pub const RT_TABLE_UNSPEC: u32 = 0;
/// `RT_TABLE_COMPAT`: what `rtm_table` says when the id does not fit a
/// byte: read [`RTA_TABLE`].
pub const RT_TABLE_COMPAT: u32 = 252;
/// `RT_TABLE_DEFAULT`: the table consulted after main by the default rules.
pub const RT_TABLE_DEFAULT: u32 = 253;
/// `RT_TABLE_MAIN`: the table `ip route` shows and changes by default.
pub const RT_TABLE_MAIN: u32 = 254;
/// `RT_TABLE_LOCAL`: the kernel's table of local and broadcast addresses.
pub const RT_TABLE_LOCAL: u32 = 255;

/// `RTPROT_UNSPEC`: unknown origin.
pub const RTPROT_UNSPEC: u8 = 0;
/// `RTPROT_REDIRECT`: an ICMP redirect made it.
pub const RTPROT_REDIRECT: u8 = 1;
/// `RTPROT_KERNEL`: the kernel made it (an address's own subnet).
pub const RTPROT_KERNEL: u8 = 2;
/// `RTPROT_BOOT`: made at boot, or by a tool that does not say (busybox
/// `ip route` uses it).
pub const RTPROT_BOOT: u8 = 3;
/// `RTPROT_STATIC`: made by the administrator on purpose; what `rt` uses.
pub const RTPROT_STATIC: u8 = 4;

/// `RT_SCOPE_UNIVERSE`: anywhere (a route through a gateway).
pub const RT_SCOPE_UNIVERSE: u8 = 0;
/// `RT_SCOPE_SITE`: within the site (IPv6 legacy).
pub const RT_SCOPE_SITE: u8 = 200;
/// `RT_SCOPE_LINK`: on the directly attached link (a route to a device, no
/// gateway).
pub const RT_SCOPE_LINK: u8 = 253;
/// `RT_SCOPE_HOST`: this host (local addresses).
pub const RT_SCOPE_HOST: u8 = 254;
/// `RT_SCOPE_NOWHERE`: no destination (also what `ip route del` sends: any
/// scope matches).
pub const RT_SCOPE_NOWHERE: u8 = 255;

/// `RTN_UNSPEC`: no type. Not valid in a new route: the kernel answers
/// "Invalid scope" (its scope, nowhere, is above any the request can give).
pub const RTN_UNSPEC: u8 = 0;
/// `RTN_UNICAST`: a gateway or direct route, the usual kind.
pub const RTN_UNICAST: u8 = 1;
/// `RTN_LOCAL`: accept locally.
pub const RTN_LOCAL: u8 = 2;
/// `RTN_BROADCAST`: accept locally as broadcast, send as broadcast.
pub const RTN_BROADCAST: u8 = 3;
/// `RTN_ANYCAST`: accept locally as broadcast, send as unicast.
pub const RTN_ANYCAST: u8 = 4;
/// `RTN_MULTICAST`: a multicast route.
pub const RTN_MULTICAST: u8 = 5;
/// `RTN_BLACKHOLE`: drop silently.
pub const RTN_BLACKHOLE: u8 = 6;
/// `RTN_UNREACHABLE`: drop, answer ICMP "destination unreachable".
pub const RTN_UNREACHABLE: u8 = 7;
/// `RTN_PROHIBIT`: drop, answer ICMP "administratively prohibited".
pub const RTN_PROHIBIT: u8 = 8;
/// `RTN_THROW`: go on with the next rule's table.
pub const RTN_THROW: u8 = 9;
/// `RTN_MAX`: the highest type (`RTN_XRESOLVE`); above it: "Invalid route
/// type".
pub const RTN_MAX: u8 = 11;

/// `RTM_F_NOTIFY`: (route lookup) notify the user of route changes.
pub const RTM_F_NOTIFY: u32 = 0x100;
/// `RTM_F_CLONED`: a cached, cloned route (dumps of exceptions).
pub const RTM_F_CLONED: u32 = 0x200;
/// `RTM_F_LOOKUP_TABLE`: (route lookup) put the table the lookup used into
/// the answer.
pub const RTM_F_LOOKUP_TABLE: u32 = 0x1000;
/// `RTM_F_FIB_MATCH`: (route lookup) answer with the routing table entry
/// that matched, not with the route cache's view of it.
pub const RTM_F_FIB_MATCH: u32 = 0x2000;

/// `RTNH_F_DEAD`: the next hop is dead (its interface went away).
pub const RTNH_F_DEAD: u8 = 1;
/// `RTNH_F_ONLINK`: the gateway is on the link even if no subnet says so.
pub const RTNH_F_ONLINK: u8 = 4;
/// `RTNH_F_LINKDOWN`: the next hop's interface has no carrier.
pub const RTNH_F_LINKDOWN: u8 = 16;
// ANCHOR_END: values

// ANCHOR: rta
/// `RTA_DST`: destination address, 4 bytes, network order (absent when
/// `rtm_dst_len` is 0).
pub const RTA_DST: u16 = 1;
/// `RTA_SRC`: source prefix address (policy routing).
pub const RTA_SRC: u16 = 2;
/// `RTA_IIF`: input interface index, `u32`.
pub const RTA_IIF: u16 = 3;
/// `RTA_OIF`: output interface index, `u32` (an index, not a name: see
/// [`RTM_GETLINK`]).
pub const RTA_OIF: u16 = 4;
/// `RTA_GATEWAY`: next-hop address, 4 bytes, network order.
pub const RTA_GATEWAY: u16 = 5;
/// `RTA_PRIORITY`: the route's metric, `u32`; lower wins.
pub const RTA_PRIORITY: u16 = 6;
/// `RTA_PREFSRC`: preferred source address, 4 bytes, network order.
pub const RTA_PREFSRC: u16 = 7;
/// `RTA_METRICS`: nested `RTAX_*` values (MTU, window...).
pub const RTA_METRICS: u16 = 8;
/// `RTA_MULTIPATH`: several next hops, each a `struct rtnexthop` and its
/// attributes ([`Nexthops`]).
pub const RTA_MULTIPATH: u16 = 9;
/// `RTA_TABLE`: the table id, `u32`: the whole id, where `rtm_table` holds
/// only ids below 256.
pub const RTA_TABLE: u16 = 15;
/// `RTA_MAX` in 6.12 (`RTA_FLOWLABEL`): the highest attribute type.
pub const RTA_MAX: u16 = 31;
// ANCHOR_END: rta

// ---------------------------------------------------------------------------
// struct rtnexthop: one next hop of RTA_MULTIPATH
// ---------------------------------------------------------------------------

// ANCHOR: rtnexthop
/// Size of `struct rtnexthop`.
pub const RTNEXTHOP_LEN: usize = 8;

/// `struct rtnexthop`, decoded: one next hop of a multipath route. On the
/// wire `rtnh_len` (`u16`) counts these 8 bytes and the next hop's
/// attributes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct RtNexthop {
    /// `rtnh_flags`: `RTNH_F_*`.
    pub flags: u8,
    /// `rtnh_hops`: the weight minus one (`ip route ... weight 2` is 1).
    pub hops: u8,
    /// `rtnh_ifindex`: the output interface's index.
    pub ifindex: i32,
}

impl RtNexthop {
    /// Encodes the 8 bytes with `rtnh_len` = 8 + `attrs_len` (the attributes
    /// that follow). [`Error::TooBig`] if that does not fit a `u16`.
    pub fn to_bytes(self, attrs_len: usize) -> Result<[u8; RTNEXTHOP_LEN], Error> {
        let len = attrs_len.checked_add(RTNEXTHOP_LEN).and_then(|l| u16::try_from(l).ok()).ok_or(Error::TooBig)?;
        let [l0, l1] = len.to_ne_bytes();
        let [i0, i1, i2, i3] = self.ifindex.to_ne_bytes();
        Ok([l0, l1, self.flags, self.hops, i0, i1, i2, i3])
    }
}

/// Iterator over the next hops in the value of an [`RTA_MULTIPATH`]
/// attribute: yields each `struct rtnexthop` with its attribute area.
///
/// Checks like the kernel's `rtnh_ok()`: at least 8 bytes left, and
/// `rtnh_len` at least 8 and within what is left ([`Error::BadLength`]
/// otherwise; the iterator ends after an error). Steps by `rtnh_len`
/// rounded up to 4 (`RTNH_NEXT`).
#[derive(Debug, Clone)]
pub struct Nexthops<'a> {
    rest: &'a [u8],
}

impl<'a> Nexthops<'a> {
    /// Walks the next hops in `value`, the payload of `RTA_MULTIPATH`.
    pub const fn new(value: &'a [u8]) -> Nexthops<'a> {
        Nexthops { rest: value }
    }
}

impl<'a> Iterator for Nexthops<'a> {
    type Item = Result<(RtNexthop, &'a [u8]), Error>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.rest.is_empty() {
            return None;
        }
        let parsed = (|| {
            let raw: [u8; RTNEXTHOP_LEN] = bytes::array(self.rest, 0).ok_or(Error::BadLength)?;
            let [l0, l1, flags, hops, i0, i1, i2, i3] = raw;
            let len = usize::from(u16::from_ne_bytes([l0, l1]));
            let attrs = self.rest.get(RTNEXTHOP_LEN..len).ok_or(Error::BadLength)?;
            let nh = RtNexthop { flags, hops, ifindex: i32::from_ne_bytes([i0, i1, i2, i3]) };
            let step = nlmsg::align(len).unwrap_or(len).min(self.rest.len());
            Ok((nh, attrs, step))
        })();
        match parsed {
            Ok((nh, attrs, step)) => {
                self.rest = self.rest.get(step..).unwrap_or(&[]);
                Some(Ok((nh, attrs)))
            }
            Err(e) => {
                self.rest = &[];
                Some(Err(e))
            }
        }
    }
}
// ANCHOR_END: rtnexthop

// ---------------------------------------------------------------------------
// struct ifinfomsg: links (interfaces), for names
// ---------------------------------------------------------------------------

// ANCHOR: ifinfomsg
/// Size of `struct ifinfomsg`, the fixed header of link messages.
pub const IFINFOMSG_LEN: usize = 16;
/// Where the attributes of a link message start (16 + 16).
pub const LINK_ATTRS_AT: usize = nlmsg::HDRLEN + IFINFOMSG_LEN;
/// `IFLA_IFNAME`: the interface's name, a NUL-terminated string of at most
/// `IFNAMSIZ` - 1 = 15 bytes (`include/uapi/linux/if_link.h`).
pub const IFLA_IFNAME: u16 = 3;
/// `IFNAMSIZ`: room for an interface name and its NUL.
pub const IFNAMSIZ: usize = 16;

/// `struct ifinfomsg` (`include/uapi/linux/rtnetlink.h`), decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct IfInfoMsg {
    /// `ifi_family`: [`AF_UNSPEC`].
    pub family: u8,
    /// `ifi_type`: the device type, `ARPHRD_*` (772 for loopback).
    pub kind: u16,
    /// `ifi_index`: the interface index, what `RTA_OIF` holds; 0 in a
    /// request means "by name" ([`IFLA_IFNAME`]).
    pub index: i32,
    /// `ifi_flags`: `IFF_*` (`IFF_UP` is 1).
    pub flags: u32,
    /// `ifi_change`: which flags a request changes (0 in a GET).
    pub change: u32,
}

impl IfInfoMsg {
    /// Decodes the first [`IFINFOMSG_LEN`] bytes of a link message's
    /// payload; returns the header and the attribute area after it.
    pub fn parse(payload: &[u8]) -> Result<(IfInfoMsg, &[u8]), Error> {
        let raw: [u8; IFINFOMSG_LEN] = bytes::array(payload, 0).ok_or(Error::Truncated)?;
        let [family, _pad, t0, t1, i0, i1, i2, i3, f0, f1, f2, f3, c0, c1, c2, c3] = raw;
        let h = IfInfoMsg {
            family,
            kind: u16::from_ne_bytes([t0, t1]),
            index: i32::from_ne_bytes([i0, i1, i2, i3]),
            flags: u32::from_ne_bytes([f0, f1, f2, f3]),
            change: u32::from_ne_bytes([c0, c1, c2, c3]),
        };
        Ok((h, payload.get(IFINFOMSG_LEN..).unwrap_or(&[])))
    }

    /// Encodes the 16 bytes (the pad byte is 0).
    pub fn to_bytes(self) -> [u8; IFINFOMSG_LEN] {
        let [t0, t1] = self.kind.to_ne_bytes();
        let [i0, i1, i2, i3] = self.index.to_ne_bytes();
        let [f0, f1, f2, f3] = self.flags.to_ne_bytes();
        let [c0, c1, c2, c3] = self.change.to_ne_bytes();
        [self.family, 0, t0, t1, i0, i1, i2, i3, f0, f1, f2, f3, c0, c1, c2, c3]
    }
}
// ANCHOR_END: ifinfomsg

// ---------------------------------------------------------------------------
// Names, as iproute2 prints them (lib/rt_names.c)
// ---------------------------------------------------------------------------

/// A name for an rtnetlink message type, for logs and tools.
pub const fn type_name(ty: u16) -> &'static str {
    match ty {
        RTM_NEWLINK => "RTM_NEWLINK",
        RTM_DELLINK => "RTM_DELLINK",
        RTM_GETLINK => "RTM_GETLINK",
        RTM_NEWROUTE => "RTM_NEWROUTE",
        RTM_DELROUTE => "RTM_DELROUTE",
        RTM_GETROUTE => "RTM_GETROUTE",
        nlmsg::NOOP => "NLMSG_NOOP",
        nlmsg::ERROR => "NLMSG_ERROR",
        nlmsg::DONE => "NLMSG_DONE",
        _ => "UNKNOWN",
    }
}

/// The table names of `/etc/iproute2/rt_tables`: `main`, `local`,
/// `default`; `None` for ids without a name.
pub const fn table_name(id: u32) -> Option<&'static str> {
    match id {
        RT_TABLE_MAIN => Some("main"),
        RT_TABLE_LOCAL => Some("local"),
        RT_TABLE_DEFAULT => Some("default"),
        _ => None,
    }
}

/// The protocol names of `/etc/iproute2/rt_protos`; `None` for others.
pub const fn protocol_name(p: u8) -> Option<&'static str> {
    match p {
        RTPROT_UNSPEC => Some("unspec"),
        RTPROT_REDIRECT => Some("redirect"),
        RTPROT_KERNEL => Some("kernel"),
        RTPROT_BOOT => Some("boot"),
        RTPROT_STATIC => Some("static"),
        _ => None,
    }
}

/// The scope names of `/etc/iproute2/rt_scopes`; `None` for others.
pub const fn scope_name(s: u8) -> Option<&'static str> {
    match s {
        RT_SCOPE_UNIVERSE => Some("global"),
        RT_SCOPE_SITE => Some("site"),
        RT_SCOPE_LINK => Some("link"),
        RT_SCOPE_HOST => Some("host"),
        RT_SCOPE_NOWHERE => Some("nowhere"),
        _ => None,
    }
}

/// The route type names iproute2 uses (`rtnl_rtntype_n2a`); `None` above
/// [`RTN_THROW`] or for [`RTN_UNSPEC`].
pub const fn type_of_route_name(t: u8) -> Option<&'static str> {
    match t {
        RTN_UNICAST => Some("unicast"),
        RTN_LOCAL => Some("local"),
        RTN_BROADCAST => Some("broadcast"),
        RTN_ANYCAST => Some("anycast"),
        RTN_MULTICAST => Some("multicast"),
        RTN_BLACKHOLE => Some("blackhole"),
        RTN_UNREACHABLE => Some("unreachable"),
        RTN_PROHIBIT => Some("prohibit"),
        RTN_THROW => Some("throw"),
        _ => None,
    }
}

/// The names of the attributes of a route message, for error messages
/// (`RTA_TABLE`...); `None` for types this file does not define.
pub const fn rta_name(ty: u16) -> Option<&'static str> {
    match ty {
        RTA_DST => Some("RTA_DST"),
        RTA_SRC => Some("RTA_SRC"),
        RTA_IIF => Some("RTA_IIF"),
        RTA_OIF => Some("RTA_OIF"),
        RTA_GATEWAY => Some("RTA_GATEWAY"),
        RTA_PRIORITY => Some("RTA_PRIORITY"),
        RTA_PREFSRC => Some("RTA_PREFSRC"),
        RTA_METRICS => Some("RTA_METRICS"),
        RTA_MULTIPATH => Some("RTA_MULTIPATH"),
        RTA_TABLE => Some("RTA_TABLE"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::super::attr::Attrs;
    use super::super::writer::Writer;
    use super::*;
    use std::vec::Vec;

    #[test]
    fn numbers_are_the_kernels() {
        // The uapi headers' values, as the libc crate copies them.
        assert_eq!(NETLINK_ROUTE, libc::NETLINK_ROUTE);
        assert_eq!(
            [RTM_NEWLINK, RTM_DELLINK, RTM_GETLINK, RTM_NEWROUTE, RTM_DELROUTE, RTM_GETROUTE],
            [
                libc::RTM_NEWLINK,
                libc::RTM_DELLINK,
                libc::RTM_GETLINK,
                libc::RTM_NEWROUTE,
                libc::RTM_DELROUTE,
                libc::RTM_GETROUTE
            ]
        );
        assert_eq!(
            [
                RTA_DST,
                RTA_SRC,
                RTA_IIF,
                RTA_OIF,
                RTA_GATEWAY,
                RTA_PRIORITY,
                RTA_PREFSRC,
                RTA_METRICS,
                RTA_MULTIPATH,
                RTA_TABLE
            ],
            [
                libc::RTA_DST,
                libc::RTA_SRC,
                libc::RTA_IIF,
                libc::RTA_OIF,
                libc::RTA_GATEWAY,
                libc::RTA_PRIORITY,
                libc::RTA_PREFSRC,
                libc::RTA_METRICS,
                libc::RTA_MULTIPATH,
                libc::RTA_TABLE
            ]
        );
        assert_eq!(u32::from(AF_INET), libc::AF_INET as u32);
        assert_eq!(RTNLGRP_IPV4_ROUTE, libc::RTNLGRP_IPV4_ROUTE);
        assert_eq!(RTNLGRP_LINK, libc::RTNLGRP_LINK);
        assert_eq!(
            [RT_TABLE_UNSPEC, RT_TABLE_COMPAT, RT_TABLE_DEFAULT, RT_TABLE_MAIN, RT_TABLE_LOCAL],
            [
                u32::from(libc::RT_TABLE_UNSPEC),
                u32::from(libc::RT_TABLE_COMPAT),
                u32::from(libc::RT_TABLE_DEFAULT),
                u32::from(libc::RT_TABLE_MAIN),
                u32::from(libc::RT_TABLE_LOCAL)
            ]
        );
        assert_eq!(
            [RTPROT_KERNEL, RTPROT_BOOT, RTPROT_STATIC],
            [libc::RTPROT_KERNEL, libc::RTPROT_BOOT, libc::RTPROT_STATIC]
        );
        assert_eq!(
            [RT_SCOPE_UNIVERSE, RT_SCOPE_SITE, RT_SCOPE_LINK, RT_SCOPE_HOST, RT_SCOPE_NOWHERE],
            [
                libc::RT_SCOPE_UNIVERSE,
                libc::RT_SCOPE_SITE,
                libc::RT_SCOPE_LINK,
                libc::RT_SCOPE_HOST,
                libc::RT_SCOPE_NOWHERE
            ]
        );
        assert_eq!([RTN_UNICAST, RTN_BLACKHOLE, RTN_THROW], [libc::RTN_UNICAST, libc::RTN_BLACKHOLE, libc::RTN_THROW]);
        assert_eq!(
            [RTM_F_NOTIFY, RTM_F_CLONED, RTM_F_LOOKUP_TABLE, RTM_F_FIB_MATCH],
            [libc::RTM_F_NOTIFY, libc::RTM_F_CLONED, libc::RTM_F_LOOKUP_TABLE, libc::RTM_F_FIB_MATCH]
        );
        assert_eq!(IFLA_IFNAME, libc::IFLA_IFNAME);
        assert_eq!(IFNAMSIZ, libc::IFNAMSIZ);
        // The C structures' sizes (libc has no rtmsg: 8 bytes and a u32).
        assert_eq!(IFINFOMSG_LEN, core::mem::size_of::<libc::ifinfomsg>());
        assert_eq!(RTMSG_LEN, 8 + 4);
        assert_eq!(ROUTE_ATTRS_AT, 28);
        assert_eq!(LINK_ATTRS_AT, 32);
    }

    #[test]
    fn rtmsg_round_trip_and_layout() {
        let h = RtMsg {
            family: AF_INET,
            dst_len: 16,
            src_len: 0,
            tos: 0,
            table: RT_TABLE_MAIN as u8,
            protocol: RTPROT_STATIC,
            scope: RT_SCOPE_LINK,
            kind: RTN_UNICAST,
            flags: RTM_F_FIB_MATCH,
        };
        let mut payload = h.to_bytes().to_vec();
        assert_eq!(&payload[..8], &[2, 16, 0, 0, 254, 4, 253, 1]);
        assert_eq!(&payload[8..], &RTM_F_FIB_MATCH.to_ne_bytes());
        payload.extend_from_slice(b"attr");
        assert_eq!(RtMsg::parse(&payload), Ok((h, &b"attr"[..])));
        assert_eq!(RtMsg::parse(&payload[..11]), Err(Error::Truncated));
    }

    #[test]
    fn ifinfomsg_round_trip_and_layout() {
        let h = IfInfoMsg { family: AF_UNSPEC, kind: 772, index: 7, flags: 1, change: 0 };
        let b = h.to_bytes();
        assert_eq!(&b[..4], &[0, 0, 0x04, 0x03]);
        assert_eq!(&b[4..8], &7i32.to_ne_bytes());
        assert_eq!(IfInfoMsg::parse(&b), Ok((h, &[][..])));
        assert_eq!(IfInfoMsg::parse(&b[..15]), Err(Error::Truncated));
    }

    /// Two next hops as iproute2 writes them: `nexthop via 192.0.2.2 dev 2
    /// nexthop via 192.0.2.3 dev 3 weight 2`.
    fn multipath() -> Vec<u8> {
        let mut buf = [0u8; 64];
        let mut w = Writer::new(&mut buf);
        for (gw, ifindex, hops) in [([192, 0, 2, 2], 2, 0), ([192, 0, 2, 3], 3, 1)] {
            w.put_payload(&RtNexthop { flags: 0, hops, ifindex }.to_bytes(8).unwrap()).unwrap();
            w.put_attr(RTA_GATEWAY, &gw).unwrap();
        }
        w.as_bytes().to_vec()
    }

    #[test]
    fn walks_next_hops() {
        let value = multipath();
        assert_eq!(value.len(), 32);
        let hops: Vec<_> = Nexthops::new(&value).map(|n| n.unwrap()).collect();
        assert_eq!(hops.len(), 2);
        assert_eq!(hops[1].0, RtNexthop { flags: 0, hops: 1, ifindex: 3 });
        let gw = Attrs::new(hops[1].1).find(RTA_GATEWAY).unwrap().unwrap();
        assert_eq!(gw.payload(), &[192, 0, 2, 3]);
    }

    #[test]
    fn refuses_broken_next_hops() {
        let mut value = multipath();
        // rtnh_len of the first one runs past the end.
        value[0..2].copy_from_slice(&40u16.to_ne_bytes());
        let mut it = Nexthops::new(&value);
        assert_eq!(it.next(), Some(Err(Error::BadLength)));
        assert_eq!(it.next(), None);
        // Shorter than its own 8 bytes.
        value[0..2].copy_from_slice(&4u16.to_ne_bytes());
        assert_eq!(Nexthops::new(&value).next(), Some(Err(Error::BadLength)));
        // Fewer than 8 bytes left.
        assert_eq!(Nexthops::new(&value[..5]).next(), Some(Err(Error::BadLength)));
        assert_eq!(Nexthops::new(&[]).next(), None);
        assert_eq!(RtNexthop::default().to_bytes(65528), Err(Error::TooBig));
    }

    #[test]
    fn names() {
        assert_eq!(table_name(254), Some("main"));
        assert_eq!(table_name(1000), None);
        assert_eq!(protocol_name(RTPROT_BOOT), Some("boot"));
        assert_eq!(scope_name(RT_SCOPE_LINK), Some("link"));
        assert_eq!(type_of_route_name(RTN_BLACKHOLE), Some("blackhole"));
        assert_eq!(type_of_route_name(RTN_UNSPEC), None);
        assert_eq!(type_name(RTM_DELROUTE), "RTM_DELROUTE");
        assert_eq!(rta_name(RTA_TABLE), Some("RTA_TABLE"));
    }
}
