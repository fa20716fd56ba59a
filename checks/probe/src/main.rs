//! `nlprobe`: the lab checks' raw netlink tool. It sends exactly the bytes a
//! case calls for (well-formed or not) on a fresh socket, waits briefly, and
//! prints one line per message that came back, then nothing more:
//!
//! ```text
//! reply type=GREET_REPLY seq=1 len=55
//! error seq=1 EINVAL
//! ack seq=1
//! silence
//! ```
//!
//! Options add lines, never change these: `--ext-ack` prints the extended
//! ACK of an error or ACK on the line after it (`ext-ack seq=1 msg="..."
//! offs=16`), `--details` its length, flags and what it copied of the
//! request. An answer whose `nlmsg_pid` is not this socket's port says so
//! (`pid=N, not this socket's`), and answers that arrive at the second
//! socket of the `pid-of-other-socket` case are printed with `other: ` in
//! front. Checks compare these lines with what the protocol promises.

use clap::{Parser, ValueEnum};
use nlprobe::answer;
use nlprobe::sock::{Received, Socket, NETLINK_CAP_ACK, NETLINK_EXT_ACK};
use std::io;
use std::time::Duration;
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
    /// Messages in a batch (case `batch`), datagrams sent (case `flood`).
    #[arg(long, default_value_t = 100)]
    count: u32,
    /// How long to wait for answers after the last one, in milliseconds.
    #[arg(long, default_value_t = 300)]
    wait_ms: u64,
    /// Turn on NETLINK_EXT_ACK, and print each error's or ACK's extended-ACK
    /// attributes on a line after it: `ext-ack seq=S msg="..." offs=N
    /// miss_type=T` (offs counts from the start of the request's header).
    #[arg(long)]
    ext_ack: bool,
    /// Turn on NETLINK_CAP_ACK: errors copy only the request's header.
    #[arg(long)]
    cap_ack: bool,
    /// Case `flood`: the request's payload is attributes, so a payload with
    /// a broken attribute after them is one of the bad kinds.
    #[arg(long)]
    attrs: bool,
    /// Case `flood`: every 11th datagram is the valid request (whose answers
    /// cannot be delivered either), to check the logging of valid requests too.
    #[arg(long)]
    with_valid: bool,
    /// After each error or ACK, print `detail seq=S len=L flags=F echo=E`:
    /// its length, its flags (CAPPED, ACK_TLVS) and how many bytes of the
    /// request's payload it copied.
    #[arg(long)]
    details: bool,
    /// Also print the value of this `u32` attribute of each reply (e.g. 2,
    /// lesson 04's REPLY_ATTR_ID), as ` attrN=VALUE` after `len=`.
    #[arg(long, value_name = "TYPE")]
    print_u32: Option<u16>,
    /// Also print each reply's payload, as hex, as ` payload=HEX` (after
    /// everything else on its line).
    #[arg(long)]
    print_payload: bool,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
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
    /// A valid request whose nlmsg_pid is the port of a second socket of
    /// this process: the answers must come to the sender, not to the second
    /// socket (whose answers, if any, are printed after `other: `).
    PidOfOtherSocket,
    /// A valid request whose nlmsg_pid is 0x7fff1234, a port nobody has.
    RandomPid,
    /// A bare 16-byte header of the request type with NLM_F_ACK only (no
    /// NLM_F_REQUEST): not processed, but acknowledged (netlink_rcv_skb).
    BareAck,
    /// NLMSG_NOOP with NLM_F_REQUEST|NLM_F_ACK: a control message, not
    /// processed, but acknowledged.
    NoopAck,
    /// `--count` bad datagrams to a socket with the smallest receive buffer,
    /// never read, so that answers are lost too: ten kinds in turn (10
    /// bytes of a header; nlmsg_len 8; nlmsg_len past the end; no
    /// NLM_F_REQUEST; an unknown type; no payload; with `--attrs` an
    /// attribute with nla_len 2 after the payload, else type 0x7ff1; a NOOP;
    /// 8000 bytes of 0xff; 17 bytes of 0xff). Prints only `sent N
    /// datagrams`. For checking that nobody can fill the kernel log.
    Flood,
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
    request_from(w, cli, ty, flags, seq, 0, payload)
}

