// SPDX-License-Identifier: GPL-2.0

//! The family as the kernel knows it: name, version, the attribute policy
//! every request is validated against, the operations with who may use
//! them, and the multicast groups.

use crate::knetlink::genl::{Family, Op};
use crate::ops::Rtm;
use crate::wire::policy::Policy;
use crate::wire::rtm;
use crate::wire::rtm_genl::{self, *};
use core::ffi::CStr;

impl Family for Rtm {
    const NAME: &'static CStr = rtm_genl::FAMILY_NAME_C;
    const VERSION: u8 = rtm_genl::VERSION;
    // Lesson 05's policy, now applied by the kernel (strictly) before any
    // operation runs: an attribute that breaks it never reaches us.
    const POLICY: &'static [Policy] = &rtm::POLICY;
    const GROUPS: &'static [&'static CStr] = &rtm_genl::GROUPS;

    const OPS: &'static [Op<Rtm>] = &[
        Op::new(CMD_TABLE_NEW).doit(Rtm::table_new).admin(),
        Op::new(CMD_TABLE_DEL).doit(Rtm::table_del).admin(),
        Op::new(CMD_TABLE_GET).doit(Rtm::table_get).dump(Rtm::table_dump),
        // TODO(exercise 8.1): The route operations: ROUTE_NEW, ROUTE_REPLACE and ROUTE_DEL change the tables (only with CAP_NET_ADMIN: .admin()); ROUTE_GET answers one route (.doit) and dumps a table (.dump); ROUTE_LOOKUP answers anybody. Their handlers are in ops.rs.
    ];
}

/// The route operations' handlers (ops.rs), for exercise 8.1. (Listed
/// here only so that the compiler does not warn that they are unused.)
#[allow(dead_code)]
const ROUTE_HANDLERS: [crate::knetlink::genl::DoIt<Rtm>; 5] =
    [Rtm::route_new, Rtm::route_del, Rtm::route_get, Rtm::route_lookup, Rtm::route_replace];
#[allow(dead_code)]
const ROUTE_DUMP: crate::knetlink::genl::StartDump<Rtm> = Rtm::route_dump;
