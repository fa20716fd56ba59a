// SPDX-License-Identifier: GPL-2.0

//! The handler of protocol 31: every request, checked, then carried out.

use crate::announce::{Announce, Event};
use crate::dumps::{RouteDump, TableDump};
use crate::knetlink::dump;
use crate::knetlink::{self, ExtAck, Handled, Handler, Request};
use crate::messages::{route_message, table_message, ROUTE_MESSAGE_MAX};
use crate::state::{Hop, Name, State, Table, Tables};
use crate::wire::errno::{EEXIST, EOPNOTSUPP};
use crate::wire::nlmsg;
use crate::wire::rtm::{self, Attributes, Invalid, Prefix, Route};
use kernel::prelude::*;
use kernel::rbtree::RBTreeNode;
use kernel::sync::Arc;

/// The handler of protocol 31. The state is reference-counted: a running
/// dump holds a reference of its own. `A` says how changes are announced
/// (lesson 05: to a requester that asks; lesson 06: on multicast groups).
pub(crate) struct Rtm<A> {
    state: Arc<State>,
    announce: A,
}

/// Turns a refusal of `wire::rtm` into the error to answer with, telling
/// `extack` what the kernel's extended ACK will say: the message, the
/// attribute at fault or the one missing.
pub(crate) fn refuse(extack: &mut ExtAck<'_>, e: Invalid<'_>) -> Error {
    if let Some(text) = e.message {
        extack.message(text);
    }
    if let Some(a) = &e.bad {
        extack.bad_attr(a);
    }
    if let Some(ty) = e.missing {
        extack.missing(ty);
    }
    knetlink::errno(e.errno)
}

/// The table called `name`, to change; a missing one is ENOENT.
fn table_mut<'t>(tables: &'t mut Tables, name: &Name, extack: &mut ExtAck<'_>) -> Result<&'t mut Table> {
    tables.by_name.get_mut(name).ok_or_else(|| {
        extack.message(c"no such table");
        ENOENT
    })
}

/// Does the request carry every bit of `flag`?
fn has(request: &Request<'_>, flag: u16) -> bool {
    request.has(flag)
}

impl<A: Announce> Rtm<A> {
    /// A handler with no tables yet, announcing changes with `announce`.
    pub(crate) fn new(announce: A) -> Result<Self> {
        Ok(Rtm { state: State::new()?, announce })
    }

    /// Logs what unloading frees, and lets the announcer say its last word.
    pub(crate) fn log_unload(&self) {
        self.state.log_unload();
        self.announce.unloading();
    }
}

// ANCHOR: handle
impl<A: Announce> Handler for Rtm<A> {
    /// One request: permission and attributes checked, then the operation.
    /// The kernel's `netlink_rcv_skb` walks the batch and acknowledges.
    fn request(&self, request: &Request<'_>, extack: &mut ExtAck<'_>) -> Result<Handled> {
        let ty = request.header().ty;
        let changes = match ty {
            rtm::TABLE_NEW | rtm::TABLE_DEL | rtm::ROUTE_NEW | rtm::ROUTE_DEL => true,
            rtm::TABLE_GET | rtm::ROUTE_GET | rtm::ROUTE_LOOKUP => false,
            _ => {
            // No message: rtnetlink sends none for an unknown type either.
                return Err(knetlink::errno(EOPNOTSUPP));
            }
        };
        // Changes need CAP_NET_ADMIN, checked first, as rtnetlink does.
        if changes && !request.may_admin() {
            return Err(EPERM);
        }
        let attrs = Attributes::parse(request.payload()).map_err(|e| refuse(extack, e))?;
        // Either dump flag makes a GET a dump, as in rtnetlink.
        let dump = request.header().flags & nlmsg::F_DUMP != 0;
        match ty {
            rtm::TABLE_NEW => self.table_new(request, extack, &attrs),
            rtm::TABLE_DEL => self.table_del(request, extack, &attrs),
            rtm::TABLE_GET if dump => dump::start(request, TableDump { state: self.state.clone(), last: None }),
            rtm::TABLE_GET => self.table_get(request, extack, &attrs),
            rtm::ROUTE_NEW => self.route_new(request, extack, &attrs),
            rtm::ROUTE_DEL => self.route_del(request, extack, &attrs),
            rtm::ROUTE_GET if dump => self.route_dump(request, extack, &attrs),
            rtm::ROUTE_GET => self.route_get(request, extack, &attrs),
            _ => self.route_lookup(request, extack, &attrs),
        }
    }
}
// ANCHOR_END: handle

