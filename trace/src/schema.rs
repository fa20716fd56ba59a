//! Attribute sets by name: for each attribute type of a set, its name (the
//! constant's name in `wire`, or in the kernel's uapi headers) and how to
//! show its value. The numbers come from `wire` and `libc`, never typed
//! again here; a test checks each course set against its `wire` policy.

use wire::{proto, rtm};

/// How to show an attribute's value.
#[derive(Debug, Clone, Copy)]
pub enum Value {
    /// A string (`NLA_STRING`: a trailing NUL or none), shown quoted.
    Str,
    /// A NUL-terminated string (`NLA_NUL_STRING`), shown quoted, and said
    /// so when its NUL is missing.
    CStr,
    /// An unsigned integer of 1, 2, 4 or 8 bytes, host byte order.
    Uint,
    /// An IPv4 address, 4 bytes in network byte order: `10.1.1.0`.
    Ipv4,
    /// A hardware address: `52:54:00:12:34:56`.
    Mac,
    /// Bytes, shown in hex.
    Bytes,
    /// Attributes nested inside, of the given set.
    Nested(&'static Set),
}

/// One attribute type of a set.
#[derive(Debug, Clone, Copy)]
pub struct Def {
    /// The type number.
    pub ty: u16,
    /// Its name.
    pub name: &'static str,
    /// How to show its value.
    pub value: Value,
}

/// An attribute set: the types that may appear together in one list.
#[derive(Debug)]
pub struct Set {
    /// The definitions, in any order.
    pub defs: &'static [Def],
}

impl Set {
    /// The definition of type `ty` (flag bits already removed), if known.
    pub fn get(&self, ty: u16) -> Option<&'static Def> {
        self.defs.iter().find(|d| d.ty == ty)
    }
}

const fn def(ty: u16, name: &'static str, value: Value) -> Def {
    Def { ty, name, value }
}

use Value::*;

/// Lesson 04's `PERSON_SET`: `PERSON_ATTR_*`.
pub static PERSON: Set = Set {
    defs: &[
        def(proto::PERSON_ATTR_NAME, "PERSON_ATTR_NAME", CStr),
        def(proto::PERSON_ATTR_AGE, "PERSON_ATTR_AGE", Uint),
        def(proto::PERSON_ATTR_ADDRESS, "PERSON_ATTR_ADDRESS", Nested(&ADDRESS)),
    ],
};

/// Inside `PERSON_ATTR_ADDRESS`: `ADDRESS_ATTR_*`.
pub static ADDRESS: Set = Set {
    defs: &[
        def(proto::ADDRESS_ATTR_STREET, "ADDRESS_ATTR_STREET", CStr),
        def(proto::ADDRESS_ATTR_CITY, "ADDRESS_ATTR_CITY", CStr),
    ],
};

/// Lesson 04's `PERSON_REPLY`: `REPLY_ATTR_*`.
pub static PERSON_REPLY: Set = Set {
    defs: &[
        def(proto::REPLY_ATTR_GREETING, "REPLY_ATTR_GREETING", Str),
        def(proto::REPLY_ATTR_ID, "REPLY_ATTR_ID", Uint),
    ],
};

/// Lessons 05-06, every message type: `rtm::ATTR_*`.
pub static RTM: Set = Set {
    defs: &[
        def(rtm::ATTR_TABLE, "ATTR_TABLE", Str),
        def(rtm::ATTR_DST, "ATTR_DST", Ipv4),
        def(rtm::ATTR_DST_LEN, "ATTR_DST_LEN", Uint),
        def(rtm::ATTR_GATEWAY, "ATTR_GATEWAY", Ipv4),
        def(rtm::ATTR_OIF, "ATTR_OIF", Str),
        def(rtm::ATTR_ROUTES, "ATTR_ROUTES", Uint),
    ],
};

