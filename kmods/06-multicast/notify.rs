// SPDX-License-Identifier: GPL-2.0

//! Lesson 06's announcements: every change of the tables, as a message on
//! the multicast group of its kind, to every process that listens.

use crate::announce::{Announce, Event};
use crate::knetlink::Request;
use crate::messages::{message, notify_change, ROUTE_MESSAGE_MAX};
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
        self.notify(request, event);
    }

    fn unloading(&self) {
        pr_info!("{} notifications were sent\n", self.sent.load(Ordering::Relaxed));
    }
}

impl Multicast {
    /// Announces `event` on the multicast group of its kind, to whoever
    /// wants it: the group's listeners, and the requester if it asked with
    /// NLM_F_ECHO. Nothing is built when nobody wants it. A deleted table
    /// takes its routes with it: route listeners hear of that too, in one
    /// ROUTE_DEL naming only the table. A failure is logged, not returned:
    /// the change itself was made.
    fn notify(&self, request: &Request<'_>, event: &Event<'_>) {
        // TODO(exercise 6.1): Pick the event's group (table events on rtm::GROUP_TABLES, route events on rtm::GROUP_ROUTES); unless nobody wants it (request.notification_wanted), send it with notify_change, and count it (self.count()). For a TableDel, also broadcast routes_gone_message (the request's seq, the requester's port id) on rtm::GROUP_ROUTES with request.broadcast(), and count it if somebody got it.
        let _ = (request, event, notify_change, routes_gone_message, ROUTE_MESSAGE_MAX, rtm::GROUP_TABLES, rtm::GROUP_ROUTES, Self::count);
    }

    /// Counts one notification sent.
    fn count(&self) {
        self.sent.fetch_add(1, Ordering::Relaxed);
    }
}

/// Writes the notification, for route listeners, that every route of a
/// deleted table went with it: a ROUTE_DEL message that names the table and
/// no prefix (see `wire::rtm`). Returns its length.
fn routes_gone_message(buf: &mut [u8], table: &str, seq: u32, portid: u32) -> Result<usize> {
    message(buf, rtm::ROUTE_DEL, 0, seq, portid, |w| rtm::put_table(w, table, None))
}
