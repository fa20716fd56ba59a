//! `nlprobe`: the lab checks' raw netlink tool. It sends exactly the bytes a
//! case calls for (well-formed or not) on a fresh socket, waits briefly, and
//! prints one line per message that came back, then `end`:
//!
//! ```text
//! reply type=GREET_REPLY seq=1 len=55
//! error seq=1 EINVAL
//! ack seq=1
//! silence
//! ```
//!
//! Checks compare these lines with what the protocol promises.

use clap::{Parser, ValueEnum};
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::time::{Duration, Instant};
use wire::nlmsg::{self, Header, Messages};
use wire::writer::Writer;
use wire::{errno, proto};

/// Sends a crafted netlink message (or batch) to a kernel module and prints
/// the answers, one line each: `reply type=T seq=S len=L`, `ack seq=S`,
/// `error seq=S ENAME`, or `silence` when nothing came back in time.
#[derive(Parser)]
#[command(about, long_about)]
struct Cli {
    /// What to send.
    case: Case,
    /// The netlink protocol number.
    #[arg(long, default_value_t = proto::NETLINK_COURSE)]
    protocol: i32,
    /// Message type of the valid requests the case builds on.
    #[arg(long = "type", default_value_t = proto::GREET)]
    ty: u16,
    /// Payload of those requests (text; `--hex` for bytes).
    #[arg(long, default_value = "probe")]
    payload: String,
    /// The payload as hex bytes instead (e.g. 0800010061626300).
    #[arg(long)]
    hex: Option<String>,
    /// Extra flags for the requests (added to NLM_F_REQUEST|NLM_F_ACK).
    #[arg(long, default_value_t = 0)]
    flags: u16,
    /// Messages in a batch (case `batch`).
    #[arg(long, default_value_t = 100)]
    count: u32,
    /// How long to wait for answers after the last one, in milliseconds.
    #[arg(long, default_value_t = 300)]
    wait_ms: u64,
    /// Also print the value of this `u32` attribute of each reply (e.g. 2,
    /// lesson 04's REPLY_ATTR_ID), as ` attrN=VALUE` after `len=`.
    #[arg(long, value_name = "TYPE")]
    print_u32: Option<u16>,
}

#[derive(Clone, Copy, ValueEnum)]
enum Case {
    /// One valid request with NLM_F_ACK.
    Valid,
    /// Only 10 bytes: less than a header.
    TruncatedHeader,
    /// A header claiming 64 bytes more than were sent.
    LenTooBig,
    /// A header whose nlmsg_len (8) is below the header size.
    LenTooSmall,
    /// A valid request without NLM_F_REQUEST.
    NoRequestFlag,
    /// A request of a message type the module does not know (0x7ff0).
    UnknownType,
    /// A request with an empty payload.
    EmptyPayload,
    /// A request with a 64 KiB payload.
    BigPayload,
    /// `--count` requests in one sendmsg, each with NLM_F_ACK.
    Batch,
    /// A valid request, then a message with a bad length, in one sendmsg.
    BatchThenGarbage,
}

