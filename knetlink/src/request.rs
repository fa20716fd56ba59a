// SPDX-License-Identifier: GPL-2.0

//! [`Request`]: what the module's input callback receives.
//!
//! A userspace `sendmsg` on the module's protocol arrives as one socket
//! buffer, which may hold several netlink messages (a batch). The netlink
//! core calls the module's input function with it, in the sending process's
//! context, and frees it afterwards. A `Request` borrows that buffer for the
//! duration of the call and offers what a handler needs: the bytes, the
//! sender's port id and permissions, and ways to answer.

use super::skb::SkBuff;
use crate::wire;
use core::marker::PhantomData;
use kernel::bindings;
use kernel::prelude::*;

/// `CAP_NET_ADMIN`: the capability that allows changing network configuration.
const CAP_NET_ADMIN: i32 = bindings::CAP_NET_ADMIN as i32;

/// A received socket buffer, borrowed for one call of the input callback.
pub struct Request<'a> {
    skb: *mut bindings::sk_buff,
    _borrow: PhantomData<&'a bindings::sk_buff>,
}

impl<'a> Request<'a> {
    /// Wraps the buffer the netlink core passed to the input callback.
    ///
    /// # Safety
    ///
    /// `skb` must be the buffer of a netlink input callback that is running
    /// now, and the `Request` must not outlive the callback (the core frees the
    /// buffer when the callback returns).
    pub(crate) unsafe fn from_raw(skb: *mut bindings::sk_buff) -> Self {
        Request { skb, _borrow: PhantomData }
    }

    /// The bytes received: one or more netlink messages, none of them
    /// validated yet. `wire::nlmsg::Messages` walks them safely.
    pub fn data(&self) -> &'a [u8] {
        // SAFETY: the buffer is live for 'a (see `from_raw`). Netlink builds
        // the buffers it delivers to kernel sockets in one linear piece:
        // `data` points at `len` readable bytes, `data_len` (the part in page
        // fragments) is 0. Should it not be, only the linear part is used.
        unsafe {
            let skb = &*self.skb;
            let linear = skb.len.saturating_sub(skb.data_len) as usize;
            if skb.data.is_null() || linear == 0 {
                return &[];
            }
            core::slice::from_raw_parts(skb.data, linear)
        }
    }

    // ANCHOR: messages
    /// Every message of the buffer, in order: lesson 02's receive loop, for
    /// the modules after it. A header that cannot be trusted ends the walk,
    /// logged; nothing after it can be located safely, so the rest of the
    /// batch is dropped without an answer, as the kernel's own protocols do.
    pub fn messages(&self) -> impl Iterator<Item = wire::nlmsg::Message<'a>> + '_ {
        wire::nlmsg::Messages::new(self.data()).map_while(move |m| {
            m.inspect_err(|e| {
                pr_warn!("malformed message from port {}: {:?}; rest of the batch dropped\n", self.portid(), e);
            })
            .ok()
        })
    }
    // ANCHOR_END: messages

    /// The netlink parameters the core stored in the buffer's control block
    /// (the C macro `NETLINK_CB(skb)`).
    fn params(&self) -> bindings::netlink_skb_parms {
        // SAFETY: the buffer is live; for a netlink buffer its 48-byte `cb`
        // holds a `netlink_skb_parms`, filled in by the core before the input
        // callback is called. An unaligned read copies it out.
        unsafe {
            let cb = core::ptr::addr_of!((*self.skb).cb).cast::<bindings::netlink_skb_parms>();
            cb.read_unaligned()
        }
    }

    /// The port id of the socket that sent this buffer, as the kernel knows
    /// it. Replies go there, never to the `nlmsg_pid` the sender wrote into
    /// its headers (any value it likes).
    pub fn portid(&self) -> u32 {
        self.params().portid
    }

    /// Does the sender hold `CAP_NET_ADMIN` (in the user namespace of our
    /// socket's network namespace, i.e. is it allowed to change things)?
    pub fn may_admin(&self) -> bool {
        // SAFETY: the buffer is live; `netlink_capable` reads the sender's
        // socket credentials stored with it.
        unsafe { bindings::netlink_capable(self.skb, CAP_NET_ADMIN) }
    }

    /// The received buffer itself (for [`super::dump`]).
    pub(crate) fn raw(&self) -> *mut bindings::sk_buff {
        self.skb
    }

    /// The module's kernel socket, which received this buffer.
    pub(crate) fn sock(&self) -> *mut bindings::sock {
        // SAFETY: the buffer is live; the core set `skb->sk` to the receiving
        // kernel socket before calling the input callback.
        unsafe { (*self.skb).sk }
    }

    /// Sends `bytes` (whole netlink messages) to the sender.
    /// Fails with `ENOMEM` when no buffer can be had, or with the core's error
    /// when the sender's queue is full (`EAGAIN`) or its socket is gone.
    pub fn reply(&self, bytes: &[u8]) -> Result {
        let skb = SkBuff::from_bytes(bytes)?;
        // SAFETY: our socket is live while one of its input callbacks runs.
        unsafe { skb.unicast(self.sock(), self.portid()) }
    }

    /// Answers `request` with an `NLMSG_ERROR` message: an ACK when `errno`
    /// is 0, else the error (positive or negative errno, sent negative).
    pub fn ack(&self, request: &wire::nlmsg::Header, errno: i32) -> Result {
        let mut buf = [0u8; wire::nlmsg::HDRLEN + wire::nlmsg::ERROR_PAYLOAD_LEN];
        let mut w = wire::writer::Writer::new(&mut buf);
        w.error(request, self.portid(), errno).map_err(|_| EINVAL)?;
        self.reply(w.as_bytes())
    }

    /// Sends `bytes` to the listeners of multicast `group` (1-based).
    /// `Ok(false)` means nobody listens, which is not an error.
    pub fn broadcast(&self, bytes: &[u8], group: u32) -> Result<bool> {
        if !self.has_listeners(group) {
            return Ok(false);
        }
        let skb = SkBuff::from_bytes(bytes)?;
        // SAFETY: our socket is live while one of its input callbacks runs.
        unsafe { skb.broadcast(self.sock(), group) }
    }

    /// Does any socket listen on multicast `group`? (Cheap: check it before
    /// building a notification nobody would read.)
    pub fn has_listeners(&self, group: u32) -> bool {
        // SAFETY: our socket is live while one of its input callbacks runs;
        // the function only reads its group bitmap.
        unsafe { bindings::netlink_has_listeners(self.sock(), group) != 0 }
    }
}
