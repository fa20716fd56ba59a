//! The routing table manager protocol (lessons 05 and 06): what a uapi
//! header would say about it.
//!
//! The module keeps named routing tables; a table holds IPv4 routes keyed by
//! their destination prefix. Every message is a netlink header followed by
//! attributes only (rtnetlink puts a fixed `struct rtmsg` first; we do not
//! need one).
//!
//! ## Message types
//!
//! | type | name             | request                                   | answer                       |
//! |------|------------------|-------------------------------------------|------------------------------|
//! | 21   | [`TABLE_NEW`]    | create a table (`NLM_F_CREATE`)           | ACK or error                 |
//! | 22   | [`TABLE_DEL`]    | delete a table and its routes             | ACK or error                 |
//! | 23   | [`TABLE_GET`]    | one table; `NLM_F_DUMP`: every table      | `TABLE_NEW` message(s)       |
//! | 24   | [`ROUTE_NEW`]    | add or replace a route                    | ACK or error                 |
//! | 25   | [`ROUTE_DEL`]    | delete a route                            | ACK or error                 |
//! | 26   | [`ROUTE_GET`]    | one route by exact prefix; `NLM_F_DUMP`: the whole table | `ROUTE_NEW` message(s) |
//! | 27   | [`ROUTE_LOOKUP`] | the longest-prefix match for an address   | one `ROUTE_NEW` message      |
//!
//! As in rtnetlink, what the kernel *sends* about an object is always a
//! `*_NEW` message: answers to GET, parts of a dump, and (lesson 06)
//! notifications of a creation. Deletions are announced with `*_DEL`. When a
//! table is deleted, route listeners get a `ROUTE_DEL` that names the table
//! and no prefix: every route of the table went with it.
//!
//! ## Attributes (one set for all types)
//!
//! ```text
//! ATTR_TABLE    string ≤ 32 bytes (+ NUL)   the table's name
//! ATTR_DST      4 bytes, network order      destination address (or, in a lookup, the address to look up)
//! ATTR_DST_LEN  u8, 0..=32                  prefix length
//! ATTR_GATEWAY  4 bytes, network order      next hop
//! ATTR_OIF      string ≤ 31 bytes (+ NUL)   outgoing interface, e.g. "eth0/6"
//! ATTR_ROUTES   u32                         in table answers: how many routes it holds
//! ```
//!
//! ## Multicast groups (lesson 06)
//!
//! Group [`GROUP_TABLES`] carries table events, [`GROUP_ROUTES`] route
//! events. Join with `nl_groups` = [`group_mask`] at `bind` time, or with
//! `setsockopt(NETLINK_ADD_MEMBERSHIP, group)`: never both for one group.

use super::attr::Attr;
use super::errno;
use super::error::Error;
use super::policy::{self, Policy, PolicyError};
use super::writer::Writer;
use core::ffi::CStr;

// ANCHOR: types
/// Create a table (needs `NLM_F_CREATE`); also what the kernel sends about a
/// table: answers to [`TABLE_GET`], dump parts, notifications.
pub const TABLE_NEW: u16 = 21;
/// Delete a table with all its routes; also the notification of it.
pub const TABLE_DEL: u16 = 22;
/// Get one table by name; with `NLM_F_DUMP`, list every table.
pub const TABLE_GET: u16 = 23;
/// Add a route (`NLM_F_CREATE`), replace one (`NLM_F_REPLACE`); also what
/// the kernel sends about a route.
pub const ROUTE_NEW: u16 = 24;
/// Delete a route; also the notification of it.
pub const ROUTE_DEL: u16 = 25;
/// Get the route of one exact prefix; with `NLM_F_DUMP`, a whole table.
pub const ROUTE_GET: u16 = 26;
/// Find the route with the longest prefix containing `ATTR_DST`.
pub const ROUTE_LOOKUP: u16 = 27;
// ANCHOR_END: types

