// SPDX-License-Identifier: GPL-2.0

//! [`Request`]: one request message, as the handler receives it.
//!
//! A userspace `sendmsg` on the module's protocol arrives as one socket
//! buffer, which may hold several netlink messages (a batch). The kernel's
//! `netlink_rcv_skb` walks them and calls the handler once for each request,
//! in the sending process's context; the core frees the buffer afterwards.
//! A `Request` borrows the buffer and one message in it for the duration of
//! that call, and offers what a handler needs: the message, the sender's
//! port id and permissions, and ways to answer.

use super::skb::SkBuff;
use crate::wire::nlmsg::{self, Header, Message};
use core::ffi::c_int;
use core::marker::PhantomData;
use kernel::bindings;
use kernel::prelude::*;

extern "C" {
    /// `nlmsg_notify` of `net/netlink/af_netlink.c` (declared in
    /// `<net/netlink.h>`, not in the 6.12 bindings): multicasts `skb` to
    /// `group` (if not 0), leaving out `portid` when `report` is set, and
    /// then, when `report` is set, unicasts it to `portid`. Consumes `skb`
    /// when `group` is not 0 or `report` is set.
    fn nlmsg_notify(
        sk: *mut bindings::sock,
        skb: *mut bindings::sk_buff,
        portid: u32,
        group: u32,
        report: c_int,
        flags: bindings::gfp_t,
    ) -> c_int;
}

/// The size of a field of type `[T; N]`, found from a function that
/// borrows it (never called: only its type is looked at).
const fn array_len<S, T, const N: usize>(_field: fn(&S) -> &[T; N]) -> usize {
    N * core::mem::size_of::<T>()
}

// The netlink parameters live in the buffer's control block (`NETLINK_CB`):
// they must fit in it, as the bindings declare it. (The C macro casts
// without checking.)
const _: () = assert!(
    core::mem::size_of::<bindings::netlink_skb_parms>() <= array_len(|skb: &bindings::sk_buff| &skb.cb)
);

/// `CAP_NET_ADMIN`: the capability that allows changing network configuration.
const CAP_NET_ADMIN: i32 = bindings::CAP_NET_ADMIN as i32;

/// One request message of a received buffer, borrowed for one call of the
/// handler.
///
/// # Invariants
///
/// `skb` is the live buffer of a running input callback, `nlh` a message in
/// it of `nlmsg_len` readable bytes (checked by `netlink_rcv_skb`).
pub struct Request<'a> {
    skb: *mut bindings::sk_buff,
    nlh: *mut bindings::nlmsghdr,
    message: Message<'a>,
    _borrow: PhantomData<&'a bindings::sk_buff>,
}

impl<'a> Request<'a> {
    /// Wraps the buffer and message `netlink_rcv_skb` passed to its callback.
    ///
    /// # Safety
    ///
    /// `skb` must be the live buffer of a running netlink input callback,
    /// `nlh` a message inside it whose `nlmsg_len` bytes are all in the
    /// buffer, and the `Request` must not outlive the callback.
    pub(crate) unsafe fn from_raw(skb: *mut bindings::sk_buff, nlh: *mut bindings::nlmsghdr) -> Self {
        // SAFETY: the caller guarantees `nlmsg_len` readable bytes at `nlh`
        // (at least the 16 of the header), live for 'a. The bytes are not
        // written while the request lives (the core only reads them).
        let bytes: &'a [u8] = unsafe { core::slice::from_raw_parts(nlh.cast::<u8>(), (*nlh).nlmsg_len as usize) };
        let header = Header::parse(bytes).unwrap_or(Header::new(0, 0, 0, 0));
        let payload = bytes.get(nlmsg::HDRLEN..).unwrap_or_default();
        Request { skb, nlh, message: Message { header, payload }, _borrow: PhantomData }
    }

