//! # `wire`: every byte the course puts on a netlink socket
//!
//! This crate is the *one* definition of the wire formats used in the course.
//! The userspace lessons link it as a normal crate; the kernel modules compile
//! the very same files as a module of the kernel crate:
//!
//! ```ignore
//! #[allow(dead_code, unreachable_pub, unused_attributes)]
//! #[path = "wire/lib.rs"]
//! mod wire;
//! ```
//!
//! Because of that double life the code follows a few rules that are worth
//! knowing when you read it:
//!
//! * `#![no_std]`, only `core`: no allocation, no `Vec`, no `String`.
//!   Every encoder writes into a buffer *you* provide, every decoder borrows
//!   from the buffer it was given.
//! * No `unsafe` at all.
//! * **Nothing panics, whatever the input.** Bytes arriving from a socket are
//!   hostile until proven otherwise, and a panic inside the kernel is a bug
//!   (an oops). So there is no `buf[i]` that could be out of bounds, no `+`
//!   that could overflow, no `unwrap()`. We use `get()`, `checked_add()` and
//!   friends, and return an [`Error`] instead.
//! * Sibling modules are reached with `super::`, never `crate::`: inside a
//!   kernel module, `crate` is the kernel module, not this crate.
//!
//! ## Map of the crate
//!
//! | module      | what it describes                                           |
//! |-------------|-------------------------------------------------------------|
//! | [`errno`]   | the Linux error numbers we use, with names and descriptions |
//! | [`error`]   | [`Error`], what can go wrong while encoding or decoding      |
//! | [`ext_ack`] | extended ACKs: the kernel's message and the bad attribute   |
//! | [`nlmsg`]   | the netlink message header, message iterator, ACK payload   |
//! | [`attr`]    | netlink attributes (`struct nlattr`): reading them           |
//! | [`writer`]  | building messages and attributes into a byte buffer          |
//! | [`policy`]  | validating attributes, like the kernel's `nla_policy`        |
//! | [`tlv`]     | the course's own tiny TLV format (lesson 03)                 |
//! | [`cstr`]    | NUL-terminated strings on the wire                           |
//! | [`proto`]   | the course protocol: protocol number, types, attribute ids  |
//! | [`rtm`]     | the routing table manager protocol (lessons 05-06)          |
//! | [`rtnl`]    | rtnetlink, the kernel's own routing protocol (lesson 07)    |
//! | [`genl`]    | generic netlink: its header, the controller `nlctrl`        |
//! | [`rtm_genl`] | the routing table manager as a generic netlink family (lesson 08) |
//!
//! Byte order: netlink headers and attributes are in the **host** byte order
//! (`to_ne_bytes` / `from_ne_bytes`), because both ends always sit on the same
//! machine. Only values explicitly marked as network byte order (addresses,
//! ports, [`attr::F_NET_BYTEORDER`]) are big-endian.

#![no_std]
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(
    not(test),
    deny(
        clippy::indexing_slicing,
        clippy::arithmetic_side_effects,
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::unreachable,
        clippy::todo,
        clippy::unimplemented
    )
)]

pub mod attr;
mod bytes;
pub mod cstr;
pub mod errno;
pub mod error;
pub mod ext_ack;
pub mod genl;
pub mod nlmsg;
pub mod policy;
pub mod proto;
pub mod rtm;
pub mod rtm_genl;
pub mod rtnl;
pub mod tlv;
pub mod writer;

// A kernel module that never names `wire::Error` would warn about an unused
// import; the allow keeps both builds quiet.
#[allow(unused_imports)]
pub use error::Error;
