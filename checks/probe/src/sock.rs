//! A raw netlink socket for the checks: open, bind, socket options, send to
//! the kernel, receive one datagram. Plain `libc` calls, nothing hidden, so
//! that a check sends exactly the bytes its case calls for.

use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::time::Duration;

/// `SOL_NETLINK` (`include/linux/socket.h`): the level of netlink's own
/// socket options.
pub const SOL_NETLINK: libc::c_int = 270;
/// `NETLINK_CAP_ACK` (`include/uapi/linux/netlink.h`): error messages carry
/// only the request's header, not its payload (`netlink_ack` sets
/// `NLM_F_CAPPED`).
pub const NETLINK_CAP_ACK: libc::c_int = 10;
/// `NETLINK_EXT_ACK`: ACKs and errors may carry extended-ACK attributes
/// (`NLM_F_ACK_TLVS`).
pub const NETLINK_EXT_ACK: libc::c_int = 11;
/// `NETLINK_GET_STRICT_CHK`: GET requests are checked strictly (rtnetlink:
/// `netlink_strict_get_check`, and `cb->strict_check` in dumps).
pub const NETLINK_GET_STRICT_CHK: libc::c_int = 12;

/// One netlink socket, bound to a port the kernel chose.
#[derive(Debug)]
pub struct Socket {
    fd: OwnedFd,
    port: u32,
}

/// One received datagram.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Datagram {
    /// The bytes that were copied into the buffer (at most its size).
    pub bytes: Vec<u8>,
    /// The datagram's real size (bigger than `bytes` when truncated).
    pub size: usize,
    /// `MSG_TRUNC` was set: the buffer was too small and the rest is lost.
    pub truncated: bool,
    /// The sender's port id (`nl_pid` of the source address): 0 is the kernel.
    pub from: u32,
}

/// What one attempt to receive gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Received {
    /// A datagram.
    Datagram(Datagram),
    /// The socket reported an error instead (`ENOBUFS`: answers were lost
    /// because the receive queue was full).
    Error(i32),
    /// Nothing arrived in time.
    Nothing,
}

impl Socket {
    /// Opens an `AF_NETLINK` socket of `protocol` and binds it (port chosen
    /// by the kernel). Fails with `EPROTONOSUPPORT` when no kernel socket
    /// serves `protocol` (e.g. the module is not loaded).
    pub fn open(protocol: i32) -> io::Result<Socket> {
        // SAFETY: plain integer arguments; returns a new descriptor or -1.
        let fd = unsafe { libc::socket(libc::AF_NETLINK, libc::SOCK_RAW | libc::SOCK_CLOEXEC, protocol) };
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: `fd` was just opened and is owned by nobody else.
        let fd = unsafe { OwnedFd::from_raw_fd(fd) };
        let mut addr = kernel_addr();
        let len = std::mem::size_of::<libc::sockaddr_nl>() as libc::socklen_t;
        // SAFETY: `addr` is a valid sockaddr_nl of `len` bytes (port 0: the
        // kernel picks one).
        if unsafe { libc::bind(fd.as_raw_fd(), (&addr as *const libc::sockaddr_nl).cast(), len) } < 0 {
            return Err(io::Error::last_os_error());
        }
        let mut got = len;
        // SAFETY: `addr` and `got` are writable and `got` says how big `addr` is.
        if unsafe { libc::getsockname(fd.as_raw_fd(), (&mut addr as *mut libc::sockaddr_nl).cast(), &mut got) } < 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(Socket { fd, port: addr.nl_pid })
    }

    /// The port id the kernel gave this socket: what answers must carry in
    /// `nlmsg_pid`, and where the kernel sends them.
    pub fn port(&self) -> u32 {
        self.port
    }

    /// Sets an integer socket option (`level`, `name`) to `value`.
    pub fn set_int(&self, level: libc::c_int, name: libc::c_int, value: libc::c_int) -> io::Result<()> {
        let size = std::mem::size_of::<libc::c_int>() as libc::socklen_t;
        // SAFETY: `value` is a c_int that outlives the call; `size` is its size.
        let r =
            unsafe { libc::setsockopt(self.fd.as_raw_fd(), level, name, (&value as *const libc::c_int).cast(), size) };
        if r < 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(())
    }

    /// Reads an integer socket option.
    pub fn get_int(&self, level: libc::c_int, name: libc::c_int) -> io::Result<libc::c_int> {
        let mut value: libc::c_int = 0;
        let mut size = std::mem::size_of::<libc::c_int>() as libc::socklen_t;
        // SAFETY: `value` and `size` are writable and `size` is `value`'s size.
        let r = unsafe {
            libc::getsockopt(self.fd.as_raw_fd(), level, name, (&mut value as *mut libc::c_int).cast(), &mut size)
        };
        if r < 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(value)
    }

