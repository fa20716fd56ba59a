//! A session with the tlv module: a socket, its receiver thread, and
//! requests matched to their answers (lesson 02's design, on the shared
//! socket layer `nlsock`).

use crate::receive::{self, Answer, What};
use nlsock::Socket;
use std::io;
use std::os::unix::net::UnixStream;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::Arc;
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};
use wire::nlmsg;
use wire::proto::{self, TlvSummary};
use wire::writer::Writer;

/// How long to wait for the kernel's answers to one request.
const TIMEOUT: Duration = Duration::from_secs(2);

/// An open socket talking to the tlv module. Dropping it ends the receiver
/// thread and closes the socket.
pub struct Session {
    sock: Arc<Socket>,
    /// The port id the kernel gave our socket.
    pub port: u32,
    next_seq: u32,
    answers: Receiver<Answer>,
    receiver: Option<JoinHandle<io::Result<()>>>,
    /// Our end of the receiver's stop line: hanging it up ends the thread.
    stop: Option<UnixStream>,
}

impl Session {
    /// Opens a socket on the course protocol, with extended ACKs, and starts
    /// its receiver thread.
    pub fn open() -> io::Result<Session> {
        Session::open_on(proto::NETLINK_COURSE).map_err(|e| {
            if e.raw_os_error() == Some(libc::EPROTONOSUPPORT) {
                io::Error::new(e.kind(), "netlink protocol 31 is not served: is the tlv module loaded?")
            } else {
                e
            }
        })
    }

    /// [`Session::open`] on any netlink protocol (the tests use the
    /// kernel's NETLINK_ROUTE).
    fn open_on(protocol: i32) -> io::Result<Session> {
        let sock = Socket::open(protocol)?;
        sock.set_ext_ack(true)?;
        let port = sock.port();
        let sock = Arc::new(sock);
        let (tx, answers) = mpsc::channel();
        let (stop, stop_seen) = UnixStream::pair()?;
        let for_thread = Arc::clone(&sock);
        let receiver = thread::Builder::new()
            .name("receiver".into())
            .spawn(move || receive::receiver(for_thread, stop_seen, tx))?;
        Ok(Session { sock, port, next_seq: 1, answers, receiver: Some(receiver), stop: Some(stop) })
    }

    // ANCHOR: records
    /// Sends `tlvs` as a TLV_RECORDS request and waits for the summary (and
    /// the ACK when `ack` is set). Returns the summary and the request's
    /// sequence number.
    pub fn records(&mut self, tlvs: &[u8], ack: bool) -> io::Result<(TlvSummary, u32)> {
        let seq = self.next_seq;
        self.next_seq = self.next_seq.wrapping_add(1);
        let flags = nlmsg::F_REQUEST | if ack { nlmsg::F_ACK } else { 0 };
        let mut buf = vec![0u8; nlmsg::space(tlvs.len()).ok_or(io::ErrorKind::InvalidInput)?];
        let mut w = Writer::new(&mut buf);
        w.message(proto::TLV_RECORDS, flags, seq, self.port, tlvs).map_err(io::Error::other)?;
        self.sock.send(w.as_bytes())?;

        let deadline = Instant::now() + TIMEOUT;
        let (mut summary, mut acked) = (None, !ack);
        while summary.is_none() || !acked {
            match self.answers.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
                // Ours: by unicast, with the request's seq, to our port.
                Ok(a) if !self.sock.is_reply(&a.header, a.multicast, seq) => continue,
                Ok(Answer { what: What::Summary(got), .. }) => {
                    summary = Some(got.map_err(|e| io::Error::other(format!("a summary I cannot read: {e}")))?);
                }
                Ok(Answer { what: What::Ack, .. }) => acked = true,
                Ok(Answer { what: What::Error(e), .. }) => {
                    return Err(io::Error::other(format!("the kernel answered {e}")));
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
        Ok((summary.unwrap_or_default(), seq))
    }
    // ANCHOR_END: records

    /// Why the receiver thread stopped.
    fn receiver_error(&mut self) -> io::Error {
        match self.receiver.take().map(JoinHandle::join) {
            Some(Ok(Err(e))) => io::Error::new(e.kind(), format!("receiving failed: {e}")),
            _ => io::Error::other("the receiver thread stopped"),
        }
    }
}

impl Drop for Session {
    /// Hangs up the stop line, so that the receiver thread returns and lets
    /// go of the socket; the socket closes with `self`.
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(receiver) = self.receiver.take() {
            let _ = receiver.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The port ids of the open sockets of netlink `protocol`, from
    /// /proc/net/netlink (columns: sk, Eth = protocol, Pid = port).
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

    #[test]
    fn drop_closes_the_socket() {
        let session = Session::open_on(libc::NETLINK_ROUTE).unwrap();
        let port = session.port;
        assert!(open_ports(libc::NETLINK_ROUTE).contains(&port));
        drop(session);
        assert!(!open_ports(libc::NETLINK_ROUTE).contains(&port), "port {port} is still open");
    }
}
