// SPDX-License-Identifier: GPL-2.0

//! Lesson 05: a routing table manager in the kernel, driven from userspace.
//!
//! The module owns named routing tables of IPv4 routes. Userspace creates,
//! deletes and lists tables, and adds, replaces, deletes, gets, looks up and
//! dumps routes, with the messages of `wire::rtm` on netlink protocol 31.

use kernel::prelude::*;
use kernel::rbtree::{RBTree, RBTreeNode};
use kernel::sync::{new_mutex, Arc, Mutex};

// ANCHOR: includes
#[allow(dead_code, unreachable_pub, unused_attributes, missing_docs)]
#[path = "wire/lib.rs"]
mod wire;

#[allow(dead_code, unreachable_pub)]
#[path = "knetlink/lib.rs"]
mod knetlink;
// ANCHOR_END: includes

use knetlink::dump::{self, Dump, DumpContext};
use knetlink::{Handler, Request, Socket};
use wire::errno::{EEXIST, EOPNOTSUPP};
use wire::nlmsg::{self, Header, Message, Messages};
use wire::proto;
use wire::rtm::{self, Attributes, Invalid, Prefix, Route};
use wire::writer::Writer;

module! {
    type: RtmModule,
    name: "rtm",
    author: "The netlink course",
    description: "Lesson 05: a routing table manager over netlink protocol 31",
    license: "GPL",
}

// ANCHOR: state
/// A table or interface name, NUL-padded to a fixed size so that it can be
/// a key: compared as bytes, names sort like text.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Name([u8; rtm::NAME_MAX]);

/// Where a route sends packets.
struct Hop {
    gateway: [u8; 4],
    oif: Name,
}

/// One routing table: its routes, ordered by prefix.
struct Table {
    routes: RBTree<Prefix, Hop>,
    /// How many routes (the tree does not count them).
    count: u32,
    /// Changes with every change of the routes, so that a dump can tell
    /// whether the table changed under it.
    generation: u32,
}

/// Everything the module knows, behind one lock: the input callback runs in
/// every sender's context at once, and dumps read it from readers' contexts.
#[pin_data]
struct State {
    #[pin]
    tables: Mutex<RBTree<Name, Table>>,
}
// ANCHOR_END: state

/// The module: while it lives, protocol 31 is served.
struct RtmModule {
    socket: Socket<Rtm>,
}

/// The handler of protocol 31. The state is reference-counted: a running
/// dump holds a reference of its own.
struct Rtm {
    state: Arc<State>,
}

impl kernel::Module for RtmModule {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        let state = Arc::pin_init(pin_init!(State { tables <- new_mutex!(RBTree::new()) }), GFP_KERNEL)?;
        let socket = Socket::new(proto::NETLINK_COURSE, 0, KBox::pin(Rtm { state }, GFP_KERNEL)?)?;
        pr_info!("listening on netlink protocol {}\n", proto::NETLINK_COURSE);
        Ok(RtmModule { socket })
    }
}

impl Drop for RtmModule {
    fn drop(&mut self) {
        // The socket (and with it the state, unless a dump still holds it:
        // it cannot, a dump keeps the module loaded) goes after this; the
        // trees free every node when they are dropped.
        let tables = self.socket.handler().state.tables.lock();
        let routes: u64 = tables.values().map(|t| u64::from(t.count)).sum();
        pr_info!("unloading: freeing {} tables and {} routes\n", tables.iter().count(), routes);
    }
}

impl Name {
    /// A name from text of 1 to 32 bytes.
    fn new(text: &str) -> Result<Name> {
        let bytes = text.as_bytes();
        let mut name = [0u8; rtm::NAME_MAX];
        name.get_mut(..bytes.len()).ok_or(ERANGE)?.copy_from_slice(bytes);
        Ok(Name(name))
    }

    /// The text (up to the first NUL).
    fn as_str(&self) -> &str {
        let end = self.0.iter().position(|&b| b == 0).unwrap_or(self.0.len());
        core::str::from_utf8(&self.0[..end]).unwrap_or("?")
    }
}

