// SPDX-License-Identifier: GPL-2.0

//! The messages the module sends, as messages of the family: the netlink
//! header (type: the family id), the generic header (the command and the
//! version), then lesson 05's attributes. Lesson 05's dumps call
//! `route_message` and `table_message` with its message types; here they
//! become the commands of the same meaning.

use crate::announce::Event;
use crate::knetlink::{self, genl};
use crate::state::{Hop, Name};
use crate::wire::genl::{self as wgenl, Header};
use crate::wire::rtm::{self, Prefix, Route};
use crate::wire::rtm_genl::{self, CMD_ROUTE_DEL, CMD_ROUTE_NEW, CMD_ROUTE_REPLACE, CMD_TABLE_DEL, CMD_TABLE_NEW};
use crate::wire::writer::Writer;
use crate::wire::{self, errno};
use kernel::prelude::*;

/// Room for the largest route message: the headers (20 bytes), table,
/// prefix, gateway, interface (120 bytes in all), rounded up.
pub(crate) const ROUTE_MESSAGE_MAX: usize = 128;

/// Writes `encode`'s attributes as one message of the family with command
/// `cmd` into `buf`; returns its length. Too small a buffer is `EMSGSIZE`.
pub(crate) fn message(
    buf: &mut [u8],
    cmd: u8,
    flags: u16,
    seq: u32,
    portid: u32,
    encode: impl FnOnce(&mut Writer<'_>) -> core::result::Result<(), wire::Error>,
) -> Result<usize> {
    let mut w = Writer::new(buf);
    let header = Header { cmd, version: rtm_genl::VERSION };
    let built = wgenl::start(&mut w, genl::family_id(), header, flags, seq, portid).and_then(|m| {
        encode(&mut w)?;
        w.finish(m)
    });
    built.map_err(|_| knetlink::errno(errno::EMSGSIZE))?;
    Ok(w.len())
}

/// The command of lesson 05's message type `ty`; `EINVAL` for a type that
/// has none (a bug of the caller).
fn command(ty: u16) -> Result<u8> {
    rtm_genl::command_of(ty).ok_or(EINVAL)
}

/// Writes one message about a route (lesson 05's `ty`: ROUTE_NEW) into
/// `buf`; returns its length.
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
    message(buf, command(ty)?, flags, seq, portid, |w| rtm::put_route(w, table.as_str(), &route))
}

/// Writes one message about a table (lesson 05's `ty`: TABLE_NEW, with its
/// route count) into `buf`; returns its length.
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
    message(buf, command(ty)?, flags, seq, portid, |w| rtm::put_table(w, name.as_str(), routes))
}

/// Writes the event of a change into `buf`, with the sequence number and
/// port id of the request that made it, and returns its length. The command
/// says what happened: `TABLE_NEW`, `TABLE_DEL`, `ROUTE_NEW` (added),
/// `ROUTE_REPLACE` (replaced), `ROUTE_DEL` (with the route that went). No
/// flags: a generic netlink family says it all with its commands.
pub(crate) fn event_message(buf: &mut [u8], event: &Event<'_>, seq: u32, portid: u32) -> Result<usize> {
    match *event {
        Event::TableNew { table } => message(buf, CMD_TABLE_NEW, 0, seq, portid, |w| rtm::put_table(w, table, Some(0))),
        Event::TableDel { table } => message(buf, CMD_TABLE_DEL, 0, seq, portid, |w| rtm::put_table(w, table, None)),
        Event::RouteNew { table, route, replaced } => {
            let cmd = if replaced { CMD_ROUTE_REPLACE } else { CMD_ROUTE_NEW };
            message(buf, cmd, 0, seq, portid, |w| rtm::put_route(w, table, route))
        }
        Event::RouteDel { table, route } => {
            message(buf, CMD_ROUTE_DEL, 0, seq, portid, |w| rtm::put_route(w, table, route))
        }
    }
}
