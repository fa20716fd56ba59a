// SPDX-License-Identifier: GPL-2.0

//! # `knetlink`: lesson 02's kernel netlink code, made safe
//!
//! Lesson 02's module talks to the kernel's netlink API directly: it creates
//! the kernel socket, walks the received `sk_buff`, reads the sender's port
//! id from the control block, allocates, fills and unicasts its reply, and
//! calls `netlink_ack`, each `unsafe` block argued in its place. Every
//! module after it does the same jobs through these few types, and all the
//! `unsafe` of the kernel side lives here, each block argued by a `SAFETY:`
//! comment. A module includes the layer (and the wire formats it builds on)
//! as modules of its own crate:
//!
//! ```ignore
//! #[path = "wire/lib.rs"]
//! mod wire;
//! #[path = "knetlink/lib.rs"]
//! mod knetlink;
//! ```
//!
//! | module       | what it is                                              | the kernel's C API it wraps |
//! |--------------|---------------------------------------------------------|-----------------------------|
//! | [`socket`]   | [`Socket`]: the module's protocol; released on drop     | `netlink_kernel_create`, `netlink_kernel_release`, `netlink_rcv_skb` |
//! | [`request`]  | [`Request`]: one received request, its sender, answers  | `NETLINK_CB`, `netlink_net_capable`, `netlink_unicast`, `nlmsg_notify` |
//! | [`extack`]   | [`ExtAck`]: what an error reply says beyond the errno   | `NL_SET_ERR_MSG`, `NL_SET_BAD_ATTR`, `NL_SET_ERR_ATTR_MISS` |
//! | [`skb`]      | [`SkBuff`]: an outgoing socket buffer, freed exactly once | `alloc_skb`, `skb_put`, `kfree_skb` |
//! | [`dump`]     | [`dump::start`]: multipart answers, one buffer per read | `netlink_dump_start`, `nl_dump_check_consistent` |
//! | [`ratelimit`] | [`ratelimit::Limit`]: at most a few log lines per burst | `net_ratelimit` |
//! | [`genl`]     | [`genl::Registration`]: a generic netlink family (lesson 08) | `genl_register_family`, `genlmsg_reply`, `genl_notify` |
//!
//! ## What the kernel does for us
//!
//! The input callback hands every buffer to the kernel's own
//! `netlink_rcv_skb`, as rtnetlink and generic netlink do. So the framing
//! checks (a header shorter than 16 bytes or longer than what arrived ends
//! the batch, silently), the acknowledgement rules (a message without
//! `NLM_F_REQUEST`, or of a control type below `NLMSG_MIN_TYPE`, is not
//! processed but is still acknowledged when it asks with `NLM_F_ACK`; an
//! error is always answered) and the error reply itself (`netlink_ack`: the
//! request echoed unless the socket set `NETLINK_CAP_ACK`, extended-ACK
//! attributes when it set `NETLINK_EXT_ACK`) are the kernel's, not ours.
//! A [`Handler`] sees only requests, one message at a time.
//!
//! ## Sleeping
//!
//! Every callback of this layer runs in process context: the input callback
//! in the sending process (inside its `sendmsg`), dump callbacks in the
//! reading process (inside its `recvmsg`), both without spinlocks held. A
//! handler may sleep: take a `Mutex`, allocate with `GFP_KERNEL` (this
//! layer does, for every buffer). It must not hold a spinlock across a call
//! of this layer that allocates ([`Request::reply`], [`Request::notify`],
//! [`Request::broadcast`], [`dump::start`]).
//!
//! Messages themselves are built and parsed by the `wire` module, in safe code.

pub mod dump;
pub mod extack;
pub mod genl;
pub mod ratelimit;
pub mod request;
pub mod skb;
pub mod socket;

pub use extack::ExtAck;
pub use request::Request;
pub use socket::{Handled, Handler, Socket};

use kernel::error::Error;

/// The kernel error for an errno number of the wire formats
/// (`wire::errno::EMSGSIZE`, ...): not every errno has a named constant in
/// the 6.12 `kernel` crate. Positive or negative, it means the same.
pub fn errno(n: i32) -> Error {
    Error::from_errno(n.saturating_abs().saturating_neg())
}
