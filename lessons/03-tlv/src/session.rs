//! A session with the tlv module: a socket, its receiver thread, and
//! requests matched to their answers by sequence number (lesson 02's design).

use crate::receive::{self, Answer};
use crate::send;
use std::io;
use std::os::fd::{AsFd, OwnedFd};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::Arc;
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};
use wire::proto::{self, TlvSummary};
use wire::{errno, nlmsg};

/// How long to wait for the kernel's answers to one request.
const TIMEOUT: Duration = Duration::from_secs(2);

/// An open socket talking to the tlv module.
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
                io::Error::new(e.kind(), "netlink protocol 31 is not served: is the tlv module loaded?")
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

    /// Sends `tlvs` as a TLV_RECORDS request and waits for the summary (and
    /// the ACK when `ack` is set). Returns the summary and the request's
    /// sequence number.
    pub fn records(&mut self, tlvs: &[u8], ack: bool) -> io::Result<(TlvSummary, u32)> {
        let seq = self.next_seq;
        self.next_seq = self.next_seq.wrapping_add(1);
        let flags = if ack { nlmsg::F_ACK } else { 0 };
        send::send(self.sock.as_fd(), proto::TLV_RECORDS, flags, seq, self.port, tlvs)?;

        let deadline = Instant::now() + TIMEOUT;
        let (mut summary, mut acked) = (None, !ack);
        while summary.is_none() || !acked {
            match self.answers.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
                Ok(Answer::Summary { seq: s, summary: got }) if s == seq => {
                    summary = Some(got.map_err(|e| io::Error::other(format!("a summary I cannot read: {e}")))?);
                }
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
        Ok((summary.unwrap_or_default(), seq))
    }

    /// Why the receiver thread stopped.
    fn receiver_error(&mut self) -> io::Error {
        match self.receiver.take().map(JoinHandle::join) {
            Some(Ok(Err(e))) => io::Error::new(e.kind(), format!("receiving failed: {e}")),
            _ => io::Error::other("the receiver thread stopped"),
        }
    }
}
