//! `nlsock` against the kernel's own netlink protocol, NETLINK_ROUTE, which
//! every Linux host has: the kernel is the oracle for what an error answer,
//! an extended ACK and a notification look like.

use nlsock::{KernelError, Pointer, Socket};
use std::io;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use wire::nlmsg::{self, Header};
use wire::writer::Writer;

/// `IFLA_IFNAME` (`include/uapi/linux/if_link.h`): a string of at most
/// IFNAMSIZ - 1 = 15 bytes (`ifla_policy` in net/core/rtnetlink.c).
const IFLA_IFNAME: u16 = 3;
/// Where the attributes of an RTM_*LINK message start: the 16-byte header,
/// then a 16-byte `struct ifinfomsg`.
const LINK_ATTRS_AT: usize = 32;

/// An RTM_GETLINK request for the interface named `name`, as `ip link show
/// NAME` sends it: `struct ifinfomsg` (all zero), then IFLA_IFNAME.
fn getlink(seq: u32, port: u32, name: &str) -> Vec<u8> {
    let mut buf = vec![0u8; 256];
    let mut w = Writer::new(&mut buf);
    let m = w.start(libc::RTM_GETLINK, nlmsg::F_REQUEST | nlmsg::F_ACK, seq, port).unwrap();
    w.put_payload(&[0u8; 16]).unwrap();
    w.put_str(IFLA_IFNAME, name).unwrap();
    let len = w.finish(m).unwrap();
    buf.truncate(len);
    buf
}

/// Sends `request` and returns the kernel's error answer to it.
fn error_for(sock: &Socket, request: &[u8], keep: bool) -> (Header, KernelError) {
    sock.send(request).unwrap();
    let seq = Header::parse(request).unwrap().seq;
    let mut buf = vec![0u8; 16384];
    loop {
        let d = sock.recv(&mut buf).unwrap();
        for m in d.messages() {
            let m = m.unwrap();
            if sock.is_reply(&m.header, d.is_multicast(), seq) {
                let kept = keep.then_some(request);
                let e = KernelError::from_message(&m, kept, LINK_ATTRS_AT).unwrap().expect("an error answer");
                return (m.header, e);
            }
        }
    }
}

fn name_of(path: &[u16]) -> Option<&'static str> {
    (path == [IFLA_IFNAME]).then_some("IFLA_IFNAME")
}

#[test]
fn two_sockets_get_two_ports() {
    let a = Socket::open(libc::NETLINK_ROUTE).unwrap();
    let b = Socket::open(libc::NETLINK_ROUTE).unwrap();
    assert_ne!(a.port(), 0);
    assert_ne!(a.port(), b.port());
}

#[test]
fn no_such_protocol() {
    // Protocol 30 is served by nothing on a usual kernel (31 may be a
    // course module on a lab host).
    let e = Socket::open(30).unwrap_err();
    assert_eq!(e.raw_os_error(), Some(libc::EPROTONOSUPPORT));
}

/// With NETLINK_EXT_ACK the kernel says what was wrong and where: a name of
/// 40 bytes fails IFLA_IFNAME's policy with ERANGE, at byte 32.
#[test]
fn ext_ack_names_the_bad_attribute() {
    let sock = Socket::open(libc::NETLINK_ROUTE).unwrap();
    sock.set_ext_ack(true).unwrap();
    let req = getlink(1, sock.port(), &"x".repeat(40));
    let (h, e) = error_for(&sock, &req, false);
    // The whole request came back (no NETLINK_CAP_ACK), then the attributes.
    assert!(!h.has(nlmsg::F_CAPPED));
    assert!(h.has(nlmsg::F_ACK_TLVS));
    assert_eq!(e.errno, libc::ERANGE);
    assert!(e.message.as_deref().is_some_and(|m| !m.is_empty()), "{e:?}");
    assert_eq!(e.bad_attr, Some(Pointer { offset: LINK_ATTRS_AT as u32, path: vec![IFLA_IFNAME] }));
    let text = e.describe(&name_of);
    assert!(text.starts_with("ERANGE (Numerical result out of range): \""), "{text}");
    assert!(text.ends_with(", at attribute IFLA_IFNAME (byte 32 of the request)"), "{text}");
}