// ANCHOR: attrs
/// The table's name, string of at most [`NAME_MAX`] bytes.
pub const ATTR_TABLE: u16 = 1;
/// Destination address, 4 bytes in network byte order.
pub const ATTR_DST: u16 = 2;
/// Prefix length of the destination, `u8` in `0..=32`.
pub const ATTR_DST_LEN: u16 = 3;
/// Gateway address, 4 bytes in network byte order.
pub const ATTR_GATEWAY: u16 = 4;
/// Outgoing interface name, string of at most [`OIF_MAX`] bytes.
pub const ATTR_OIF: u16 = 5;
/// Number of routes of a table, `u32` (answers only).
pub const ATTR_ROUTES: u16 = 6;
/// Highest attribute type.
pub const ATTR_MAX: u16 = ATTR_ROUTES;

/// Longest table name, in bytes, NUL not counted.
pub const NAME_MAX: usize = 32;
/// Longest interface name, in bytes, NUL not counted.
pub const OIF_MAX: usize = 31;
/// Largest request payload the module accepts (bigger: `EMSGSIZE`). Every
/// valid request is far smaller.
pub const MAX_REQUEST: usize = 1024;

/// The policy of every RTM message, indexed by attribute type.
pub const POLICY: [Policy; 7] = [
    Policy::UNSPEC,           // ATTR_UNSPEC: type 0 is never valid
    Policy::string(NAME_MAX), // ATTR_TABLE
    Policy::binary(4, 4),     // ATTR_DST
    Policy::U8,               // ATTR_DST_LEN
    Policy::binary(4, 4),     // ATTR_GATEWAY
    Policy::string(OIF_MAX),  // ATTR_OIF
    Policy::U32,              // ATTR_ROUTES
];
// ANCHOR_END: attrs

// ANCHOR: groups
/// Multicast group of table events ([`TABLE_NEW`], [`TABLE_DEL`]).
pub const GROUP_TABLES: u32 = 1;
/// Multicast group of route events ([`ROUTE_NEW`], [`ROUTE_DEL`]).
pub const GROUP_ROUTES: u32 = 2;
/// Number of groups the module registers.
pub const GROUPS: u32 = 2;

/// The bit of `group` in the `nl_groups` bitmask of `sockaddr_nl`: group 1
/// is bit 0, group 32 is bit 31; groups above 32 cannot be joined that way
/// (0 is returned), only with `NETLINK_ADD_MEMBERSHIP`.
pub const fn group_mask(group: u32) -> u32 {
    match 1u32.checked_shl(group.wrapping_sub(1)) {
        Some(bit) => bit,
        None => 0,
    }
}
// ANCHOR_END: groups

/// A name for an RTM message type, for logs and tools.
pub const fn type_name(ty: u16) -> &'static str {
    match ty {
        TABLE_NEW => "TABLE_NEW",
        TABLE_DEL => "TABLE_DEL",
        TABLE_GET => "TABLE_GET",
        ROUTE_NEW => "ROUTE_NEW",
        ROUTE_DEL => "ROUTE_DEL",
        ROUTE_GET => "ROUTE_GET",
        ROUTE_LOOKUP => "ROUTE_LOOKUP",
        _ => super::proto::type_name(ty),
    }
}

// ANCHOR: prefix
/// A destination prefix: an IPv4 address (network byte order, as on the
/// wire) and a length. Ordered by address, then length: the order of a dump.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Prefix {
    /// The address, most significant byte first (`10.1.1.0` is `[10, 1, 1, 0]`).
    pub addr: [u8; 4],
    /// How many leading bits count, `0..=32`.
    pub len: u8,
}

impl Prefix {
    /// The netmask of a prefix length, as a host-order `u32` (`/24` is
    /// `0xffff_ff00`); lengths above 32 count as 32.
    pub const fn mask(len: u8) -> u32 {
        match u32::MAX.checked_shl(32u32.saturating_sub(len as u32)) {
            Some(m) => m,
            None => 0,
        }
    }

    /// The prefix of length `len` that contains `addr` (host bits cleared).
    pub const fn of(addr: [u8; 4], len: u8) -> Prefix {
        let len = if len > 32 { 32 } else { len };
        let a = u32::from_be_bytes(addr) & Prefix::mask(len);
        Prefix { addr: a.to_be_bytes(), len }
    }

