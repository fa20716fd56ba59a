// SPDX-License-Identifier: GPL-2.0

//! The family's operations: lesson 05's handler, without what the generic
//! netlink layer now does before they run. No `match` on the message type
//! (the kernel calls the op of the command), no attribute parsing (the
//! kernel parsed the request against the family's policy, strictly, and
//! answered a bad one itself), no permission check (the kernel checked
//! `GENL_ADMIN_PERM`). What is left is the meaning: which attributes an
//! operation needs, and what it does with the tables.

use crate::announce::Event;
use crate::dumps::{RouteDump, TableDump};
use crate::knetlink::genl::{self, GenlRequest};
use crate::knetlink::{self, ExtAck};
use crate::messages::{route_message, table_message, ROUTE_MESSAGE_MAX};
use crate::state::{Hop, Name, State, Table, Tables};
use crate::wire::errno::EEXIST;
use crate::wire::rtm::{self, Attributes, Invalid, Prefix, Route};
use core::sync::atomic::AtomicU64;
use kernel::prelude::*;
use kernel::rbtree::RBTreeNode;
use kernel::sync::Arc;

/// The family's state: lesson 05's tables (reference-counted: a running
/// dump holds a reference of its own), and a count of the events sent.
pub(crate) struct Rtm {
    pub(crate) state: Arc<State>,
    pub(crate) sent: AtomicU64,
}

/// The request's attributes, as the kernel parsed them against
/// `rtm::POLICY` (the family's policy), with lesson 05's accessors: a
/// missing one is `EINVAL` with its type in the extended ACK, which is what
/// the kernel's `GENL_REQ_ATTR_CHECK` does.
fn attributes<'a>(request: &GenlRequest<'a>) -> Attributes<'a> {
    Attributes::from_table(request.attrs())
}