    /// Turns a netlink option (`NETLINK_CAP_ACK`, ...) on.
    pub fn enable(&self, option: libc::c_int) -> io::Result<()> {
        self.set_int(SOL_NETLINK, option, 1)
    }

    /// Sets the receive buffer size (`SO_RCVBUF`; the kernel doubles it and
    /// applies its minimum).
    pub fn set_rcvbuf(&self, bytes: usize) -> io::Result<()> {
        self.set_int(libc::SOL_SOCKET, libc::SO_RCVBUF, bytes.min(i32::MAX as usize) as libc::c_int)
    }

    /// Sends `bytes` as one datagram to the kernel (port 0). The kernel's
    /// input callback runs during this call: when it returns, the direct
    /// answers are already queued on the socket.
    pub fn send(&self, bytes: &[u8]) -> io::Result<()> {
        let kernel = kernel_addr();
        // SAFETY: `bytes` and `kernel` outlive the call, whose lengths match them.
        let sent = unsafe {
            libc::sendto(
                self.fd.as_raw_fd(),
                bytes.as_ptr().cast(),
                bytes.len(),
                0,
                (&kernel as *const libc::sockaddr_nl).cast(),
                std::mem::size_of::<libc::sockaddr_nl>() as libc::socklen_t,
            )
        };
        if sent < 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(())
    }

    /// Receives one datagram into a buffer of `size` bytes, waiting at most
    /// `wait`. A datagram bigger than the buffer is cut (and flagged
    /// `truncated`), as `recvmsg` does; the rest of it is lost.
    pub fn recv(&self, size: usize, wait: Duration) -> io::Result<Received> {
        let mut pfd = libc::pollfd { fd: self.fd.as_raw_fd(), events: libc::POLLIN, revents: 0 };
        let ms = wait.as_millis().min(i32::MAX as u128) as i32;
        loop {
            // SAFETY: one valid pollfd.
            let ready = unsafe { libc::poll(&mut pfd, 1, ms) };
            if ready < 0 {
                let e = io::Error::last_os_error();
                if e.raw_os_error() == Some(libc::EINTR) {
                    continue;
                }
                return Err(e);
            }
            if ready == 0 {
                return Ok(Received::Nothing);
            }
            break;
        }
        let mut buf = vec![0u8; size];
        // SAFETY: all-zero bytes are a valid sockaddr_nl.
        let mut from: libc::sockaddr_nl = unsafe { std::mem::zeroed() };
        let mut iov = libc::iovec { iov_base: buf.as_mut_ptr().cast(), iov_len: buf.len() };
        // SAFETY: all-zero bytes are a valid msghdr (null pointers, zero lengths).
        let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
        msg.msg_name = (&mut from as *mut libc::sockaddr_nl).cast();
        msg.msg_namelen = std::mem::size_of::<libc::sockaddr_nl>() as libc::socklen_t;
        msg.msg_iov = &mut iov;
        msg.msg_iovlen = 1;
        loop {
            // SAFETY: `msg` points at `iov` (which points at `buf`) and at
            // `from`, all alive and writable for the lengths given. MSG_TRUNC
            // makes the call return the datagram's real size.
            let n = unsafe { libc::recvmsg(self.fd.as_raw_fd(), &mut msg, libc::MSG_TRUNC | libc::MSG_DONTWAIT) };
            if n < 0 {
                let e = io::Error::last_os_error();
                match e.raw_os_error() {
                    Some(libc::EINTR) => continue,
                    Some(libc::EAGAIN) => return Ok(Received::Nothing),
                    Some(code @ (libc::ENOBUFS | libc::ECONNREFUSED)) => return Ok(Received::Error(code)),
                    _ => return Err(e),
                }
            }
            let size = n as usize;
            buf.truncate(size.min(buf.len()));
            return Ok(Received::Datagram(Datagram {
                bytes: buf,
                size,
                truncated: msg.msg_flags & libc::MSG_TRUNC != 0,
                from: from.nl_pid,
            }));
        }
    }
}

impl AsRawFd for Socket {
    fn as_raw_fd(&self) -> std::os::fd::RawFd {
        self.fd.as_raw_fd()
    }
}

/// The kernel's address: `AF_NETLINK`, port 0, no groups.
fn kernel_addr() -> libc::sockaddr_nl {
    // SAFETY: all-zero bytes are a valid sockaddr_nl.
    let mut a: libc::sockaddr_nl = unsafe { std::mem::zeroed() };
    a.nl_family = libc::AF_NETLINK as libc::sa_family_t;
    a
}
