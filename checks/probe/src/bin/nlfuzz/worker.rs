//! One fuzzing process: until its time is up, it opens a socket of the
//! protocol (with socket options drawn at random), sends datagrams from
//! [`Gen`], reads what comes back (all of it, part of a dump, or nothing),
//! and closes the socket now and then, in the middle of a dump too.
//!
//! Before each send, the datagram goes into the process's [`Ring`]. Every
//! answer is looked at: it must parse as netlink messages and, on a socket
//! that joined no multicast group, carry this socket's port id. The first
//! few answers that do not are written, with the datagram that got them, to
//! the ring's `.odd` file. The counts go to standard output, one line.

use crate::gen::Gen;
use crate::regress;
use crate::ring::Ring;
use nlprobe::sock::{
    Datagram, Received, Socket, NETLINK_CAP_ACK, NETLINK_EXT_ACK, NETLINK_GET_STRICT_CHK, SOL_NETLINK,
};
use rand::{RngExt, SeedableRng};
use rand_xorshift::XorShiftRng;
use std::fmt::Write as _;
use std::io::{self, Write};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};
use wire::nlmsg::{self, Messages};

/// `NETLINK_ADD_MEMBERSHIP` (`include/uapi/linux/netlink.h`).
const NETLINK_ADD_MEMBERSHIP: libc::c_int = 1;
/// How many odd answers are written down.
const ODD_KEPT: usize = 3;

/// What one process did, as its line on standard output says.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Stats {
    /// Datagrams sent (or tried).
    pub datagrams: u64,
    /// Messages in them.
    pub messages: u64,
    /// Messages read back.
    pub answers: u64,
    /// Sockets opened.
    pub sockets: u64,
    /// `socket()` found no module serving the protocol (it was unloaded).
    pub absent: u64,
    /// `sendmsg` failed (`ENOBUFS`, `EMSGSIZE`...: counted, not a fault).
    pub send_errors: u64,
    /// The socket reported lost answers (`ENOBUFS`: its queue was full).
    pub overruns: u64,
    /// Answers that did not parse or went to another port.
    pub odd: u64,
}

impl Stats {
    /// The line a process prints: `stats datagrams=N answers=N ...`.
    pub fn line(&self) -> String {
        format!(
            "stats datagrams={} messages={} answers={} sockets={} absent={} send_errors={} overruns={} odd={}",
            self.datagrams,
            self.messages,
            self.answers,
            self.sockets,
            self.absent,
            self.send_errors,
            self.overruns,
            self.odd
        )
    }

    /// Reads a [`Stats::line`] back.
    pub fn parse(line: &str) -> Option<Stats> {
        let mut s = Stats::default();
        for field in line.strip_prefix("stats ")?.split(' ') {
            let (k, v) = field.split_once('=')?;
            let v = v.parse().ok()?;
            match k {
                "datagrams" => s.datagrams = v,
                "messages" => s.messages = v,
                "answers" => s.answers = v,
                "sockets" => s.sockets = v,
                "absent" => s.absent = v,
                "send_errors" => s.send_errors = v,
                "overruns" => s.overruns = v,
                "odd" => s.odd = v,
                _ => return None,
            }
        }
        Some(s)
    }

    /// Adds `other`'s counts.
    pub fn add(&mut self, other: &Stats) {
        self.datagrams += other.datagrams;
        self.messages += other.messages;
        self.answers += other.answers;
        self.sockets += other.sockets;
        self.absent += other.absent;
        self.send_errors += other.send_errors;
        self.overruns += other.overruns;
        self.odd += other.odd;
    }
}

/// Set by `SIGUSR1`: the supervisor wants to unload the module, so this
/// process lets go of its socket for a moment.
static LET_GO: AtomicBool = AtomicBool::new(false);

extern "C" fn on_let_go(_: libc::c_int) {
    LET_GO.store(true, Ordering::Relaxed);
}

