//! Sending to the kernel: a netlink message, wrapped in an `iovec`, wrapped
//! in a `msghdr`, handed to `sendmsg`.

use std::io;
use std::os::fd::{AsRawFd, BorrowedFd};
use wire::nlmsg;
use wire::writer::Writer;

// ANCHOR: send
/// Sends one request: `payload` behind a netlink header of type `ty`, with
/// `NLM_F_REQUEST` and `flags`, sequence number `seq`, from port `port`.
pub fn send(sock: BorrowedFd<'_>, ty: u16, flags: u16, seq: u32, port: u32, payload: &[u8]) -> io::Result<()> {
    // Step 1: the message is the 16-byte header, then the payload, padded
    // to a multiple of 4. The writer computes nlmsg_len for us.
    let len = nlmsg::space(payload.len()).ok_or_else(|| io::Error::from(io::ErrorKind::InvalidInput))?;
    let mut buf = vec![0u8; len];
    let mut w = Writer::new(&mut buf);
    w.message(ty, nlmsg::F_REQUEST | flags, seq, port, payload).map_err(io::Error::other)?;
    send_bytes(sock, w.as_bytes())
}
// ANCHOR_END: send

// ANCHOR: send_bytes
/// Sends `bytes` (one or more whole netlink messages) to the kernel in one
/// `sendmsg` call.
pub fn send_bytes(sock: BorrowedFd<'_>, bytes: &[u8]) -> io::Result<()> {
    // EXERCISE 2.1: Wrap `bytes` in an iovec, address it to the kernel (a sockaddr_nl with port id 0) in a msghdr, and sendmsg it; a short send is an error.
    // Step 2: an iovec says where the bytes are. (sendmsg only reads them;
    // the field is *mut because readv/recvmsg use the same struct.)
    let iov = libc::iovec { iov_base: bytes.as_ptr().cast_mut().cast(), iov_len: bytes.len() };

    // Step 3: the destination address: the kernel is port 0.
    // SAFETY: all-zero bytes are a valid `sockaddr_nl`.
    let mut kernel: libc::sockaddr_nl = unsafe { std::mem::zeroed() };
    kernel.nl_family = libc::AF_NETLINK as libc::sa_family_t;
    kernel.nl_pid = 0;
    kernel.nl_groups = 0;

    // ... and the msghdr that ties address and data together.
    // SAFETY: all-zero bytes are a valid `msghdr` (null pointers, zero lengths).
    let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
    msg.msg_name = (&mut kernel as *mut libc::sockaddr_nl).cast();
    msg.msg_namelen = std::mem::size_of::<libc::sockaddr_nl>() as libc::socklen_t;
    msg.msg_iov = (&iov as *const libc::iovec).cast_mut();
    msg.msg_iovlen = 1;

    // Step 4: send.
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
    // STARTER
    // let _ = (sock.as_raw_fd(), bytes);
    // Err(io::Error::new(io::ErrorKind::Unsupported, "send_bytes is not written yet (exercise 2.1)"))
    // END
}
// ANCHOR_END: send_bytes
