//! The course protocol: what a uapi header (`include/uapi/linux/...h`) would
//! say about it. Userspace and the kernel modules both read these numbers
//! from here, so they cannot disagree.
//!
//! ## Protocol number
//!
//! `socket(AF_NETLINK, SOCK_RAW, NETLINK_COURSE)` talks to whichever course
//! module registered [`NETLINK_COURSE`] with `netlink_kernel_create()`.
//! Only one module can own the number at a time, so load one lesson's module
//! at a time. Without a module, `socket()` fails with `EPROTONOSUPPORT`.
//!
//! ## Message types
//!
//! Types below [`nlmsg::MIN_TYPE`] (16) belong to netlink itself. Ours:
//!
//! | type | name                 | lesson | payload                                 |
//! |------|----------------------|--------|-----------------------------------------|
//! | 20   | [`GREET`]            | 02     | NUL-terminated UTF-8 text               |
//! | 21–31| reserved ([`RTM_FIRST`]..=[`RTM_LAST`]) | later | routing-table manager, `rtm.rs` (`RT_TABLE_NEW` = 21) |
//! | 32   | [`GREET_REPLY`]      | 02     | NUL-terminated UTF-8 text               |
//! | 33   | [`TLV_RECORDS`]      | 03     | [`super::tlv`] records                  |
//! | 34   | [`TLV_SUMMARY`]      | 03     | [`TlvSummary`] (16 bytes)               |
//! | 35   | [`PERSON_SET`]       | 04     | attributes `PERSON_ATTR_*`              |
//! | 36   | [`PERSON_REPLY`]     | 04     | attributes `REPLY_ATTR_*`               |
//!
//! Every request must carry [`nlmsg::F_REQUEST`]; with [`nlmsg::F_ACK`]
//! the module also acknowledges success. Errors always come back as
//! `NLMSG_ERROR` with a negative errno.
//!
//! ## Lesson 04: a person, described with attributes
//!
//! ```text
//! PERSON_SET
//! ├── PERSON_ATTR_NAME     string, ≤ 31 bytes (+ NUL)
//! ├── PERSON_ATTR_AGE      u32
//! └── PERSON_ATTR_ADDRESS  nested
//!     ├── ADDRESS_ATTR_STREET  string, ≤ 63 bytes
//!     └── ADDRESS_ATTR_CITY    string, ≤ 31 bytes
//!
//! PERSON_REPLY
//! ├── REPLY_ATTR_GREETING  string, ≤ 127 bytes   ("Hello Ada, 36, from London!")
//! └── REPLY_ATTR_ID        u32                   (a number the module assigned)
//! ```
//!
//! The kernel checks requests with [`PERSON_POLICY`] and
//! [`ADDRESS_POLICY`] ([`super::policy::parse`]); userspace may check the
//! reply with [`REPLY_POLICY`].

use super::bytes;
use super::error::Error;
use super::nlmsg;
use super::policy::Policy;

// ANCHOR: protocol
/// The netlink protocol number of the course (`NETLINK_COURSE`). Linux
/// leaves 31 unused (`MAX_LINKS` is 32), which makes it free for
/// experiments.
pub const NETLINK_COURSE: i32 = 31;
// ANCHOR_END: protocol

/// Largest payload (bytes after the 16-byte header) a course module accepts
/// in one message; bigger requests are answered with `EMSGSIZE`.
pub const MAX_PAYLOAD: usize = 64 * 1024;

/// A good size for a receive buffer: every answer of the course modules fits
/// in it (libmnl's `MNL_SOCKET_BUFFER_SIZE` is the same 8 KiB).
pub const RECV_BUF_LEN: usize = 8192;

// ---------------------------------------------------------------------------
// Message types.
// ---------------------------------------------------------------------------

/// Lesson 02 request: a greeting, NUL-terminated UTF-8 text.
pub const GREET: u16 = 20;
/// First type reserved for the routing-table manager (`rtm.rs`, a later
/// lesson; `RT_TABLE_NEW` will be 21).
pub const RTM_FIRST: u16 = 21;
/// Last type reserved for the routing-table manager.
pub const RTM_LAST: u16 = 31;
/// Lesson 02 answer to [`GREET`]: NUL-terminated UTF-8 text.
pub const GREET_REPLY: u16 = 32;
/// Lesson 03 request: a payload of [`super::tlv`] records.
pub const TLV_RECORDS: u16 = 33;
/// Lesson 03 answer to [`TLV_RECORDS`]: a [`TlvSummary`].
pub const TLV_SUMMARY: u16 = 34;
/// Lesson 04 request: a person, as `PERSON_ATTR_*` attributes.
pub const PERSON_SET: u16 = 35;
/// Lesson 04 answer to [`PERSON_SET`]: `REPLY_ATTR_*` attributes.
pub const PERSON_REPLY: u16 = 36;