impl Table {
    fn new() -> Table {
        Table { routes: RBTree::new(), count: 0, generation: 0 }
    }

    fn changed(&mut self) {
        self.generation = self.generation.wrapping_add(1);
    }
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
fn has(header: &Header, flag: u16) -> bool {
    header.flags & flag == flag
}

// ANCHOR: receive
impl Handler for Rtm {
    fn receive(&self, request: &Request<'_>) {
        for message in Messages::new(request.data()) {
            match message {
                Ok(message) => self.handle(request, &message),
                Err(e) => {
                    pr_warn!("malformed message from port {}: {:?}; rest of the batch dropped\n", request.portid(), e);
                    break;
                }
            }
        }
    }
}
// ANCHOR_END: receive

impl Rtm {
    // ANCHOR: handle
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
            rtm::TABLE_NEW => self.table_new(header, &attrs),
            rtm::TABLE_DEL => self.table_del(&attrs),
            rtm::TABLE_GET if dump => {
                dump::start(request, message, TableDump { state: self.state.clone(), last: None })?;
                Ok(Done::Dumping)
            }
            rtm::TABLE_GET => self.table_get(request, header, &attrs),
            rtm::ROUTE_NEW => self.route_new(header, &attrs),
            rtm::ROUTE_DEL => self.route_del(&attrs),
            rtm::ROUTE_GET if dump => self.route_dump(request, message, &attrs),
            rtm::ROUTE_GET => self.route_get(request, header, &attrs),
            _ => self.route_lookup(request, header, &attrs),
        }
    }
    // ANCHOR_END: handle

    // ANCHOR: table_new
    /// TABLE_NEW: creates a table. An existing one is EEXIST with
    /// NLM_F_EXCL and left alone otherwise; a missing one is created only
    /// with NLM_F_CREATE (else ENOENT).
    fn table_new(&self, header: &Header, attrs: &Attributes<'_>) -> Result<Done> {
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
        Ok(Done::Ack)
    }
    // ANCHOR_END: table_new

    /// TABLE_DEL: deletes a table and all its routes.
    fn table_del(&self, attrs: &Attributes<'_>) -> Result<Done> {
        let name = Name::new(attrs.table().map_err(refuse)?)?;
        let removed = self.state.tables.lock().remove(&name).ok_or(ENOENT)?;
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

    // ANCHOR: route_new
    /// ROUTE_NEW: adds a route (NLM_F_CREATE), or replaces the route of the
    /// same prefix (NLM_F_REPLACE). An existing route without NLM_F_REPLACE,
    /// or with NLM_F_EXCL, is EEXIST; a missing table is ENOENT.
    fn route_new(&self, header: &Header, attrs: &Attributes<'_>) -> Result<Done> {
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
        Ok(Done::Ack)
    }
    // ANCHOR_END: route_new

    // ANCHOR: route_del
    /// ROUTE_DEL: deletes the route of one exact prefix; a missing table or
    /// route is ENOENT.
    fn route_del(&self, attrs: &Attributes<'_>) -> Result<Done> {
        // TODO(exercise 5.1): Delete the route: table name and prefix from the attributes (refuse() maps their errors), lock the tables, remove the route from its table (ENOENT if the table or the route is missing), keep count and generation right, and let the ACK go.
        let _ = (attrs, &self.state);
        pr_info!("TODO: delete a route\n");
        Err(knetlink::errno(EOPNOTSUPP))
    }
    // ANCHOR_END: route_del

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

    // ANCHOR: route_lookup
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
    // ANCHOR_END: route_lookup

    // ANCHOR: route_dump
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
    // ANCHOR_END: route_dump
}

/// Room for the largest route message: header, table, prefix, gateway,
/// interface (116 bytes), rounded up.
const ROUTE_MESSAGE_MAX: usize = 128;

