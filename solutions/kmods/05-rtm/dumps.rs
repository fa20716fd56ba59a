// SPDX-License-Identifier: GPL-2.0

//! Dumps: every table, or every route of a table, over as many buffers as
//! the reader needs (see `knetlink::dump`).

use crate::knetlink::dump::{Dump, DumpContext};
use crate::messages::{route_message, table_message, ROUTE_MESSAGE_MAX};
use crate::state::{Name, State};
use crate::wire::rtm::{self, Prefix};
use crate::wire::writer::Writer;
use kernel::prelude::*;
use kernel::sync::Arc;

/// A dump of every table: where it stands is the last name sent.
pub(crate) struct TableDump {
    pub(crate) state: Arc<State>,
    pub(crate) last: Option<Name>,
}

impl Dump for TableDump {
    fn fill(&mut self, ctx: &mut DumpContext, out: &mut Writer<'_>) -> Result<bool> {
        let mut tables = self.state.tables.lock();
        ctx.generation = tables.generation;
        let from = self.last.unwrap_or(Name([0; rtm::NAME_MAX]));
        let mut cursor = tables.by_name.cursor_lower_bound(&from);
        while let Some(c) = cursor {
            let (name, table) = c.current();
            if Some(*name) != self.last {
                let mut buf = [0u8; 128];
                let len = table_message(&mut buf, rtm::TABLE_NEW, DumpContext::FLAGS, ctx.seq, ctx.portid, name, table.count)?;
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
/// and the tables may change, so the position is a key, not a pointer: the
/// last prefix sent. The next buffer starts after it.
pub(crate) struct RouteDump {
    pub(crate) state: Arc<State>,
    pub(crate) table: Name,
    pub(crate) last: Option<Prefix>,
    /// Has a buffer been filled yet?
    pub(crate) started: bool,
}
// ANCHOR_END: route_dump_state

// ANCHOR: fill
impl Dump for RouteDump {
    fn fill(&mut self, ctx: &mut DumpContext, out: &mut Writer<'_>) -> Result<bool> {
        let mut tables = self.state.tables.lock();
        // The generation of what this buffer is made of: knetlink flags the
        // buffer NLM_F_DUMP_INTR when it differs from the last buffer's.
        ctx.generation = tables.generation;
        // No such table at the first buffer: the dump fails, as the
        // kernel's route dump does for a table that does not exist (the
        // error in NLMSG_DONE). Deleted since the last buffer: nothing more
        // to send; the change of generation tells the reader
        // (NLM_F_DUMP_INTR on NLMSG_DONE).
        let started = core::mem::replace(&mut self.started, true);
        let Some(table) = tables.by_name.get_mut(&self.table) else {
            if started {
                return Ok(false);
            }
            ctx.error_message(c"no such table");
            return Err(ENOENT);
        };
        // EXERCISE 5.2: The dump loop: from the first prefix after self.last (cursor_lower_bound, then skip self.last itself), append one route_message (type ROUTE_NEW, flags DumpContext::FLAGS, ctx.seq, ctx.portid) per route to `out` until one does not fit (return Ok(true): more to come) or the table ends (Ok(false)); remember the last prefix sent.
        // The smallest key is 0.0.0.0/0: where a new dump starts.
        let from = self.last.unwrap_or_default();
        let mut cursor = table.routes.cursor_lower_bound(&from);
        while let Some(c) = cursor {
            let (dst, hop) = c.current();
            if Some(*dst) != self.last {
                let mut buf = [0u8; ROUTE_MESSAGE_MAX];
                let len =
                    route_message(&mut buf, rtm::ROUTE_NEW, DumpContext::FLAGS, ctx.seq, ctx.portid, &self.table, dst, hop)?;
                // All or nothing: a message that does not fit is not written.
                if out.put_payload(&buf[..len]).is_err() {
                    return Ok(true);
                }
                self.last = Some(*dst);
            }
            cursor = c.move_next();
        }
        Ok(false)
        // STARTER
        // let _ = (&table.routes, ctx, out, self.last, route_message, ROUTE_MESSAGE_MAX);
        // pr_info!("TODO: dump the routes of {}\n", self.table.as_str());
        // Ok(false)
        // END
    }
}
// ANCHOR_END: fill
