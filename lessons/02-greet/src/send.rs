//! Sending to the kernel: a netlink message, wrapped in an `iovec`, wrapped
//! in a `msghdr`, handed to `sendmsg`.

use std::io;
use std::os::fd::{AsRawFd, BorrowedFd};
use wire::nlmsg;
use wire::writer::Writer;

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

/// Sends `bytes` (one or more whole netlink messages) to the kernel in one
/// `sendmsg` call.
pub fn send_bytes(sock: BorrowedFd<'_>, bytes: &[u8]) -> io::Result<()> {
    // TODO(exercise 2.1): Wrap `bytes` in an iovec, address it to the kernel (a sockaddr_nl with port id 0) in a msghdr, and sendmsg it; a short send is an error.
    let _ = (sock.as_raw_fd(), bytes);
    Err(io::Error::new(io::ErrorKind::Unsupported, "send_bytes is not written yet (exercise 2.1)"))
}