/// Writes one ROUTE_NEW message about a route into `buf`; returns its length.
fn route_message(
    buf: &mut [u8],
    flags: u16,
    seq: u32,
    portid: u32,
    table: &Name,
    dst: &Prefix,
    hop: &Hop,
) -> Result<usize> {
    let mut w = Writer::new(buf);
    let route = Route { dst: *dst, gateway: hop.gateway, oif: hop.oif.as_str() };
    let encode = |w: &mut Writer<'_>| -> core::result::Result<(), wire::Error> {
        let m = w.start(rtm::ROUTE_NEW, flags, seq, portid)?;
        rtm::put_route(w, table.as_str(), &route)?;
        w.finish(m).map(|_| ())
    };
    encode(&mut w).map_err(|_| knetlink::errno(wire::errno::EMSGSIZE))?;
    Ok(w.len())
}

/// Writes one TABLE_NEW message about a table into `buf`; returns its length.
fn table_message(buf: &mut [u8], flags: u16, seq: u32, portid: u32, name: &Name, count: u32) -> Result<usize> {
    let mut w = Writer::new(buf);
    let encode = |w: &mut Writer<'_>| -> core::result::Result<(), wire::Error> {
        let m = w.start(rtm::TABLE_NEW, flags, seq, portid)?;
        rtm::put_table(w, name.as_str(), Some(count))?;
        w.finish(m).map(|_| ())
    };
    encode(&mut w).map_err(|_| knetlink::errno(wire::errno::EMSGSIZE))?;
    Ok(w.len())
}

/// A dump of every table: where it stands is the last name sent.
struct TableDump {
    state: Arc<State>,
    last: Option<Name>,
}

impl Dump for TableDump {
    fn fill(&mut self, ctx: &DumpContext, out: &mut Writer<'_>) -> Result<bool> {
        let mut tables = self.state.tables.lock();
        let from = self.last.unwrap_or(Name([0; rtm::NAME_MAX]));
        let mut cursor = tables.cursor_lower_bound(&from);
        while let Some(c) = cursor {
            let (name, table) = c.current();
            if Some(*name) != self.last {
                let mut buf = [0u8; 128];
                let len = table_message(&mut buf, DumpContext::FLAGS, ctx.seq, ctx.portid, name, table.count)?;
                if out.put_payload(&buf[..len]).is_err() {
                    return Ok(true); // full: the rest goes in the next buffer
                }
                self.last = Some(*name);
            }
            cursor = c.move_next();
        }
        Ok(false)
    }
}

// ANCHOR: route_dump_state
/// A dump of one table's routes. Between two buffers the lock is released
/// and the table may change, so the position is a key, not a pointer: the
/// last prefix sent. The next buffer starts after it.
struct RouteDump {
    state: Arc<State>,
    table: Name,
    /// The table's generation when the dump started.
    generation: u32,
    last: Option<Prefix>,
}
// ANCHOR_END: route_dump_state

// ANCHOR: fill
impl Dump for RouteDump {
    fn fill(&mut self, ctx: &DumpContext, out: &mut Writer<'_>) -> Result<bool> {
        let mut tables = self.state.tables.lock();
        // Deleted since the last buffer: the dump ends with ENOENT.
        let table = tables.get_mut(&self.table).ok_or(ENOENT)?;
        // Changed since the dump started: say so, as rtnetlink does.
        let mut flags = DumpContext::FLAGS;
        if table.generation != self.generation {
            flags |= nlmsg::F_DUMP_INTR;
        }
        // TODO(exercise 5.2): The dump loop: from the first prefix after self.last (cursor_lower_bound, then skip self.last itself), append one route_message per route to `out` until one does not fit (return Ok(true): more to come) or the table ends (Ok(false)); remember the last prefix sent.
        let _ = (&table.routes, flags, ctx, out, self.last);
        pr_info!("TODO: dump the routes of {}\n", self.table.as_str());
        Ok(false)
    }
}
// ANCHOR_END: fill
