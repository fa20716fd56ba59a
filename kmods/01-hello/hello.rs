// SPDX-License-Identifier: GPL-2.0

//! Lesson 01: a kernel module in Rust that says hello when it is loaded and
//! goodbye when it is unloaded.

use kernel::prelude::*;

module! {
    type: Hello,
    name: "hello",
    author: "The netlink course",
    description: "Lesson 01: hello from a Rust kernel module",
    license: "GPL",
}

/// The lessons still ahead; the module keeps a copy of this list while loaded.
const LESSONS: [&str; 5] = ["02-greet", "03-tlv", "04-nlattr", "05-rtm", "06-multicast"];

/// The module's state: it lives from a successful `init` until unload.
struct Hello {
    /// The lessons ahead, in memory the module allocated itself.
    ahead: KVec<&'static str>,
}

impl kernel::Module for Hello {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        pr_info!("Hello, kernel! A Rust module is loaded.\n");

        // Kernel allocations can fail: `push` says so with an error, and `?`
        // hands it back to `insmod`, which then refuses to load the module.
        // TODO(exercise 1.2): Allocate a KVec with the names in LESSONS (push each with GFP_KERNEL and `?`), log "lesson ahead: <name>" for each, and keep the vector in the module.
        pr_info!("TODO: keep the {} lessons ahead\n", LESSONS.len());
        let ahead = KVec::new();

        Ok(Hello { ahead })
    }
}

impl Drop for Hello {
    /// Unloading the module drops its state: the last code of ours that runs.
    fn drop(&mut self) {
        // TODO(exercise 1.1): Say goodbye: log "Goodbye, kernel! <N> lessons to go." with N the length of self.ahead.
        pr_info!("TODO: say goodbye ({} lessons kept)\n", self.ahead.len());
    }
}