    /// True when the length is at most 32 and no host bit is set
    /// (`10.1.1.0/24` is valid, `10.1.1.5/24` is not).
    pub const fn is_valid(&self) -> bool {
        self.len <= 32 && u32::from_be_bytes(self.addr) & !Prefix::mask(self.len) == 0
    }

    /// Does the prefix contain `addr`?
    pub const fn contains(&self, addr: [u8; 4]) -> bool {
        u32::from_be_bytes(addr) & Prefix::mask(self.len) == u32::from_be_bytes(self.addr)
    }
}
// ANCHOR_END: prefix

/// A route as it travels: destination, gateway, interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Route<'a> {
    /// The destination prefix.
    pub dst: Prefix,
    /// The next hop, network byte order.
    pub gateway: [u8; 4],
    /// The outgoing interface name.
    pub oif: &'a str,
}

/// Why a request was refused: what a kernel module puts in its error
/// reply. The errno, and for an extended ACK (`NETLINK_EXT_ACK`) the
/// attribute at fault, the type of a missing attribute, and a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Invalid<'a> {
    /// Positive errno (`EINVAL`, `ERANGE`, ...).
    pub errno: i32,
    /// The attribute at fault, in the request (`NLMSGERR_ATTR_OFFS`).
    pub bad: Option<Attr<'a>>,
    /// The type of a required attribute that is missing
    /// (`NLMSGERR_ATTR_MISS_TYPE`).
    pub missing: Option<u16>,
    /// The extended-ACK message (`NLMSGERR_ATTR_MSG`), if any.
    pub message: Option<&'static CStr>,
}

impl<'a> Invalid<'a> {
    /// A required attribute is missing: `EINVAL`, reported with its type and
    /// no message, as the kernel's `NL_REQ_ATTR_CHECK` does.
    const fn missing(attr: u16) -> Invalid<'a> {
        Invalid { errno: errno::EINVAL, bad: None, missing: Some(attr), message: None }
    }

    /// `errno` with `message` and no attribute (the kernel's `NL_SET_ERR_MSG`).
    const fn msg(errno: i32, message: &'static CStr) -> Invalid<'a> {
        Invalid { errno, bad: None, missing: None, message: Some(message) }
    }

    /// `errno` about attribute `a` (the kernel's `NL_SET_ERR_MSG_ATTR`).
    const fn attr(errno: i32, a: Attr<'a>, message: &'static CStr) -> Invalid<'a> {
        Invalid { errno, bad: Some(a), missing: None, message: Some(message) }
    }

    /// The attribute type this is about: the bad one or the missing one.
    pub fn attr_type(&self) -> Option<u16> {
        self.bad.map(|a| a.kind()).or(self.missing)
    }
}

impl core::fmt::Display for Invalid<'_> {
    /// The message, and the attribute it is about: "Attribute failed
    /// policy validation (attribute 1)", "missing attribute 4".
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match (self.message.map(CStr::to_str), self.bad, self.missing) {
            (Some(Ok(m)), Some(a), _) => write!(f, "{m} (attribute {})", a.kind()),
            (Some(Ok(m)), None, _) => f.write_str(m),
            (_, _, Some(ty)) => write!(f, "missing attribute {ty}"),
            (_, Some(a), None) => write!(f, "bad attribute {}", a.kind()),
            _ => f.write_str(errno::describe(self.errno)),
        }
    }
}

impl<'a> From<PolicyError<'a>> for Invalid<'a> {
    fn from(e: PolicyError<'a>) -> Invalid<'a> {
        Invalid { errno: e.errno(), bad: e.bad, missing: None, message: Some(e.message()) }
    }
}

// ANCHOR: attributes
/// The attributes of one RTM message, checked against [`POLICY`]. Its
/// accessors check presence and meaning and say what to answer if wrong.
#[derive(Debug, Clone, Copy)]
pub struct Attributes<'a> {
    tb: [Option<Attr<'a>>; 7],
}