/// Appends one request message with `nlmsg_pid` = `pid` to `w`.
fn request_from(
    w: &mut Writer<'_>,
    cli: &Cli,
    ty: u16,
    flags: u16,
    seq: u32,
    pid: u32,
    payload: &[u8],
) -> io::Result<()> {
    w.message(ty, flags | cli.flags, seq, pid, payload).map(|_| ()).map_err(io::Error::other)
}

fn payload(cli: &Cli) -> io::Result<Vec<u8>> {
    match &cli.hex {
        Some(hex) => parse_hex(hex),
        None => Ok(cli.payload.as_bytes().to_vec()),
    }
}

/// The bytes a case sends; `other` is the second socket's port.
fn build(cli: &Cli, other: u32) -> io::Result<Vec<u8>> {
    let payload = payload(cli)?;
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
        Case::PidOfOtherSocket => request_from(&mut w, cli, cli.ty, req, 1, other, &payload)?,
        Case::RandomPid => request_from(&mut w, cli, cli.ty, req, 1, 0x7fff_1234, &payload)?,
        // The header alone, as the kernel's uapi defines it: no payload.
        Case::BareAck => request(&mut w, cli, cli.ty, nlmsg::F_ACK, 1, &[])?,
        Case::NoopAck => request(&mut w, cli, nlmsg::NOOP, req, 1, &[])?,
        Case::Flood => return Err(io::Error::other("flood sends many datagrams: see flood()")),
    }
    Ok(w.as_bytes().to_vec())
}

/// The `i`-th datagram of a flood: ten bad kinds in turn (eleven kinds
/// with `--with-valid`, the last the valid request).
fn bad_datagram(cli: &Cli, payload: &[u8], i: u32) -> io::Result<Vec<u8>> {
    let req = nlmsg::F_REQUEST | nlmsg::F_ACK;
    let seq = i + 1;
    let mut buf = vec![0u8; payload.len() + 8192];
    let mut w = Writer::new(&mut buf);
    let kinds = if cli.with_valid { 11 } else { 10 };
    match i % kinds {
        0 => return Ok(Header::new(cli.ty, req, seq, 0).to_bytes()[..10].to_vec()),
        1 => {
            let h = Header { len: 8, ..Header::new(cli.ty, req, seq, 0) };
            w.put_payload(&h.to_bytes()).map_err(io::Error::other)?;
        }
        2 => {
            let h = Header { len: 4096, ..Header::new(cli.ty, req, seq, 0) };
            w.put_payload(&h.to_bytes()).map_err(io::Error::other)?;
        }
        3 => request(&mut w, cli, cli.ty, nlmsg::F_ACK, seq, payload)?,
        4 => request(&mut w, cli, 0x7ff0, req, seq, payload)?,
        5 => request(&mut w, cli, cli.ty, req, seq, &[])?,
        6 if !cli.attrs => request(&mut w, cli, 0x7ff1, req, seq, &[])?,
        6 => {
            // The payload, padded, then an attribute with nla_len 2.
            let mut p = payload.to_vec();
            p.resize(nlmsg::align(p.len()).unwrap_or(p.len()), 0);
            p.extend_from_slice(&[2, 0, 1, 0]);
            request(&mut w, cli, cli.ty, req, seq, &p)?;
        }
        7 => request(&mut w, cli, nlmsg::NOOP, nlmsg::F_REQUEST, seq, &[])?,
        8 => request(&mut w, cli, cli.ty, req, seq, &[0xff; 8000])?,
        9 => request(&mut w, cli, cli.ty, req, seq, &[0xff; 17])?,
        _ => request(&mut w, cli, cli.ty, req, seq, payload)?,
    }
    Ok(w.as_bytes().to_vec())
}

