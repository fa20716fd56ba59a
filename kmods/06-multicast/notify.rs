// SPDX-License-Identifier: GPL-2.0

//! Lesson 06's announcements: every change of the tables, as a message on
//! the multicast group of its kind, to every process that listens.

use crate::announce::{Announce, Event};
use crate::knetlink::Request;
use crate::messages::{event_message, routes_gone_message, ROUTE_MESSAGE_MAX};
use crate::wire::rtm;
use core::sync::atomic::{AtomicU64, Ordering};
use kernel::prelude::*;

/// Announces on multicast groups: table events on one, route events on the
/// other. Counts what it sent (logged at unload).
pub(crate) struct Multicast {
    sent: AtomicU64,
}

impl Multicast {
    /// Nothing sent yet.
    pub(crate) fn new() -> Multicast {
        Multicast { sent: AtomicU64::new(0) }
    }
}

impl Announce for Multicast {
    fn announce(&self, request: &Request<'_>, event: &Event<'_>) {
        // Who made the change: every notification of it carries them.
        let (seq, portid) = (request.header().seq, request.portid());
        // TODO(exercise 6.1): Announce the change: pick its group (table events on rtm::GROUP_TABLES, route events on rtm::GROUP_ROUTES); unless nobody wants it (request.notification_wanted), build it with event_message (with seq and portid) and request.notify() it (which also answers NLM_F_ECHO). Count what was sent (self.count()).
        let _ = (event_message, ROUTE_MESSAGE_MAX, rtm::GROUP_TABLES, rtm::GROUP_ROUTES, Self::count);
        // A deleted table takes its routes with it: route listeners hear of
        // it too, in one message (the requester, if it asked for an echo,
        // heard of the table already).
        if let Event::TableDel { table } = *event {
            let mut buf = [0u8; ROUTE_MESSAGE_MAX];
            if let Ok(len) = routes_gone_message(&mut buf, table, seq, portid) {
                if let Ok(true) = request.broadcast(&buf[..len], rtm::GROUP_ROUTES) {
                    self.count();
                }
            }
        }
    }

    fn unloading(&self) {
        pr_info!("{} notifications were sent\n", self.sent.load(Ordering::Relaxed));
    }
}

impl Multicast {
    /// Counts one notification sent.
    fn count(&self) {
        self.sent.fetch_add(1, Ordering::Relaxed);
    }
}
