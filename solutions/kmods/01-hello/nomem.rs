// SPDX-License-Identifier: GPL-2.0

//! Lesson 01's test module `nomem`: its `init` fails at once with `ENOMEM`,
//! to show what `insmod` does with a module that cannot load (the chapter
//! "Lesson 01" loads it in the lab: `insmod /lab/nomem.ko`).

use kernel::prelude::*;

module! {
    type: NoMem,
    name: "nomem",
    author: "The netlink course",
    description: "Lesson 01: a module whose init fails with ENOMEM",
    license: "GPL",
}

/// No state: `init` never makes one.
struct NoMem;

impl kernel::Module for NoMem {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        // The glue hands -ENOMEM to the kernel, which discards the module:
        // it is never listed, and there is no state to drop.
        Err(ENOMEM)
    }
}
