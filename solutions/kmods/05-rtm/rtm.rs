// SPDX-License-Identifier: GPL-2.0

//! Lesson 05: a routing table manager in the kernel, driven from userspace.
//!
//! The module owns named routing tables of IPv4 routes. Userspace creates,
//! deletes and lists tables, and adds, replaces, deletes, gets, looks up and
//! dumps routes, with the messages of `wire::rtm` on netlink protocol 31.
//! This file loads and unloads the module; the rest is in the files below.

use kernel::prelude::*;

// ANCHOR: includes
#[allow(dead_code, unreachable_pub, unused_attributes, missing_docs)]
#[path = "wire/lib.rs"]
mod wire;

#[allow(dead_code, unreachable_pub)]
#[path = "knetlink/lib.rs"]
mod knetlink;
// ANCHOR_END: includes

// ANCHOR: files
// The hook for changes, which lesson 06 fills in.
mod announce;
// Dumps, over as many buffers as the reader needs.
mod dumps;
// Every request: checks, then the operation.
mod handler;
// The answers: one route, one table.
mod messages;
// The tables and the lock around them.
mod state;
// ANCHOR_END: files

use announce::{Announce, Event};
use handler::Rtm;
use knetlink::{Request, Socket};
use messages::notify_change;
use wire::proto;

module! {
    type: RtmModule,
    name: "rtm",
    author: "The netlink course",
    description: "Lesson 05: a routing table manager over netlink protocol 31",
    license: "GPL",
}

/// The module: while it lives, protocol 31 is served.
struct RtmModule {
    socket: Socket<Rtm<EchoOnly>>,
}

// ANCHOR: echo
/// Lesson 05 has no multicast groups: a change is told only to the process
/// that made it, and only if it asked with `NLM_F_ECHO`, as rtnetlink does
/// (lesson 06 tells every listener).
struct EchoOnly;

impl Announce for EchoOnly {
    fn announce(&self, request: &Request<'_>, event: &Event<'_>) {
        // No group: only a requester that asked hears of it.
        if request.echo() {
            if let Err(e) = notify_change(request, event, 0) {
                pr_debug!("echo to port {}: {:?}\n", request.portid(), e);
            }
        }
    }
}
// ANCHOR_END: echo

impl kernel::Module for RtmModule {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        let handler = KBox::pin(Rtm::new(EchoOnly)?, GFP_KERNEL)?;
        // Last: userspace can send as soon as the protocol exists.
        let socket = Socket::new(proto::NETLINK_COURSE, 0, handler)?;
        pr_info!("listening on netlink protocol {}\n", proto::NETLINK_COURSE);
        Ok(RtmModule { socket })
    }
}

impl Drop for RtmModule {
    fn drop(&mut self) {
        // The socket, and with it the state, goes after this (a running dump
        // holds a reference of its own, but it also keeps the module loaded).
        self.socket.handler().log_unload();
    }
}
