// SPDX-License-Identifier: GPL-2.0

//! [`Socket`]: the module's end of a netlink protocol.
//!
//! Creating it registers a netlink protocol number with the kernel
//! (`netlink_kernel_create`); from then on, userspace can open
//! `socket(AF_NETLINK, SOCK_RAW, unit)` and send to it. Every buffer sent
//! goes through the kernel's `netlink_rcv_skb`, which calls the [`Handler`]
//! for each request message in it, in the sender's context, on any CPU,
//! possibly on several at once: the handler locks what it shares.
//! Dropping the `Socket` releases the protocol, then the handler.

use super::extack::ExtAck;
use super::request::Request;
use core::ffi::c_int;
use core::sync::atomic::{AtomicPtr, Ordering};
use kernel::bindings;
use kernel::prelude::*;

extern "C" {
    /// The initial network namespace (exported by the kernel, not in the
    /// 6.12 bindings). Only its address is used.
    static mut init_net: bindings::net;

    /// `netlink_rcv_skb` of `net/netlink/af_netlink.c` (declared in
    /// `<net/netlink.h>`, which the 6.12 bindings do not cover): walks the
    /// messages of `skb`, calls `cb` for each request, acknowledges as the
    /// rules say, and returns 0.
    fn netlink_rcv_skb(
        skb: *mut bindings::sk_buff,
        cb: Option<
            unsafe extern "C" fn(*mut bindings::sk_buff, *mut bindings::nlmsghdr, *mut bindings::netlink_ext_ack) -> c_int,
        >,
    ) -> c_int;
}

/// What a handler did with a request, which decides its acknowledgement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Handled {
    /// Done: the kernel acknowledges it (error 0) if it asked with `NLM_F_ACK`.
    Done,
    /// A dump was started ([`super::dump::start`]): no acknowledgement; the
    /// dump ends with `NLMSG_DONE` instead. (To `netlink_rcv_skb` this is
    /// `-EINTR`, as `netlink_dump_start` returns it.)
    Dumping,
}

// ANCHOR: handler
/// What a module does with the requests sent to its socket.
pub trait Handler: Send + Sync + 'static {
    /// Handles one request: a message with `NLM_F_REQUEST` and a type of at
    /// least `NLMSG_MIN_TYPE`, whose length the kernel checked (the header
    /// and `nlmsg_len` bytes are all there). It runs in the sending
    /// process's context and may sleep, possibly on several CPUs at once.
    ///
    /// `Ok(Handled::Done)` is acknowledged when the request asked for it;
    /// an `Err` is always answered, with what `extack` was told.
    fn request(&self, request: &Request<'_>, extack: &mut ExtAck<'_>) -> Result<Handled>;
}
// ANCHOR_END: handler

/// The handler of this module's socket, for the input callback to find.
/// A module has at most one `Socket` (each module compiles its own copy of
/// this layer, so each has its own slot).
static HANDLER: AtomicPtr<core::ffi::c_void> = AtomicPtr::new(core::ptr::null_mut());

// ANCHOR: rcv_skb
/// The input callback registered with the netlink core (`cfg.input`).
///
/// # Safety
///
/// Called by the netlink core only, with a buffer that is live for the call.
unsafe extern "C" fn input<H: Handler>(skb: *mut bindings::sk_buff) {
    // SAFETY: the core's buffer is live for this call; `netlink_rcv_skb`
    // calls `receive_one::<H>` only while it runs.
    unsafe { netlink_rcv_skb(skb, Some(receive_one::<H>)) };
}

/// Called by `netlink_rcv_skb` for each request message: finds the handler
/// and returns 0, a negative errno, or `-EINTR` when a dump was started.
///
/// # Safety
///
/// Called by `netlink_rcv_skb` only, from [`input`]: `skb` is the live
/// received buffer, `nlh` a message inside it whose `nlmsg_len` is at least
/// 16 and at most what is left of the buffer from `nlh` on, and `extack` a
/// zeroed `netlink_ext_ack` on its stack, live until it acknowledges.
unsafe extern "C" fn receive_one<H: Handler>(
    skb: *mut bindings::sk_buff,
    nlh: *mut bindings::nlmsghdr,
    extack: *mut bindings::netlink_ext_ack,
) -> c_int {
    let handler = HANDLER.load(Ordering::Acquire).cast::<H>();
    if handler.is_null() {
        return -(bindings::ECONNREFUSED as c_int);
    }
    // SAFETY: see the function's contract; the `Request` and the `ExtAck`
    // do not outlive this call.
    let (request, mut extack) = unsafe { (Request::from_raw(skb, nlh), ExtAck::from_raw(extack, nlh)) };
    // SAFETY: `HANDLER` points at the handler boxed in the live `Socket<H>`
    // (set before the protocol was registered, cleared only after it was
    // released). It cannot be released while this runs: this runs inside a
    // `sendmsg` on a userspace socket of our protocol, every such socket
    // holds a reference on our module, and the `Socket` is dropped only
    // when the module unloads (see `Socket::new` for module init).
    let handler = unsafe { &*handler };
    match handler.request(&request, &mut extack) {
        Ok(Handled::Done) => 0,
        Ok(Handled::Dumping) => -(bindings::EINTR as c_int),
        Err(e) => e.to_errno(),
    }
}
// ANCHOR_END: rcv_skb

/// A netlink kernel socket serving protocol `unit` with handler `H`.
///
/// # Invariants
///
/// `sock` is the live kernel socket `__netlink_kernel_create` returned, and
/// `HANDLER` points at `*handler` for as long as `sock` is registered.
pub struct Socket<H: Handler> {
    sock: *mut bindings::sock,
    handler: Pin<KBox<H>>,
}

// SAFETY: the raw socket pointer is only passed to kernel functions that may
// be called from any thread; the handler is `Send`, so it may be dropped on
// the thread that unloads the module.
unsafe impl<H: Handler> Send for Socket<H> {}
// SAFETY: as above; `&Socket` gives no unsynchronised access to anything,
// and the handler is `Sync`.
unsafe impl<H: Handler> Sync for Socket<H> {}

impl<H: Handler> Socket<H> {
    /// Registers netlink protocol `unit` (e.g. 31) in the initial network
    /// namespace, with `groups` multicast groups that unprivileged processes
    /// may join (`NL_CFG_F_NONROOT_RECV`), and `handler` receiving what
    /// userspace sends. Allocates (may sleep).
    ///
    /// Call it last in a module's `init`, with nothing fallible after it:
    /// userspace can open a socket of the protocol, and send, as soon as it
    /// is registered, and a module whose `init` fails is freed without
    /// waiting for such a socket to go.
    ///
    /// Fails with `EBUSY` if this module already has a socket, or when the
    /// protocol number is taken (by the kernel, or another module).
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

    /// Does any socket listen on multicast `group` (1-based)?
    pub fn has_listeners(&self, group: u32) -> bool {
        // SAFETY: `self.sock` is live until `self` is dropped (invariant).
        unsafe { bindings::netlink_has_listeners(self.sock, group) != 0 }
    }
}

impl<H: Handler> Drop for Socket<H> {
    fn drop(&mut self) {
        // SAFETY: `self.sock` came from `__netlink_kernel_create` and is
        // released exactly once, here. No input callback is running or can
        // start (see `receive_one`), so the handler can go after it.
        unsafe { bindings::netlink_kernel_release(self.sock) };
        HANDLER.store(core::ptr::null_mut(), Ordering::Release);
    }
}
