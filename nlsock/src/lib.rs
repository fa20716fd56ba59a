//! # `nlsock`: the netlink socket of the userspace programs, after lesson 02
//!
//! Lesson 02 opens, binds, sends and receives with raw `libc` calls, every
//! `sockaddr_nl`, `iovec` and `msghdr` filled in by hand: that *is* the
//! lesson (exercise 2.1 is the send). From lesson 03 on the programs share
//! this crate instead, about the size of C's libmnl: a handful of small
//! functions that do the same, with [`nix`]'s safe wrappers where they exist
//! (`bind`, `getsockname`, `sendto`, `recvmsg`, `poll`, `SO_RCVBUF`,
//! `SO_RCVTIMEO`) and raw `libc` where `nix` has no call (a `socket()` on a
//! protocol number it does not list, the `SOL_NETLINK` options).
//!
//! | item                    | what it is                                                 |
//! |-------------------------|------------------------------------------------------------|
//! | [`Socket`]              | one bound netlink socket: options, send, receive, wait     |
//! | [`Datagram`]            | what one receive returned: bytes, and the multicast groups |
//! | [`Socket::is_reply`]    | is this message the answer to my request?                  |
//! | [`KernelError`]         | an error answer, with the kernel's message and the attribute it blames |
//!
//! What is *not* here: receiving a dump until `NLMSG_DONE` (exercise 5.3,
//! in lesson 05's session) and building messages (the `wire` crate's
//! writer). The byte layout of extended ACKs lives in `wire::ext_ack`, next
//! to the other wire formats; this crate turns it into an error for humans.
//!
//! Every call that can be interrupted by a signal (`EINTR`) is retried: a
//! socket with a receive timeout (`SO_RCVTIMEO`) gets `EINTR` instead of a
//! transparent restart when, say, Ctrl-Z stops the program in `recvmsg`
//! (`sock_intr_errno()` in `include/net/sock.h`).

mod error;
mod socket;

pub use error::{KernelError, Pointer};
pub use socket::{Datagram, Ready, Socket};
