//! A greeting session: a socket, its receiver thread, and requests matched
//! to their answers by sequence number and port id.

use crate::receive::{self, Answer, What};
use crate::send;
use std::io;
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::net::UnixStream;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::Arc;
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};
use wire::{errno, nlmsg, proto};

/// How long to wait for the kernel's answers to one request.
const TIMEOUT: Duration = Duration::from_secs(2);

/// An open socket talking to the greet module. Dropping it ends the
/// receiver thread and closes the socket.
pub struct Session {
    sock: Arc<OwnedFd>,
    /// The port id the kernel gave our socket.
    pub port: u32,
    next_seq: u32,
    answers: Receiver<Answer>,
    receiver: Option<JoinHandle<io::Result<()>>>,
    /// Our end of the receiver's stop line: hanging it up ends the thread.
    stop: Option<UnixStream>,
}

impl Session {
    /// Opens a socket on the course protocol, turns on extended ACKs and
    /// starts the receiver thread.
    pub fn open() -> io::Result<Session> {
        Session::open_on(proto::NETLINK_COURSE).map_err(|e| {
            if e.raw_os_error() == Some(libc::EPROTONOSUPPORT) {
                io::Error::new(e.kind(), "netlink protocol 31 is not served: is the greet module loaded?")
            } else {
                e
            }
        })
    }

    /// [`Session::open`] on any netlink protocol (the tests use the
    /// kernel's NETLINK_ROUTE).
    fn open_on(protocol: i32) -> io::Result<Session> {
        let (sock, port) = crate::socket::open(protocol)?;
        crate::socket::set_ext_ack(&sock)?;
        let sock = Arc::new(sock);
        let (tx, answers) = mpsc::channel();
        let (stop, stop_seen) = UnixStream::pair()?;
        let for_thread = Arc::clone(&sock);
        let receiver = thread::Builder::new()
            .name("receiver".into())
            .spawn(move || receive::receiver(for_thread, stop_seen, tx))?;
        Ok(Session { sock, port, next_seq: 1, answers, receiver: Some(receiver), stop: Some(stop) })
    }

    // ANCHOR: greet
    /// Sends a GREET with `text` and waits for its answers: the reply, and
    /// the ACK when `ack` is set. Answers to other requests are skipped: an
    /// answer is ours when it carries the request's sequence number and our
    /// port id.
    pub fn greet(&mut self, text: &str, ack: bool) -> io::Result<String> {
        let seq = self.next_seq;
        self.next_seq = self.next_seq.wrapping_add(1);
        let flags = if ack { nlmsg::F_ACK } else { 0 };
        send::send(self.sock.as_fd(), proto::GREET, flags, seq, self.port, text.as_bytes())?;

        let deadline = Instant::now() + TIMEOUT;
        let (mut reply, mut acked) = (None, !ack);
        while reply.is_none() || !acked {
            match self.answers.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
                // Ours: the request's seq, addressed to our port.
                Ok(a) if a.seq != seq || a.port != self.port => continue, // another request's answer
                Ok(Answer { what: What::Reply(text), .. }) => reply = Some(text),
                Ok(Answer { what: What::Ack, .. }) => acked = true,
                Ok(Answer { what: What::Error { errno: e, message }, .. }) => {
                    let said = message.map(|m| format!(": {m:?}")).unwrap_or_default();
                    return Err(io::Error::other(format!(
                        "the kernel answered {} ({}){said}",
                        errno::name(e),
                        errno::describe(e)
                    )));
                }
                Ok(_) => continue, // a message type we do not know
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
    // ANCHOR_END: greet

    /// Why the receiver thread stopped.
    fn receiver_error(&mut self) -> io::Error {
        match self.receiver.take().map(JoinHandle::join) {
            Some(Ok(Err(e))) => io::Error::new(e.kind(), format!("receiving failed: {e}")),
            _ => io::Error::other("the receiver thread stopped"),
        }
    }
}

// ANCHOR: drop
impl Drop for Session {
    /// Hangs up the stop line: the receiver's `poll` wakes, the thread
    /// returns and drops its handle on the socket; ours goes with `self`,
    /// and the socket is closed. (A thread left blocked in `recvmsg` would
    /// keep the socket open, and with it the module loaded, until the
    /// process exits.)
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(receiver) = self.receiver.take() {
            let _ = receiver.join();
        }
    }
}
// ANCHOR_END: drop

#[cfg(test)]
mod tests {
    use super::*;

    /// The port ids of the sockets of netlink `protocol` that are open, as
    /// /proc/net/netlink lists them (columns: sk, Eth = protocol, Pid = port).
    fn open_ports(protocol: i32) -> Vec<u32> {
        let table = std::fs::read_to_string("/proc/net/netlink").unwrap();
        table
            .lines()
            .skip(1)
            .filter_map(|l| {
                let f: Vec<&str> = l.split_whitespace().collect();
                (f.get(1)?.parse::<i32>().ok()? == protocol).then(|| f.get(2)?.parse().ok())?
            })
            .collect()
    }

    /// Dropping a session closes its socket at once, although its receiver
    /// thread was waiting for datagrams.
    #[test]
    fn drop_closes_the_socket() {
        let session = Session::open_on(libc::NETLINK_ROUTE).unwrap();
        let port = session.port;
        assert!(open_ports(libc::NETLINK_ROUTE).contains(&port));
        drop(session);
        assert!(!open_ports(libc::NETLINK_ROUTE).contains(&port), "port {port} is still open");
    }
}
