//! The Linux error numbers (`errno`) the course uses.
//!
//! Netlink reports failures with these numbers. A kernel function returns
//! `-EINVAL`; the netlink core copies that negative value into the `error`
//! field of an `NLMSG_ERROR` message (see [`super::nlmsg::ErrorPayload`]);
//! userspace sees `-22` and looks it up here. The numbers are the ones of
//! `include/uapi/asm-generic/errno-base.h` and `errno.h`, valid on x86, arm
//! and most other architectures Linux runs on (alpha, mips, parisc and sparc
//! use other numbers for some of them; the course does not run there).
//!
//! The constants are plain positive `i32`s, exactly like C's `errno`.
//! [`name`] and [`describe`] accept both signs, so `name(-17)` is `"EEXIST"`.

/// Operation not permitted (e.g. a non-root process sending to the kernel).
pub const EPERM: i32 = 1;
/// No such file or directory; for us: no such object (table, person, ...).
pub const ENOENT: i32 = 2;
/// No such process.
pub const ESRCH: i32 = 3;
/// Interrupted system call: a signal arrived while waiting in `recv`.
pub const EINTR: i32 = 4;
/// Input/output error.
pub const EIO: i32 = 5;
/// Try again: a non-blocking socket has nothing to read yet.
pub const EAGAIN: i32 = 11;
/// Out of memory (e.g. the kernel could not allocate the reply).
pub const ENOMEM: i32 = 12;
/// Permission denied.
pub const EACCES: i32 = 13;
/// Bad address: a pointer handed to a system call is invalid.
pub const EFAULT: i32 = 14;
/// Device or resource busy.
pub const EBUSY: i32 = 16;
/// File exists; for us: the object already exists (`NLM_F_EXCL`).
pub const EEXIST: i32 = 17;
/// No such device.
pub const ENODEV: i32 = 19;
/// Invalid argument: the catch-all for malformed requests.
pub const EINVAL: i32 = 22;
/// No space left on device; for us: a table or buffer is full.
pub const ENOSPC: i32 = 28;
/// Result out of range: a value is too long or too large.
pub const ERANGE: i32 = 34;
/// Bad message: the bytes do not form a valid message.
pub const EBADMSG: i32 = 74;
/// Message too long: it does not fit the buffer or the limit.
pub const EMSGSIZE: i32 = 90;
/// Protocol not supported: `socket()` with a netlink protocol number that
/// no loaded module has registered.
pub const EPROTONOSUPPORT: i32 = 93;
/// Operation not supported: an unknown message type.
pub const EOPNOTSUPP: i32 = 95;
/// Network is down: rtnetlink's answer to a route through an interface
/// that is not up (`fib_check_nh` in net/ipv4/fib_semantics.c).
pub const ENETDOWN: i32 = 100;
/// Network is unreachable: no route to the address asked for (a route
/// lookup, `RTM_GETROUTE`).
pub const ENETUNREACH: i32 = 101;
/// No buffer space available: a socket receive queue overflowed.
pub const ENOBUFS: i32 = 105;
/// Connection refused: nobody is bound to the destination netlink port.
pub const ECONNREFUSED: i32 = 111;
/// No route to host: a route lookup found a route that leads nowhere.
pub const EHOSTUNREACH: i32 = 113;

/// The symbolic name of an error number: `name(EEXIST) == "EEXIST"`.
///
/// Negative numbers (as found in `NLMSG_ERROR`) are accepted too.
/// `0` is `"OK"`; a number not listed in this module is `"E?"`.
pub fn name(errno: i32) -> &'static str {
    match errno.saturating_abs() {
        0 => "OK",
        EPERM => "EPERM",
        ENOENT => "ENOENT",
        ESRCH => "ESRCH",
        EINTR => "EINTR",
        EIO => "EIO",
        EAGAIN => "EAGAIN",
        ENOMEM => "ENOMEM",
        EACCES => "EACCES",
        EFAULT => "EFAULT",
        EBUSY => "EBUSY",
        EEXIST => "EEXIST",
        ENODEV => "ENODEV",
        EINVAL => "EINVAL",
        ENOSPC => "ENOSPC",
        ERANGE => "ERANGE",
        EBADMSG => "EBADMSG",
        EMSGSIZE => "EMSGSIZE",
        EPROTONOSUPPORT => "EPROTONOSUPPORT",
        EOPNOTSUPP => "EOPNOTSUPP",
        ENETDOWN => "ENETDOWN",
        ENETUNREACH => "ENETUNREACH",
        ENOBUFS => "ENOBUFS",
        ECONNREFUSED => "ECONNREFUSED",
        EHOSTUNREACH => "EHOSTUNREACH",
        _ => "E?",
    }
}

/// The human description of an error number, the text `strerror(3)` gives:
/// `describe(EEXIST) == "File exists"`.
///
/// Negative numbers are accepted too. `0` is `"Success"`; a number not listed
/// in this module is `"Unknown error"`.
pub fn describe(errno: i32) -> &'static str {
    match errno.saturating_abs() {
        0 => "Success",
        EPERM => "Operation not permitted",
        ENOENT => "No such file or directory",
        ESRCH => "No such process",
        EINTR => "Interrupted system call",
        EIO => "Input/output error",
        EAGAIN => "Resource temporarily unavailable",
        ENOMEM => "Cannot allocate memory",
        EACCES => "Permission denied",
        EFAULT => "Bad address",
        EBUSY => "Device or resource busy",
        EEXIST => "File exists",
        ENODEV => "No such device",
        EINVAL => "Invalid argument",
        ENOSPC => "No space left on device",
        ERANGE => "Numerical result out of range",
        EBADMSG => "Bad message",
        EMSGSIZE => "Message too long",
        EPROTONOSUPPORT => "Protocol not supported",
        EOPNOTSUPP => "Operation not supported",
        ENETDOWN => "Network is down",
        ENETUNREACH => "Network is unreachable",
        ENOBUFS => "No buffer space available",
        ECONNREFUSED => "Connection refused",
        EHOSTUNREACH => "No route to host",
        _ => "Unknown error",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_descriptions() {
        assert_eq!(name(EEXIST), "EEXIST");
        assert_eq!(name(-EEXIST), "EEXIST");
        assert_eq!(describe(EEXIST), "File exists");
        assert_eq!(describe(-EINVAL), "Invalid argument");
        assert_eq!(name(0), "OK");
        assert_eq!(describe(0), "Success");
        assert_eq!(name(4242), "E?");
        assert_eq!(describe(i32::MIN), "Unknown error");
        assert_eq!(name(i32::MIN), "E?");
    }

    #[test]
    fn every_constant_has_a_name() {
        for e in [
            EPERM,
            ENOENT,
            ESRCH,
            EINTR,
            EIO,
            EAGAIN,
            ENOMEM,
            EACCES,
            EFAULT,
            EBUSY,
            EEXIST,
            ENODEV,
            EINVAL,
            ENOSPC,
            ERANGE,
            EBADMSG,
            EMSGSIZE,
            EPROTONOSUPPORT,
            EOPNOTSUPP,
            ENETDOWN,
            ENETUNREACH,
            ENOBUFS,
            ECONNREFUSED,
            EHOSTUNREACH,
        ] {
            assert_ne!(name(e), "E?", "{e}");
            assert_ne!(describe(e), "Unknown error", "{e}");
        }
    }
}
