//! One netlink socket: open and bind, options, send, receive, wait.

use nix::errno::Errno;
use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use nix::sys::socket::{self, sockopt, MsgFlags, NetlinkAddr};
use nix::sys::time::TimeVal;
use std::io::{self, IoSliceMut};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};
use std::time::Duration;
use wire::nlmsg::{Header, Messages};

/// A netlink socket (`AF_NETLINK`, `SOCK_RAW`), bound to a port id the
/// kernel chose. Closed when dropped.
///
/// # Invariants
///
/// `fd` is an open netlink socket owned by this value, bound, and `port` is
/// the port id `getsockname` reported for it.
#[derive(Debug)]
pub struct Socket {
    fd: OwnedFd,
    port: u32,
}

/// One datagram received from the kernel: the bytes of one or more netlink
/// messages, and where it was sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Datagram<'b> {
    /// The messages, back to back (walk them with [`Datagram::messages`]).
    pub bytes: &'b [u8],
    /// `nl_groups` of the sender's address: 0 for a unicast datagram, the
    /// bit of its group (bit N-1 for group N) for a multicast one. A group
    /// above 32 has no bit and shows as 0 (`netlink_group_mask()` in
    /// `net/netlink/af_netlink.c`).
    pub groups: u32,
}

impl<'b> Datagram<'b> {
    /// True if the kernel sent it to a multicast group: a notification, never
    /// an answer to a request.
    pub fn is_multicast(&self) -> bool {
        self.groups != 0
    }

    /// The messages of the datagram; each header is checked on the way
    /// (`wire::nlmsg::Messages`).
    pub fn messages(&self) -> Messages<'b> {
        Messages::new(self.bytes)
    }
}

/// What [`Socket::wait`] saw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ready {
    /// The socket has a datagram (or an error, such as `ENOBUFS`) to read.
    Datagram,
    /// The stop descriptor became readable or was hung up.
    Stop,
}

impl Socket {
    /// Opens a netlink socket on `protocol` (31 for the course's modules,
    /// `libc::NETLINK_ROUTE` for the kernel's routing) and binds it to port
    /// id 0, which asks the kernel to choose a free one; see [`Socket::port`].
    ///
    /// Errors: `EPROTONOSUPPORT` when no kernel module serves `protocol`
    /// (for 31: the lesson's module is not loaded); the errors of
    /// `socket(2)` and `bind(2)`.
    pub fn open(protocol: i32) -> io::Result<Socket> {
        Socket::open_with_groups(protocol, 0)
    }

    /// Like [`Socket::open`], also joining the multicast groups of the
    /// bitmask `groups` (bit N-1 for group N, groups 1 to 32 only; see
    /// [`Socket::add_membership`] for any group).
    ///
    /// Joining needs the protocol to let this user receive
    /// (`NL_CFG_F_NONROOT_RECV`), else `EPERM`.
    pub fn open_with_groups(protocol: i32, groups: u32) -> io::Result<Socket> {
        // nix's `socket()` takes a `SockProtocol`, which lists the kernel's
        // own protocols only: protocol 31 cannot be named. So, raw:
        // SAFETY: socket(2) takes three integers, borrows nothing and returns
        // a new descriptor or -1.
        let fd = unsafe { libc::socket(libc::AF_NETLINK, libc::SOCK_RAW | libc::SOCK_CLOEXEC, protocol) };
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: `fd` was just returned by socket(2): it is open, and nothing
        // else owns it.
        let fd = unsafe { OwnedFd::from_raw_fd(fd) };
        socket::bind(fd.as_raw_fd(), &NetlinkAddr::new(0, groups))?;
        let me: NetlinkAddr = socket::getsockname(fd.as_raw_fd())?;
        Ok(Socket { fd, port: me.pid() })
    }

    /// The port id the kernel gave the socket at `bind`: the `nlmsg_pid` to
    /// put in requests, and the one the kernel puts in its answers. Unique
    /// among the protocol's sockets; the first socket of a process usually
    /// gets the process id, the next ones other numbers.
    pub fn port(&self) -> u32 {
        self.port
    }

    // -----------------------------------------------------------------
    // Options
    // -----------------------------------------------------------------

    /// Sets an `int` option of level `SOL_NETLINK` (`netlink_setsockopt()`
    /// in `net/netlink/af_netlink.c` reads an `unsigned int`).
    fn set_netlink_option(&self, name: libc::c_int, value: u32) -> io::Result<()> {
        // nix has no SOL_NETLINK options: raw setsockopt.
        // SAFETY: `value` lives until the call returns and the length given
        // is its size; the kernel only reads that many bytes. `self.fd` is an
        // open socket (type invariant).
        let ret = unsafe {
            libc::setsockopt(
                self.fd.as_raw_fd(),
                libc::SOL_NETLINK,
                name,
                (&value as *const u32).cast(),
                std::mem::size_of::<u32>() as libc::socklen_t,
            )
        };
        if ret < 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(())
    }