/// Makes `SIGUSR1` set [`LET_GO`].
fn handle_let_go() -> io::Result<()> {
    // SAFETY: all-zero bytes are a valid sigaction (empty mask, no flags).
    let mut sa: libc::sigaction = unsafe { std::mem::zeroed() };
    sa.sa_sigaction = on_let_go as extern "C" fn(libc::c_int) as libc::sighandler_t;
    // Interrupted calls resume: the handler only sets a flag.
    sa.sa_flags = libc::SA_RESTART;
    // SAFETY: `sa` is a valid sigaction whose handler only stores to an
    // atomic, which is async-signal-safe; the old action is not wanted.
    if unsafe { libc::sigaction(libc::SIGUSR1, &sa, std::ptr::null_mut()) } < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// Where and how long one process fuzzes.
pub struct Job<'a> {
    /// The netlink protocol.
    pub protocol: i32,
    /// Multicast groups to join on some sockets (lesson 06's 1 and 2).
    pub groups: &'a [u32],
    /// The inputs.
    pub gen: Gen,
    /// Socket decisions (options, reads, closing), drawn apart from the
    /// inputs so that the inputs stay the same whatever else happens.
    pub actions: XorShiftRng,
    /// When to stop.
    pub until: Instant,
}

/// An open socket and what was drawn for it.
struct Open {
    sock: Socket,
    /// It joined multicast groups: notifications of others' changes come too.
    member: bool,
    /// Datagrams left before it is closed.
    left: u32,
}

/// Runs `job`, recording each input in the ring at `ring_path`; writes odd
/// answers to `ring_path` + `.odd`. Returns the counts.
pub fn run(mut job: Job<'_>, ring_path: &Path) -> io::Result<Stats> {
    handle_let_go()?;
    let mut ring = Ring::open(ring_path)?;
    let mut odd_file = None;
    let mut stats = Stats::default();
    let mut open: Option<Open> = None;
    while Instant::now() < job.until {
        if LET_GO.swap(false, Ordering::Relaxed) {
            open = None;
            thread::sleep(Duration::from_millis(job.actions.random_range(2..15)));
        }
        let o = match open.take() {
            Some(o) => o,
            None => match open_socket(&job.protocol, job.groups, &mut job.actions) {
                Ok(o) => {
                    stats.sockets += 1;
                    o
                }
                Err(e) if e.raw_os_error() == Some(libc::EPROTONOSUPPORT) => {
                    stats.absent += 1;
                    thread::sleep(Duration::from_millis(2));
                    continue;
                }
                Err(e) => return Err(e),
            },
        };
        let input = job.gen.datagram();
        // Drawn before anything is read, so that the draws never depend
        // on what the kernel answers.
        let reads = match job.actions.random_range(0..100) {
            0..85 => 256,
            85..95 => job.actions.random_range(1..4),
            _ => 0,
        };
        ring.record(&input)?;
        stats.datagrams += 1;
        if o.sock.send(&input).is_err() {
            stats.send_errors += 1;
        }
        for _ in 0..reads {
            match o.sock.recv(64 * 1024, Duration::ZERO)? {
                Received::Nothing => break,
                Received::Error(_) => stats.overruns += 1,
                Received::Datagram(d) => {
                    stats.answers += Messages::new(&d.bytes).count() as u64;
                    if let Some(why) = oddity(&d, o.sock.port(), o.member) {
                        stats.odd += 1;
                        if stats.odd as usize <= ODD_KEPT {
                            let f = match &mut odd_file {
                                Some(f) => f,
                                None => odd_file.insert(std::fs::File::create(ring_path.with_extension("odd"))?),
                            };
                            writeln!(f, "{why}\t{}", regress::to_hex(&input))?;
                        }
                    }
                }
            }
        }
        if o.left > 1 {
            open = Some(Open { left: o.left - 1, ..o });
        }
    }
    stats.messages = job.gen.messages();
    Ok(stats)
}