/// Sends `--count` bad datagrams to a socket that never reads.
fn flood(cli: &Cli) -> io::Result<()> {
    let sock = open(cli)?;
    // The smallest receive buffer the kernel allows: answers soon overflow it.
    sock.set_rcvbuf(0)?;
    let payload = payload(cli)?;
    let mut refused = 0;
    for i in 0..cli.count {
        if sock.send(&bad_datagram(cli, &payload, i)?).is_err() {
            refused += 1;
        }
    }
    println!("sent {} datagrams ({refused} refused by sendmsg)", cli.count);
    Ok(())
}

fn parse_hex(hex: &str) -> io::Result<Vec<u8>> {
    let bad = || io::Error::new(io::ErrorKind::InvalidInput, "--hex wants pairs of hex digits");
    if !hex.len().is_multiple_of(2) {
        return Err(bad());
    }
    (0..hex.len()).step_by(2).map(|i| u8::from_str_radix(&hex[i..i + 2], 16).map_err(|_| bad())).collect()
}

/// A socket of `--protocol` with the options asked for and a big receive
/// buffer, so that a big batch's answers all fit.
fn open(cli: &Cli) -> io::Result<Socket> {
    let sock = Socket::open(cli.protocol)?;
    // Failure is harmless: the default is big enough for small cases.
    let _ = sock.set_rcvbuf(4 * 1024 * 1024);
    if cli.ext_ack {
        sock.enable(NETLINK_EXT_ACK)?;
    }
    if cli.cap_ack {
        sock.enable(NETLINK_CAP_ACK)?;
    }
    Ok(sock)
}

fn run(cli: &Cli) -> io::Result<()> {
    if cli.case == Case::Flood {
        return flood(cli);
    }
    let sock = open(cli)?;
    let other = match cli.case {
        Case::PidOfOtherSocket => Some(Socket::open(cli.protocol)?),
        _ => None,
    };
    let bytes = build(cli, other.as_ref().map_or(0, Socket::port))?;
    sock.send(&bytes)?;
    let wait = Duration::from_millis(cli.wait_ms);
    let mut any = print_answers(cli, &sock, wait, "")?;
    if let Some(other) = &other {
        // The answers went out during sendmsg: anything misdirected is there by now.
        any |= print_answers(cli, other, Duration::from_millis(50), "other: ")?;
    }
    if !any {
        println!("silence");
    }
    Ok(())
}

/// Prints what arrives at `sock` until nothing more comes for `wait`, each
/// line after `prefix`. True if anything came.
fn print_answers(cli: &Cli, sock: &Socket, wait: Duration, prefix: &str) -> io::Result<bool> {
    let mut any = false;
    loop {
        let d = match sock.recv(256 * 1024, wait)? {
            Received::Datagram(d) => d,
            Received::Error(e) => {
                println!("{prefix}recv {}", errno::name(e));
                any = true;
                continue;
            }
            Received::Nothing => return Ok(any),
        };
        for m in Messages::new(&d.bytes) {
            let m = m.map_err(io::Error::other)?;
            any = true;
            let h = m.header;
            let pid = if h.pid == sock.port() { String::new() } else { format!(" pid={}, not this socket's", h.pid) };
            let Some(e) = (h.ty == nlmsg::ERROR).then(|| answer::parse_error(h.flags, m.payload)).flatten() else {
                let attr = cli.print_u32.map(|ty| match wire::attr::Attrs::new(m.payload).find(ty) {
                    Ok(Some(a)) => a.u32().map_or_else(|_| format!(" attr{ty}=?"), |v| format!(" attr{ty}={v}")),
                    _ => format!(" attr{ty}=none"),
                });
                let attr = attr.unwrap_or_default();
                let payload = if cli.print_payload {
                    format!(" payload={}", m.payload.iter().map(|b| format!("{b:02x}")).collect::<String>())
                } else {
                    String::new()
                };
                println!(
                    "{prefix}reply type={} seq={} len={}{attr}{pid}{payload}",
                    wire::rtm::type_name(h.ty),
                    h.seq,
                    h.len
                );
                continue;
            };
            match e.error {
                0 => println!("{prefix}ack seq={}{pid}", h.seq),
                err => println!("{prefix}error seq={} {}{pid}", h.seq, errno::name(err.saturating_neg())),
            }
            if cli.details {
                let flags = match h.flags & (nlmsg::F_CAPPED | nlmsg::F_ACK_TLVS) {
                    0 => "0",
                    nlmsg::F_CAPPED => "CAPPED",
                    nlmsg::F_ACK_TLVS => "ACK_TLVS",
                    _ => "CAPPED|ACK_TLVS",
                };
                println!("{prefix}detail seq={} len={} flags={flags} echo={}", h.seq, h.len, e.echo.len());
            }
            if cli.ext_ack {
                println!("{prefix}ext-ack seq={} {}", h.seq, e.ext.describe());
            }
        }
    }
}

