// SPDX-License-Identifier: GPL-2.0

//! The handler of protocol 31: every request, checked, then carried out.

use crate::announce::{Announce, Event};
use crate::dumps::{RouteDump, TableDump};
use crate::knetlink::dump;
use crate::knetlink::{self, Handler, Request};
use crate::messages::{route_message, table_message, ROUTE_MESSAGE_MAX};
use crate::state::{Hop, Name, State, Table};
use crate::wire::errno::{EEXIST, EOPNOTSUPP};
use crate::wire::nlmsg::{self, Header, Message};
use crate::wire::rtm::{self, Attributes, Invalid, Prefix, Route};
use kernel::prelude::*;
use kernel::rbtree::RBTreeNode;
use kernel::sync::Arc;

/// The handler of protocol 31. The state is reference-counted: a running
/// dump holds a reference of its own. `A` says how changes are announced
/// (lesson 05: not at all; lesson 06: on multicast groups).
pub(crate) struct Rtm<A> {
    state: Arc<State>,
    announce: A,
}

/// What a handled request leaves to do.
enum Done {
    /// Nothing more: ACK it if asked.
    Ack,
    /// A dump was started: the core ends it with NLMSG_DONE, no ACK.
    Dumping,
}

/// The errno of a refused request.
fn refuse(e: Invalid) -> Error {
    pr_debug!("refused: {} (attribute {:?})\n", e.why, e.attr);
    knetlink::errno(e.errno)
}

/// Does the request carry every bit of `flag`?
pub(crate) fn has(header: &Header, flag: u16) -> bool {
    header.flags & flag == flag
}

impl<A: Announce> Handler for Rtm<A> {
    fn receive(&self, request: &Request<'_>) {
        for message in request.messages() {
            self.handle(request, &message);
        }
    }
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

    /// Handles one message: requests only; errors always answered, success
    /// only with NLM_F_ACK, dumps never.
    fn handle(&self, request: &Request<'_>, message: &Message<'_>) {
        let header = &message.header;
        if !has(header, nlmsg::F_REQUEST) || header.ty < nlmsg::MIN_TYPE {
            return;
        }
        let answer = match self.dispatch(request, message) {
            Ok(Done::Dumping) => return,
            Ok(Done::Ack) if !has(header, nlmsg::F_ACK) => return,
            Ok(Done::Ack) => request.ack(header, 0),
            Err(e) => request.ack(header, e.to_errno()),
        };
        if let Err(e) = answer {
            pr_warn!("could not answer port {}: {:?}\n", request.portid(), e);
        }
    }

    /// Checks permission and attributes, then calls the operation.
    fn dispatch(&self, request: &Request<'_>, message: &Message<'_>) -> Result<Done> {
        let header = &message.header;
        let changes = match header.ty {
            rtm::TABLE_NEW | rtm::TABLE_DEL | rtm::ROUTE_NEW | rtm::ROUTE_DEL => true,
            rtm::TABLE_GET | rtm::ROUTE_GET | rtm::ROUTE_LOOKUP => false,
            _ => return Err(knetlink::errno(EOPNOTSUPP)),
        };
        // Changes need CAP_NET_ADMIN, checked first, like rtnetlink does.
        if changes && !request.may_admin() {
            return Err(EPERM);
        }
        let attrs = Attributes::parse(message.payload).map_err(refuse)?;
        let dump = has(header, nlmsg::F_DUMP);
        match header.ty {
            rtm::TABLE_NEW => self.table_new(request, header, &attrs),
            rtm::TABLE_DEL => self.table_del(request, header, &attrs),
            rtm::TABLE_GET if dump => {
                dump::start(request, message, TableDump { state: self.state.clone(), last: None })?;
                Ok(Done::Dumping)
            }
            rtm::TABLE_GET => self.table_get(request, header, &attrs),
            rtm::ROUTE_NEW => self.route_new(request, header, &attrs),
            rtm::ROUTE_DEL => self.route_del(request, header, &attrs),
            rtm::ROUTE_GET if dump => self.route_dump(request, message, &attrs),
            rtm::ROUTE_GET => self.route_get(request, header, &attrs),
            _ => self.route_lookup(request, header, &attrs),
        }
    }

    /// TABLE_NEW: creates a table. An existing one is EEXIST with
    /// NLM_F_EXCL and left alone otherwise; a missing one is created only
    /// with NLM_F_CREATE (else ENOENT).
    fn table_new(&self, request: &Request<'_>, header: &Header, attrs: &Attributes<'_>) -> Result<Done> {
        let name = Name::new(attrs.table().map_err(refuse)?)?;
        let mut tables = self.state.tables.lock();
        if tables.get(&name).is_some() {
            if has(header, nlmsg::F_EXCL) {
                return Err(knetlink::errno(EEXIST));
            }
            return Ok(Done::Ack);
        }
        if !has(header, nlmsg::F_CREATE) {
            return Err(ENOENT);
        }
        tables.try_create_and_insert(name, Table::new(), GFP_KERNEL)?;
        // Announced under the lock: listeners see changes in the order
        // they happened.
        self.announce.announce(request, header, &Event::TableNew { table: name.as_str() });
        Ok(Done::Ack)
    }

    /// TABLE_DEL: deletes a table and all its routes.
    fn table_del(&self, request: &Request<'_>, header: &Header, attrs: &Attributes<'_>) -> Result<Done> {
        let name = Name::new(attrs.table().map_err(refuse)?)?;
        let removed = {
            let mut tables = self.state.tables.lock();
            let removed = tables.remove(&name).ok_or(ENOENT)?;
            self.announce.announce(request, header, &Event::TableDel { table: name.as_str() });
            removed
        };
        // Freed here, after the lock is released.
        drop(removed);
        Ok(Done::Ack)
    }

