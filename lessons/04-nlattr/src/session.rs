//! A session with the person module: a socket, and requests matched to
//! their answers by sequence number.

use crate::reply::{self, ReplyAttr};
use crate::request::{self, Person};
use crate::{receive, send, socket};
use std::io;
use std::os::fd::{AsFd, OwnedFd};
use std::time::Duration;
use wire::nlmsg::Messages;
use wire::{errno, proto};

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
    sock: OwnedFd,
    /// The port id the kernel gave our socket.
    pub port: u32,
    next_seq: u32,
    buf: Vec<u8>,
}

impl Session {
    /// Opens a socket on the course protocol, with a receive timeout.
    pub fn open() -> io::Result<Session> {
        let (sock, port) = socket::open(proto::NETLINK_COURSE).map_err(|e| {
            if e.raw_os_error() == Some(libc::EPROTONOSUPPORT) {
                io::Error::new(e.kind(), "netlink protocol 31 is not served: is the person module loaded?")
            } else {
                e
            }
        })?;
        socket::set_receive_timeout(&sock, TIMEOUT)?;
        Ok(Session { sock, port, next_seq: 1, buf: vec![0; proto::RECV_BUF_LEN] })
    }

    /// Sends a PERSON_SET for `person` and waits for its answers: the
    /// PERSON_REPLY, then the ACK. An error answer ends the wait.
    pub fn register(&mut self, person: &Person) -> io::Result<Answer> {
        let seq = self.next_seq;
        self.next_seq = self.next_seq.wrapping_add(1);
        let mut buf = vec![0u8; person.request_capacity()];
        let bytes = request::request(&mut buf, person, seq, self.port)?;
        send::send_bytes(self.sock.as_fd(), bytes)?;

        let (mut attrs, mut acked) = (None, false);
        while attrs.is_none() || !acked {
            let n = receive::recv(&self.sock, &mut self.buf).map_err(|e| match e.kind() {
                io::ErrorKind::WouldBlock => {
                    io::Error::new(io::ErrorKind::TimedOut, format!("no answer to request {seq} within {TIMEOUT:?}"))
                }
                _ => e,
            })?;
            for message in Messages::new(&self.buf[..n]) {
                let message = message.map_err(io::Error::other)?;
                if message.header.seq != seq {
                    continue; // an answer to an earlier request
                }
                match message.error_payload() {
                    Some(Ok(e)) if e.is_ack() => acked = true,
                    Some(Ok(e)) => {
                        return Err(io::Error::other(format!(
                            "request {seq}: the kernel answered {} ({})",
                            errno::name(e.errno()),
                            errno::describe(e.errno())
                        )))
                    }
                    Some(Err(e)) => return Err(io::Error::other(format!("a broken NLMSG_ERROR: {e}"))),
                    None if message.header.ty == proto::PERSON_REPLY => {
                        let decoded = reply::decode(message.payload)
                            .map_err(|e| io::Error::other(format!("request {seq}: a broken PERSON_REPLY: {e}")))?;
                        attrs = Some(decoded);
                    }
                    None => {} // a message type we do not know: not ours to read
                }
            }
        }
        Ok(Answer { seq, attrs: attrs.unwrap_or_default() })
    }
}