/// The cases against the host's own NETLINK_ROUTE (`RTM_GETLINK` of `lo`):
/// what a module must answer, the kernel answers.
#[cfg(test)]
mod tests {
    use super::*;

    /// `struct ifinfomsg` asking for device 1 (`lo`, in every namespace).
    const LO: &str = "00000000010000000000000000000000";

    fn cli(case: Case, extra: &[&str]) -> Cli {
        let mut args = vec!["nlprobe", "valid", "--protocol", "0", "--type", "18", "--hex", LO, "--wait-ms", "20"];
        args.extend_from_slice(extra);
        let mut c = Cli::parse_from(args);
        c.case = case;
        c
    }

    /// Runs a case and returns the lines it would print.
    fn lines(c: &Cli) -> Vec<String> {
        let sock = open(c).unwrap();
        let other = Socket::open(c.protocol).unwrap();
        sock.send(&build(c, other.port()).unwrap()).unwrap();
        let mut out = Vec::new();
        for (s, prefix) in [(&sock, ""), (&other, "other: ")] {
            while let Received::Datagram(d) = s.recv(64 * 1024, Duration::from_millis(20)).unwrap() {
                for m in Messages::new(&d.bytes) {
                    let m = m.unwrap();
                    let e =
                        (m.header.ty == nlmsg::ERROR).then(|| answer::parse_error(m.header.flags, m.payload)).flatten();
                    let pid = if m.header.pid == s.port() { "" } else { " foreign-pid" };
                    out.push(match e {
                        Some(e) if e.error == 0 => format!("{prefix}ack{pid}"),
                        Some(e) => format!("{prefix}error {}{pid}", errno::name(-e.error)),
                        None => format!("{prefix}reply{pid}"),
                    });
                }
            }
        }
        out
    }

    #[test]
    fn answers_go_to_the_sender_whatever_nlmsg_pid_says() {
        assert_eq!(lines(&cli(Case::PidOfOtherSocket, &[])), ["reply", "ack"]);
        assert_eq!(lines(&cli(Case::RandomPid, &[])), ["reply", "ack"]);
    }

    #[test]
    fn acks_without_processing() {
        let bare = cli(Case::BareAck, &[]);
        assert_eq!(build(&bare, 0).unwrap().len(), 16);
        assert_eq!(lines(&bare), ["ack"]);
        assert_eq!(lines(&cli(Case::NoopAck, &[])), ["ack"]);
    }

    #[test]
    fn every_flood_datagram_is_refused_or_ignored() {
        let c = cli(Case::Flood, &["--attrs"]);
        let payload = payload(&c).unwrap();
        let sock = open(&c).unwrap();
        for i in 0..10 {
            sock.send(&bad_datagram(&c, &payload, i).unwrap()).unwrap();
        }
        // Nothing was answered with a reply (each was dropped, ACKed without
        // processing or refused) but kind 6: RTM_GETLINK, without strict
        // checking, ignores the broken attribute after its own (and logs a
        // rate-limited warning), the leniency rtnetlink keeps for old programs.
        let mut replies = 0;
        while let Received::Datagram(d) = sock.recv(64 * 1024, Duration::from_millis(20)).unwrap() {
            replies +=
                Messages::new(&d.bytes).filter(|m| m.as_ref().is_ok_and(|m| m.header.ty != nlmsg::ERROR)).count();
        }
        assert_eq!(replies, 1);
    }
}
