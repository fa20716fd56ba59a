// SPDX-License-Identifier: GPL-2.0

//! Mutant of `clean`: each request reads its buffer after freeing it (the
//! kind of bug a raw pointer kept past its box's life makes). The release
//! kernel reads stale memory without a word; the debug kernel's KASAN
//! reports "BUG: KASAN: slab-use-after-free".

use kernel::prelude::*;

mod common;

module! {
    type: Mutant,
    name: "mutant_uaf",
    author: "The netlink course",
    description: "Lab self-test: reads freed memory",
    license: "GPL",
}

struct Mutant(#[allow(dead_code)] common::Lab);

impl kernel::Module for Mutant {
    fn init(module: &'static ThisModule) -> Result<Self> {
        Ok(Mutant(common::Lab::new(module)?))
    }
}

/// One request, with the bug: a read through a pointer to a freed buffer.
fn request(counter: &common::Counter) -> Result {
    let buf = KBox::new([1u8; 256], GFP_KERNEL)?;
    let first: *const u8 = buf.as_ptr();
    drop(buf);
    // SAFETY: none: this is the bug the debug kernel must catch. (The
    // memory stays mapped, so the release kernel reads a stale byte.)
    let stale = unsafe { first.read_volatile() };
    *counter.lock() += u64::from(stale & 1);
    Ok(())
}
