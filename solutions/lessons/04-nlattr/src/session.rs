//! A session with the person module: a socket (the shared `nlsock`), and
//! requests matched to their answers.

use crate::reply::{self, ReplyAttr};
use crate::request::{self, Person};
use nlsock::{KernelError, Socket};
use std::io;
use std::time::Duration;
use wire::{nlmsg, proto};

/// How long to wait for each answer of the kernel.
const TIMEOUT: Duration = Duration::from_secs(2);

/// What the kernel answered to one PERSON_SET.
#[derive(Debug)]
pub struct Answer {
    /// The request's sequence number.
    pub seq: u32,
    /// The attributes of the PERSON_REPLY, in order.
    pub attrs: Vec<ReplyAttr>,
}

/// An open socket talking to the person module.
pub struct Session {
    sock: Socket,
    /// The port id the kernel gave our socket.
    pub port: u32,
    next_seq: u32,
    buf: Vec<u8>,
}

impl Session {
    /// Opens a socket on the course protocol, with extended ACKs and a
    /// receive timeout.
    pub fn open() -> io::Result<Session> {
        let sock = Socket::open(proto::NETLINK_COURSE).map_err(|e| {
            if e.raw_os_error() == Some(libc::EPROTONOSUPPORT) {
                io::Error::new(e.kind(), "netlink protocol 31 is not served: is the person module loaded?")
            } else {
                e
            }
        })?;
        sock.set_ext_ack(true)?;
        sock.set_recv_timeout(Some(TIMEOUT))?;
        Ok(Session { port: sock.port(), sock, next_seq: 1, buf: vec![0; proto::RECV_BUF_LEN] })
    }

    // ANCHOR: register
    /// Sends a PERSON_SET for `person` and waits for its answers: the
    /// PERSON_REPLY, then the ACK. An error answer ends the wait, with what
    /// the kernel said and which attribute it blamed.
    pub fn register(&mut self, person: &Person) -> io::Result<Answer> {
        let seq = self.next_seq;
        self.next_seq = self.next_seq.wrapping_add(1);
        let mut buf = vec![0u8; person.request_capacity()];
        let bytes = request::request(&mut buf, person, seq, self.port)?;
        self.sock.send(bytes)?;

        let (mut attrs, mut acked) = (None, false);
        while attrs.is_none() || !acked {
            let datagram = self.sock.recv(&mut self.buf)?;
            for message in datagram.messages() {
                let message = message.map_err(io::Error::other)?;
                if !self.sock.is_reply(&message.header, datagram.is_multicast(), seq) {
                    continue; // an answer to an earlier request
                }
                match message.header.ty {
                    nlmsg::ERROR => match KernelError::from_message(&message, Some(bytes), nlmsg::HDRLEN) {
                        Ok(None) => acked = true,
                        Ok(Some(e)) => {
                            let why = e.describe(&request::attr_name);
                            return Err(io::Error::other(format!("request {seq}: the kernel answered {why}")));
                        }
                        Err(e) => return Err(io::Error::other(format!("a broken NLMSG_ERROR: {e}"))),
                    },
                    proto::PERSON_REPLY => {
                        let decoded = reply::decode(message.payload)
                            .map_err(|e| io::Error::other(format!("request {seq}: a broken PERSON_REPLY: {e}")))?;
                        attrs = Some(decoded);
                    }
                    _ => {} // a message type we do not know: not ours to read
                }
            }
        }
        Ok(Answer { seq, attrs: attrs.unwrap_or_default() })
    }
    // ANCHOR_END: register
}
