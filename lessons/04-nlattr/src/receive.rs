//! Receiving from the kernel with `recvmsg` (as in lesson 02).

use std::io;
use std::os::fd::{AsRawFd, OwnedFd};

/// Receives one datagram from `sock` into `buf` and returns its length.
/// Fails if it did not come from the kernel (port 0), or did not fit; fails
/// with `WouldBlock` when the socket's receive timeout passed first.
pub fn recv(sock: &OwnedFd, buf: &mut [u8]) -> io::Result<usize> {
    let mut iov = libc::iovec { iov_base: buf.as_mut_ptr().cast(), iov_len: buf.len() };
    // SAFETY: all-zero bytes are a valid `sockaddr_nl` and a valid `msghdr`.
    let mut from: libc::sockaddr_nl = unsafe { std::mem::zeroed() };
    // SAFETY: as above.
    let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
    msg.msg_name = (&mut from as *mut libc::sockaddr_nl).cast();
    msg.msg_namelen = std::mem::size_of::<libc::sockaddr_nl>() as libc::socklen_t;
    msg.msg_iov = &mut iov;
    msg.msg_iovlen = 1;
    // SAFETY: `msg` points at `from` and `iov`, and `iov` at `buf`, all of
    // which outlive the call; recvmsg writes at most their stated sizes.
    let n = unsafe { libc::recvmsg(sock.as_raw_fd(), &mut msg, 0) };
    if n < 0 {
        return Err(io::Error::last_os_error());
    }
    if msg.msg_flags & libc::MSG_TRUNC != 0 {
        return Err(io::Error::other("a message did not fit the receive buffer"));
    }
    if from.nl_pid != 0 {
        return Err(io::Error::other(format!("a message from port {} instead of the kernel", from.nl_pid)));
    }
    Ok(n as usize)
}