/// rtnetlink links (`RTM_*LINK`): the `IFLA_*` the lab meets
/// (`include/uapi/linux/if_link.h`); others are shown by number.
pub static IFLA: Set = Set {
    defs: &[
        def(libc::IFLA_ADDRESS, "IFLA_ADDRESS", Mac),
        def(libc::IFLA_BROADCAST, "IFLA_BROADCAST", Mac),
        def(libc::IFLA_IFNAME, "IFLA_IFNAME", Str),
        def(libc::IFLA_MTU, "IFLA_MTU", Uint),
        def(libc::IFLA_LINK, "IFLA_LINK", Uint),
        def(libc::IFLA_QDISC, "IFLA_QDISC", Str),
        def(libc::IFLA_STATS, "IFLA_STATS", Bytes),
        def(libc::IFLA_TXQLEN, "IFLA_TXQLEN", Uint),
        def(libc::IFLA_OPERSTATE, "IFLA_OPERSTATE", Uint),
        def(libc::IFLA_LINKMODE, "IFLA_LINKMODE", Uint),
        def(libc::IFLA_LINKINFO, "IFLA_LINKINFO", Nested(&IFLA_INFO)),
        def(libc::IFLA_GROUP, "IFLA_GROUP", Uint),
        def(libc::IFLA_PROMISCUITY, "IFLA_PROMISCUITY", Uint),
        def(libc::IFLA_NUM_TX_QUEUES, "IFLA_NUM_TX_QUEUES", Uint),
        def(libc::IFLA_NUM_RX_QUEUES, "IFLA_NUM_RX_QUEUES", Uint),
        def(libc::IFLA_CARRIER, "IFLA_CARRIER", Uint),
        def(libc::IFLA_MIN_MTU, "IFLA_MIN_MTU", Uint),
        def(libc::IFLA_MAX_MTU, "IFLA_MAX_MTU", Uint),
        def(libc::IFLA_MAP, "IFLA_MAP", Bytes),
        def(libc::IFLA_STATS64, "IFLA_STATS64", Bytes),
        def(libc::IFLA_AF_SPEC, "IFLA_AF_SPEC", Bytes),
        def(libc::IFLA_CARRIER_CHANGES, "IFLA_CARRIER_CHANGES", Uint),
        def(libc::IFLA_PROTO_DOWN, "IFLA_PROTO_DOWN", Uint),
        def(libc::IFLA_GSO_MAX_SEGS, "IFLA_GSO_MAX_SEGS", Uint),
        def(libc::IFLA_GSO_MAX_SIZE, "IFLA_GSO_MAX_SIZE", Uint),
        def(libc::IFLA_XDP, "IFLA_XDP", Bytes),
        def(libc::IFLA_CARRIER_UP_COUNT, "IFLA_CARRIER_UP_COUNT", Uint),
        def(libc::IFLA_CARRIER_DOWN_COUNT, "IFLA_CARRIER_DOWN_COUNT", Uint),
        def(libc::IFLA_GRO_MAX_SIZE, "IFLA_GRO_MAX_SIZE", Uint),
        def(libc::IFLA_TSO_MAX_SIZE, "IFLA_TSO_MAX_SIZE", Uint),
        def(libc::IFLA_TSO_MAX_SEGS, "IFLA_TSO_MAX_SEGS", Uint),
        def(libc::IFLA_ALLMULTI, "IFLA_ALLMULTI", Uint),
    ],
};

/// Inside `IFLA_LINKINFO`: `IFLA_INFO_*`.
pub static IFLA_INFO: Set = Set {
    defs: &[
        def(libc::IFLA_INFO_KIND, "IFLA_INFO_KIND", Str),
        def(libc::IFLA_INFO_DATA, "IFLA_INFO_DATA", Bytes),
        def(libc::IFLA_INFO_XSTATS, "IFLA_INFO_XSTATS", Bytes),
        def(libc::IFLA_INFO_SLAVE_KIND, "IFLA_INFO_SLAVE_KIND", Str),
    ],
};

/// rtnetlink IPv4 routes (`RTM_*ROUTE`): the `RTA_*` the lab meets
/// (`include/uapi/linux/rtnetlink.h`).
pub static RTA: Set = Set {
    defs: &[
        def(libc::RTA_DST, "RTA_DST", Ipv4),
        def(libc::RTA_SRC, "RTA_SRC", Ipv4),
        def(libc::RTA_IIF, "RTA_IIF", Uint),
        def(libc::RTA_OIF, "RTA_OIF", Uint),
        def(libc::RTA_GATEWAY, "RTA_GATEWAY", Ipv4),
        def(libc::RTA_PRIORITY, "RTA_PRIORITY", Uint),
        def(libc::RTA_PREFSRC, "RTA_PREFSRC", Ipv4),
        def(libc::RTA_TABLE, "RTA_TABLE", Uint),
    ],
};

#[cfg(test)]
mod tests {
    use super::*;
    use wire::policy::{AttrKind, Policy};

    /// Every attribute a course policy accepts has a definition whose value
    /// fits the policy (nested ones checked against their own policy), and
    /// no definition names a type the policy leaves undescribed.
    fn matches_policy(set: &Set, policy: &[Policy]) {
        for (ty, p) in policy.iter().enumerate() {
            let ty = u16::try_from(ty).unwrap();
            match (p.kind, set.get(ty).map(|d| d.value)) {
                (AttrKind::Unspec | AttrKind::Reject, None) => {}
                (AttrKind::String { .. }, Some(Str)) => {}
                (AttrKind::NulString { .. }, Some(CStr)) => {}
                (AttrKind::U8 | AttrKind::U16 | AttrKind::U32 | AttrKind::U64, Some(Uint)) => {}
                (AttrKind::Binary { min: 4, max: 4 }, Some(Ipv4)) => {}
                (AttrKind::Nested(inner), Some(Nested(nested))) => {
                    if !inner.is_empty() {
                        matches_policy(nested, inner);
                    }
                }
                (k, v) => panic!("type {ty}: policy {k:?}, shown as {v:?}"),
            }
        }
        for d in set.defs {
            assert!(usize::from(d.ty) < policy.len(), "{} is not in the policy", d.name);
        }
    }

    #[test]
    fn course_sets_follow_wire_policies() {
        matches_policy(&PERSON, &proto::PERSON_POLICY);
        matches_policy(&ADDRESS, &proto::ADDRESS_POLICY);
        matches_policy(&PERSON_REPLY, &proto::REPLY_POLICY);
        matches_policy(&RTM, &rtm::POLICY);
    }

    #[test]
    fn names_are_unique_within_a_set() {
        for set in [&PERSON, &ADDRESS, &PERSON_REPLY, &RTM, &IFLA, &IFLA_INFO, &RTA] {
            for (i, d) in set.defs.iter().enumerate() {
                assert!(set.defs[i + 1..].iter().all(|e| e.ty != d.ty && e.name != d.name), "{}", d.name);
            }
        }
        assert_eq!(IFLA.get(3).unwrap().name, "IFLA_IFNAME");
    }
}
