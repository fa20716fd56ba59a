//! A greeting session: a socket, its receiver thread, and requests matched
//! to their answers by sequence number.

use crate::receive::{self, Answer};
use crate::send;
use std::io;
use std::os::fd::{AsFd, OwnedFd};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::Arc;
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};
use wire::{errno, nlmsg, proto};

/// How long to wait for the kernel's answers to one request.
const TIMEOUT: Duration = Duration::from_secs(2);

/// An open socket talking to the greet module.
pub struct Session {
    sock: Arc<OwnedFd>,
    /// The port id the kernel gave our socket.
    pub port: u32,
    next_seq: u32,
    answers: Receiver<Answer>,
    receiver: Option<JoinHandle<io::Result<()>>>,
}

impl Session {
    /// Opens a socket on the course protocol and starts its receiver thread.
    pub fn open() -> io::Result<Session> {
        let (sock, port) = crate::socket::open(proto::NETLINK_COURSE).map_err(|e| {
            if e.raw_os_error() == Some(libc::EPROTONOSUPPORT) {
                io::Error::new(e.kind(), "netlink protocol 31 is not served: is the greet module loaded?")
            } else {
                e
            }
        })?;
        let sock = Arc::new(sock);
        let (tx, answers) = mpsc::channel();
        let for_thread = Arc::clone(&sock);
        let receiver =
            thread::Builder::new().name("receiver".into()).spawn(move || receive::receiver(for_thread, tx))?;
        Ok(Session { sock, port, next_seq: 1, answers, receiver: Some(receiver) })
    }

    /// Sends a GREET with `text` and waits for its answers: the reply, and
    /// the ACK when `ack` is set. Answers to other requests are skipped.
    pub fn greet(&mut self, text: &str, ack: bool) -> io::Result<String> {
        let seq = self.next_seq;
        self.next_seq = self.next_seq.wrapping_add(1);
        let flags = if ack { nlmsg::F_ACK } else { 0 };
        send::send(self.sock.as_fd(), proto::GREET, flags, seq, self.port, text.as_bytes())?;

        let deadline = Instant::now() + TIMEOUT;
        let (mut reply, mut acked) = (None, !ack);
        while reply.is_none() || !acked {
            match self.answers.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
                Ok(Answer::Reply { seq: s, text }) if s == seq => reply = Some(text),
                Ok(Answer::Ack { seq: s }) if s == seq => acked = true,
                Ok(Answer::Error { seq: s, errno: e }) if s == seq => {
                    return Err(io::Error::other(format!(
                        "the kernel answered {} ({})",
                        errno::name(e),
                        errno::describe(e)
                    )));
                }
                Ok(_) => continue, // an answer to another request
                Err(RecvTimeoutError::Timeout) => {
                    return Err(io::Error::new(
                        io::ErrorKind::TimedOut,
                        format!("no answer to request {seq} within {TIMEOUT:?}"),
                    ));
                }
                Err(RecvTimeoutError::Disconnected) => return Err(self.receiver_error()),
            }
        }
        Ok(reply.unwrap_or_default())
    }

    /// Why the receiver thread stopped.
    fn receiver_error(&mut self) -> io::Error {
        match self.receiver.take().map(JoinHandle::join) {
            Some(Ok(Err(e))) => io::Error::new(e.kind(), format!("receiving failed: {e}")),
            _ => io::Error::other("the receiver thread stopped"),
        }
    }
}
