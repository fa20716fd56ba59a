// SPDX-License-Identifier: GPL-2.0

//! The routing tables: names, routes, and the one lock around them.

use crate::wire::rtm::{self, Prefix};
use kernel::prelude::*;
use kernel::rbtree::RBTree;
use kernel::sync::{new_mutex, Arc, Mutex};

/// A table or interface name, NUL-padded to a fixed size so that it can be
/// a key: compared as bytes, names sort like text.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Name(pub(crate) [u8; rtm::NAME_MAX]);

/// Where a route sends packets.
pub(crate) struct Hop {
    pub(crate) gateway: [u8; 4],
    pub(crate) oif: Name,
}

/// One routing table: its routes, ordered by prefix.
pub(crate) struct Table {
    pub(crate) routes: RBTree<Prefix, Hop>,
    /// How many routes (the tree does not count them).
    pub(crate) count: u32,
}

/// The tables, and a count of their changes.
pub(crate) struct Tables {
    pub(crate) by_name: RBTree<Name, Table>,
    /// The generation of the tables: it changes with every change (a table
    /// created or deleted, a route added, replaced or deleted), never
    /// repeats in practice (2^32 - 1 changes before it wraps) and is never
    /// 0, so that a dump can tell whether anything changed under it (the
    /// kernel's `cb->seq`; 0 means "not tracked" there).
    pub(crate) generation: u32,
}

impl Tables {
    /// Counts one change.
    pub(crate) fn changed(&mut self) {
        self.generation = match self.generation.wrapping_add(1) {
            0 => 1,
            g => g,
        };
    }
}

/// Everything the module knows, behind one lock: the input callback runs in
/// every sender's context at once, and dumps read it from readers' contexts.
#[pin_data]
pub(crate) struct State {
    #[pin]
    pub(crate) tables: Mutex<Tables>,
}

impl State {
    /// No tables yet.
    pub(crate) fn new() -> Result<Arc<State>> {
        let tables = Tables { by_name: RBTree::new(), generation: 1 };
        Arc::pin_init(pin_init!(State { tables <- new_mutex!(tables) }), GFP_KERNEL)
    }

    /// Logs what unloading frees (the trees free every node when dropped).
    pub(crate) fn log_unload(&self) {
        let tables = self.tables.lock();
        let routes: u64 = tables.by_name.values().map(|t| u64::from(t.count)).sum();
        pr_info!("unloading: freeing {} tables and {} routes\n", tables.by_name.iter().count(), routes);
    }
}

impl Name {
    /// A name from text of 1 to 32 bytes.
    pub(crate) fn new(text: &str) -> Result<Name> {
        let bytes = text.as_bytes();
        let mut name = [0u8; rtm::NAME_MAX];
        name.get_mut(..bytes.len()).ok_or(ERANGE)?.copy_from_slice(bytes);
        Ok(Name(name))
    }

    /// The text (up to the first NUL).
    pub(crate) fn as_str(&self) -> &str {
        let end = self.0.iter().position(|&b| b == 0).unwrap_or(self.0.len());
        core::str::from_utf8(&self.0[..end]).unwrap_or("?")
    }
}

impl Table {
    pub(crate) fn new() -> Table {
        Table { routes: RBTree::new(), count: 0 }
    }
}
