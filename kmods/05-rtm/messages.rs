// SPDX-License-Identifier: GPL-2.0

//! The messages the module sends: one route, one table, one change.

use crate::announce::Event;
use crate::knetlink::{self, Request};
use crate::state::{Hop, Name};
use crate::wire;
use crate::wire::nlmsg;
use crate::wire::rtm::{self, Prefix, Route};
use crate::wire::writer::Writer;
use kernel::prelude::*;

/// Room for the largest route message: header, table, prefix, gateway,
/// interface (116 bytes), rounded up.
pub(crate) const ROUTE_MESSAGE_MAX: usize = 128;

/// Writes `encode`'s attributes as one message of type `ty` into `buf`;
/// returns its length. A message that does not fit is `EMSGSIZE`.
pub(crate) fn message(
    buf: &mut [u8],
    ty: u16,
    flags: u16,
    seq: u32,
    portid: u32,
    encode: impl FnOnce(&mut Writer<'_>) -> core::result::Result<(), wire::Error>,
) -> Result<usize> {
    let mut w = Writer::new(buf);
    let built = w.start(ty, flags, seq, portid).and_then(|m| {
        encode(&mut w)?;
        w.finish(m)
    });
    built.map_err(|_| knetlink::errno(wire::errno::EMSGSIZE))?;
    Ok(w.len())
}

/// Writes one message of type `ty` (ROUTE_NEW or ROUTE_DEL) about a route
/// into `buf`; returns its length.
#[allow(clippy::too_many_arguments)]
pub(crate) fn route_message(
    buf: &mut [u8],
    ty: u16,
    flags: u16,
    seq: u32,
    portid: u32,
    table: &Name,
    dst: &Prefix,
    hop: &Hop,
) -> Result<usize> {
    let route = Route { dst: *dst, gateway: hop.gateway, oif: hop.oif.as_str() };
    message(buf, ty, flags, seq, portid, |w| rtm::put_route(w, table.as_str(), &route))
}

/// Writes one message of type `ty` (TABLE_NEW or TABLE_DEL) about a table
/// into `buf`; returns its length. `count`: its routes, for TABLE_NEW.
pub(crate) fn table_message(
    buf: &mut [u8],
    ty: u16,
    flags: u16,
    seq: u32,
    portid: u32,
    name: &Name,
    count: u32,
) -> Result<usize> {
    let routes = (ty == rtm::TABLE_NEW).then_some(count);
    message(buf, ty, flags, seq, portid, |w| rtm::put_table(w, name.as_str(), routes))
}

/// Writes the notification of a change into `buf`, with the sequence
/// number and port id of the request that made it (so a listener can tell
/// its own changes), and returns its length. As rtnetlink does: what was
/// created is announced as `*_NEW` with `NLM_F_CREATE | NLM_F_EXCL`, what
/// replaced something with `NLM_F_REPLACE`, what went away as `*_DEL`.
pub(crate) fn event_message(buf: &mut [u8], event: &Event<'_>, seq: u32, portid: u32) -> Result<usize> {
    let created = nlmsg::F_CREATE | nlmsg::F_EXCL;
    match *event {
        Event::TableNew { table } => {
            message(buf, rtm::TABLE_NEW, created, seq, portid, |w| rtm::put_table(w, table, Some(0)))
        }
        Event::TableDel { table } => message(buf, rtm::TABLE_DEL, 0, seq, portid, |w| rtm::put_table(w, table, None)),
        Event::RouteNew { table, route, replaced } => {
            let flags = if replaced { nlmsg::F_REPLACE } else { created };
            message(buf, rtm::ROUTE_NEW, flags, seq, portid, |w| rtm::put_route(w, table, route))
        }
        Event::RouteDel { table, route } => {
            message(buf, rtm::ROUTE_DEL, 0, seq, portid, |w| rtm::put_route(w, table, route))
        }
    }
}

/// Sends the notification of `event`, made by `request`, to multicast
/// `group` (0: none) and, if the requester asked with `NLM_F_ECHO`, to the
/// requester (see `Request::notify`).
pub(crate) fn notify_change(request: &Request<'_>, event: &Event<'_>, group: u32) -> Result {
    let mut buf = [0u8; ROUTE_MESSAGE_MAX];
    let len = event_message(&mut buf, event, request.header().seq, request.portid())?;
    request.notify(&buf[..len], group)
}