impl<A: Announce> Rtm<A> {
    // ANCHOR: table_new
    /// TABLE_NEW: creates a table. An existing one is EEXIST with
    /// NLM_F_EXCL and left alone otherwise; a missing one is created only
    /// with NLM_F_CREATE (else ENOENT).
    fn table_new(&self, request: &Request<'_>, extack: &mut ExtAck<'_>, attrs: &Attributes<'_>) -> Result<Handled> {
        let name = Name::new(attrs.table().map_err(|e| refuse(extack, e))?)?;
        let mut tables = self.state.tables.lock();
        if tables.by_name.get(&name).is_some() {
            if has(request, nlmsg::F_EXCL) {
                extack.message(c"table exists");
                return Err(knetlink::errno(EEXIST));
            }
            return Ok(Handled::Done);
        }
        if !has(request, nlmsg::F_CREATE) {
            extack.message(c"no such table, and NLM_F_CREATE not set");
            return Err(ENOENT);
        }
        tables.by_name.try_create_and_insert(name, Table::new(), GFP_KERNEL)?;
        tables.changed();
        // Announced under the lock: listeners see changes in the order
        // they happened.
        self.announce.announce(request, &Event::TableNew { table: name.as_str() });
        Ok(Handled::Done)
    }
    // ANCHOR_END: table_new

    /// TABLE_DEL: deletes a table and all its routes.
    fn table_del(&self, request: &Request<'_>, extack: &mut ExtAck<'_>, attrs: &Attributes<'_>) -> Result<Handled> {
        let name = Name::new(attrs.table().map_err(|e| refuse(extack, e))?)?;
        let removed = {
            let mut tables = self.state.tables.lock();
            let Some(removed) = tables.by_name.remove(&name) else {
                extack.message(c"no such table");
                return Err(ENOENT);
            };
            tables.changed();
            self.announce.announce(request, &Event::TableDel { table: name.as_str() });
            removed
        };
        // Freed here, after the lock is released.
        drop(removed);
        Ok(Handled::Done)
    }

    /// TABLE_GET: answers with a TABLE_NEW message: name and route count.
    fn table_get(&self, request: &Request<'_>, extack: &mut ExtAck<'_>, attrs: &Attributes<'_>) -> Result<Handled> {
        let name = Name::new(attrs.table().map_err(|e| refuse(extack, e))?)?;
        let Some(count) = self.state.tables.lock().by_name.get(&name).map(|t| t.count) else {
            extack.message(c"no such table");
            return Err(ENOENT);
        };
        let mut buf = [0u8; 128];
        let len = table_message(&mut buf, rtm::TABLE_NEW, 0, request.header().seq, request.portid(), &name, count)?;
        request.reply(&buf[..len])?;
        Ok(Handled::Done)
    }

    // ANCHOR: route_new
    /// ROUTE_NEW: adds a route (NLM_F_CREATE), or replaces the route of the
    /// same prefix (NLM_F_REPLACE). An existing route without NLM_F_REPLACE,
    /// or with NLM_F_EXCL, is EEXIST; a missing table is ENOENT.
    fn route_new(&self, request: &Request<'_>, extack: &mut ExtAck<'_>, attrs: &Attributes<'_>) -> Result<Handled> {
        let name = Name::new(attrs.table().map_err(|e| refuse(extack, e))?)?;
        let route = attrs.route().map_err(|e| refuse(extack, e))?;
        let hop = Hop { gateway: route.gateway, oif: Name::new(route.oif)? };
        // Allocate before taking the lock: less time under it.
        let node = RBTreeNode::new(route.dst, hop, GFP_KERNEL)?;
        let mut tables = self.state.tables.lock();
        let table = table_mut(&mut tables, &name, extack)?;
        let exists = table.routes.get(&route.dst).is_some();
        if exists && (has(request, nlmsg::F_EXCL) || !has(request, nlmsg::F_REPLACE)) {
            extack.message(c"route exists");
            return Err(knetlink::errno(EEXIST));
        }
        if !exists && !has(request, nlmsg::F_CREATE) {
            extack.message(c"no such route, and NLM_F_CREATE not set");
            return Err(ENOENT);
        }
        let old = table.routes.insert(node);
        if old.is_none() {
            table.count += 1;
        }
        tables.changed();
        let event = Event::RouteNew { table: name.as_str(), route: &route, replaced: old.is_some() };
        self.announce.announce(request, &event);
        Ok(Handled::Done)
    }
    // ANCHOR_END: route_new

