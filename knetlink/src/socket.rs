// SPDX-License-Identifier: GPL-2.0

//! [`Socket`]: the module's end of a netlink protocol.
//!
//! Creating it registers a netlink protocol number with the kernel (like
//! `netlink_kernel_create` in C); from then on, userspace can open
//! `socket(AF_NETLINK, SOCK_RAW, unit)` and send to it. Every buffer sent
//! arrives at the [`Handler`] the socket owns, in the sender's context, on
//! any CPU, possibly on several at once: the handler locks what it shares.
//! Dropping the `Socket` releases the protocol, then the handler.

use super::request::Request;
use core::sync::atomic::{AtomicPtr, Ordering};
use kernel::bindings;
use kernel::prelude::*;

extern "C" {
    /// The initial network namespace (exported by the kernel, not in the
    /// 6.12 bindings). Only its address is used.
    static mut init_net: bindings::net;
}

/// What a module does with what arrives on its socket.
pub trait Handler: Sync + 'static {
    /// Called for every buffer userspace sends to the socket. It runs in the
    /// sending process's context (it may sleep and allocate with
    /// `GFP_KERNEL`), possibly on several CPUs at once.
    fn receive(&self, request: &Request<'_>);
}

/// The handler of this module's socket, for the input callback to find.
/// A module has at most one `Socket` (each module compiles its own copy of
/// this layer, so each has its own slot).
static HANDLER: AtomicPtr<core::ffi::c_void> = AtomicPtr::new(core::ptr::null_mut());

/// The input callback registered with the netlink core, one per handler type.
///
/// # Safety
///
/// Called by the netlink core only, with a buffer that is live for the call.
unsafe extern "C" fn input<H: Handler>(skb: *mut bindings::sk_buff) {
    let handler = HANDLER.load(Ordering::Acquire).cast::<H>();
    if handler.is_null() || skb.is_null() {
        return;
    }
    // SAFETY: the core passes a buffer that is live until we return, and the
    // `Request` does not outlive this call.
    let request = unsafe { Request::from_raw(skb) };
    // SAFETY: `HANDLER` points at the handler boxed in the live `Socket<H>`
    // (set before the protocol was registered, cleared only after it was
    // released). The protocol cannot be released while this callback runs:
    // the callback runs inside a `sendmsg` on a userspace socket of our
    // protocol, every such socket holds a reference on our module, and the
    // `Socket` is dropped only when the module unloads (or fails to load,
    // before any userspace socket could exist).
    unsafe { &*handler }.receive(&request);
}

/// A netlink kernel socket serving protocol `unit` with handler `H`.
pub struct Socket<H: Handler> {
    sock: *mut bindings::sock,
    handler: Pin<KBox<H>>,
}

// SAFETY: the raw socket pointer is only passed to kernel functions that may
// be called from any thread; the handler is `Sync`.
unsafe impl<H: Handler> Send for Socket<H> {}
// SAFETY: as above; `&Socket` gives no unsynchronised access to anything.
unsafe impl<H: Handler> Sync for Socket<H> {}

impl<H: Handler> Socket<H> {
    /// Registers netlink protocol `unit` (e.g. 31) in the initial network
    /// namespace, with `groups` multicast groups that unprivileged processes
    /// may join, and `handler` receiving what userspace sends.
    ///
    /// Fails with `EBUSY` if this module already has a socket, and with
    /// `EEXIST`-like errors (reported as `EBUSY`) when the protocol number is
    /// taken (by the kernel, or another module).
    pub fn new(unit: i32, groups: u32, handler: Pin<KBox<H>>) -> Result<Self> {
        let ptr = (&*handler as *const H).cast_mut().cast::<core::ffi::c_void>();
        // Publish the handler before the protocol exists, so that no message
        // can arrive before it is there.
        if HANDLER.compare_exchange(core::ptr::null_mut(), ptr, Ordering::AcqRel, Ordering::Acquire).is_err() {
            return Err(EBUSY);
        }
        let mut cfg = bindings::netlink_kernel_cfg {
            groups,
            flags: bindings::NL_CFG_F_NONROOT_RECV,
            input: Some(input::<H>),
            ..Default::default()
        };
        // SAFETY: `init_net` is the kernel's static initial namespace (only its
        // address is taken); `cfg` is a valid configuration that the call
        // copies; `THIS_MODULE` is this module, which the core records so that
        // userspace sockets of the protocol keep the module loaded.
        let sock = unsafe {
            bindings::__netlink_kernel_create(
                core::ptr::addr_of_mut!(init_net),
                unit,
                crate::THIS_MODULE.as_ptr(),
                &mut cfg,
            )
        };
        if sock.is_null() {
            HANDLER.store(core::ptr::null_mut(), Ordering::Release);
            return Err(EBUSY);
        }
        Ok(Socket { sock, handler })
    }

    /// The handler (the module's state).
    pub fn handler(&self) -> &H {
        &self.handler
    }

    /// Sends `bytes` (whole netlink messages) to the listeners of multicast
    /// `group`; `Ok(false)` when nobody listens.
    pub fn broadcast(&self, bytes: &[u8], group: u32) -> Result<bool> {
        if !self.has_listeners(group) {
            return Ok(false);
        }
        let skb = super::skb::SkBuff::from_bytes(bytes)?;
        // SAFETY: `self.sock` is live until `self` is dropped.
        unsafe { skb.broadcast(self.sock, group) }
    }

    /// Does any socket listen on multicast `group`?
    pub fn has_listeners(&self, group: u32) -> bool {
        // SAFETY: `self.sock` is live until `self` is dropped.
        unsafe { bindings::netlink_has_listeners(self.sock, group) != 0 }
    }
}

impl<H: Handler> Drop for Socket<H> {
    fn drop(&mut self) {
        // SAFETY: `self.sock` came from `__netlink_kernel_create` and is
        // released exactly once, here. No input callback is running (see
        // `input`), so the handler can go after it.
        unsafe { bindings::netlink_kernel_release(self.sock) };
        HANDLER.store(core::ptr::null_mut(), Ordering::Release);
    }
}
