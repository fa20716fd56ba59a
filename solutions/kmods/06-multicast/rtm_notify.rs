// SPDX-License-Identifier: GPL-2.0

//! Lesson 06: the routing table manager of lesson 05, announcing its changes.
//!
//! Everything of lesson 05 stays: its reference code is built into this
//! module (the course tool copies `solutions/kmods/05-rtm` here as `rtm/`).
//! New is only what lesson 05 left to a hook: every change (table created or
//! deleted, route added, replaced or deleted) is announced on a multicast
//! group, to every process that listens, if any does (`notify.rs`).

use kernel::prelude::*;

#[allow(dead_code, unreachable_pub, unused_attributes, missing_docs)]
#[path = "wire/lib.rs"]
mod wire;

#[allow(dead_code, unreachable_pub)]
#[path = "knetlink/lib.rs"]
mod knetlink;

// ANCHOR: reuse
// Lesson 05's reference code, unchanged.
#[path = "rtm/announce.rs"]
mod announce;
#[path = "rtm/dumps.rs"]
mod dumps;
#[path = "rtm/handler.rs"]
mod handler;
#[path = "rtm/messages.rs"]
mod messages;
#[path = "rtm/state.rs"]
mod state;

// This lesson's own.
mod notify;
// ANCHOR_END: reuse

use handler::Rtm;
use knetlink::Socket;
use notify::Multicast;
use wire::{proto, rtm};

module! {
    type: RtmModule,
    name: "rtm_notify",
    author: "The netlink course",
    description: "Lesson 06: a routing table manager over netlink protocol 31, with notifications",
    license: "GPL",
}

/// The module: while it lives, protocol 31 is served and changes announced.
struct RtmModule {
    socket: Socket<Rtm<Multicast>>,
}

impl kernel::Module for RtmModule {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        let handler = KBox::pin(Rtm::new(Multicast::new())?, GFP_KERNEL)?;
        // ANCHOR: groups
        // Two multicast groups: tables and routes. (Socket::new lets
        // unprivileged processes join them: NL_CFG_F_NONROOT_RECV.)
        // Last: userspace can send as soon as the protocol exists.
        let socket = Socket::new(proto::NETLINK_COURSE, rtm::GROUPS, handler)?;
        // ANCHOR_END: groups
        pr_info!("listening on netlink protocol {}, {} multicast groups\n", proto::NETLINK_COURSE, rtm::GROUPS);
        Ok(RtmModule { socket })
    }
}

impl Drop for RtmModule {
    fn drop(&mut self) {
        self.socket.handler().log_unload();
    }
}
