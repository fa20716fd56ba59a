// SPDX-License-Identifier: GPL-2.0

//! Lesson 06's announcements: every change of the tables, as a message on
//! the multicast group of its kind, to every process that listens.

use crate::announce::{Announce, Event};
use crate::knetlink::Request;
use crate::messages::{event_message, ROUTE_MESSAGE_MAX};
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

// ANCHOR: events
impl Announce for Multicast {
    fn announce(&self, request: &Request<'_>, event: &Event<'_>) {
        // EXERCISE 6.1: Announce the change: pick its group (table events on rtm::GROUP_TABLES, route events on rtm::GROUP_ROUTES); unless nobody wants it (request.notification_wanted), build it with event_message (the request's seq, the requester's port id) and request.notify() it (which also answers NLM_F_ECHO); a deleted table also takes its routes with it: tell rtm::GROUP_ROUTES with request.broadcast(). Count what was sent in self.sent.
        let group = match event {
            Event::TableNew { .. } | Event::TableDel { .. } => rtm::GROUP_TABLES,
            Event::RouteNew { .. } | Event::RouteDel { .. } => rtm::GROUP_ROUTES,
        };
        // Routes listeners learn of a deleted table too: its routes are gone.
        let routes_too = matches!(event, Event::TableDel { .. }) && request.has_listeners(rtm::GROUP_ROUTES);
        if !request.notification_wanted(group) && !routes_too {
            return;
        }
        let mut buf = [0u8; ROUTE_MESSAGE_MAX];
        let len = match event_message(&mut buf, event, request.header().seq, request.portid()) {
            Ok(len) => len,
            Err(e) => {
                pr_warn!("a notification does not fit: {:?}\n", e);
                return;
            }
        };
        // A listener whose queue is full is not told here: it learns of it
        // from its next recvmsg (ENOBUFS) and resynchronises.
        if request.notification_wanted(group) {
            match request.notify(&buf[..len], group) {
                Ok(()) => self.count(),
                Err(e) => pr_debug!("notification to group {}: {:?}\n", group, e),
            }
        }
        if routes_too && matches!(request.broadcast(&buf[..len], rtm::GROUP_ROUTES), Ok(true)) {
            self.count();
        }
        // STARTER
        // let _ = (request, event, event_message, ROUTE_MESSAGE_MAX, rtm::GROUP_TABLES, rtm::GROUP_ROUTES);
        // END
    }

    fn unloading(&self) {
        pr_info!("{} notifications were sent\n", self.sent.load(Ordering::Relaxed));
    }
}
// ANCHOR_END: events

impl Multicast {
    /// Counts one notification sent.
    fn count(&self) {
        self.sent.fetch_add(1, Ordering::Relaxed);
    }
}
