// SPDX-License-Identifier: GPL-2.0

//! The hook for changes: lesson 05 tells only a requester that asked with
//! `NLM_F_ECHO`, lesson 06 announces them on multicast groups. The handler
//! calls it under the tables lock, right after each change, so
//! announcements come in the order of the changes.

use crate::knetlink::Request;
use crate::wire::rtm::Route;

// ANCHOR: announce
/// One change of the tables, with what a notification needs to carry.
pub(crate) enum Event<'a> {
    /// A table was created.
    TableNew { table: &'a str },
    /// A table was deleted, with all its routes.
    TableDel { table: &'a str },
    /// A route was added, or `replaced` one of the same prefix.
    RouteNew { table: &'a str, route: &'a Route<'a>, replaced: bool },
    /// A route was deleted (this is the route that went away).
    RouteDel { table: &'a str, route: &'a Route<'a> },
}

/// What the module does with each change.
pub(crate) trait Announce: Send + Sync + 'static {
    /// Called under the tables lock after `event` happened, with the request
    /// that made it. It must not fail the change: the change is made.
    fn announce(&self, request: &Request<'_>, event: &Event<'_>);

    /// Called once when the module unloads (to log a summary, say).
    fn unloading(&self) {}
}
// ANCHOR_END: announce
