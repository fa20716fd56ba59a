// SPDX-License-Identifier: GPL-2.0

//! What the self-test modules share: a netlink protocol-31 socket that runs
//! the module's `request` function once for every buffer userspace sends
//! (one `sendmsg`, one request), with a counter behind a spinlock that the
//! requests share. Each module differs from `clean` only in `request`.

use core::sync::atomic::{AtomicPtr, Ordering};
use kernel::bindings;
use kernel::prelude::*;
use kernel::sync::SpinLock;

/// The course's netlink protocol number.
const NETLINK_COURSE: i32 = 31;

/// What every request may touch: the number of requests seen so far.
pub(crate) type Counter = SpinLock<u64>;

/// The counter of the live [`Lab`], for the input callback to find; null
/// while there is none.
static COUNTER: AtomicPtr<Counter> = AtomicPtr::new(core::ptr::null_mut());

/// The input callback: runs `crate::request` on the counter.
///
/// # Safety
///
/// Called by the netlink core only, while the protocol is registered.
unsafe extern "C" fn input(_skb: *mut bindings::sk_buff) {
    let counter = COUNTER.load(Ordering::Acquire);
    if counter.is_null() {
        return;
    }
    // SAFETY: `COUNTER` points into the live `Lab`, which releases the
    // protocol (no callback can run any more) before it frees the counter.
    if let Err(e) = crate::request(unsafe { &*counter }) {
        pr_warn!("request failed: {:?}\n", e);
    }
}

/// While it lives, protocol 31 is served by this module's `request`.
///
/// # Invariants
///
/// `sock` is a kernel socket from `__netlink_kernel_create`, released only
/// in `drop`; `COUNTER` points at `counter` from `new` until `drop`.
pub(crate) struct Lab {
    sock: *mut bindings::sock,
    counter: Pin<KBox<Counter>>,
}

// SAFETY: the socket pointer is only handed to kernel functions that may run
// on any thread; the counter is a lock.
unsafe impl Send for Lab {}
// SAFETY: as above; `&Lab` gives access to nothing.
unsafe impl Sync for Lab {}

extern "C" {
    /// The initial network namespace; only its address is used.
    static mut init_net: bindings::net;
}

impl Lab {
    /// Registers protocol 31.
    pub(crate) fn new(module: &'static ThisModule) -> Result<Self> {
        let counter = KBox::pin_init(kernel::new_spinlock!(0, "lab_counter"), GFP_KERNEL)?;
        COUNTER.store((&*counter as *const Counter).cast_mut(), Ordering::Release);
        let mut cfg = bindings::netlink_kernel_cfg { input: Some(input), ..Default::default() };
        // SAFETY: `init_net` is the kernel's static namespace (only its
        // address is taken); the call copies `cfg`; `module` is this module.
        let sock = unsafe {
            bindings::__netlink_kernel_create(
                core::ptr::addr_of_mut!(init_net),
                NETLINK_COURSE,
                module.as_ptr(),
                &mut cfg,
            )
        };
        if sock.is_null() {
            COUNTER.store(core::ptr::null_mut(), Ordering::Release);
            return Err(EBUSY);
        }
        Ok(Lab { sock, counter })
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        // SAFETY: by the invariants `sock` is live, and released once, here.
        unsafe { bindings::netlink_kernel_release(self.sock) };
        COUNTER.store(core::ptr::null_mut(), Ordering::Release);
        pr_info!("{} requests served\n", *self.counter.lock());
    }
}
