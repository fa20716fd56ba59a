// SPDX-License-Identifier: GPL-2.0

//! [`SkBuff`]: a socket buffer the module sends (lesson 02's `alloc_skb`,
//! `skb_put` and `kfree_skb`, made safe).
//!
//! The kernel moves every packet, netlink messages included, in a
//! `struct sk_buff`. An `SkBuff` owns one that is on its way out: it is filled
//! with the bytes of complete netlink messages, then handed to
//! [`SkBuff::unicast`] or [`SkBuff::broadcast`]. Those consume it: the netlink
//! core frees the buffer on every path, errors included, so it must never be
//! freed again (the C course this one follows did, a double free). A buffer
//! that is never sent is freed when it is dropped.

use core::ptr::NonNull;
use kernel::bindings;
use kernel::error::to_result;
use kernel::prelude::*;

/// An outgoing socket buffer holding complete netlink messages.
pub struct SkBuff {
    ptr: NonNull<bindings::sk_buff>,
}

impl SkBuff {
    /// Allocates a buffer and copies `bytes` (one or more whole netlink
    /// messages) into it. Fails with `ENOMEM` when the kernel has no memory.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let len = u32::try_from(bytes.len()).map_err(|_| super::errno(crate::wire::errno::EMSGSIZE))?;
        // SAFETY: `__alloc_skb` may be called with any size and flags from
        // process context (the input callback runs in the sender's process);
        // flags 0 asks for a plain buffer, NUMA_NO_NODE for any memory node.
        let raw = unsafe { bindings::__alloc_skb(len, bindings::GFP_KERNEL, 0, bindings::NUMA_NO_NODE) };
        let ptr = NonNull::new(raw).ok_or(ENOMEM)?;
        let skb = SkBuff { ptr };
        // SAFETY: the buffer was just allocated with room for at least `len`
        // bytes, so `skb_put` (which would BUG on overflow) extends it by `len`
        // within its tailroom and returns a pointer to those `len` bytes. They
        // do not overlap `bytes`, which the caller owns.
        unsafe {
            let dst = bindings::skb_put(skb.ptr.as_ptr(), len).cast::<u8>();
            core::ptr::copy_nonoverlapping(bytes.as_ptr(), dst, bytes.len());
        }
        Ok(skb)
    }

    /// Gives up ownership: the caller hands the pointer to a function that
    /// consumes the buffer.
    pub(crate) fn into_raw(self) -> *mut bindings::sk_buff {
        let ptr = self.ptr.as_ptr();
        core::mem::forget(self);
        ptr
    }

    /// Sends the buffer to the socket with port id `portid`, without waiting
    /// when its receive queue is full. Consumes the buffer, whatever happens.
    ///
    /// # Safety
    ///
    /// `sock` must be a live netlink kernel socket.
    pub(crate) unsafe fn unicast(self, sock: *mut bindings::sock, portid: u32) -> Result {
        // SAFETY: `sock` is live (the caller's duty) and the buffer is ours to
        // give away; `netlink_unicast` consumes it on every path, so ownership
        // ends here (`into_raw`) and nobody frees it again.
        let ret = unsafe { bindings::netlink_unicast(sock, self.into_raw(), portid, bindings::MSG_DONTWAIT as i32) };
        to_result(ret.min(0))
    }

    /// Sends the buffer to every socket that joined multicast `group`, but
    /// the one with port id `exclude` (0: none). Returns `Ok(false)` when
    /// nobody listens. Consumes the buffer.
    ///
    /// # Safety
    ///
    /// `sock` must be a live netlink kernel socket.
    pub(crate) unsafe fn broadcast(self, sock: *mut bindings::sock, exclude: u32, group: u32) -> Result<bool> {
        let raw = self.into_raw();
        // SAFETY: `raw` is a valid buffer we own; its control block `cb` is
        // 48 bytes, aligned to 8, and in netlink it holds a
        // `netlink_skb_parms` (the `NETLINK_CB` macro of C). The destination
        // group must be set there, or listeners see group 0.
        unsafe {
            let cb = core::ptr::addr_of_mut!((*raw).cb).cast::<bindings::netlink_skb_parms>();
            (*cb).dst_group = group;
        }
        // SAFETY: `sock` is live (the caller's duty); `netlink_broadcast`
        // consumes the buffer on every path. Port id 0 excludes no listener.
        let ret = unsafe { bindings::netlink_broadcast(sock, raw, exclude, group, bindings::GFP_KERNEL) };
        match ret {
            r if r == -(bindings::ESRCH as i32) => Ok(false),
            r => to_result(r.min(0)).map(|()| true),
        }
    }
}

impl Drop for SkBuff {
    fn drop(&mut self) {
        // SAFETY: we own the buffer (it was not sent, or `into_raw` would have
        // forgotten `self`), so this is the one place it is freed. This is
        // what the static inline `kfree_skb` does.
        unsafe {
            bindings::sk_skb_reason_drop(
                core::ptr::null_mut(),
                self.ptr.as_ptr(),
                bindings::skb_drop_reason_SKB_DROP_REASON_NOT_SPECIFIED,
            )
        };
    }
}
