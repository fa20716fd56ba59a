// SPDX-License-Identifier: GPL-2.0

//! The messages the module answers with: one route, one table.

use crate::knetlink;
use crate::state::{Hop, Name};
use crate::wire;
use crate::wire::rtm::{self, Prefix, Route};
use crate::wire::writer::Writer;
use kernel::prelude::*;

/// Room for the largest route message: header, table, prefix, gateway,
/// interface (116 bytes), rounded up.
pub(crate) const ROUTE_MESSAGE_MAX: usize = 128;

/// Writes one ROUTE_NEW message about a route into `buf`; returns its length.
pub(crate) fn route_message(
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
pub(crate) fn table_message(
    buf: &mut [u8],
    flags: u16,
    seq: u32,
    portid: u32,
    name: &Name,
    count: u32,
) -> Result<usize> {
    let mut w = Writer::new(buf);
    let encode = |w: &mut Writer<'_>| -> core::result::Result<(), wire::Error> {
        let m = w.start(rtm::TABLE_NEW, flags, seq, portid)?;
        rtm::put_table(w, name.as_str(), Some(count))?;
        w.finish(m).map(|_| ())
    };
    encode(&mut w).map_err(|_| knetlink::errno(wire::errno::EMSGSIZE))?;
    Ok(w.len())
}
