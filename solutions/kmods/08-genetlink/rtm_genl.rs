// SPDX-License-Identifier: GPL-2.0

//! Lesson 08: the routing table manager of lessons 05-06, reborn as a
//! generic netlink family.
//!
//! The tables, the routes and their dumps are lesson 05's reference code
//! (the course tool copies `solutions/kmods/05-rtm` here as `rtm/`). New is
//! the way in: no protocol of our own, but family "rtm" on
//! `NETLINK_GENERIC`, whose operations, attribute policy, permissions and
//! multicast groups the kernel's generic netlink layer knows and enforces
//! (`family.rs`); the operations themselves (`ops.rs`); the messages of the
//! family (`messages.rs`); and the announcement of every change on the
//! family's groups (`notify.rs`).

use kernel::prelude::*;

#[allow(dead_code, unreachable_pub, unused_attributes, missing_docs)]
#[path = "wire/lib.rs"]
mod wire;

// (Lessons 03-06's protocol socket is not used here.)
#[allow(dead_code, unreachable_pub, unused_imports)]
#[path = "knetlink/lib.rs"]
mod knetlink;

// ANCHOR: reuse
// Lesson 05's reference code, unchanged: the tables and their lock, the
// dumps, and the changes as events (its `Announce` hook is not used here).
#[path = "rtm/state.rs"]
mod state;
#[path = "rtm/dumps.rs"]
mod dumps;
#[allow(dead_code)]
#[path = "rtm/announce.rs"]
mod announce;

// This lesson's own.
mod family;
mod messages;
mod notify;
mod ops;
// ANCHOR_END: reuse

use knetlink::genl::Registration;
use ops::Rtm;
use wire::rtm_genl;

module! {
    type: RtmGenlModule,
    name: "rtm_genl",
    author: "The netlink course",
    description: "Lesson 08: a routing table manager as generic netlink family rtm",
    license: "GPL",
}

/// The module: while it lives, family "rtm" is registered.
struct RtmGenlModule {
    family: Registration<Rtm>,
}

// ANCHOR: init
impl kernel::Module for RtmGenlModule {
    fn init(module: &'static ThisModule) -> Result<Self> {
        // Last: userspace can send as soon as the family exists.
        let family = Registration::new(module, Rtm::new()?)?;
        pr_info!(
            "family {} registered: id {}, version {}, groups {} {} {} {}\n",
            rtm_genl::FAMILY_NAME,
            family.id(),
            rtm_genl::VERSION,
            rtm_genl::GROUP_TABLES_NAME,
            family.group_id(rtm_genl::GROUP_TABLES),
            rtm_genl::GROUP_ROUTES_NAME,
            family.group_id(rtm_genl::GROUP_ROUTES)
        );
        Ok(RtmGenlModule { family })
    }
}
// ANCHOR_END: init

impl Drop for RtmGenlModule {
    fn drop(&mut self) {
        // The family, and with it the state, goes after this.
        self.family.data().log_unload();
    }
}
