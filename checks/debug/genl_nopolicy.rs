// SPDX-License-Identifier: GPL-2.0

//! A generic netlink family without attribute types, through the course's
//! own layer (`knetlink::genl`): family `lab_nopolicy`, version 1, one
//! command PING (1) that does nothing, an empty `POLICY`. The kernel must
//! refuse any attribute sent to it (the reject-all policy a family without
//! a policy gets), never pass one to the operation unchecked (what a policy
//! pointer with `maxattr` 0 would do).

use core::ffi::CStr;
use kernel::prelude::*;

#[allow(dead_code, unreachable_pub, unused_attributes, missing_docs)]
#[path = "wire/lib.rs"]
mod wire;

#[allow(dead_code, unreachable_pub, unused_imports)]
#[path = "knetlink/lib.rs"]
mod knetlink;

use knetlink::genl::{Family, GenlRequest, Op, Registration};
use knetlink::ExtAck;
use wire::policy::Policy;

module! {
    type: NoPolicy,
    name: "genl_nopolicy",
    author: "The netlink course",
    description: "Lab self-test: a knetlink::genl family without attribute types",
    license: "GPL",
}

/// The family's state: none.
struct Pings;

impl Pings {
    /// PING: nothing to do, acknowledged when asked.
    fn ping(&self, _request: &GenlRequest<'_>, _extack: &mut ExtAck<'_>) -> Result {
        Ok(())
    }
}

impl Family for Pings {
    const NAME: &'static CStr = c"lab_nopolicy";
    const VERSION: u8 = 1;
    const POLICY: &'static [Policy] = &[];
    const OPS: &'static [Op<Pings>] = &[Op::new(1).doit(Pings::ping)];
    const GROUPS: &'static [&'static CStr] = &[];
}

/// The module: while it lives, the family is registered.
struct NoPolicy {
    _family: Registration<Pings>,
}

impl kernel::Module for NoPolicy {
    fn init(module: &'static ThisModule) -> Result<Self> {
        let family = Registration::new(module, Pings)?;
        pr_info!("family lab_nopolicy id {}\n", family.id());
        Ok(NoPolicy { _family: family })
    }
}
