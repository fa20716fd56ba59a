// SPDX-License-Identifier: GPL-2.0

//! The self-tests' correct module: each request allocates a buffer, counts
//! itself under the spinlock, and frees the buffer. The mutants are this
//! module with one bug each; the debug kernel must report none here.

use kernel::prelude::*;

mod common;

module! {
    type: Clean,
    name: "clean",
    author: "The netlink course",
    description: "Lab self-test: the correct base of the debug mutants",
    license: "GPL",
}

struct Clean(#[allow(dead_code)] common::Lab);

impl kernel::Module for Clean {
    fn init(module: &'static ThisModule) -> Result<Self> {
        Ok(Clean(common::Lab::new(module)?))
    }
}

/// One request: the allocation (which may sleep) before the lock is taken.
fn request(counter: &common::Counter) -> Result {
    let mut buf = KVec::<u8>::with_capacity(256, GFP_KERNEL)?;
    buf.push(1, GFP_KERNEL)?;
    *counter.lock() += 1;
    Ok(())
}