/// Without NETLINK_EXT_ACK: the errno and the echoed request, nothing more.
#[test]
fn without_ext_ack_only_the_errno() {
    let sock = Socket::open(libc::NETLINK_ROUTE).unwrap();
    let req = getlink(7, sock.port(), &"x".repeat(40));
    let (h, e) = error_for(&sock, &req, false);
    assert!(!h.has(nlmsg::F_ACK_TLVS) && !h.has(nlmsg::F_CAPPED));
    assert_eq!((h.seq, h.pid), (7, sock.port()));
    assert_eq!(e, KernelError::from_errno(libc::ERANGE));
}

/// NETLINK_CAP_ACK: no echo, so the offset is only a number unless we kept
/// the request.
#[test]
fn capped_errors_need_the_request_kept() {
    let sock = Socket::open(libc::NETLINK_ROUTE).unwrap();
    sock.set_ext_ack(true).unwrap();
    sock.set_cap_ack(true).unwrap();
    let req = getlink(2, sock.port(), &"y".repeat(20));
    let (h, e) = error_for(&sock, &req, false);
    assert!(h.has(nlmsg::F_CAPPED));
    assert_eq!(e.bad_attr, Some(Pointer { offset: 32, path: vec![] }));
    let (_, e) = error_for(&sock, &req, true);
    assert_eq!(e.bad_attr, Some(Pointer { offset: 32, path: vec![IFLA_IFNAME] }));
}

/// A good request is ACKed: no error; the socket options can be turned off.
#[test]
fn a_good_request_is_no_error() {
    let sock = Socket::open(libc::NETLINK_ROUTE).unwrap();
    sock.set_ext_ack(true).unwrap();
    sock.set_strict_check(true).unwrap();
    sock.set_ext_ack(false).unwrap();
    sock.send(&getlink(3, sock.port(), "lo")).unwrap();
    let mut buf = vec![0u8; 16384];
    let mut acked = false;
    while !acked {
        let d = sock.recv(&mut buf).unwrap();
        for m in d.messages() {
            let m = m.unwrap();
            assert!(sock.is_reply(&m.header, d.is_multicast(), 3));
            assert_eq!(KernelError::from_message(&m, None, LINK_ATTRS_AT).unwrap(), None);
            acked = m.header.ty == nlmsg::ERROR;
        }
    }
    // Nothing left: a non-blocking receive says so.
    assert_eq!(sock.try_recv(&mut buf).unwrap(), None);
}

/// A datagram bigger than the buffer is an error, not a silent cut.
#[test]
fn truncation_is_an_error() {
    let sock = Socket::open(libc::NETLINK_ROUTE).unwrap();
    sock.send(&getlink(4, sock.port(), "lo")).unwrap();
    let mut small = [0u8; 20];
    let e = sock.recv(&mut small).unwrap_err();
    assert_eq!(e.kind(), io::ErrorKind::InvalidData);
    assert!(e.to_string().contains("did not fit the 20-byte receive buffer"), "{e}");
}

#[test]
fn a_receive_timeout_is_timed_out() {
    let sock = Socket::open(libc::NETLINK_ROUTE).unwrap();
    sock.set_recv_timeout(Some(Duration::from_millis(50))).unwrap();
    let mut buf = [0u8; 64];
    assert_eq!(sock.recv(&mut buf).unwrap_err().kind(), io::ErrorKind::TimedOut);
}

static SIGNALS: AtomicUsize = AtomicUsize::new(0);

extern "C" fn count_signal(_: libc::c_int) {
    SIGNALS.fetch_add(1, Ordering::SeqCst);
}

/// A signal that arrives while `recv` waits on a socket with a receive
/// timeout makes `recvmsg` fail with EINTR (`sock_intr_errno()`); `recv`
/// must wait on and return the datagram that comes later.
#[test]
fn recv_survives_a_signal() {
    use nix::sys::signal::{sigaction, SaFlags, SigAction, SigHandler, SigSet, Signal};
    let handler = SigAction::new(SigHandler::Handler(count_signal), SaFlags::empty(), SigSet::empty());
    // SAFETY: the handler only touches an atomic, which is async-signal-safe;
    // no SA_RESTART, so an interrupted recvmsg fails with EINTR.
    unsafe { sigaction(Signal::SIGUSR1, &handler) }.unwrap();

    let sock = Socket::open(libc::NETLINK_ROUTE).unwrap();
    sock.set_recv_timeout(Some(Duration::from_secs(5))).unwrap();
    let me = nix::sys::pthread::pthread_self();
    let before = SIGNALS.load(Ordering::SeqCst);
    std::thread::scope(|s| {
        s.spawn(|| {
            std::thread::sleep(Duration::from_millis(200));
            nix::sys::pthread::pthread_kill(me, Signal::SIGUSR1).unwrap();
            std::thread::sleep(Duration::from_millis(200));
            sock.send(&getlink(5, sock.port(), "lo")).unwrap();
        });
        let mut buf = vec![0u8; 16384];
        let d = sock.recv(&mut buf).expect("recv retried after EINTR");
        let first = d.messages().next().unwrap().unwrap();
        assert_eq!(first.header.seq, 5);
    });
    assert_eq!(SIGNALS.load(Ordering::SeqCst), before + 1, "the signal arrived during the wait");
}

