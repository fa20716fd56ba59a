//! A session with rtnetlink: one `NETLINK_ROUTE` socket (the shared
//! `nlsock`), with extended ACKs and strict checking on, requests numbered
//! by sequence number, answers matched to their requests. Dumps are in
//! `dump.rs`.

use nlsock::{KernelError, Socket};
use std::fmt;
use std::io;
use std::time::Duration;
use wire::nlmsg::{self, Header, Message};
use wire::rtnl;

/// Room for one read. A dump fills its datagrams up to the size of the
/// reader's buffer (the kernel remembers the largest one seen, up to
/// 32 KiB), so a big buffer means fewer, fuller reads.
const RECV_BUF: usize = 32 * 1024;

/// How long to wait for an answer before giving up.
const TIMEOUT: Duration = Duration::from_secs(5);

/// What went wrong with a request.
#[derive(Debug)]
pub enum Failure {
    /// The kernel refused it: errno, and what its extended ACK said.
    Kernel(KernelError),
    /// The socket failed, nobody answered in time, or the program could not
    /// do what was asked (a name that is no interface...).
    Io(io::Error),
}

impl Failure {
    /// A failure of our own making, with `text` to show.
    pub fn other(text: impl Into<String>) -> Failure {
        Failure::Io(io::Error::other(text.into()))
    }
}

/// `EINVAL (Invalid argument): "Invalid prefix length"`, and the attribute
/// the kernel blames, by its name: `at attribute RTA_OIF (byte 40 of the
/// request)`.
impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Kernel(e) => f.write_str(&e.describe(&|path| path.last().and_then(|&t| rtnl::rta_name(t)))),
            Failure::Io(e) => write!(f, "{e}"),
        }
    }
}

impl From<wire::Error> for Failure {
    fn from(e: wire::Error) -> Failure {
        Failure::other(format!("building the request: {e}"))
    }
}

impl From<io::Error> for Failure {
    fn from(e: io::Error) -> Failure {
        Failure::Io(e)
    }
}

/// One message received, owned.
#[derive(Debug, Clone)]
pub struct Answer {
    /// Its netlink header.
    pub header: Header,
    /// Its payload: the family header (`struct rtmsg`...), then attributes.
    pub payload: Vec<u8>,
    /// It came by multicast: a notification, never an answer to a request.
    pub multicast: bool,
}

impl Answer {
    /// The errno of an `NLMSG_ERROR` (0 for an ACK), `None` for other types.
    pub fn error(&self) -> Option<i32> {
        if self.header.ty != nlmsg::ERROR {
            return None;
        }
        nlmsg::ErrorPayload::parse(&self.payload).ok().map(|e| e.errno())
    }

    /// The refusal this error answer (an `NLMSG_ERROR` with an error, or an
    /// `NLMSG_DONE` with a negative status) stands for. `request` is the
    /// request as sent: the kernel's offsets point into it; its attributes
    /// start at `attrs_at` (after the family header).
    pub fn refusal(&self, request: &[u8], attrs_at: usize) -> Failure {
        let message = Message { header: self.header, payload: &self.payload };
        match KernelError::from_message(&message, Some(request), attrs_at) {
            Ok(Some(e)) => Failure::Kernel(e),
            Ok(None) => Failure::other(format!("message type {} is no error", self.header.ty)),
            Err(e) => Failure::other(format!("a broken error answer: {e}")),
        }
    }
}

/// An open `NETLINK_ROUTE` socket.
pub struct Session {
    sock: Socket,
    /// The port id the kernel gave our socket.
    pub port: u32,
    next_seq: u32,
    buf: Vec<u8>,
}

impl Session {
    /// Opens a `NETLINK_ROUTE` socket bound to a kernel-chosen port, with
    /// `NETLINK_EXT_ACK` (errors carry the kernel's message),
    /// `NETLINK_GET_STRICT_CHK` (dump requests are checked, and their
    /// filters applied, by the kernel), and a 5 s receive timeout.
    pub fn open() -> io::Result<Session> {
        let sock = Socket::open(rtnl::NETLINK_ROUTE)?;
        sock.set_ext_ack(true)?;
        sock.set_strict_check(true)?;
        sock.set_recv_timeout(Some(TIMEOUT))?;
        Ok(Session { port: sock.port(), sock, next_seq: 1, buf: vec![0; RECV_BUF] })
    }

    /// The socket itself, for options and group membership.
    pub fn sock(&self) -> &Socket {
        &self.sock
    }

    /// A fresh sequence number for the next request.
    pub fn seq(&mut self) -> u32 {
        let seq = self.next_seq;
        self.next_seq = self.next_seq.wrapping_add(1);
        seq
    }

    /// Receives one datagram and returns its messages, owned.
    pub fn recv(&mut self) -> io::Result<Vec<Answer>> {
        let datagram = self.sock.recv(&mut self.buf)?;
        let multicast = datagram.is_multicast();
        datagram
            .messages()
            .map(|m| {
                let m = m.map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
                Ok(Answer { header: m.header, payload: m.payload.to_vec(), multicast })
            })
            .collect()
    }

    /// True if `answer` answers our request `seq`: unicast from the kernel,
    /// with that seq, to our port (`nlsock`'s rule). A notification of our
    /// own change carries our seq and port too, but comes by multicast.
    pub fn is_reply(&self, answer: &Answer, seq: u32) -> bool {
        self.sock.is_reply(&answer.header, answer.multicast, seq)
    }

    /// Sends `bytes` (whole messages) to the kernel in one datagram.
    pub fn send(&self, bytes: &[u8]) -> io::Result<()> {
        self.sock.send(bytes)
    }

    /// Sends `request` (one message with `NLM_F_ACK`, sequence number `seq`)
    /// and waits for its ACK or error. Returns the answers that came before
    /// the ACK (a GET's reply). Messages that are not answers to it
    /// (notifications, on a socket that joined a group) go to `other`.
    pub fn request(
        &mut self,
        request: &[u8],
        seq: u32,
        attrs_at: usize,
        mut other: impl FnMut(Answer),
    ) -> Result<Vec<Answer>, Failure> {
        self.sock.send(request)?;
        let mut replies = Vec::new();
        loop {
            for answer in self.recv()? {
                if !self.is_reply(&answer, seq) {
                    other(answer);
                    continue;
                }
                match answer.error() {
                    Some(0) => return Ok(replies),
                    Some(_) => return Err(answer.refusal(request, attrs_at)),
                    None => replies.push(answer),
                }
            }
        }
    }
}
