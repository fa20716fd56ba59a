//! Receiving from the kernel on a thread of its own, as in lesson 02, now
//! with the shared socket layer (`nlsock`); what changed is the answer this
//! lesson expects: a TLV_SUMMARY.

use nlsock::{KernelError, Ready, Socket};
use std::io;
use std::os::fd::AsFd;
use std::os::unix::net::UnixStream;
use std::sync::mpsc::Sender;
use std::sync::Arc;
use wire::nlmsg::{self, Header};
use wire::proto::{self, TlvSummary};

/// One message that arrived: its header, how it came, what it says.
#[derive(Debug, PartialEq, Eq)]
pub struct Answer {
    /// Its header (`seq` and `pid` say whom it answers).
    pub header: Header,
    /// It came by multicast (then it answers nobody).
    pub multicast: bool,
    /// What it says.
    pub what: What,
}

/// What a message says.
#[derive(Debug, PartialEq, Eq)]
pub enum What {
    /// A TLV_SUMMARY, decoded (or why it could not be).
    Summary(Result<TlvSummary, wire::Error>),
    /// An ACK (NLMSG_ERROR with error 0).
    Ack,
    /// An error, with what the kernel's extended ACK says.
    Error(KernelError),
    /// Any other message (a type this program does not know), or an
    /// NLMSG_ERROR too broken to read.
    Other,
}

// ANCHOR: decode
/// Turns one received netlink message into what it says.
pub fn decode(message: &nlmsg::Message<'_>) -> What {
    match message.header.ty {
        proto::TLV_SUMMARY => What::Summary(TlvSummary::parse(message.payload)),
        // The payload is TLV records, not attributes: an offset the kernel
        // points at is shown as a byte position (attributes "start" past the
        // end, so none is looked for).
        nlmsg::ERROR => match KernelError::from_message(message, None, usize::MAX) {
            Ok(None) => What::Ack,
            Ok(Some(e)) => What::Error(e),
            Err(_) => What::Other,
        },
        _ => What::Other,
    }
}
// ANCHOR_END: decode

/// The receiver thread's loop: every message of every datagram goes to
/// `answers`, until `stop` is hung up (the session is closing), the socket
/// fails or the other end of the channel is gone.
pub fn receiver(sock: Arc<Socket>, stop: UnixStream, answers: Sender<Answer>) -> io::Result<()> {
    let mut buf = vec![0u8; proto::RECV_BUF_LEN];
    while sock.wait(stop.as_fd())? == Ready::Datagram {
        let datagram = sock.recv(&mut buf)?;
        for message in datagram.messages() {
            let message = message.map_err(io::Error::other)?;
            let answer = Answer { header: message.header, multicast: datagram.is_multicast(), what: decode(&message) };
            if answers.send(answer).is_err() {
                return Ok(()); // nobody waits for answers any more
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use wire::nlmsg::Messages;
    use wire::writer::Writer;

    /// A summary message the way the module builds it decodes to its four
    /// numbers; a payload of the wrong size is reported, not misread; an
    /// error carries its errno.
    #[test]
    fn summaries_decode() {
        let s = TlvSummary { names: 2, websites: 1, ids: 3, skipped: 1 };
        let mut buf = [0u8; 256];
        let mut w = Writer::new(&mut buf);
        w.message(proto::TLV_SUMMARY, 0, 7, 0, &s.to_bytes()).unwrap();
        w.message(proto::TLV_SUMMARY, 0, 8, 0, &[0; 15]).unwrap();
        let request = Header::new(proto::TLV_RECORDS, nlmsg::F_REQUEST, 9, 0);
        w.error(&request, 0, wire::errno::EINVAL).unwrap();
        w.ack(&request, 0).unwrap();
        let got: Vec<_> = Messages::new(w.as_bytes()).map(|m| decode(&m.unwrap())).collect();
        assert_eq!(got[0], What::Summary(Ok(s)));
        assert_eq!(got[1], What::Summary(Err(wire::Error::BadSize)));
        assert_eq!(got[2], What::Error(KernelError::from_errno(wire::errno::EINVAL)));
        assert_eq!(got[3], What::Ack);
    }
}
