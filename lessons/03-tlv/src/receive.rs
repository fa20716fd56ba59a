//! Receiving from the kernel with `recvmsg`, on a thread of its own, as in
//! lesson 02; what changed is the answer this lesson expects: a TLV_SUMMARY.

use std::io;
use std::os::fd::{AsRawFd, OwnedFd};
use std::sync::mpsc::Sender;
use std::sync::Arc;
use wire::nlmsg::{self, Messages};
use wire::proto::{self, TlvSummary};

/// What arrived for one request, by sequence number.
#[derive(Debug, PartialEq, Eq)]
pub enum Answer {
    /// A TLV_SUMMARY, decoded (or why it could not be).
    Summary { seq: u32, summary: Result<TlvSummary, wire::Error> },
    /// An ACK (NLMSG_ERROR with error 0).
    Ack { seq: u32 },
    /// An error (NLMSG_ERROR with a negative errno), as a positive errno.
    Error { seq: u32, errno: i32 },
    /// Any other message (a type this program does not know).
    Other { seq: u32, ty: u16 },
}

/// Receives one datagram from `sock` into `buf` and returns its length.
/// Fails if it did not come from the kernel (port 0), or did not fit.
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

/// Turns one received netlink message into an [`Answer`].
pub fn decode(message: &nlmsg::Message<'_>) -> Answer {
    let seq = message.header.seq;
    match message.header.ty {
        proto::TLV_SUMMARY => Answer::Summary { seq, summary: TlvSummary::parse(message.payload) },
        nlmsg::ERROR => match message.error_payload() {
            Some(Ok(e)) if e.error == 0 => Answer::Ack { seq },
            Some(Ok(e)) => Answer::Error { seq, errno: e.error.saturating_neg() },
            _ => Answer::Other { seq, ty: nlmsg::ERROR },
        },
        ty => Answer::Other { seq, ty },
    }
}

/// The receiver thread's loop: every message of every datagram goes to
/// `answers`, until the socket fails or the other end of the channel is gone.
pub fn receiver(sock: Arc<OwnedFd>, answers: Sender<Answer>) -> io::Result<()> {
    let mut buf = vec![0u8; proto::RECV_BUF_LEN];
    loop {
        let n = recv(&sock, &mut buf)?;
        for message in Messages::new(&buf[..n]) {
            let message = message.map_err(io::Error::other)?;
            if answers.send(decode(&message)).is_err() {
                return Ok(()); // nobody waits for answers any more
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wire::writer::Writer;

    /// A summary message the way the module builds it decodes to its four
    /// numbers; a payload of the wrong size is reported, not misread.
    #[test]
    fn summaries_decode() {
        let s = TlvSummary { names: 2, websites: 1, ids: 3, skipped: 1 };
        let mut buf = [0u8; 64];
        let mut w = Writer::new(&mut buf);
        w.message(proto::TLV_SUMMARY, 0, 7, 0, &s.to_bytes()).unwrap();
        w.message(proto::TLV_SUMMARY, 0, 8, 0, &[0; 15]).unwrap();
        let got: Vec<_> = Messages::new(w.as_bytes()).map(|m| decode(&m.unwrap())).collect();
        assert_eq!(got[0], Answer::Summary { seq: 7, summary: Ok(s) });
        assert_eq!(got[1], Answer::Summary { seq: 8, summary: Err(wire::Error::BadSize) });
    }
}