impl<'a> Attributes<'a> {
    /// Parses a message payload strictly (`nla_parse`). Oversized
    /// payloads: `EMSGSIZE`; attributes that break the policy: `EINVAL` or
    /// `ERANGE`, with the kernel's message (see [`super::policy`]).
    pub fn parse(payload: &'a [u8]) -> Result<Attributes<'a>, Invalid<'a>> {
        if payload.len() > MAX_REQUEST {
            return Err(Invalid::msg(errno::EMSGSIZE, c"request too big"));
        }
        Ok(Attributes { tb: policy::parse(payload, &POLICY)? })
    }

    /// The attributes of a message that the kernel has already parsed
    /// against [`POLICY`]: a generic netlink family's `info->attrs`, indexed
    /// by type (lesson 08). The same accessors, without a second parse.
    pub const fn from_table(tb: [Option<Attr<'a>>; 7]) -> Attributes<'a> {
        Attributes { tb }
    }

    fn get(&self, attr: u16) -> Option<Attr<'a>> {
        self.tb.get(usize::from(attr)).copied().flatten()
    }

    fn required(&self, attr: u16) -> Result<Attr<'a>, Invalid<'a>> {
        self.get(attr).ok_or(Invalid::missing(attr))
    }

    fn addr(&self, attr: u16) -> Result<[u8; 4], Invalid<'a>> {
        let a = self.required(attr)?;
        // The policy made it exactly 4 bytes; this cannot fail after it.
        a.payload().try_into().map_err(|_| Invalid::attr(errno::ERANGE, a, c"address must be 4 bytes"))
    }

    fn name(&self, attr: u16) -> Result<&'a str, Invalid<'a>> {
        let a = self.required(attr)?;
        let s = a.str().map_err(|_| Invalid::attr(errno::EINVAL, a, c"name is not UTF-8"))?;
        if s.is_empty() {
            return Err(Invalid::attr(errno::EINVAL, a, c"empty name"));
        }
        Ok(s)
    }

    /// The table name (required, not empty).
    pub fn table(&self) -> Result<&'a str, Invalid<'a>> {
        self.name(ATTR_TABLE)
    }

    /// The destination address alone (required): what a lookup looks up.
    pub fn address(&self) -> Result<[u8; 4], Invalid<'a>> {
        self.addr(ATTR_DST)
    }

    /// The destination prefix: address and length required; a length above
    /// 32, or host bits set below the length, is `EINVAL` with the message
    /// the kernel's FIB gives (`rtm_to_fib_config`, net/ipv4/fib_frontend.c).
    pub fn prefix(&self) -> Result<Prefix, Invalid<'a>> {
        let addr = self.addr(ATTR_DST)?;
        let a = self.required(ATTR_DST_LEN)?;
        // The policy made it exactly 1 byte.
        let len = a.u8().map_err(|_| Invalid::attr(errno::EINVAL, a, c"invalid attribute length"))?;
        if len > 32 {
            return Err(Invalid::msg(errno::EINVAL, c"Invalid prefix length"));
        }
        let p = Prefix { addr, len };
        if !p.is_valid() {
            return Err(Invalid::msg(errno::EINVAL, c"Invalid prefix for given prefix length"));
        }
        Ok(p)
    }

    /// A whole route: prefix, gateway and interface, all required.
    pub fn route(&self) -> Result<Route<'a>, Invalid<'a>> {
        Ok(Route { dst: self.prefix()?, gateway: self.addr(ATTR_GATEWAY)?, oif: self.name(ATTR_OIF)? })
    }

    /// The route count of a table answer, if present.
    pub fn routes(&self) -> Option<u32> {
        self.get(ATTR_ROUTES).and_then(|a| a.u32().ok())
    }
}
// ANCHOR_END: attributes

// ANCHOR: encode
/// Appends the attributes of a table: its name and, in answers, its route
/// count.
pub fn put_table(w: &mut Writer<'_>, name: &str, routes: Option<u32>) -> Result<(), Error> {
    w.put_str(ATTR_TABLE, name)?;
    if let Some(n) = routes {
        w.put_u32(ATTR_ROUTES, n)?;
    }
    Ok(())
}