/// A name for any message type of the course or of netlink, for logs:
/// `type_name(20) == "GREET"`. Types in the reserved routing range are
/// `"RTM"`, others `"UNKNOWN"`.
pub const fn type_name(ty: u16) -> &'static str {
    match ty {
        nlmsg::NOOP => "NLMSG_NOOP",
        nlmsg::ERROR => "NLMSG_ERROR",
        nlmsg::DONE => "NLMSG_DONE",
        nlmsg::OVERRUN => "NLMSG_OVERRUN",
        GREET => "GREET",
        RTM_FIRST..=RTM_LAST => "RTM",
        GREET_REPLY => "GREET_REPLY",
        TLV_RECORDS => "TLV_RECORDS",
        TLV_SUMMARY => "TLV_SUMMARY",
        PERSON_SET => "PERSON_SET",
        PERSON_REPLY => "PERSON_REPLY",
        _ => "UNKNOWN",
    }
}

// ---------------------------------------------------------------------------
// Lesson 03: the summary answering TLV_RECORDS.
// ---------------------------------------------------------------------------

/// Size of [`TlvSummary`] on the wire.
pub const TLV_SUMMARY_LEN: usize = 16;

/// Payload of [`TLV_SUMMARY`]: what the module found in a [`TLV_RECORDS`]
/// request. Four host-order `u32`s, in this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct TlvSummary {
    /// Names received (units, not TLVs).
    pub names: u32,
    /// Websites received.
    pub websites: u32,
    /// Employee ids received.
    pub ids: u32,
    /// TLVs skipped: unknown type or wrong length.
    pub skipped: u32,
}

impl TlvSummary {
    /// Encodes the 16 bytes.
    pub fn to_bytes(self) -> [u8; TLV_SUMMARY_LEN] {
        let mut out = [0u8; TLV_SUMMARY_LEN];
        // All four writes are inside the array and cannot fail.
        let _ = bytes::put(&mut out, 0, &self.names.to_ne_bytes());
        let _ = bytes::put(&mut out, 4, &self.websites.to_ne_bytes());
        let _ = bytes::put(&mut out, 8, &self.ids.to_ne_bytes());
        let _ = bytes::put(&mut out, 12, &self.skipped.to_ne_bytes());
        out
    }

    /// Decodes a payload of exactly 16 bytes ([`Error::BadSize`] otherwise).
    pub fn parse(payload: &[u8]) -> Result<TlvSummary, Error> {
        if payload.len() != TLV_SUMMARY_LEN {
            return Err(Error::BadSize);
        }
        let get = |at| bytes::u32_ne(payload, at).ok_or(Error::BadSize);
        Ok(TlvSummary { names: get(0)?, websites: get(4)?, ids: get(8)?, skipped: get(12)? })
    }
}

// ---------------------------------------------------------------------------
// Lesson 04: person attributes.
// ---------------------------------------------------------------------------

/// Longest name, in bytes, NUL not counted.
pub const NAME_MAX: usize = 31;
/// Longest street, in bytes, NUL not counted.
pub const STREET_MAX: usize = 63;
/// Longest city, in bytes, NUL not counted.
pub const CITY_MAX: usize = 31;
/// Longest greeting in a reply, in bytes, NUL not counted.
pub const GREETING_MAX: usize = 127;

/// Attribute type 0 is never used, in every attribute set (`*_UNSPEC`).
pub const ATTR_UNSPEC: u16 = 0;

/// [`PERSON_SET`]: the person's name, string (≤ [`NAME_MAX`]).
pub const PERSON_ATTR_NAME: u16 = 1;
/// [`PERSON_SET`]: the person's age in years, `u32`.
pub const PERSON_ATTR_AGE: u16 = 2;
/// [`PERSON_SET`]: the person's address, nested `ADDRESS_ATTR_*`.
pub const PERSON_ATTR_ADDRESS: u16 = 3;
/// Highest `PERSON_ATTR_*` type.
pub const PERSON_ATTR_MAX: u16 = PERSON_ATTR_ADDRESS;

/// Inside [`PERSON_ATTR_ADDRESS`]: the street, string (≤ [`STREET_MAX`]).
pub const ADDRESS_ATTR_STREET: u16 = 1;
/// Inside [`PERSON_ATTR_ADDRESS`]: the city, string (≤ [`CITY_MAX`]).
pub const ADDRESS_ATTR_CITY: u16 = 2;
/// Highest `ADDRESS_ATTR_*` type.
pub const ADDRESS_ATTR_MAX: u16 = ADDRESS_ATTR_CITY;

