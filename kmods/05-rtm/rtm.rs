// SPDX-License-Identifier: GPL-2.0

//! Lesson 05: a routing table manager in the kernel, driven from userspace.
//!
//! The module owns named routing tables of IPv4 routes. Userspace creates,
//! deletes and lists tables, and adds, replaces, deletes, gets, looks up and
//! dumps routes, with the messages of `wire::rtm` on netlink protocol 31.
//! This file loads and unloads the module; the rest is in the files below.

use kernel::prelude::*;

#[allow(dead_code, unreachable_pub, unused_attributes, missing_docs)]
#[path = "wire/lib.rs"]
mod wire;

#[allow(dead_code, unreachable_pub)]
#[path = "knetlink/lib.rs"]
mod knetlink;

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

use announce::{Announce, Event};
use handler::Rtm;
use knetlink::{Request, Socket};
use wire::nlmsg::Header;
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
    socket: Socket<Rtm<Quiet>>,
}

/// Lesson 05 makes changes without telling anybody (lesson 06 will). Its
/// `pr_debug!` lines print only in a kernel built with Rust debug assertions
/// (`CONFIG_RUST_DEBUG_ASSERTIONS`), which the lab's is not.
struct Quiet;

impl Announce for Quiet {
    fn announce(&self, _request: &Request<'_>, _header: &Header, event: &Event<'_>) {
        match event {
            Event::TableNew { table } => pr_debug!("table {} created\n", table),
            Event::TableDel { table } => pr_debug!("table {} deleted\n", table),
            Event::RouteNew { table, route, replaced } => {
                let what = if *replaced { "replaced" } else { "added" };
                pr_debug!("route {:?} of {} {}\n", route.dst, table, what)
            }
            Event::RouteDel { table, route } => pr_debug!("route {:?} of {} deleted\n", route.dst, table),
        }
    }
}

impl kernel::Module for RtmModule {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        let socket = Socket::new(proto::NETLINK_COURSE, 0, KBox::pin(Rtm::new(Quiet)?, GFP_KERNEL)?)?;
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