    /// `NETLINK_EXT_ACK`: error answers carry extended-ACK attributes (the
    /// kernel's message, the offset of the bad attribute, a missing
    /// attribute's type), which [`KernelError`](crate::KernelError) reads.
    pub fn set_ext_ack(&self, on: bool) -> io::Result<()> {
        self.set_netlink_option(libc::NETLINK_EXT_ACK, on.into())
    }

    /// `NETLINK_CAP_ACK`: error answers carry only the request's header, not
    /// its payload too (`NLM_F_CAPPED`). Off by default: the echo lets an
    /// error be traced back to a request of a batch.
    pub fn set_cap_ack(&self, on: bool) -> io::Result<()> {
        self.set_netlink_option(libc::NETLINK_CAP_ACK, on.into())
    }

    /// `NETLINK_GET_STRICT_CHK`: ask for strict checking of GET requests
    /// (rtnetlink then refuses unknown header fields and attributes in dump
    /// requests instead of ignoring them).
    pub fn set_strict_check(&self, on: bool) -> io::Result<()> {
        self.set_netlink_option(libc::NETLINK_GET_STRICT_CHK, on.into())
    }

    /// `NETLINK_ADD_MEMBERSHIP`: join multicast group `group` (its number,
    /// 1 or more, not a bitmask). `EINVAL` for a group the protocol does not
    /// have, `EPERM` when the protocol does not let this user receive.
    pub fn add_membership(&self, group: u32) -> io::Result<()> {
        self.set_netlink_option(libc::NETLINK_ADD_MEMBERSHIP, group)
    }

    /// `NETLINK_DROP_MEMBERSHIP`: leave multicast group `group`.
    pub fn drop_membership(&self, group: u32) -> io::Result<()> {
        self.set_netlink_option(libc::NETLINK_DROP_MEMBERSHIP, group)
    }

    /// `SO_RCVBUF`: ask for a receive queue of `bytes` bytes. The kernel
    /// doubles what it grants (for its bookkeeping) and caps the request at
    /// `net.core.rmem_max`.
    pub fn set_recv_buffer(&self, bytes: usize) -> io::Result<()> {
        Ok(socket::setsockopt(&self.fd, sockopt::RcvBuf, &bytes)?)
    }

    /// `SO_RCVTIMEO`: a blocking receive gives up after `timeout` (then
    /// [`Socket::recv`] fails with `ErrorKind::TimedOut`); `None` waits for
    /// ever. Microsecond resolution.
    pub fn set_recv_timeout(&self, timeout: Option<Duration>) -> io::Result<()> {
        let tv = TimeVal::from(libc::timeval {
            tv_sec: timeout.map_or(0, |t| t.as_secs().try_into().unwrap_or(libc::time_t::MAX)),
            tv_usec: timeout.map_or(0, |t| t.subsec_micros().into()),
        });
        Ok(socket::setsockopt(&self.fd, sockopt::ReceiveTimeout, &tv)?)
    }

    // -----------------------------------------------------------------
    // Send and receive
    // -----------------------------------------------------------------

    /// Sends `bytes` (one or more whole netlink messages) to the kernel,
    /// port id 0, in one datagram.
    ///
    /// Lesson 02 wraps the bytes in an `iovec` and a `msghdr` and calls
    /// `sendmsg`; here `nix`'s `sendto` does the same for one buffer and one
    /// address, safely. Retried on `EINTR` (nothing was sent then). Errors:
    /// `ECONNREFUSED` when the protocol's kernel socket is gone (the module
    /// was unloaded), `ENOBUFS`/`ENOMEM`, `EMSGSIZE` for a datagram bigger
    /// than the send buffer; a short send is `ErrorKind::WriteZero`.
    pub fn send(&self, bytes: &[u8]) -> io::Result<()> {
        let kernel = NetlinkAddr::new(0, 0);
        let sent = loop {
            match socket::sendto(self.fd.as_raw_fd(), bytes, &kernel, MsgFlags::empty()) {
                Err(Errno::EINTR) => continue,
                other => break other?,
            }
        };
        if sent != bytes.len() {
            return Err(io::Error::new(io::ErrorKind::WriteZero, format!("sent {sent} of {} bytes", bytes.len())));
        }
        Ok(())
    }

