// SPDX-License-Identifier: GPL-2.0

//! [`Limit`]: at most a few kernel-log lines per burst, whatever userspace
//! sends.
//!
//! Anything a module logs per message, any unprivileged process can make it
//! log a million times: one `sendmsg` loop fills the kernel log and hides
//! what matters. The kernel's netlink code logs nothing about malformed
//! input, and rate-limits what it does log about requests
//! (`pr_warn_ratelimited`, `net_ratelimit()`: at most 10 lines per 5
//! seconds, then a count of what was left out). The course's modules log
//! for teaching ("GREET seq 1 from port 1234"), and every such line goes
//! through a `Limit` with the kernel's default numbers.
//!
//! A module's limits live in its own copy of this file, so loading a module
//! starts them afresh (unlike `net_ratelimit()`, shared by the whole network
//! stack, which another module's burst would use up).
//!
//! ```ignore
//! if ratelimit::allow() {
//!     pr_info!("GREET seq {} from port {}\n", seq, portid);
//! }
//! ```

use core::sync::atomic::{AtomicI64, AtomicU32, Ordering};
use kernel::bindings;
use kernel::prelude::*;

/// Lines allowed per interval (`DEFAULT_RATELIMIT_BURST`).
pub const BURST: u32 = 10;
/// The interval, in nanoseconds: 5 s (`DEFAULT_RATELIMIT_INTERVAL`).
pub const INTERVAL_NS: i64 = 5_000_000_000;

/// A rate limit: [`BURST`] lines per [`INTERVAL_NS`]. Lock-free, so it may be
/// asked from any context; under contention a line or two more may pass.
pub struct Limit {
    /// When the current interval began, in `ktime_get()` nanoseconds.
    since: AtomicI64,
    /// Lines allowed in the current interval.
    allowed: AtomicU32,
    /// Lines refused in the current interval.
    refused: AtomicU32,
}

impl Limit {
    /// A limit whose first interval starts at the first line.
    pub const fn new() -> Limit {
        Limit { since: AtomicI64::new(i64::MIN), allowed: AtomicU32::new(0), refused: AtomicU32::new(0) }
    }

    // ANCHOR: allow
    /// May one more line be logged now? When a new interval begins after
    /// lines were refused, logs how many (as the kernel's "callbacks
    /// suppressed").
    pub fn allow(&self) -> bool {
        // SAFETY: `ktime_get` only reads the clock; callable from any context.
        let now = unsafe { bindings::ktime_get() };
        let since = self.since.load(Ordering::Relaxed);
        if now.saturating_sub(since) >= INTERVAL_NS
            && self.since.compare_exchange(since, now, Ordering::Relaxed, Ordering::Relaxed).is_ok()
        {
            // This CPU starts the new interval.
            self.allowed.store(0, Ordering::Relaxed);
            let refused = self.refused.swap(0, Ordering::Relaxed);
            if refused > 0 {
                pr_info!("{} lines about requests left out (at most {} per 5 s)\n", refused, BURST);
            }
        }
        if self.allowed.fetch_add(1, Ordering::Relaxed) < BURST {
            true
        } else {
            self.refused.fetch_add(1, Ordering::Relaxed);
            false
        }
    }
    // ANCHOR_END: allow
}

impl Default for Limit {
    fn default() -> Self {
        Limit::new()
    }
}

/// The module's one limit for lines about requests.
static REQUESTS: Limit = Limit::new();

/// May the module log one more line about a request now? See [`Limit::allow`].
pub fn allow() -> bool {
    REQUESTS.allow()
}