/// [`PERSON_REPLY`]: a greeting built by the module, string
/// (≤ [`GREETING_MAX`]).
pub const REPLY_ATTR_GREETING: u16 = 1;
/// [`PERSON_REPLY`]: an id the module assigned to the person, `u32`.
pub const REPLY_ATTR_ID: u16 = 2;
/// Highest `REPLY_ATTR_*` type.
pub const REPLY_ATTR_MAX: u16 = REPLY_ATTR_ID;

/// Policy of the `PERSON_ATTR_*` attributes, indexed by type.
pub const PERSON_POLICY: [Policy; 4] = [
    Policy::UNSPEC,               // ATTR_UNSPEC
    Policy::nul_string(NAME_MAX), // PERSON_ATTR_NAME: a C string
    Policy::U32,                  // PERSON_ATTR_AGE
    Policy::NESTED,               // PERSON_ATTR_ADDRESS
];

/// Policy of the `ADDRESS_ATTR_*` attributes, indexed by type.
pub const ADDRESS_POLICY: [Policy; 3] = [
    Policy::UNSPEC,                 // ATTR_UNSPEC
    Policy::nul_string(STREET_MAX), // ADDRESS_ATTR_STREET
    Policy::nul_string(CITY_MAX),   // ADDRESS_ATTR_CITY
];

/// Policy of the `REPLY_ATTR_*` attributes, indexed by type.
pub const REPLY_POLICY: [Policy; 3] = [
    Policy::UNSPEC,               // ATTR_UNSPEC
    Policy::string(GREETING_MAX), // REPLY_ATTR_GREETING
    Policy::U32,                  // REPLY_ATTR_ID
];

#[cfg(test)]
mod tests {
    extern crate std;
    use super::super::policy::parse;
    use super::super::writer::Writer;
    use super::*;

    #[test]
    fn policies_cover_every_attribute() {
        assert_eq!(PERSON_POLICY.len(), usize::from(PERSON_ATTR_MAX) + 1);
        assert_eq!(ADDRESS_POLICY.len(), usize::from(ADDRESS_ATTR_MAX) + 1);
        assert_eq!(REPLY_POLICY.len(), usize::from(REPLY_ATTR_MAX) + 1);
    }

    #[test]
    fn types_are_distinct_and_named() {
        let all = [GREET, GREET_REPLY, TLV_RECORDS, TLV_SUMMARY, PERSON_SET, PERSON_REPLY];
        for (i, a) in all.iter().enumerate() {
            assert!(*a >= nlmsg::MIN_TYPE);
            assert!(!(RTM_FIRST..=RTM_LAST).contains(a));
            assert_ne!(type_name(*a), "UNKNOWN");
            assert!(all[i + 1..].iter().all(|b| b != a));
        }
        assert_eq!(type_name(21), "RTM");
        assert_eq!(type_name(nlmsg::ERROR), "NLMSG_ERROR");
        assert_eq!(type_name(1000), "UNKNOWN");
    }

    #[test]
    fn summary_round_trip() {
        let s = TlvSummary { names: 1, websites: 2, ids: 3, skipped: u32::MAX };
        assert_eq!(TlvSummary::parse(&s.to_bytes()), Ok(s));
        assert_eq!(TlvSummary::parse(&[0; 15]), Err(Error::BadSize));
        assert_eq!(TlvSummary::parse(&[0; 17]), Err(Error::BadSize));
    }

    #[test]
    fn person_request_passes_its_policy() {
        let mut buf = [0u8; 256];
        let mut w = Writer::new(&mut buf);
        w.put_str(PERSON_ATTR_NAME, "Ada Lovelace").unwrap();
        w.put_u32(PERSON_ATTR_AGE, 36).unwrap();
        let n = w.nest_start(PERSON_ATTR_ADDRESS).unwrap();
        w.put_str(ADDRESS_ATTR_STREET, "St James's Square").unwrap();
        w.put_str(ADDRESS_ATTR_CITY, "London").unwrap();
        w.nest_end(n).unwrap();
        let tb = parse(w.as_bytes(), &PERSON_POLICY).unwrap();
        let addr = tb[usize::from(PERSON_ATTR_ADDRESS)].unwrap();
        let at = parse(addr.payload(), &ADDRESS_POLICY).unwrap();
        assert_eq!(at[usize::from(ADDRESS_ATTR_CITY)].unwrap().str(), Ok("London"));

        // An NLA_NUL_STRING needs its NUL within NAME_MAX + 1 bytes: one
        // byte too long, and it has none there (EINVAL, as the kernel says).
        w.clear();
        w.put_str(PERSON_ATTR_NAME, &"x".repeat(NAME_MAX + 1)).unwrap();
        let e = parse(w.as_bytes(), &PERSON_POLICY).unwrap_err();
        assert_eq!(e.attr(), Some(PERSON_ATTR_NAME));
        assert_eq!(e.errno(), super::super::errno::EINVAL);
    }
}
