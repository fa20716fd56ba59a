//! Opening a netlink socket with raw `libc` calls: `socket`, then `bind`.

use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};

// ANCHOR: open
/// Opens a netlink socket on `protocol` and binds it, letting the kernel pick
/// the port id. Returns the socket and its port id.
///
/// Port id 0 in `bind` asks the kernel to choose a free one (it starts with
/// the process id and finds another for the second socket of a process).
/// Choosing `getpid()` yourself, as many examples do, fails for the second.
pub fn open(protocol: i32) -> io::Result<(OwnedFd, u32)> {
    // SAFETY: `socket` takes plain integers and returns a new descriptor or -1.
    let fd = unsafe { libc::socket(libc::AF_NETLINK, libc::SOCK_RAW | libc::SOCK_CLOEXEC, protocol) };
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: `fd` is a descriptor we just opened and own; `OwnedFd` closes it.
    let sock = unsafe { OwnedFd::from_raw_fd(fd) };

    // SAFETY: all-zero bytes are a valid `sockaddr_nl` (family and ids 0).
    let mut addr: libc::sockaddr_nl = unsafe { std::mem::zeroed() };
    addr.nl_family = libc::AF_NETLINK as libc::sa_family_t;
    addr.nl_pid = 0; // the kernel assigns our port id
    addr.nl_groups = 0; // no multicast groups
    let len = std::mem::size_of::<libc::sockaddr_nl>() as libc::socklen_t;
    // SAFETY: `addr` is a valid `sockaddr_nl` of `len` bytes that outlives the call.
    if unsafe { libc::bind(fd, (&addr as *const libc::sockaddr_nl).cast(), len) } < 0 {
        return Err(io::Error::last_os_error());
    }

    // Ask which port id the kernel gave us.
    let mut len = len;
    // SAFETY: `addr` has room for `len` bytes; the kernel writes at most that.
    if unsafe { libc::getsockname(fd, (&mut addr as *mut libc::sockaddr_nl).cast(), &mut len) } < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok((sock, addr.nl_pid))
}
// ANCHOR_END: open

// ANCHOR: ext_ack
/// Asks the kernel for extended ACKs on `sock` (`NETLINK_EXT_ACK`): its
/// error answers then carry a message (and, for attributes, which one was
/// wrong) after the errno.
pub fn set_ext_ack(sock: &OwnedFd) -> io::Result<()> {
    let on: libc::c_int = 1;
    // SAFETY: `on` is an int that outlives the call, and the length given is
    // its size; the kernel only reads it.
    let ret = unsafe {
        libc::setsockopt(
            sock.as_raw_fd(),
            libc::SOL_NETLINK,
            libc::NETLINK_EXT_ACK,
            (&on as *const libc::c_int).cast(),
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        )
    };
    if ret < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}
// ANCHOR_END: ext_ack

#[cfg(test)]
mod tests {
    use super::*;

    /// NETLINK_ROUTE exists on every Linux host: two sockets in one process
    /// get two different, kernel-chosen port ids.
    #[test]
    fn two_sockets_get_two_ports() {
        let (_a, pa) = open(libc::NETLINK_ROUTE).unwrap();
        let (_b, pb) = open(libc::NETLINK_ROUTE).unwrap();
        assert_ne!(pa, 0);
        assert_ne!(pa, pb);
    }

    // ANCHOR: nix
    /// The same set-up with `nix`: the types say what is what, and errors
    /// come back as `Result` without checking -1 by hand.
    #[test]
    fn open_with_nix() {
        use nix::sys::socket::{
            bind, getsockname, socket, AddressFamily, NetlinkAddr, SockFlag, SockProtocol, SockType,
        };
        let fd =
            socket(AddressFamily::Netlink, SockType::Raw, SockFlag::SOCK_CLOEXEC, SockProtocol::NetlinkRoute).unwrap();
        bind(std::os::fd::AsRawFd::as_raw_fd(&fd), &NetlinkAddr::new(0, 0)).unwrap();
        let me: NetlinkAddr = getsockname(std::os::fd::AsRawFd::as_raw_fd(&fd)).unwrap();
        assert_ne!(me.pid(), 0);
    }
    // ANCHOR_END: nix
}