/// Appends the attributes naming a prefix in a table (delete, get).
pub fn put_prefix(w: &mut Writer<'_>, table: &str, dst: Prefix) -> Result<(), Error> {
    w.put_str(ATTR_TABLE, table)?;
    w.put_attr(ATTR_DST, &dst.addr)?;
    w.put_u8(ATTR_DST_LEN, dst.len)
}

/// Appends the attributes of a whole route of `table`.
pub fn put_route(w: &mut Writer<'_>, table: &str, route: &Route<'_>) -> Result<(), Error> {
    put_prefix(w, table, route.dst)?;
    w.put_attr(ATTR_GATEWAY, &route.gateway)?;
    w.put_str(ATTR_OIF, route.oif)
}

/// Appends the attributes of a lookup: the table and the address.
pub fn put_lookup(w: &mut Writer<'_>, table: &str, addr: [u8; 4]) -> Result<(), Error> {
    w.put_str(ATTR_TABLE, table)?;
    w.put_attr(ATTR_DST, &addr)
}
// ANCHOR_END: encode

#[cfg(test)]
mod tests {
    extern crate std;
    use super::super::nlmsg::{self, Messages};
    use super::*;

    #[test]
    fn policy_covers_every_attribute() {
        assert_eq!(POLICY.len(), usize::from(ATTR_MAX) + 1);
        const { assert!(TABLE_NEW >= nlmsg::MIN_TYPE && TABLE_NEW == super::super::proto::RTM_FIRST) };
        const { assert!(ROUTE_LOOKUP <= super::super::proto::RTM_LAST) };
        assert_eq!(type_name(TABLE_NEW), "TABLE_NEW");
        assert_eq!(type_name(nlmsg::DONE), "NLMSG_DONE");
    }

    #[test]
    fn masks_and_prefixes() {
        assert_eq!(Prefix::mask(0), 0);
        assert_eq!(Prefix::mask(24), 0xffff_ff00);
        assert_eq!(Prefix::mask(32), u32::MAX);
        assert_eq!(Prefix::mask(99), u32::MAX);
        assert_eq!(Prefix::of([10, 1, 1, 77], 24), Prefix { addr: [10, 1, 1, 0], len: 24 });
        assert!(Prefix { addr: [10, 1, 1, 0], len: 24 }.is_valid());
        assert!(!Prefix { addr: [10, 1, 1, 5], len: 24 }.is_valid());
        assert!(!Prefix { addr: [0; 4], len: 33 }.is_valid());
        assert!(Prefix { addr: [0; 4], len: 0 }.contains([200, 1, 2, 3]));
        assert!(Prefix { addr: [10, 1, 0, 0], len: 16 }.contains([10, 1, 200, 3]));
        assert!(!Prefix { addr: [10, 1, 0, 0], len: 16 }.contains([10, 2, 0, 0]));
        // Dump order: by address, then length.
        assert!(Prefix { addr: [10, 0, 0, 0], len: 8 } < Prefix { addr: [10, 0, 0, 0], len: 16 });
        assert!(Prefix { addr: [10, 0, 0, 0], len: 16 } < Prefix { addr: [10, 1, 0, 0], len: 16 });
    }

    #[test]
    fn groups() {
        assert_eq!(group_mask(GROUP_TABLES), 1);
        assert_eq!(group_mask(GROUP_ROUTES), 2);
        assert_eq!(group_mask(32), 1 << 31);
        assert_eq!(group_mask(0), 0);
        assert_eq!(group_mask(33), 0);
    }