/// Opens a socket with options drawn from `rng`.
fn open_socket(protocol: &i32, groups: &[u32], rng: &mut XorShiftRng) -> io::Result<Open> {
    let sock = Socket::open(*protocol)?;
    for (option, p) in [(NETLINK_EXT_ACK, 0.5), (NETLINK_CAP_ACK, 0.3), (NETLINK_GET_STRICT_CHK, 0.3)] {
        if rng.random_bool(p) {
            sock.enable(option)?;
        }
    }
    if rng.random_bool(0.1) {
        // The smallest queue: answers and dump parts are lost (ENOBUFS).
        sock.set_rcvbuf(0)?;
    }
    let mut member = false;
    if !groups.is_empty() && rng.random_bool(0.2) {
        for &g in groups {
            // Refused (EPERM) for the unprivileged user where the protocol
            // does not let it listen: it goes on without.
            member |= sock.set_int(SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, g as libc::c_int).is_ok();
        }
    }
    Ok(Open { sock, member, left: rng.random_range(1..=200) })
}

/// What is wrong with an answer, if anything: it must come from the kernel,
/// parse as netlink messages (a datagram cut by the buffer is not looked
/// at), carry the receiving socket's port (unless it joined groups, where
/// others' notifications come too), and an `NLMSG_ERROR` must hold a whole
/// `struct nlmsgerr`.
pub fn oddity(d: &Datagram, port: u32, member: bool) -> Option<String> {
    if d.truncated {
        return None;
    }
    if d.from != 0 {
        return Some(format!("a datagram from port {}, not from the kernel", d.from));
    }
    let mut why = String::new();
    for m in Messages::new(&d.bytes) {
        match m {
            Err(e) => {
                let _ = write!(why, "an answer that does not parse ({e:?})");
            }
            Ok(m) if !member && m.header.pid != port => {
                let _ = write!(
                    why,
                    "an answer (type {}, seq {}) to port {}, not to the sender's {port}",
                    m.header.ty, m.header.seq, m.header.pid
                );
            }
            Ok(m) if m.header.ty == nlmsg::ERROR && m.payload.len() < 20 => {
                let _ = write!(why, "an NLMSG_ERROR of {} bytes, shorter than struct nlmsgerr", m.header.len);
            }
            Ok(_) => continue,
        }
        return Some(why);
    }
    None
}

/// A generator and action stream for process `index` of a run seeded with
/// `seed`: each process draws its own inputs, the same on every run of
/// that seed.
pub fn seeds(seed: u64, index: u32) -> (u64, XorShiftRng) {
    // Far apart for neighbouring indices (splitmix64's increment).
    let own = seed.wrapping_add(u64::from(index).wrapping_mul(0x9e37_79b9_7f4a_7c15));
    (own, XorShiftRng::seed_from_u64(own ^ 0x0005_eed0_fac7_10a5))
}

#[cfg(test)]
mod tests {
    use super::*;
    use wire::writer::Writer;

    fn datagram(ty: u16, pid: u32, payload: &[u8]) -> Datagram {
        let mut buf = [0u8; 256];
        let mut w = Writer::new(&mut buf);
        w.message(ty, 0, 1, pid, payload).unwrap();
        let bytes = w.as_bytes().to_vec();
        Datagram { size: bytes.len(), bytes, truncated: false, from: 0 }
    }

    #[test]
    fn odd_answers_are_found() {
        assert_eq!(oddity(&datagram(32, 77, b"hi"), 77, false), None);
        assert!(oddity(&datagram(32, 78, b"hi"), 77, false).unwrap().contains("to port 78"));
        assert_eq!(oddity(&datagram(32, 78, b"hi"), 77, true), None);
        assert!(oddity(&datagram(nlmsg::ERROR, 77, &[0; 8]), 77, false).unwrap().contains("nlmsgerr"));
        let mut cut = datagram(32, 77, b"hi");
        cut.bytes[0] = 200;
        assert!(oddity(&cut, 77, false).unwrap().contains("does not parse"));
        cut.truncated = true;
        assert_eq!(oddity(&cut, 77, false), None);
    }

    #[test]
    fn stats_lines_round_trip() {
        let s =
            Stats { datagrams: 5, messages: 9, answers: 7, sockets: 1, absent: 2, send_errors: 3, overruns: 4, odd: 0 };
        assert_eq!(Stats::parse(&s.line()), Some(s));
        assert_eq!(Stats::parse("stats what=1"), None);
    }
}