    /// TABLE_GET: answers with a TABLE_NEW message: name and route count.
    fn table_get(&self, request: &Request<'_>, header: &Header, attrs: &Attributes<'_>) -> Result<Done> {
        let name = Name::new(attrs.table().map_err(refuse)?)?;
        let count = self.state.tables.lock().get(&name).ok_or(ENOENT)?.count;
        let mut buf = [0u8; 128];
        let len = table_message(&mut buf, 0, header.seq, request.portid(), &name, count)?;
        request.reply(&buf[..len])?;
        Ok(Done::Ack)
    }

    /// ROUTE_NEW: adds a route (NLM_F_CREATE), or replaces the route of the
    /// same prefix (NLM_F_REPLACE). An existing route without NLM_F_REPLACE,
    /// or with NLM_F_EXCL, is EEXIST; a missing table is ENOENT.
    fn route_new(&self, request: &Request<'_>, header: &Header, attrs: &Attributes<'_>) -> Result<Done> {
        let name = Name::new(attrs.table().map_err(refuse)?)?;
        let route = attrs.route().map_err(refuse)?;
        let hop = Hop { gateway: route.gateway, oif: Name::new(route.oif)? };
        // Allocate before taking the lock: less time under it.
        let node = RBTreeNode::new(route.dst, hop, GFP_KERNEL)?;
        let mut tables = self.state.tables.lock();
        let table = tables.get_mut(&name).ok_or(ENOENT)?;
        let exists = table.routes.get(&route.dst).is_some();
        if exists && (has(header, nlmsg::F_EXCL) || !has(header, nlmsg::F_REPLACE)) {
            return Err(knetlink::errno(EEXIST));
        }
        if !exists && !has(header, nlmsg::F_CREATE) {
            return Err(ENOENT);
        }
        let old = table.routes.insert(node);
        if old.is_none() {
            table.count += 1;
        }
        table.changed();
        let event = Event::RouteNew { table: name.as_str(), route: &route, replaced: old.is_some() };
        self.announce.announce(request, header, &event);
        Ok(Done::Ack)
    }

    /// ROUTE_DEL: deletes the route of one exact prefix; a missing table or
    /// route is ENOENT.
    fn route_del(&self, request: &Request<'_>, header: &Header, attrs: &Attributes<'_>) -> Result<Done> {
        // TODO(exercise 5.1): Delete the route: table name and prefix from the attributes (refuse() maps their errors), lock the tables, remove the route from its table (ENOENT if the table or the route is missing), keep count and generation right, announce the change (as route_new does), and let the ACK go.
        let _ = (request, header, attrs, &self.state);
        // What a deletion announces (see route_new), with the deleted route:
        let nothing = Route { dst: Prefix::default(), gateway: [0; 4], oif: "" };
        let _ = Event::RouteDel { table: "", route: &nothing };
        pr_info!("TODO: delete a route\n");
        Err(knetlink::errno(EOPNOTSUPP))
    }

    /// ROUTE_GET: answers with the ROUTE_NEW message of one exact prefix.
    fn route_get(&self, request: &Request<'_>, header: &Header, attrs: &Attributes<'_>) -> Result<Done> {
        let name = Name::new(attrs.table().map_err(refuse)?)?;
        let dst = attrs.prefix().map_err(refuse)?;
        let mut buf = [0u8; ROUTE_MESSAGE_MAX];
        let len = {
            let tables = self.state.tables.lock();
            let hop = tables.get(&name).ok_or(ENOENT)?.routes.get(&dst).ok_or(ENOENT)?;
            route_message(&mut buf, 0, header.seq, request.portid(), &name, &dst, hop)?
        };
        request.reply(&buf[..len])?;
        Ok(Done::Ack)
    }

    /// ROUTE_LOOKUP: the route with the longest prefix that contains the
    /// address: try /32, /31, ... /0, and answer the first one found.
    fn route_lookup(&self, request: &Request<'_>, header: &Header, attrs: &Attributes<'_>) -> Result<Done> {
        let name = Name::new(attrs.table().map_err(refuse)?)?;
        let addr = attrs.address().map_err(refuse)?;
        let mut buf = [0u8; ROUTE_MESSAGE_MAX];
        let len = {
            let tables = self.state.tables.lock();
            let table = tables.get(&name).ok_or(ENOENT)?;
            let (dst, hop) = (0..=32u8)
                .rev()
                .map(|len| Prefix::of(addr, len))
                .find_map(|p| table.routes.get(&p).map(|hop| (p, hop)))
                .ok_or(ENOENT)?;
            route_message(&mut buf, 0, header.seq, request.portid(), &name, &dst, hop)?
        };
        request.reply(&buf[..len])?;
        Ok(Done::Ack)
    }

    /// ROUTE_GET with NLM_F_DUMP: every route of a table, in prefix order,
    /// over as many buffers as it takes.
    fn route_dump(&self, request: &Request<'_>, message: &Message<'_>, attrs: &Attributes<'_>) -> Result<Done> {
        let table = Name::new(attrs.table().map_err(refuse)?)?;
        // A missing table is an error now, not an empty dump. The lock must
        // be released before the dump starts: its first fill runs at once.
        let generation = self.state.tables.lock().get(&table).ok_or(ENOENT)?.generation;
        let state = self.state.clone();
        dump::start(request, message, RouteDump { state, table, generation, last: None })?;
        Ok(Done::Dumping)
    }
}