    fn encode(f: impl FnOnce(&mut Writer<'_>)) -> std::vec::Vec<u8> {
        let mut buf = [0u8; 256];
        let mut w = Writer::new(&mut buf);
        let m = w.start(ROUTE_NEW, nlmsg::F_REQUEST, 1, 0).unwrap();
        f(&mut w);
        w.finish(m).unwrap();
        let msg = Messages::new(w.as_bytes()).next().unwrap().unwrap();
        msg.payload.to_vec()
    }

    #[test]
    fn route_round_trip() {
        let r = Route { dst: Prefix { addr: [10, 1, 1, 0], len: 24 }, gateway: [11, 1, 1, 1], oif: "eth0/6" };
        let p = encode(|w| put_route(w, "main", &r).unwrap());
        let a = Attributes::parse(&p).unwrap();
        assert_eq!(a.table(), Ok("main"));
        assert_eq!(a.route(), Ok(r));
        assert_eq!(a.routes(), None);
        // The address travels in network byte order: 10 first.
        let dst = super::super::attr::Attrs::new(&p).find(ATTR_DST).unwrap().unwrap();
        assert_eq!(dst.payload(), &[10, 1, 1, 0]);

        let p = encode(|w| put_table(w, "t", Some(7)).unwrap());
        let a = Attributes::parse(&p).unwrap();
        assert_eq!((a.table(), a.routes()), (Ok("t"), Some(7)));
        let p = encode(|w| put_lookup(w, "t", [1, 2, 3, 4]).unwrap());
        assert_eq!(Attributes::parse(&p).unwrap().address(), Ok([1, 2, 3, 4]));
    }

    #[test]
    fn refusals() {
        // The errno a request gets: from the parse, or from reading it.
        fn errno_of(p: &[u8], read: fn(&Attributes<'_>) -> Option<i32>) -> Option<i32> {
            match Attributes::parse(p) {
                Ok(a) => read(&a),
                Err(e) => Some(e.errno),
            }
        }
        let route: fn(&Attributes<'_>) -> Option<i32> = |a| a.route().err().map(|e| e.errno);
        let table: fn(&Attributes<'_>) -> Option<i32> = |a| a.table().err().map(|e| e.errno);
        let prefix: fn(&Attributes<'_>) -> Option<i32> = |a| a.prefix().err().map(|e| e.errno);
        // Missing attributes: EINVAL, with the missing type.
        assert_eq!(errno_of(&[], table), Some(errno::EINVAL));
        assert_eq!(Attributes::parse(&[]).unwrap().table().unwrap_err().missing, Some(ATTR_TABLE));
        let p = encode(|w| put_prefix(w, "t", Prefix { addr: [10, 0, 0, 0], len: 8 }).unwrap());
        assert_eq!(errno_of(&p, route), Some(errno::EINVAL));
        // Out-of-range length, host bits: EINVAL, as the FIB answers.
        let p = encode(|w| put_prefix(w, "t", Prefix { addr: [10, 0, 0, 0], len: 33 }).unwrap());
        assert_eq!(errno_of(&p, prefix), Some(errno::EINVAL));
        let e = Attributes::parse(&p).unwrap().prefix().unwrap_err();
        assert_eq!(e.message, Some(c"Invalid prefix length"));
        let p = encode(|w| put_prefix(w, "t", Prefix { addr: [10, 0, 0, 1], len: 8 }).unwrap());
        assert_eq!(errno_of(&p, prefix), Some(errno::EINVAL));
        // Overlong and empty names; an overlong one names the attribute.
        let long = "x".repeat(NAME_MAX + 1);
        let p = encode(|w| put_table(w, &long, None).unwrap());
        assert_eq!(errno_of(&p, table), Some(errno::ERANGE));
        let e = Attributes::parse(&p).unwrap_err();
        assert_eq!(e.attr_type(), Some(ATTR_TABLE));
        assert_eq!(e.bad.unwrap().payload().as_ptr(), p[4..].as_ptr());
        let p = encode(|w| put_table(w, &long[..NAME_MAX], None).unwrap());
        assert_eq!(errno_of(&p, table), None);
        let p = encode(|w| put_table(w, "", None).unwrap());
        assert_eq!(errno_of(&p, table), Some(errno::EINVAL));
        // A short address.
        let p = encode(|w| w.put_attr(ATTR_DST, &[1, 2, 3]).unwrap());
        assert_eq!(errno_of(&p, |a| a.address().err().map(|e| e.errno)), Some(errno::ERANGE));
        // Too big.
        assert_eq!(errno_of(&[0u8; MAX_REQUEST + 4], table), Some(errno::EMSGSIZE));
    }
}
