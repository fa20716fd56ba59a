//! Sending to the kernel: the bytes of a netlink message, wrapped in an
//! `iovec`, wrapped in a `msghdr`, handed to `sendmsg` (as in lesson 02).

use std::io;
use std::os::fd::{AsRawFd, BorrowedFd};

/// Sends `bytes` (one or more whole netlink messages) to the kernel in one
/// `sendmsg` call. A short send is an error.
pub fn send_bytes(sock: BorrowedFd<'_>, bytes: &[u8]) -> io::Result<()> {
    // The iovec says where the bytes are (sendmsg only reads them; the field
    // is *mut because recvmsg uses the same struct).
    let iov = libc::iovec { iov_base: bytes.as_ptr().cast_mut().cast(), iov_len: bytes.len() };

    // The destination: the kernel is port 0.
    // SAFETY: all-zero bytes are a valid `sockaddr_nl`.
    let mut kernel: libc::sockaddr_nl = unsafe { std::mem::zeroed() };
    kernel.nl_family = libc::AF_NETLINK as libc::sa_family_t;
    kernel.nl_pid = 0;
    kernel.nl_groups = 0;

    // SAFETY: all-zero bytes are a valid `msghdr` (null pointers, zero lengths).
    let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
    msg.msg_name = (&mut kernel as *mut libc::sockaddr_nl).cast();
    msg.msg_namelen = std::mem::size_of::<libc::sockaddr_nl>() as libc::socklen_t;
    msg.msg_iov = (&iov as *const libc::iovec).cast_mut();
    msg.msg_iovlen = 1;

    // SAFETY: `msg` points at `kernel` and `iov`, which point at memory that
    // lives until the call returns; sendmsg only reads through them.
    let sent = unsafe { libc::sendmsg(sock.as_raw_fd(), &msg, 0) };
    if sent < 0 {
        return Err(io::Error::last_os_error());
    }
    if sent as usize != bytes.len() {
        return Err(io::Error::new(io::ErrorKind::WriteZero, format!("sent {sent} of {} bytes", bytes.len())));
    }
    Ok(())
}