    /// The request: its header and payload (exactly `nlmsg_len - 16` bytes).
    pub fn message(&self) -> &Message<'a> {
        &self.message
    }

    /// The request's header.
    pub fn header(&self) -> &Header {
        &self.message.header
    }

    /// The request's payload, not validated yet.
    pub fn payload(&self) -> &'a [u8] {
        self.message.payload
    }

    /// Does the request carry every bit of `flag` (`wire::nlmsg::F_*`)?
    pub fn has(&self, flag: u16) -> bool {
        self.message.header.has(flag)
    }

    /// Did the requester ask to hear about the change it makes
    /// (`NLM_F_ECHO`)? [`Request::notify`] honours it.
    pub fn echo(&self) -> bool {
        self.has(nlmsg::F_ECHO)
    }

    /// The netlink parameters the core stored in the buffer's control block
    /// (the C macro `NETLINK_CB(skb)`).
    fn params(&self) -> bindings::netlink_skb_parms {
        // SAFETY: the buffer is live (invariant); for a netlink buffer its
        // 48-byte `cb` holds a `netlink_skb_parms` (it fits: checked at
        // compile time above), filled in by the core before the input
        // callback is called. An unaligned read copies it out.
        unsafe {
            let cb = core::ptr::addr_of!((*self.skb).cb).cast::<bindings::netlink_skb_parms>();
            cb.read_unaligned()
        }
    }

    /// The port id of the socket that sent this request, as the kernel knows
    /// it. Answers go there, never to the `nlmsg_pid` the sender wrote into
    /// its header (any value it likes).
    pub fn portid(&self) -> u32 {
        self.params().portid
    }

    /// May the sender change things: does it hold `CAP_NET_ADMIN` in the
    /// user namespace that owns our socket's network namespace? The check
    /// rtnetlink makes before any change (`netlink_net_capable`).
    pub fn may_admin(&self) -> bool {
        // SAFETY: the buffer is live; `netlink_net_capable` reads the
        // sender's credentials the core stored with it.
        unsafe { bindings::netlink_net_capable(self.skb, CAP_NET_ADMIN) }
    }

    /// The received buffer itself (for [`super::dump`]).
    pub(crate) fn raw_skb(&self) -> *mut bindings::sk_buff {
        self.skb
    }

    /// The request's header in the received buffer (for [`super::dump`]).
    pub(crate) fn raw_nlh(&self) -> *mut bindings::nlmsghdr {
        self.nlh
    }

    /// The module's kernel socket, which received this buffer.
    pub(crate) fn sock(&self) -> *mut bindings::sock {
        // SAFETY: the buffer is live; the core set `skb->sk` to the receiving
        // kernel socket before calling the input callback.
        unsafe { (*self.skb).sk }
    }

    /// Sends `bytes` (whole netlink messages) to the requester, without
    /// waiting if its receive queue is full. Allocates (may sleep).
    ///
    /// Fails with `ENOMEM` when no buffer can be had, with `EAGAIN` when the
    /// requester's queue is full, or `ECONNREFUSED` when its socket is gone.
    pub fn reply(&self, bytes: &[u8]) -> Result {
        let skb = SkBuff::from_bytes(bytes)?;
        // SAFETY: our socket is live while one of its input callbacks runs.
        unsafe { skb.unicast(self.sock(), self.portid()) }
    }

    /// Is a notification on multicast `group` wanted by anybody: a listener,
    /// or the requester through `NLM_F_ECHO`? (Cheap: check it before
    /// building a notification nobody would read.)
    pub fn notification_wanted(&self, group: u32) -> bool {
        self.echo() || self.has_listeners(group)
    }

    /// Announces a change the request made: `bytes` (whole messages) to the
    /// listeners of multicast `group` (0: none), and to the requester too if
    /// it asked with `NLM_F_ECHO`, which then is left out of the multicast
    /// so that it hears it once. What rtnetlink does (`nlmsg_notify`).
    /// Allocates (may sleep).
    ///
    /// Fails with `ENOMEM` when no buffer can be had; a listener whose queue
    /// is full is not an error here (it learns of it from its next
    /// `recvmsg`, `ENOBUFS`).
    pub fn notify(&self, bytes: &[u8], group: u32) -> Result {
        let report = self.echo();
        if group == 0 && !report {
            return Ok(());
        }
        let skb = SkBuff::from_bytes(bytes)?;
        // SAFETY: our socket is live while one of its input callbacks runs;
        // the buffer is ours to give away, and `nlmsg_notify` consumes it,
        // since `group` is not 0 or `report` is set (checked above).
        let ret = unsafe {
            nlmsg_notify(self.sock(), skb.into_raw(), self.portid(), group, c_int::from(report), bindings::GFP_KERNEL)
        };
        match ret {
            0 => Ok(()),
            r if r == -(bindings::ENOBUFS as c_int) || r == -(bindings::EAGAIN as c_int) => Ok(()),
            r => Err(Error::from_errno(r)),
        }
    }

    /// Sends `bytes` to the listeners of multicast `group` (1-based),
    /// leaving out the requester when it asked with `NLM_F_ECHO` (it hears
    /// of the change from [`Request::notify`]). `Ok(false)` means nobody
    /// listens, which is not an error. Allocates (may sleep).
    pub fn broadcast(&self, bytes: &[u8], group: u32) -> Result<bool> {
        if !self.has_listeners(group) {
            return Ok(false);
        }
        let skb = SkBuff::from_bytes(bytes)?;
        let exclude = if self.echo() { self.portid() } else { 0 };
        // SAFETY: our socket is live while one of its input callbacks runs.
        unsafe { skb.broadcast(self.sock(), exclude, group) }
    }

    /// Does any socket listen on multicast `group`?
    pub fn has_listeners(&self, group: u32) -> bool {
        // SAFETY: our socket is live while one of its input callbacks runs;
        // the function only reads its group bitmap.
        unsafe { bindings::netlink_has_listeners(self.sock(), group) != 0 }
    }
}

