// SPDX-License-Identifier: GPL-2.0

//! [`ExtAck`]: what an error reply says beyond its errno.
//!
//! When a handler fails a request, the kernel's `netlink_ack` answers with
//! an `NLMSG_ERROR` message carrying the errno. A requester that turned on
//! `NETLINK_EXT_ACK` also gets *extended ACK* attributes (flag
//! `NLM_F_ACK_TLVS`): a message text (`NLMSGERR_ATTR_MSG`), the byte offset
//! of the attribute at fault within its request (`NLMSGERR_ATTR_OFFS`), the
//! type of a required attribute that is missing (`NLMSGERR_ATTR_MISS_TYPE`).
//! The handler fills in a `struct netlink_ext_ack` that `netlink_rcv_skb`
//! keeps on its stack for each message; this type is the safe way to do it,
//! what the C macros `NL_SET_ERR_MSG`, `NL_SET_BAD_ATTR` and
//! `NL_SET_ERR_ATTR_MISS` do.

use crate::wire::attr::{self, Attr};
use crate::wire::policy::PolicyError;
use core::ffi::CStr;
use core::marker::PhantomData;
use kernel::bindings;
use kernel::prelude::*;

/// The extended-ACK record of the request being handled.
///
/// # Invariants
///
/// `raw` is the live `netlink_ext_ack` of the running `netlink_rcv_skb`
/// callback, and `nlh` the request it acknowledges, of `nlmsg_len` bytes.
pub struct ExtAck<'a> {
    raw: *mut bindings::netlink_ext_ack,
    nlh: *const bindings::nlmsghdr,
    _borrow: PhantomData<&'a mut bindings::netlink_ext_ack>,
}

impl<'a> ExtAck<'a> {
    /// Wraps the record `netlink_rcv_skb` passed to its callback.
    ///
    /// # Safety
    ///
    /// `raw` must be the live, exclusively ours `netlink_ext_ack` of a running
    /// `netlink_rcv_skb` callback, `nlh` the message it acknowledges, and the
    /// `ExtAck` must not outlive the callback.
    pub(crate) unsafe fn from_raw(raw: *mut bindings::netlink_ext_ack, nlh: *const bindings::nlmsghdr) -> Self {
        ExtAck { raw, nlh, _borrow: PhantomData }
    }

    /// Sets the message text (`NL_SET_ERR_MSG`). It must be a static
    /// string: the kernel keeps the pointer until it has sent the reply.
    pub fn message(&mut self, text: &'static CStr) {
        // SAFETY: `raw` is live and ours (invariant); the text is static.
        unsafe { (*self.raw)._msg = text.as_ptr().cast() };
    }

    /// Names the attribute at fault (`NL_SET_BAD_ATTR`): the kernel reports
    /// its offset in the request. `a` must be an attribute of this request,
    /// as the `wire` parsers yield them from its payload; anything else is
    /// ignored (the kernel would warn, and the lab kernel panics on warnings).
    pub fn bad_attr(&mut self, a: &Attr<'_>) {
        let value = a.payload().as_ptr() as usize;
        let Some(header) = value.checked_sub(attr::HDRLEN) else { return };
        // SAFETY: `nlh` is the live request (invariant); reading its length.
        let len = unsafe { (*self.nlh).nlmsg_len } as usize;
        let start = self.nlh as usize + crate::wire::nlmsg::HDRLEN;
        let end = self.nlh as usize + len;
        // Where `netlink_ack` will look (`nlmsg_check_in_payload`): in the
        // payload, and the whole attribute inside the message.
        if header < start || value.saturating_add(a.payload().len()) > end {
            return;
        }
        // SAFETY: `raw` is live and ours; the pointer is inside the request,
        // which the core keeps until it has acknowledged it.
        unsafe { (*self.raw).bad_attr = header as *const bindings::nlattr };
    }

    /// Names a required attribute that is missing (`NL_SET_ERR_ATTR_MISS`,
    /// at the top level of the request).
    pub fn missing(&mut self, ty: u16) {
        // SAFETY: `raw` is live and ours (invariant).
        unsafe {
            (*self.raw).miss_type = ty;
            (*self.raw).miss_nest = core::ptr::null();
        }
    }

    /// Reports a policy failure as the kernel's `nla_parse` does (message
    /// and attribute) and returns the error to answer with.
    pub fn policy(&mut self, e: &PolicyError<'_>) -> Error {
        self.message(e.message());
        if let Some(a) = &e.bad {
            self.bad_attr(a);
        }
        super::errno(e.errno())
    }
}
