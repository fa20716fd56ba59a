//! Creating and deleting the nlmon device: one rtnetlink request each, on a
//! `NETLINK_ROUTE` socket, answered by an ACK or an error.

use nix::sys::socket::{self, AddressFamily, MsgFlags, NetlinkAddr, SockFlag, SockProtocol, SockType};
use nltrace::cooked::Cooked;
use nltrace::listing::Listing;
use nltrace::pcap::Frame;
use nltrace::route;
use std::io;
use std::os::fd::AsRawFd;
use std::time::{Duration, SystemTime};
use wire::nlmsg::Messages;

/// Sends one request on a fresh `NETLINK_ROUTE` socket and waits for its
/// ACK; the kernel's error becomes an `io::Error` with its errno. With
/// `show`, prints both messages as the listing shows them.
fn request(bytes: &[u8], show: bool) -> io::Result<()> {
    let sock =
        socket::socket(AddressFamily::Netlink, SockType::Raw, SockFlag::SOCK_CLOEXEC, SockProtocol::NetlinkRoute)?;
    let kernel = NetlinkAddr::new(0, 0);
    let sent = now();
    socket::sendto(sock.as_raw_fd(), bytes, &kernel, MsgFlags::empty())?;
    let mut buf = vec![0u8; 8192];
    let n = socket::recv(sock.as_raw_fd(), &mut buf, MsgFlags::empty())?;
    let answer = &buf[..n];
    if show {
        let mut listing = Listing::new();
        for (time, data) in [(sent, bytes), (now(), answer)] {
            let frame = Frame {
                time,
                cooked: Cooked::netlink(nltrace::names::NETLINK_ROUTE),
                data: data.to_vec(),
                len: data.len(),
            };
            for line in listing.frame(&frame) {
                println!("  {line}");
            }
        }
    }
    for m in Messages::new(answer) {
        let m = m.map_err(io::Error::other)?;
        if let Some(e) = m.error_payload() {
            let e = e.map_err(io::Error::other)?;
            return if e.is_ack() { Ok(()) } else { Err(io::Error::from_raw_os_error(e.errno())) };
        }
    }
    Err(io::Error::other("the kernel answered without an ACK"))
}

fn now() -> Duration {
    SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).unwrap_or_default()
}

/// Creates the nlmon device `name`, up, and returns its interface index.
pub fn create(name: &str, show: bool) -> io::Result<u32> {
    let mut buf = [0u8; 128];
    let bytes = route::new_nlmon(&mut buf, name, 1).map_err(io::Error::other)?;
    request(bytes, show).map_err(|e| match e.raw_os_error() {
        Some(libc::EEXIST) => io::Error::new(e.kind(), format!("{name} exists already: is another nltrace running?")),
        Some(libc::EOPNOTSUPP) => {
            io::Error::new(e.kind(), "the kernel does not know the link kind nlmon: it needs CONFIG_NLMON")
        }
        _ => io::Error::new(e.kind(), format!("creating {name}: {e}")),
    })?;
    Ok(nix::net::if_::if_nametoindex(name)?)
}

/// Deletes the device `name`.
pub fn delete(name: &str) -> io::Result<()> {
    let mut buf = [0u8; 64];
    let bytes = route::del_link(&mut buf, name, 2).map_err(io::Error::other)?;
    request(bytes, false)
}