fn main() -> std::process::ExitCode {
    match run(&Cli::parse()) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("nlprobe: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// Appends one request message to `w`.
fn request(w: &mut Writer<'_>, cli: &Cli, ty: u16, flags: u16, seq: u32, payload: &[u8]) -> io::Result<()> {
    w.message(ty, flags | cli.flags, seq, 0, payload).map(|_| ()).map_err(io::Error::other)
}

/// The bytes a case sends.
fn build(cli: &Cli) -> io::Result<Vec<u8>> {
    let payload = match &cli.hex {
        Some(hex) => parse_hex(hex)?,
        None => cli.payload.as_bytes().to_vec(),
    };
    let mut buf = vec![0u8; 128 * 1024 + payload.len() * (cli.count as usize + 1) + 64 * cli.count as usize];
    let mut w = Writer::new(&mut buf);
    let req = nlmsg::F_REQUEST | nlmsg::F_ACK;
    match cli.case {
        Case::Valid => request(&mut w, cli, cli.ty, req, 1, &payload)?,
        Case::TruncatedHeader => return Ok(Header::new(cli.ty, req, 1, 0).to_bytes()[..10].to_vec()),
        Case::LenTooBig | Case::LenTooSmall => {
            let mut h = Header::new(cli.ty, req, 1, 0);
            h.len = match cli.case {
                Case::LenTooBig => (nlmsg::HDRLEN + payload.len() + 64) as u32,
                _ => 8,
            };
            let mut out = h.to_bytes().to_vec();
            out.extend_from_slice(&payload);
            return Ok(out);
        }
        Case::NoRequestFlag => request(&mut w, cli, cli.ty, nlmsg::F_ACK, 1, &payload)?,
        Case::UnknownType => request(&mut w, cli, 0x7ff0, req, 1, &payload)?,
        Case::EmptyPayload => request(&mut w, cli, cli.ty, req, 1, &[])?,
        Case::BigPayload => request(&mut w, cli, cli.ty, req, 1, &vec![b'x'; 64 * 1024])?,
        Case::Batch => {
            for seq in 1..=cli.count {
                request(&mut w, cli, cli.ty, req, seq, &payload)?;
            }
        }
        Case::BatchThenGarbage => {
            request(&mut w, cli, cli.ty, req, 1, &payload)?;
            let mut bad = Header::new(cli.ty, req, 2, 0);
            bad.len = 4096;
            w.put_payload(&bad.to_bytes()).map_err(io::Error::other)?;
        }
    }
    Ok(w.as_bytes().to_vec())
}

fn parse_hex(hex: &str) -> io::Result<Vec<u8>> {
    let bad = || io::Error::new(io::ErrorKind::InvalidInput, "--hex wants pairs of hex digits");
    if !hex.len().is_multiple_of(2) {
        return Err(bad());
    }
    (0..hex.len()).step_by(2).map(|i| u8::from_str_radix(&hex[i..i + 2], 16).map_err(|_| bad())).collect()
}

fn run(cli: &Cli) -> io::Result<()> {
    let sock = open(cli.protocol)?;
    let bytes = build(cli)?;
    // SAFETY: all-zero bytes are a valid sockaddr_nl; port 0 is the kernel.
    let mut kernel: libc::sockaddr_nl = unsafe { std::mem::zeroed() };
    kernel.nl_family = libc::AF_NETLINK as libc::sa_family_t;
    // SAFETY: `bytes` and `kernel` outlive the call, whose lengths match them.
    let sent = unsafe {
        libc::sendto(
            sock.as_raw_fd(),
            bytes.as_ptr().cast(),
            bytes.len(),
            0,
            (&kernel as *const libc::sockaddr_nl).cast(),
            std::mem::size_of::<libc::sockaddr_nl>() as libc::socklen_t,
        )
    };
    if sent < 0 {
        return Err(io::Error::last_os_error());
    }
    let mut buf = vec![0u8; 256 * 1024];
    let mut any = false;
    let mut deadline = Instant::now() + Duration::from_millis(cli.wait_ms);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            break;
        }
        let n = match recv_timeout(&sock, &mut buf, left)? {
            Some(n) => n,
            None => break,
        };
        for m in Messages::new(&buf[..n]) {
            let m = m.map_err(io::Error::other)?;
            any = true;
            let h = m.header;
            match m.error_payload() {
                Some(Ok(e)) if e.error == 0 => println!("ack seq={}", h.seq),
                Some(Ok(e)) => println!("error seq={} {}", h.seq, errno::name(e.error.saturating_neg())),
                _ => {
                    let attr = cli.print_u32.map(|ty| match wire::attr::Attrs::new(m.payload).find(ty) {
                        Ok(Some(a)) => a.u32().map_or_else(|_| format!(" attr{ty}=?"), |v| format!(" attr{ty}={v}")),
                        _ => format!(" attr{ty}=none"),
                    });
                    println!(
                        "reply type={} seq={} len={}{}",
                        wire::rtm::type_name(h.ty),
                        h.seq,
                        h.len,
                        attr.unwrap_or_default()
                    )
                }
            }
        }
        deadline = Instant::now() + Duration::from_millis(cli.wait_ms);
    }
    if !any {
        println!("silence");
    }
    Ok(())
}

/// A netlink socket bound to a kernel-chosen port.
fn open(protocol: i32) -> io::Result<OwnedFd> {
    // SAFETY: plain integer arguments; returns a new descriptor or -1.
    let fd = unsafe { libc::socket(libc::AF_NETLINK, libc::SOCK_RAW | libc::SOCK_CLOEXEC, protocol) };
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: `fd` was just opened and is owned by nobody else.
    let sock = unsafe { OwnedFd::from_raw_fd(fd) };
    // Bigger receive buffer, so that a big batch's answers all fit.
    let size: libc::c_int = 4 * 1024 * 1024;
    // SAFETY: `size` is a c_int that outlives the call. Failure is harmless.
    unsafe {
        libc::setsockopt(fd, libc::SOL_SOCKET, libc::SO_RCVBUF, (&size as *const libc::c_int).cast(), 4);
    }
    Ok(sock)
}

/// Receives one datagram, or `None` when nothing arrives within `wait`.
fn recv_timeout(sock: &OwnedFd, buf: &mut [u8], wait: Duration) -> io::Result<Option<usize>> {
    let mut pfd = libc::pollfd { fd: sock.as_raw_fd(), events: libc::POLLIN, revents: 0 };
    // SAFETY: one valid pollfd.
    let ready = unsafe { libc::poll(&mut pfd, 1, wait.as_millis().min(i32::MAX as u128) as i32) };
    if ready < 0 {
        return Err(io::Error::last_os_error());
    }
    if ready == 0 {
        return Ok(None);
    }
    // SAFETY: `buf` is writable for its length.
    let n = unsafe { libc::recv(sock.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len(), 0) };
    if n < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(Some(n as usize))
}
