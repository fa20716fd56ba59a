//! Receiving from the kernel with `recvmsg`, on a thread of its own that
//! can be told to stop.

use std::io;
use std::os::fd::{AsRawFd, OwnedFd};
use std::os::unix::net::UnixStream;
use std::sync::mpsc::Sender;
use std::sync::Arc;
use wire::ext_ack::ErrorReply;
use wire::nlmsg::{self, Messages};
use wire::proto;

/// Room for what the module sends at once (the kernel's default netlink
/// buffer is a page or two; this is plenty for lesson 02).
const RECV_BUF: usize = 32 * 1024;

/// One message that arrived: whom it answers, and what it says.
#[derive(Debug, PartialEq, Eq)]
pub struct Answer {
    /// The sequence number of the request it answers.
    pub seq: u32,
    /// `nlmsg_pid`: the port it is addressed to (ours, in a reply).
    pub port: u32,
    /// What it says.
    pub what: What,
}

/// What a message says.
#[derive(Debug, PartialEq, Eq)]
pub enum What {
    /// A GREET_REPLY with its text.
    Reply(String),
    /// An ACK (NLMSG_ERROR with error 0).
    Ack,
    /// An error (NLMSG_ERROR with a negative errno), as a positive errno,
    /// with the kernel's message if the socket asked for extended ACKs.
    Error { errno: i32, message: Option<String> },
    /// Any other message (a type this program does not know).
    Other(u16),
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
    let n = loop {
        // SAFETY: `msg` points at `from` and `iov`, and `iov` at `buf`, all
        // of which outlive the call; recvmsg writes at most their stated
        // sizes.
        let n = unsafe { libc::recvmsg(sock.as_raw_fd(), &mut msg, 0) };
        if n >= 0 {
            break n;
        }
        let e = io::Error::last_os_error();
        if e.kind() != io::ErrorKind::Interrupted {
            return Err(e);
        }
        // EINTR: a signal interrupted the wait and nothing was received.
        // Not an error: wait again.
    };
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
    let what = match message.header.ty {
        proto::GREET_REPLY => {
            let text = message.payload.split(|&b| b == 0).next().unwrap_or_default();
            What::Reply(String::from_utf8_lossy(text).into_owned())
        }
        nlmsg::ERROR => match ErrorReply::parse(&message.header, message.payload) {
            Ok(e) if e.error.is_ack() => What::Ack,
            Ok(e) => What::Error { errno: e.error.errno(), message: e.ext_ack.msg.map(str::to_owned) },
            Err(_) => What::Other(nlmsg::ERROR),
        },
        ty => What::Other(ty),
    };
    Answer { seq: message.header.seq, port: message.header.pid, what }
}

/// Waits until `sock` has something to read (`true`) or `stop` can be read
/// or was hung up (`false`).
///
/// A thread blocked in `recvmsg` cannot be woken by closing the socket from
/// another thread, and a netlink socket has no `shutdown`; so the receiver
/// waits in `poll` on both: the socket, and a line the session hangs up
/// when it closes.
fn wait(sock: &OwnedFd, stop: &UnixStream) -> io::Result<bool> {
    let mut fds = [
        libc::pollfd { fd: sock.as_raw_fd(), events: libc::POLLIN, revents: 0 },
        libc::pollfd { fd: stop.as_raw_fd(), events: libc::POLLIN, revents: 0 },
    ];
    loop {
        // SAFETY: `fds` is an array of `fds.len()` pollfd structures that
        // outlives the call; poll writes only their `revents`.
        let n = unsafe { libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, -1) };
        if n < 0 {
            let e = io::Error::last_os_error();
            if e.kind() == io::ErrorKind::Interrupted {
                continue; // EINTR, as in recv
            }
            return Err(e);
        }
        let [socket, stop] = fds.map(|f| f.revents != 0);
        if stop {
            return Ok(false);
        }
        if socket {
            return Ok(true); // a datagram, or an error that recv reports
        }
    }
}

/// The receiver thread's loop: every message of every datagram goes to
/// `answers`, until `stop` is hung up, the socket fails or the other end of
/// the channel is gone. A receive error ends the loop and is returned: it
/// is not ignored.
pub fn receiver(sock: Arc<OwnedFd>, stop: UnixStream, answers: Sender<Answer>) -> io::Result<()> {
    let mut buf = vec![0u8; RECV_BUF];
    while wait(&sock, &stop)? {
        let n = recv(&sock, &mut buf)?;
        for message in Messages::new(&buf[..n]) {
            let message = message.map_err(io::Error::other)?;
            if answers.send(decode(&message)).is_err() {
                return Ok(()); // nobody waits for answers any more
            }
        }
    }
    Ok(()) // told to stop: the session is closing
}
