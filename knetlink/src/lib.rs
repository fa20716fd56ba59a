// SPDX-License-Identifier: GPL-2.0

//! # `knetlink`: the course's small, safe netlink layer for kernel modules
//!
//! Every kernel module of the course talks netlink through these few types,
//! and all the `unsafe` of the kernel side lives here, each block argued by a
//! `SAFETY:` comment. A module includes the layer (and the wire formats it
//! builds on) as modules of its own crate:
//!
//! ```ignore
//! #[path = "wire/lib.rs"]
//! mod wire;
//! #[path = "knetlink/lib.rs"]
//! mod knetlink;
//! ```
//!
//! | module      | what it is                                                     |
//! |-------------|----------------------------------------------------------------|
//! | [`socket`]  | [`Socket`]: the module's netlink socket; released on drop      |
//! | [`request`] | [`Request`]: a received buffer, its sender, and the replies   |
//! | [`skb`]     | [`SkBuff`]: an outgoing socket buffer, freed exactly once      |
//! | [`dump`]    | [`dump::start`]: multipart answers, one buffer per read        |
//!
//! The kernel's C helpers for these jobs (`nlmsg_new`, `nlmsg_put`,
//! `NETLINK_CB`, `kfree_skb`, ...) are static inline functions or macros that
//! bindgen cannot see; this layer does their work with the exported functions.
//! Messages themselves are built and parsed by the `wire` module, in safe code.

pub mod dump;
pub mod request;
pub mod skb;
pub mod socket;

pub use request::Request;
pub use socket::{Handler, Socket};

use kernel::error::Error;

/// The kernel error for an errno number of the wire formats
/// (`wire::errno::EMSGSIZE`, ...): not every errno has a named constant in
/// the 6.12 `kernel` crate. Positive or negative, it means the same.
pub fn errno(n: i32) -> Error {
    Error::from_errno(n.saturating_abs().saturating_neg())
}
