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
        // TODO(exercise 6.1): Announce the change: pick its group (table events on rtm::GROUP_TABLES, route events on rtm::GROUP_ROUTES); unless nobody wants it (request.notification_wanted), build it with event_message (the request's seq, the requester's port id) and request.notify() it (which also answers NLM_F_ECHO); a deleted table also takes its routes with it: tell rtm::GROUP_ROUTES with request.broadcast(). Count what was sent in self.sent.
        let _ = (request, event, event_message, ROUTE_MESSAGE_MAX, rtm::GROUP_TABLES, rtm::GROUP_ROUTES);
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
