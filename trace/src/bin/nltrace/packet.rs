//! The packet socket that reads the nlmon device: what libpcap does for
//! `tcpdump -i nlmon0`, in a few system calls.
//!
//! * `socket(AF_PACKET, SOCK_DGRAM, 0)`: a "cooked" packet socket, which
//!   hands out each frame without a link-layer header (nlmon has none) and
//!   describes it in a `struct sockaddr_ll`;
//! * `bind` to the device with protocol `ETH_P_ALL`: every frame of it. Only
//!   `ETH_P_ALL` sockets see frames a device *sends* (`dev_queue_xmit_nit()`
//!   walks `ptype_all` only), and nlmon's frames are all sent;
//! * `SO_TIMESTAMPNS`: the time each frame was seen, with each frame;
//! * `recvmsg(..., MSG_TRUNC)`: the frame, and its real length even when it
//!   did not fit the buffer.

use nix::errno::Errno;
use nix::sys::socket::{self, sockopt, AddressFamily, ControlMessageOwned, LinkAddr, MsgFlags, SockFlag, SockType};
use nix::sys::time::TimeVal;
use std::io::{self, IoSliceMut};
use std::os::fd::{AsRawFd, OwnedFd};
use std::time::{Duration, SystemTime};

/// One frame received.
pub struct Received {
    /// When the kernel saw it.
    pub time: Duration,
    /// `sll_protocol`: the netlink protocol, as the tap set it.
    pub protocol: u16,
    /// `sll_pkttype`.
    pub pkttype: u8,
    /// `sll_hatype`.
    pub hatype: u16,
    /// Bytes received into the buffer.
    pub kept: usize,
    /// The frame's real length.
    pub len: usize,
}

/// A packet socket bound to one device.
pub struct PacketSocket {
    fd: OwnedFd,
}

/// How much the socket may queue: a dump of lesson 05 may send hundreds of
/// frames faster than the capture writes them.
const RCVBUF: usize = 8 << 20;

impl PacketSocket {
    /// Opens the socket on the device of index `ifindex`. Needs
    /// `CAP_NET_RAW` (root in the lab) and packet sockets in the kernel
    /// (`CONFIG_PACKET`).
    pub fn open(ifindex: u32) -> io::Result<PacketSocket> {
        let fd = socket::socket(AddressFamily::Packet, SockType::Datagram, SockFlag::SOCK_CLOEXEC, None).map_err(
            |e| match e {
                Errno::EAFNOSUPPORT => io::Error::other("the kernel has no packet sockets: it needs CONFIG_PACKET"),
                e => io::Error::other(format!("socket(AF_PACKET): {e}")),
            },
        )?;
        // As root the limit of net.core.rmem_max does not apply; otherwise
        // take what is allowed.
        if socket::setsockopt(&fd, sockopt::RcvBufForce, &RCVBUF).is_err() {
            socket::setsockopt(&fd, sockopt::RcvBuf, &RCVBUF)?;
        }
        socket::setsockopt(&fd, sockopt::ReceiveTimestampns, &true)?;
        // Wake up now and then to see whether a signal asked us to stop.
        socket::setsockopt(&fd, sockopt::ReceiveTimeout, &TimeVal::new(0, 200_000))?;

        let addr = libc::sockaddr_ll {
            sll_family: libc::AF_PACKET as u16,
            sll_protocol: (libc::ETH_P_ALL as u16).to_be(),
            sll_ifindex: ifindex as i32,
            sll_hatype: 0,
            sll_pkttype: 0,
            sll_halen: 0,
            sll_addr: [0; 8],
        };
        // SAFETY: `addr` is a fully initialised `sockaddr_ll` that lives for
        // the call, and the length passed is its size; `fd` is an open socket.
        let rc = unsafe {
            libc::bind(
                fd.as_raw_fd(),
                (&raw const addr).cast::<libc::sockaddr>(),
                size_of::<libc::sockaddr_ll>() as libc::socklen_t,
            )
        };
        if rc != 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(PacketSocket { fd })
    }

    /// Receives the next frame into `buf`. `wait`: block (for at most the
    /// socket's 200 ms timeout); otherwise only take what is queued. `None`
    /// when nothing came (timeout, nothing queued, or a signal).
    pub fn next(&self, buf: &mut [u8], wait: bool) -> io::Result<Option<Received>> {
        let mut iov = [IoSliceMut::new(buf)];
        let mut cmsg = nix::cmsg_space!(nix::sys::time::TimeSpec);
        let flags = if wait { MsgFlags::MSG_TRUNC } else { MsgFlags::MSG_TRUNC | MsgFlags::MSG_DONTWAIT };
        let msg = match socket::recvmsg::<LinkAddr>(self.fd.as_raw_fd(), &mut iov, Some(&mut cmsg), flags) {
            Ok(m) => m,
            Err(Errno::EAGAIN | Errno::EINTR) => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        let mut time = None;
        for c in msg.cmsgs()? {
            if let ControlMessageOwned::ScmTimestampns(ts) = c {
                time = Some(Duration::new(ts.tv_sec() as u64, ts.tv_nsec() as u32));
            }
        }
        let time = time.unwrap_or_else(|| SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).unwrap_or_default());
        let addr = msg.address.ok_or_else(|| io::Error::other("a frame without its sockaddr_ll"))?;
        let len = msg.bytes;
        Ok(Some(Received {
            time,
            protocol: u16::from_be(addr.protocol()),
            pkttype: addr.pkttype(),
            hatype: addr.hatype(),
            kept: len.min(buf.len()),
            len,
        }))
    }

    /// Frames the kernel passed to the socket and frames it dropped because
    /// the socket's queue was full, since the last call
    /// (`PACKET_STATISTICS`, which resets them).
    pub fn statistics(&self) -> io::Result<(u32, u32)> {
        let mut stats = libc::tpacket_stats { tp_packets: 0, tp_drops: 0 };
        let mut len = size_of::<libc::tpacket_stats>() as libc::socklen_t;
        // SAFETY: `stats` and `len` are valid for writes and `len` holds the
        // size of `stats`, as getsockopt requires; `fd` is an open socket.
        let rc = unsafe {
            libc::getsockopt(
                self.fd.as_raw_fd(),
                libc::SOL_PACKET,
                libc::PACKET_STATISTICS,
                (&raw mut stats).cast(),
                &mut len,
            )
        };
        if rc != 0 {
            return Err(io::Error::last_os_error());
        }
        // tp_packets counts the dropped frames too.
        Ok((stats.tp_packets.saturating_sub(stats.tp_drops), stats.tp_drops))
    }
}