/// A stop descriptor ends a wait; a datagram ends it too.
#[test]
fn wait_returns_on_stop_or_datagram() {
    use nlsock::Ready;
    use std::os::fd::AsFd;
    let sock = Socket::open(libc::NETLINK_ROUTE).unwrap();
    let (tell, stop) = std::os::unix::net::UnixStream::pair().unwrap();
    drop(tell);
    assert_eq!(sock.wait(stop.as_fd()).unwrap(), Ready::Stop);
    let (_tell, stop) = std::os::unix::net::UnixStream::pair().unwrap();
    sock.send(&getlink(6, sock.port(), "lo")).unwrap();
    assert_eq!(sock.wait(stop.as_fd()).unwrap(), Ready::Datagram);
}

/// Root only (it adds a route to table 4242 and removes it): the kernel's
/// notification of our own change carries our seq and our port, but comes
/// by multicast: it is no reply, the ACK is.
#[test]
fn a_notification_with_our_seq_is_no_reply() {
    if !nix::unistd::Uid::effective().is_root() {
        eprintln!("skipped: needs root (CAP_NET_ADMIN) to add a route");
        return;
    }
    const RTNLGRP_IPV4_ROUTE: u32 = 7;
    let sock = Socket::open(libc::NETLINK_ROUTE).unwrap();
    sock.add_membership(RTNLGRP_IPV4_ROUTE).unwrap();
    let route = |ty: u16, flags: u16, seq: u32| {
        let mut buf = vec![0u8; 128];
        let mut w = Writer::new(&mut buf);
        let m = w.start(ty, nlmsg::F_REQUEST | nlmsg::F_ACK | flags, seq, sock.port()).unwrap();
        // struct rtmsg: AF_INET, /32, table 252 (the byte field; RTA_TABLE
        // says 4242), static, scope link, unicast; rtm_flags 0.
        w.put_payload(&[libc::AF_INET as u8, 32, 0, 0, 252, 4, 253, 1, 0, 0, 0, 0]).unwrap();
        w.put_u32(libc::RTA_TABLE, 4242).unwrap();
        w.put_attr(libc::RTA_DST, &[198, 18, 42, 42]).unwrap();
        w.put_u32(libc::RTA_OIF, 1).unwrap(); // lo
        let len = w.finish(m).unwrap();
        buf.truncate(len);
        buf
    };
    let mut buf = vec![0u8; 16384];
    let mut answers = Vec::new();
    for (ty, flags, seq) in [(libc::RTM_NEWROUTE, nlmsg::F_CREATE | nlmsg::F_EXCL, 100), (libc::RTM_DELROUTE, 0, 101)] {
        sock.send(&route(ty, flags, seq)).unwrap();
        let mut acked = false;
        while !acked {
            let d = sock.recv(&mut buf).unwrap();
            for m in d.messages() {
                let m = m.unwrap();
                let reply = sock.is_reply(&m.header, d.is_multicast(), seq);
                answers.push((m.header.ty, m.header.seq, m.header.pid == sock.port(), d.is_multicast(), reply));
                if reply {
                    assert_eq!(KernelError::from_message(&m, None, 28).unwrap(), None, "the kernel refused");
                    acked = true;
                }
            }
        }
    }
    let groups_bit = true;
    assert_eq!(
        answers,
        [
            (libc::RTM_NEWROUTE, 100, true, groups_bit, false),
            (nlmsg::ERROR, 100, true, false, true),
            (libc::RTM_DELROUTE, 101, true, groups_bit, false),
            (nlmsg::ERROR, 101, true, false, true),
        ]
    );
}
