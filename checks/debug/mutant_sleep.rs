// SPDX-License-Identifier: GPL-2.0

//! Mutant of `clean`: the buffer is allocated with `GFP_KERNEL` while the
//! spinlock is held. The allocation may sleep, and sleeping with a spinlock
//! held can deadlock the CPU; the release kernel says nothing, the debug
//! kernel reports "BUG: sleeping function called from invalid context".

use kernel::prelude::*;

mod common;

module! {
    type: Mutant,
    name: "mutant_sleep",
    author: "The netlink course",
    description: "Lab self-test: sleeps under a spinlock",
    license: "GPL",
}

struct Mutant(#[allow(dead_code)] common::Lab);

impl kernel::Module for Mutant {
    fn init(module: &'static ThisModule) -> Result<Self> {
        Ok(Mutant(common::Lab::new(module)?))
    }
}

/// One request, with the bug: GFP_KERNEL under the lock.
fn request(counter: &common::Counter) -> Result {
    let mut count = counter.lock();
    let mut buf = KVec::<u8>::with_capacity(256, GFP_KERNEL)?;
    buf.push(1, GFP_KERNEL)?;
    *count += 1;
    Ok(())
}
