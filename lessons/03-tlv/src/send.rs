//! Sending to the kernel: a netlink message in an `iovec`, in a `msghdr`,
//! handed to `sendmsg`. Lesson 02's code, exercise included.

use std::io;
use std::os::fd::{AsRawFd, BorrowedFd};
use wire::nlmsg;
use wire::writer::Writer;

/// Sends one request: `payload` behind a netlink header of type `ty`, with
/// `NLM_F_REQUEST` and `flags`, sequence number `seq`, from port `port`.
pub fn send(sock: BorrowedFd<'_>, ty: u16, flags: u16, seq: u32, port: u32, payload: &[u8]) -> io::Result<()> {
    let len = nlmsg::space(payload.len()).ok_or_else(|| io::Error::from(io::ErrorKind::InvalidInput))?;
    let mut buf = vec![0u8; len];
    let mut w = Writer::new(&mut buf);
    w.message(ty, nlmsg::F_REQUEST | flags, seq, port, payload).map_err(io::Error::other)?;
    send_bytes(sock, w.as_bytes())
}

/// Sends `bytes` (one or more whole netlink messages) to the kernel (port
/// 0) in one `sendmsg` call; a short send is an error.
pub fn send_bytes(sock: BorrowedFd<'_>, bytes: &[u8]) -> io::Result<()> {
    // sendmsg only reads through iov_base; the field is *mut because
    // recvmsg uses the same struct.
    let iov = libc::iovec { iov_base: bytes.as_ptr().cast_mut().cast(), iov_len: bytes.len() };
    // SAFETY: all-zero bytes are a valid `sockaddr_nl`.
    let mut kernel: libc::sockaddr_nl = unsafe { std::mem::zeroed() };
    kernel.nl_family = libc::AF_NETLINK as libc::sa_family_t;
    kernel.nl_pid = 0;
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
