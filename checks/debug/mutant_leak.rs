// SPDX-License-Identifier: GPL-2.0

//! Mutant of `clean`: each request's buffer is never freed (its box is
//! turned into a raw pointer and forgotten). The release kernel says
//! nothing; on the debug kernel, kmemleak's scan at the end of the run
//! lists each lost buffer as an "unreferenced object".

use kernel::prelude::*;

mod common;

module! {
    type: Mutant,
    name: "mutant_leak",
    author: "The netlink course",
    description: "Lab self-test: leaks a buffer per request",
    license: "GPL",
}

struct Mutant(#[allow(dead_code)] common::Lab);

impl kernel::Module for Mutant {
    fn init(module: &'static ThisModule) -> Result<Self> {
        Ok(Mutant(common::Lab::new(module)?))
    }
}

/// One request, with the bug: the buffer is leaked.
fn request(counter: &common::Counter) -> Result {
    let buf = KBox::new([1u8; 256], GFP_KERNEL)?;
    let _lost = KBox::into_raw(buf);
    *counter.lock() += 1;
    Ok(())
}
