//! Opening a netlink socket with raw `libc` calls: `socket`, then `bind`.
//! (The same as in lesson 02, plus a receive timeout.)

use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::time::Duration;

/// Opens a netlink socket on `protocol` and binds it, letting the kernel pick
/// the port id. Returns the socket and its port id.
///
/// Port id 0 in `bind` asks the kernel to choose a free one, so that two
/// sockets of one process never collide.
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

/// Makes a blocking receive on `sock` give up after `timeout` (it then fails
/// with `WouldBlock`), so that a module that never answers cannot hang us.
pub fn set_receive_timeout(sock: &OwnedFd, timeout: Duration) -> io::Result<()> {
    let tv = libc::timeval {
        tv_sec: timeout.as_secs().try_into().unwrap_or(libc::time_t::MAX),
        tv_usec: timeout.subsec_micros().into(),
    };
    let len = std::mem::size_of::<libc::timeval>() as libc::socklen_t;
    // SAFETY: `tv` is a valid `timeval` of `len` bytes that outlives the call.
    let ret = unsafe {
        libc::setsockopt(
            sock.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_RCVTIMEO,
            (&tv as *const libc::timeval).cast(),
            len,
        )
    };
    if ret < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// NETLINK_ROUTE exists on every Linux host: two sockets in one process
    /// get two different, kernel-chosen port ids.
    #[test]
    fn two_sockets_get_two_ports() {
        let (_a, pa) = open(libc::NETLINK_ROUTE).unwrap();
        let (b, pb) = open(libc::NETLINK_ROUTE).unwrap();
        assert_ne!(pa, 0);
        assert_ne!(pa, pb);
        set_receive_timeout(&b, Duration::from_millis(1500)).unwrap();
    }
}