/// Turns a refusal of `wire::rtm` into the error to answer with, telling
/// `extack` what the extended ACK says (as lesson 05's `refuse`).
fn refuse(extack: &mut ExtAck<'_>, e: Invalid<'_>) -> Error {
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

impl Rtm {
    /// No tables yet.
    pub(crate) fn new() -> Result<Rtm> {
        Ok(Rtm { state: State::new()?, sent: AtomicU64::new(0) })
    }

    /// Logs what unloading frees and how many events were sent.
    pub(crate) fn log_unload(&self) {
        self.state.log_unload();
        pr_info!("{} notifications were sent\n", self.sent.load(core::sync::atomic::Ordering::Relaxed));
    }

    /// The table name of a request (required, not empty).
    fn name(request: &GenlRequest<'_>, extack: &mut ExtAck<'_>) -> Result<Name> {
        Name::new(attributes(request).table().map_err(|e| refuse(extack, e))?)
    }

    /// TABLE_NEW: creates a table; an existing one is EEXIST.
    pub(crate) fn table_new(&self, request: &GenlRequest<'_>, extack: &mut ExtAck<'_>) -> Result {
        let name = Self::name(request, extack)?;
        let mut tables = self.state.tables.lock();
        if tables.by_name.get(&name).is_some() {
            extack.message(c"table exists");
            return Err(knetlink::errno(EEXIST));
        }
        tables.by_name.try_create_and_insert(name, Table::new(), GFP_KERNEL)?;
        tables.changed();
        // Announced under the lock: in the order of the changes.
        self.announce(request, &Event::TableNew { table: name.as_str() });
        Ok(())
    }

    /// TABLE_DEL: deletes a table and all its routes.
    pub(crate) fn table_del(&self, request: &GenlRequest<'_>, extack: &mut ExtAck<'_>) -> Result {
        let name = Self::name(request, extack)?;
        let removed = {
            let mut tables = self.state.tables.lock();
            let Some(removed) = tables.by_name.remove(&name) else {
                extack.message(c"no such table");
                return Err(ENOENT);
            };
            tables.changed();
            self.announce(request, &Event::TableDel { table: name.as_str() });
            removed
        };
        // Freed here, after the lock is released.
        drop(removed);
        Ok(())
    }

    /// TABLE_GET: answers with a TABLE_NEW message: name and route count.
    pub(crate) fn table_get(&self, request: &GenlRequest<'_>, extack: &mut ExtAck<'_>) -> Result {
        let name = Self::name(request, extack)?;
        let Some(count) = self.state.tables.lock().by_name.get(&name).map(|t| t.count) else {
            extack.message(c"no such table");
            return Err(ENOENT);
        };
        let mut buf = [0u8; 128];
        let len = table_message(&mut buf, rtm::TABLE_NEW, 0, request.header().seq, request.portid(), &name, count)?;
        request.reply(&buf[..len])
    }

    /// TABLE_GET as a dump: every table (lesson 05's dump).
    pub(crate) fn table_dump(
        &self,
        _request: &GenlRequest<'_>,
        _extack: &mut ExtAck<'_>,
    ) -> Result<KBox<dyn crate::knetlink::dump::Dump>> {
        genl::boxed(TableDump { state: self.state.clone(), last: None })
    }

    /// ROUTE_NEW (`replace` false): adds a route; an existing route of the
    /// prefix is EEXIST. ROUTE_REPLACE (`replace` true): adds it, or
    /// replaces the route of the prefix. A missing table is ENOENT.
    fn route_set(&self, request: &GenlRequest<'_>, extack: &mut ExtAck<'_>, replace: bool) -> Result {
        let attrs = attributes(request);
        let name = Name::new(attrs.table().map_err(|e| refuse(extack, e))?)?;
        let route = attrs.route().map_err(|e| refuse(extack, e))?;
        let hop = Hop { gateway: route.gateway, oif: Name::new(route.oif)? };
        // Allocate before taking the lock: less time under it.
        let node = RBTreeNode::new(route.dst, hop, GFP_KERNEL)?;
        let mut tables = self.state.tables.lock();
        let table = table_mut(&mut tables, &name, extack)?;
        if !replace && table.routes.get(&route.dst).is_some() {
            extack.message(c"route exists");
            return Err(knetlink::errno(EEXIST));
        }
        let old = table.routes.insert(node);
        if old.is_none() {
            table.count += 1;
        }
        tables.changed();
        let event = Event::RouteNew { table: name.as_str(), route: &route, replaced: old.is_some() };
        self.announce(request, &event);
        Ok(())
    }

    /// ROUTE_NEW: adds a route (see `route_set`).
    pub(crate) fn route_new(&self, request: &GenlRequest<'_>, extack: &mut ExtAck<'_>) -> Result {
        self.route_set(request, extack, false)
    }

    /// ROUTE_REPLACE: adds or replaces a route (see `route_set`).
    pub(crate) fn route_replace(&self, request: &GenlRequest<'_>, extack: &mut ExtAck<'_>) -> Result {
        self.route_set(request, extack, true)
    }

    /// ROUTE_DEL: deletes the route of one exact prefix; a missing table or
    /// route is ENOENT.
    pub(crate) fn route_del(&self, request: &GenlRequest<'_>, extack: &mut ExtAck<'_>) -> Result {
        let attrs = attributes(request);
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
        let route = Route { dst, gateway: hop.gateway, oif: hop.oif.as_str() };
        self.announce(request, &Event::RouteDel { table: name.as_str(), route: &route });
        Ok(())
    }

    /// ROUTE_GET: answers with the ROUTE_NEW message of one exact prefix.
    pub(crate) fn route_get(&self, request: &GenlRequest<'_>, extack: &mut ExtAck<'_>) -> Result {
        let attrs = attributes(request);
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
        request.reply(&buf[..len])
    }

    /// ROUTE_LOOKUP: the route with the longest prefix that contains the
    /// address: try /32, /31, ... /0, and answer the first one found.
    pub(crate) fn route_lookup(&self, request: &GenlRequest<'_>, extack: &mut ExtAck<'_>) -> Result {
        let attrs = attributes(request);
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
        request.reply(&buf[..len])
    }

    /// ROUTE_GET as a dump: every route of the table the request names
    /// (required: the kernel parsed the dump request too). A missing table
    /// ends the dump at its first buffer with ENOENT (lesson 05's dump).
    pub(crate) fn route_dump(
        &self,
        request: &GenlRequest<'_>,
        extack: &mut ExtAck<'_>,
    ) -> Result<KBox<dyn crate::knetlink::dump::Dump>> {
        let table = Self::name(request, extack)?;
        genl::boxed(RouteDump { state: self.state.clone(), table, last: None, started: false })
    }
}