    /// Receives one datagram into `buf`, waiting for it (up to the receive
    /// timeout, if one is set).
    ///
    /// Retried on `EINTR`. Errors: `ErrorKind::TimedOut` when the timeout
    /// passed; `ENOBUFS` (as `raw_os_error`) when the receive queue
    /// overflowed and the kernel dropped messages since the last receive; a
    /// datagram that did not fit `buf` (`MSG_TRUNC`: the rest is lost) or
    /// that did not come from the kernel (`nl_pid` not 0) is
    /// `ErrorKind::InvalidData`.
    pub fn recv<'b>(&self, buf: &'b mut [u8]) -> io::Result<Datagram<'b>> {
        match self.receive(buf, MsgFlags::empty()) {
            Err(e) if e.raw_os_error() == Some(libc::EAGAIN) => {
                Err(io::Error::new(io::ErrorKind::TimedOut, "no answer from the kernel within the receive timeout"))
            }
            other => other,
        }
    }

    /// Like [`Socket::recv`], without waiting (`MSG_DONTWAIT`): `None` when
    /// nothing is queued.
    pub fn try_recv<'b>(&self, buf: &'b mut [u8]) -> io::Result<Option<Datagram<'b>>> {
        match self.receive(buf, MsgFlags::MSG_DONTWAIT) {
            Ok(d) => Ok(Some(d)),
            Err(e) if e.raw_os_error() == Some(libc::EAGAIN) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// `recvmsg` with `flags`, retried on `EINTR`, checked.
    fn receive<'b>(&self, buf: &'b mut [u8], flags: MsgFlags) -> io::Result<Datagram<'b>> {
        // MSG_TRUNC in the flags makes netlink return the datagram's real
        // length even when it did not fit, so the error can say how big it
        // was.
        let (len, from, truncated) = loop {
            let mut iov = [IoSliceMut::new(&mut *buf)];
            match socket::recvmsg::<NetlinkAddr>(self.fd.as_raw_fd(), &mut iov, None, flags | MsgFlags::MSG_TRUNC) {
                Ok(m) => break (m.bytes, m.address, m.flags.contains(MsgFlags::MSG_TRUNC)),
                Err(Errno::EINTR) => continue,
                Err(e) => return Err(e.into()),
            }
        };
        if truncated {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("a datagram of {len} bytes did not fit the {}-byte receive buffer", buf.len()),
            ));
        }
        let from = from.ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, "a datagram without a sender"))?;
        if from.pid() != 0 {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("a datagram from port {} instead of the kernel", from.pid()),
            ));
        }
        let buf: &'b [u8] = buf;
        Ok(Datagram { bytes: buf.get(..len).unwrap_or(buf), groups: from.groups() })
    }

    /// Waits until the socket has something to read or `stop` becomes
    /// readable or hung up (the other end of a pipe or socket pair closed):
    /// how a receiver thread can be told to end while it waits. Retried on
    /// `EINTR`; never times out.
    pub fn wait(&self, stop: BorrowedFd<'_>) -> io::Result<Ready> {
        loop {
            let mut fds = [PollFd::new(self.fd.as_fd(), PollFlags::POLLIN), PollFd::new(stop, PollFlags::POLLIN)];
            match poll(&mut fds, PollTimeout::NONE) {
                Ok(_) => {}
                Err(Errno::EINTR) => continue,
                Err(e) => return Err(e.into()),
            }
            let [sock, stop] = fds.map(|f| f.revents().is_some_and(|r| !r.is_empty()));
            if stop {
                return Ok(Ready::Stop);
            }
            if sock {
                return Ok(Ready::Datagram);
            }
        }
    }

    // -----------------------------------------------------------------
    // Replies
    // -----------------------------------------------------------------

    /// True if a message with `header`, received in a datagram that was
    /// multicast or not, answers our request number `seq`: the kernel sent
    /// it (every [`Datagram`] comes from the kernel), by unicast, with our
    /// `seq`, addressed to our port (`nlmsg_pid`, which the kernel sets to
    /// the requester's port in replies, ACKs and errors: `netlink_ack()`,
    /// `nlmsg_unicast()`).
    ///
    /// A notification of our own change can carry our `seq` and port too
    /// (rtnetlink and the course's modules copy them from the request); it
    /// comes by multicast, so it is no reply. (libmnl's `mnl_cb_run` also
    /// accepts a reply whose `nlmsg_pid` is 0; the kernel's answers never
    /// have one.)
    pub fn is_reply(&self, header: &Header, multicast: bool, seq: u32) -> bool {
        !multicast && header.seq == seq && header.pid == self.port
    }
}

impl AsFd for Socket {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }
}

impl AsRawFd for Socket {
    fn as_raw_fd(&self) -> RawFd {
        self.fd.as_raw_fd()
    }
}
