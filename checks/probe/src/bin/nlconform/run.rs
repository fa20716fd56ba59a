//! One case played against one protocol: its sockets, what it sent, what it
//! saw.

use crate::profile::{Profile, Request};
use crate::shape::{self, Context, Event, Sent};
use nlprobe::sock::{Received, Socket};
use std::io;
use std::time::Duration;
use wire::nlmsg::{self, Header};
use wire::writer::Writer;

/// Receive buffer for ordinary answers: the biggest answer of any case
/// fits (an `RTM_NEWLINK` of `lo` is about 1.5 KiB).
pub const BIG: usize = 32 * 1024;
/// Receive buffer for dumps: small, so that the dump takes several buffers
/// (the kernel sizes the next buffer by the last read, `max_recvmsg_len`).
pub const DUMP_BUF: usize = 8192;

/// A case in progress against one protocol.
pub struct Run<'a> {
    /// The protocol's requests.
    pub profile: &'a Profile,
    sock: Option<Socket>,
    other: Option<Socket>,
    sent: Sent,
    /// What the case saw, in order.
    pub events: Vec<Event>,
    /// Offset from the request header of the attribute the case broke.
    pub bad_offset: Option<u32>,
    /// Compare errno values (false: only that there was an error).
    pub errno_matters: bool,
    wait: Duration,
}

impl<'a> Run<'a> {
    /// A run against `profile`, waiting `wait` for answers that may still come.
    pub fn new(profile: &'a Profile, wait: Duration) -> Run<'a> {
        Run {
            profile,
            sock: None,
            other: None,
            sent: Sent::default(),
            events: Vec::new(),
            bad_offset: None,
            errno_matters: true,
            wait,
        }
    }

    /// Opens the requester's socket with netlink `options` turned on.
    pub fn open(&mut self, options: &[libc::c_int]) -> io::Result<()> {
        let s = Socket::open(self.profile.protocol)?;
        s.set_rcvbuf(1024 * 1024)?;
        for &o in options {
            s.enable(o)?;
        }
        self.sock = Some(s);
        Ok(())
    }

    /// Opens a second socket (whose port a case may write in `nlmsg_pid`).
    pub fn open_other(&mut self) -> io::Result<()> {
        self.other = Some(Socket::open(self.profile.protocol)?);
        Ok(())
    }

    /// The requester's socket.
    pub fn sock(&self) -> io::Result<&Socket> {
        self.sock.as_ref().ok_or_else(|| io::Error::other("the case sent before opening its socket"))
    }

    /// The second socket's port (0 if none).
    pub fn other_port(&self) -> u32 {
        self.other.as_ref().map_or(0, Socket::port)
    }

    /// Closes the requester's socket.
    pub fn close(&mut self) {
        self.sock = None;
    }

    /// Notes a step of the case in its transcript.
    pub fn step(&mut self, what: impl Into<String>) {
        self.events.push(Event::Step(what.into()));
    }

    /// Sends one datagram on the requester's socket. A `sendmsg` the
    /// kernel refuses (`ENODATA` for 0 bytes, `EMSGSIZE`...) is an event
    /// of the case, not a failure of the tool.
    pub fn send(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.sent.record(bytes);
        match self.sock()?.send(bytes) {
            Err(e) if e.raw_os_error().is_some() => {
                self.events.push(Event::SendError(e.raw_os_error().unwrap_or(0)));
                Ok(())
            }
            r => r,
        }
    }

    fn context(&self, me: u32) -> Context {
        let other = self.other.as_ref().map(Socket::port);
        Context { me, other, bad_offset: self.bad_offset, errno_matters: self.errno_matters }
    }

    /// Reads one datagram into a buffer of `size` bytes. False when nothing came.
    pub fn read_one(&mut self, size: usize) -> io::Result<bool> {
        let sock = self.sock()?;
        let ctx = self.context(sock.port());
        match sock.recv(size, self.wait)? {
            Received::Datagram(d) => {
                self.events.extend(shape::shapes(&d, &ctx, &self.sent));
                Ok(true)
            }
            Received::Error(e) => {
                self.events.push(Event::SocketError(e));
                Ok(true)
            }
            Received::Nothing => Ok(false),
        }
    }

    /// Reads everything that comes, with buffers of `size` bytes.
    pub fn drain_with(&mut self, size: usize) -> io::Result<()> {
        while self.read_one(size)? {}
        Ok(())
    }

    /// Reads everything that comes.
    pub fn drain(&mut self) -> io::Result<()> {
        self.drain_with(BIG)
    }

    /// Reads everything that came to the second socket, after a step that
    /// says so.
    pub fn drain_other(&mut self) -> io::Result<()> {
        self.step("on the other socket:");
        let Some(other) = self.other.as_ref() else { return Ok(()) };
        let ctx = self.context(other.port());
        loop {
            match other.recv(BIG, self.wait)? {
                Received::Datagram(d) => self.events.extend(shape::shapes(&d, &ctx, &self.sent)),
                Received::Error(e) => self.events.push(Event::SocketError(e)),
                Received::Nothing => return Ok(()),
            }
        }
    }

    /// `NLM_F_REQUEST | flags` on the profile's valid request, with `seq`.
    pub fn valid(&self, seq: u32, flags: u16) -> Vec<u8> {
        message(&self.profile.valid, nlmsg::F_REQUEST | flags, seq, 0)
    }
}

/// One message for `req`, with `flags` added to the request's own, padded.
pub fn message(req: &Request, flags: u16, seq: u32, pid: u32) -> Vec<u8> {
    raw(req.ty, req.flags | flags, seq, pid, &req.payload)
}

/// One message, padded to 4 bytes.
pub fn raw(ty: u16, flags: u16, seq: u32, pid: u32, payload: &[u8]) -> Vec<u8> {
    let mut buf = vec![0u8; payload.len() + 32];
    let mut w = Writer::new(&mut buf);
    // Cannot fail: the buffer has room for the header, payload and padding.
    w.message(ty, flags, seq, pid, payload).expect("the buffer fits the message");
    w.as_bytes().to_vec()
}

/// `m` without the padding after its last byte (`nlmsg_len` bytes).
pub fn unpadded(mut m: Vec<u8>) -> Vec<u8> {
    if let Ok(h) = Header::parse(&m) {
        m.truncate(h.len as usize);
    }
    m
}

/// `m` with its `nlmsg_len` replaced.
pub fn with_len(mut m: Vec<u8>, len: u32) -> Vec<u8> {
    if let Some(f) = m.get_mut(..4) {
        f.copy_from_slice(&len.to_ne_bytes());
    }
    m
}

/// The references held on `module` (`/proc/modules`), if it is loaded.
pub fn module_refs(module: &str) -> Option<u32> {
    let text = std::fs::read_to_string("/proc/modules").ok()?;
    text.lines().find_map(|l| {
        let mut f = l.split_whitespace();
        (f.next()? == module).then(|| f.nth(1)?.parse().ok()).flatten()
    })
}