    // ANCHOR: route_del
    /// ROUTE_DEL: deletes the route of one exact prefix; a missing table or
    /// route is ENOENT.
    fn route_del(&self, request: &Request<'_>, extack: &mut ExtAck<'_>, attrs: &Attributes<'_>) -> Result<Handled> {
        // EXERCISE 5.1: Delete the route: table name and prefix from the attributes (refuse() reports their errors), lock the tables, remove the route from its table (ENOENT if the table or the route is missing), keep the count right and count the change (tables.changed()), announce it (as route_new does), and let the ACK go.
        let name = Name::new(attrs.table().map_err(|e| refuse(extack, e))?)?;
        let dst = attrs.prefix().map_err(|e| refuse(extack, e))?;
        let mut tables = self.state.tables.lock();
        let Some(hop) = table_mut(&mut tables, &name, extack)?.routes.remove(&dst) else {
            extack.message(c"no such route");
            return Err(ENOENT);
        };
        if let Some(table) = tables.by_name.get_mut(&name) {
            table.count -= 1;
        }
        tables.changed();
        // The announcement carries the whole route that went away.
        let route = Route { dst, gateway: hop.gateway, oif: hop.oif.as_str() };
        self.announce.announce(request, &Event::RouteDel { table: name.as_str(), route: &route });
        Ok(Handled::Done)
        // STARTER
        // let _ = (request, extack, attrs, &self.state, refuse, table_mut);
        // // What a deletion announces (see route_new), with the deleted route:
        // let nothing = Route { dst: Prefix::default(), gateway: [0; 4], oif: "" };
        // let _ = Event::RouteDel { table: "", route: &nothing };
        // pr_info!("TODO: delete a route\n");
        // Err(knetlink::errno(EOPNOTSUPP))
        // END
    }
    // ANCHOR_END: route_del

    /// ROUTE_GET: answers with the ROUTE_NEW message of one exact prefix.
    fn route_get(&self, request: &Request<'_>, extack: &mut ExtAck<'_>, attrs: &Attributes<'_>) -> Result<Handled> {
        let name = Name::new(attrs.table().map_err(|e| refuse(extack, e))?)?;
        let dst = attrs.prefix().map_err(|e| refuse(extack, e))?;
        let mut buf = [0u8; ROUTE_MESSAGE_MAX];
        let len = {
            let tables = self.state.tables.lock();
            let Some(hop) = tables.by_name.get(&name).and_then(|t| t.routes.get(&dst)) else {
                extack.message(c"no such table or route");
                return Err(ENOENT);
            };
            route_message(&mut buf, rtm::ROUTE_NEW, 0, request.header().seq, request.portid(), &name, &dst, hop)?
        };
        request.reply(&buf[..len])?;
        Ok(Handled::Done)
    }

    // ANCHOR: route_lookup
    /// ROUTE_LOOKUP: the route with the longest prefix that contains the
    /// address: try /32, /31, ... /0, and answer the first one found.
    fn route_lookup(&self, request: &Request<'_>, extack: &mut ExtAck<'_>, attrs: &Attributes<'_>) -> Result<Handled> {
        let name = Name::new(attrs.table().map_err(|e| refuse(extack, e))?)?;
        let addr = attrs.address().map_err(|e| refuse(extack, e))?;
        let mut buf = [0u8; ROUTE_MESSAGE_MAX];
        let len = {
            let tables = self.state.tables.lock();
            let Some(table) = tables.by_name.get(&name) else {
                extack.message(c"no such table");
                return Err(ENOENT);
            };
            let found = (0..=32u8)
                .rev()
                .map(|len| Prefix::of(addr, len))
                .find_map(|p| table.routes.get(&p).map(|hop| (p, hop)));
            let Some((dst, hop)) = found else {
                extack.message(c"no route to the address");
                return Err(ENOENT);
            };
            route_message(&mut buf, rtm::ROUTE_NEW, 0, request.header().seq, request.portid(), &name, &dst, hop)?
        };
        request.reply(&buf[..len])?;
        Ok(Handled::Done)
    }
    // ANCHOR_END: route_lookup

    // ANCHOR: route_dump
    /// ROUTE_GET with NLM_F_DUMP: every route of a table, in prefix order,
    /// over as many buffers as it takes. A missing table ends the dump at
    /// its first buffer with ENOENT in NLMSG_DONE, as rtnetlink answers a
    /// dump of a table that does not exist.
    fn route_dump(&self, request: &Request<'_>, extack: &mut ExtAck<'_>, attrs: &Attributes<'_>) -> Result<Handled> {
        let table = Name::new(attrs.table().map_err(|e| refuse(extack, e))?)?;
        dump::start(request, RouteDump { state: self.state.clone(), table, last: None, started: false })
    }
    // ANCHOR_END: route_dump
}
