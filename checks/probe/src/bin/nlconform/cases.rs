//! The cases: framing-level inputs, each played the same way against the
//! kernel's protocol and a module. What the kernel does with each is in
//! `net/netlink/af_netlink.c` (`netlink_rcv_skb`, `netlink_ack`,
//! `netlink_dump`) and `net/core/rtnetlink.c`; the kernel's own answer, not
//! a description of it, is what a module is compared with.

use crate::profile::{Fixture, Request};
use crate::run::{self, message, raw, unpadded, with_len, Run, DUMP_BUF};
use nlprobe::sock::{NETLINK_CAP_ACK, NETLINK_EXT_ACK, NETLINK_GET_STRICT_CHK, SOL_NETLINK};
use std::fmt;
use std::io;
use wire::nlmsg::{self, F_ACK, F_ECHO, F_REQUEST};
use wire::writer::Writer;

/// A group of cases: one PASS/FAIL line each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    /// Broken headers, lengths, padding, batches.
    Framing,
    /// When an ACK is due (`netlink_rcv_skb`).
    Ack,
    /// How errors are reported (`netlink_ack`).
    Errors,
    /// Broken attribute areas.
    Attrs,
    /// `NETLINK_CAP_ACK`, `NETLINK_EXT_ACK`, `NETLINK_GET_STRICT_CHK`.
    Sockopts,
    /// Who answers go to (`NETLINK_CB(skb).portid`, never `nlmsg_pid`).
    Ports,
    /// Dumps: parts, `NLMSG_DONE`, `NLM_F_DUMP_INTR`, abandoned and busy dumps.
    Dump,
    /// `NLM_F_ECHO` on a change.
    Echo,
}

/// Every group, in the order they run.
pub const GROUPS: [Group; 8] =
    [Group::Framing, Group::Ack, Group::Errors, Group::Attrs, Group::Sockopts, Group::Ports, Group::Dump, Group::Echo];

impl fmt::Display for Group {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self {
            Group::Framing => "framing",
            Group::Ack => "ack",
            Group::Errors => "errors",
            Group::Attrs => "attrs",
            Group::Sockopts => "sockopts",
            Group::Ports => "ports",
            Group::Dump => "dump",
            Group::Echo => "echo",
        };
        write!(f, "conform-{name}")
    }
}

/// What a case needs of a profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Needs {
    /// Only the valid request.
    Any,
    /// Requests with attributes.
    Attributes,
    /// A dump.
    Dumps,
    /// A change with a notification.
    Notifications,
}

/// One case.
pub struct Case {
    /// Its group.
    pub group: Group,
    /// Its name, unique.
    pub name: &'static str,
    /// What it sends, in a line.
    pub what: &'static str,
    /// What it needs of the profile.
    pub needs: Needs,
    /// Plays it.
    pub run: fn(&mut Run<'_>) -> io::Result<()>,
}

/// An unknown message type: above every protocol's (rtnetlink: `RTM_MAX`).
const UNKNOWN: u16 = 0x7ff0;

const fn case(
    group: Group,
    name: &'static str,
    what: &'static str,
    needs: Needs,
    run: fn(&mut Run<'_>) -> io::Result<()>,
) -> Case {
    Case { group, name, what, needs, run }
}

/// Sends `bytes` on a fresh socket (no options) and reads all answers.
fn once(r: &mut Run<'_>, bytes: &[u8]) -> io::Result<()> {
    r.open(&[])?;
    r.send(bytes)?;
    r.drain()
}

/// Sends `bytes` on a fresh socket with `options` and reads all answers.
fn with_options(r: &mut Run<'_>, options: &[libc::c_int], bytes: &[u8]) -> io::Result<()> {
    r.open(options)?;
    r.send(bytes)?;
    r.drain()
}

/// Concatenates messages into one datagram.
fn batch(msgs: &[Vec<u8>]) -> Vec<u8> {
    msgs.concat()
}

/// The profile's valid request with an unknown type.
fn unknown(r: &Run<'_>, seq: u32, flags: u16) -> Vec<u8> {
    raw(UNKNOWN, F_REQUEST | flags, seq, 0, &r.profile.valid.payload)
}

/// A message of each control type 0-15 with `flags`, seq = type + 1.
fn control_types(flags: u16) -> Vec<u8> {
    batch(&(0..nlmsg::MIN_TYPE).map(|t| raw(t, flags, u32::from(t) + 1, 0, &[])).collect::<Vec<_>>())
}

// ---------------------------------------------------------------------------
// Attribute areas.
// ---------------------------------------------------------------------------

/// The attribute request with `extra` appended after its (padded)
/// attributes, and `bad_offset` set to where `extra` starts in the message.
fn attrs_plus(r: &mut Run<'_>, extra: &[u8]) -> io::Result<Vec<u8>> {
    let a = r.profile.attrs.as_ref().ok_or_else(|| io::Error::other("no attributes"))?;
    let valid = &a.valid.payload;
    let mut p = valid.clone();
    p.resize(nlmsg::align(valid.len()).unwrap_or(valid.len()), 0);
    r.bad_offset = Some((nlmsg::HDRLEN + p.len()) as u32);
    p.extend_from_slice(extra);
    Ok(message(&Request { payload: p, ..a.valid.clone() }, F_REQUEST | F_ACK, 1, 0))
}

/// An attribute header claiming `nla_len` bytes, of type 1, then `value`.
fn nla(nla_len: u16, value: &[u8]) -> Vec<u8> {
    let mut v = nla_len.to_ne_bytes().to_vec();
    v.extend_from_slice(&1u16.to_ne_bytes());
    v.extend_from_slice(value);
    v
}

/// The request with a string attribute longer than its policy allows. Its
/// errno is not compared: `validate_nla` says `ERANGE` for an `NLA_STRING`
/// (rtnetlink's `IFLA_IFNAME`) but `EINVAL` for an `NLA_NUL_STRING` (no NUL
/// within the limit), and the lessons' own checks check theirs.
fn too_long(r: &mut Run<'_>) -> io::Result<Vec<u8>> {
    let a = r.profile.attrs.as_ref().ok_or_else(|| io::Error::other("no attributes"))?;
    let (req, at) = a.too_long.clone();
    r.bad_offset = Some((nlmsg::HDRLEN + at) as u32);
    r.errno_matters = false;
    Ok(message(&req, F_REQUEST | F_ACK, 1, 0))
}

fn attr_len(r: &mut Run<'_>, nla_len: u16, options: &[libc::c_int]) -> io::Result<()> {
    let m = attrs_plus(r, &nla(nla_len, &[]))?;
    with_options(r, options, &m)
}

fn attr_past_end(r: &mut Run<'_>, options: &[libc::c_int]) -> io::Result<()> {
    let m = attrs_plus(r, &nla(64, &[0; 4]))?;
    with_options(r, options, &m)
}

fn attr_unknown_type(r: &mut Run<'_>, options: &[libc::c_int]) -> io::Result<()> {
    let mut buf = [0u8; 16];
    let mut w = Writer::new(&mut buf);
    w.put_u32(1000, 7).map_err(io::Error::other)?;
    let extra = w.as_bytes().to_vec();
    let m = attrs_plus(r, &extra)?;
    r.bad_offset = None;
    with_options(r, options, &m)
}

const STRICT: &[libc::c_int] = &[NETLINK_GET_STRICT_CHK];

// ---------------------------------------------------------------------------
// Dumps.
// ---------------------------------------------------------------------------

fn dump_request(r: &Run<'_>, seq: u32, flags: u16) -> io::Result<Vec<u8>> {
    let d = r.profile.dump.as_ref().ok_or_else(|| io::Error::other("no dump"))?;
    Ok(message(&d.request, F_REQUEST | flags, seq, 0))
}

/// Starts a dump on a fresh socket and reads its first buffer.
fn dump_first(r: &mut Run<'_>) -> io::Result<()> {
    fill(r)?;
    r.open(&[])?;
    let m = dump_request(r, 1, 0)?;
    r.send(&m)?;
    r.read_one(DUMP_BUF)?;
    Ok(())
}

fn fill(r: &Run<'_>) -> io::Result<()> {
    r.profile.dump.as_ref().ok_or_else(|| io::Error::other("no dump"))?.fill()
}

/// Changes the fixture with `change` (from a socket of its own).
fn change_fixture(r: &mut Run<'_>, change: fn(&dyn Fixture) -> io::Result<()>, what: &str) -> io::Result<()> {
    let d = r.profile.dump.as_ref().ok_or_else(|| io::Error::other("no dump"))?;
    d.filled.set(false);
    change(d.fixture.as_ref())?;
    r.step(what);
    Ok(())
}

fn dump_with(r: &mut Run<'_>, options: &[libc::c_int], flags: u16) -> io::Result<()> {
    fill(r)?;
    r.open(options)?;
    let m = dump_request(r, 1, flags)?;
    r.send(&m)?;
    r.drain_with(DUMP_BUF)
}

fn dump_start_error(r: &mut Run<'_>, ext_ack: bool) -> io::Result<()> {
    let d = r.profile.dump.as_ref().ok_or_else(|| io::Error::other("no dump"))?;
    let (req, mut options) = d.failing.clone();
    if ext_ack {
        options.push(NETLINK_EXT_ACK);
    }
    r.errno_matters = false;
    let m = message(&req, F_REQUEST, 1, 0);
    with_options(r, &options, &m)
}

/// Every case, in the order they run.
pub fn all() -> Vec<Case> {
    use Group::*;
    use Needs::*;
    vec![
        // --- framing -------------------------------------------------------
        case(Framing, "valid", "the valid request with NLM_F_ACK", Any, |r| {
            let m = r.valid(1, F_ACK);
            once(r, &m)
        }),
        case(Framing, "empty-datagram", "a datagram of 0 bytes", Any, |r| once(r, &[])),
        case(Framing, "header-10-bytes", "the first 10 bytes of a header", Any, |r| {
            let m = r.valid(1, F_ACK);
            once(r, &m[..10])
        }),
        case(Framing, "header-15-bytes", "the first 15 bytes of a header", Any, |r| {
            let m = r.valid(1, F_ACK);
            once(r, &m[..15])
        }),
        case(Framing, "len-0", "nlmsg_len 0", Any, |r| {
            let m = with_len(r.valid(1, F_ACK), 0);
            once(r, &m)
        }),
        case(Framing, "len-15", "nlmsg_len 15, below the header's 16", Any, |r| {
            let m = with_len(r.valid(1, F_ACK), 15);
            once(r, &m)
        }),
        case(Framing, "len-past-end", "nlmsg_len 64 bytes more than the datagram", Any, |r| {
            let m = unpadded(r.valid(1, F_ACK));
            let len = m.len() as u32 + 64;
            once(r, &with_len(m, len))
        }),
        case(Framing, "len-4GiB", "nlmsg_len 0xffffffff", Any, |r| {
            let m = with_len(r.valid(1, F_ACK), u32::MAX);
            once(r, &m)
        }),
        case(Framing, "unaligned-single", "one message without its padding", Any, |r| {
            let m = unpadded(r.valid(1, F_ACK));
            once(r, &m)
        }),
        case(Framing, "unaligned-last", "two messages, the last without its padding", Any, |r| {
            let m = batch(&[r.valid(1, F_ACK), unpadded(r.valid(2, F_ACK))]);
            once(r, &m)
        }),
        case(Framing, "trailing-10-bytes", "a message, then 10 bytes (less than a header)", Any, |r| {
            let mut m = r.valid(1, F_ACK);
            let tail = r.valid(2, F_ACK);
            m.extend_from_slice(&tail[..10]);
            once(r, &m)
        }),
        case(Framing, "valid-then-bad-len", "a message, then one whose nlmsg_len runs past the end", Any, |r| {
            let m = batch(&[r.valid(1, F_ACK), with_len(r.valid(2, F_ACK), 4096)]);
            once(r, &m)
        }),
        case(Framing, "bad-len-then-valid", "a message with nlmsg_len 8, then a valid one", Any, |r| {
            let m = batch(&[with_len(r.valid(1, F_ACK), 8), r.valid(2, F_ACK)]);
            once(r, &m)
        }),
        case(Framing, "batch-of-10", "10 valid requests with NLM_F_ACK in one datagram", Any, |r| {
            let m = batch(&(1..=10).map(|s| r.valid(s, F_ACK)).collect::<Vec<_>>());
            once(r, &m)
        }),
        // --- ack -----------------------------------------------------------
        case(Ack, "valid-no-ack", "the valid request without NLM_F_ACK", Any, |r| {
            let m = r.valid(1, 0);
            once(r, &m)
        }),
        case(Ack, "no-request", "the valid request without NLM_F_REQUEST or NLM_F_ACK", Any, |r| {
            let m = message(&r.profile.valid, 0, 1, 0);
            once(r, &m)
        }),
        case(Ack, "no-request-ack", "the valid request with NLM_F_ACK but not NLM_F_REQUEST", Any, |r| {
            let m = message(&r.profile.valid, F_ACK, 1, 0);
            once(r, &m)
        }),
        case(Ack, "bare-header-ack", "a bare 16-byte header of the valid type, flags NLM_F_ACK only", Any, |r| {
            let m = raw(r.profile.valid.ty, F_ACK, 1, 0, &[]);
            once(r, &m)
        }),
        case(Ack, "noop-request-ack", "NLMSG_NOOP with NLM_F_REQUEST|NLM_F_ACK", Any, |r| {
            once(r, &raw(nlmsg::NOOP, F_REQUEST | F_ACK, 1, 0, &[]))
        }),
        case(Ack, "control-types-ack", "types 0-15 with NLM_F_REQUEST|NLM_F_ACK, in one datagram", Any, |r| {
            once(r, &control_types(F_REQUEST | F_ACK))
        }),
        case(Ack, "control-types-ack-only", "types 0-15 with NLM_F_ACK only", Any, |r| once(r, &control_types(F_ACK))),
        case(Ack, "control-types-no-ack", "types 0-15 with NLM_F_REQUEST only", Any, |r| {
            once(r, &control_types(F_REQUEST))
        }),
        case(Ack, "echo-flag-on-valid", "the valid request with NLM_F_ECHO|NLM_F_ACK", Any, |r| {
            let m = r.valid(1, F_ACK | F_ECHO);
            once(r, &m)
        }),
        // --- errors --------------------------------------------------------
        case(Errors, "unknown-type-ack", "type 0x7ff0 with the valid payload and NLM_F_ACK", Any, |r| {
            let m = unknown(r, 1, F_ACK);
            once(r, &m)
        }),
        case(Errors, "unknown-type-no-ack", "type 0x7ff0 with the valid payload, no NLM_F_ACK", Any, |r| {
            let m = unknown(r, 1, 0);
            once(r, &m)
        }),
        case(Errors, "unknown-type-no-payload", "type 0x7ff0, a bare header", Any, |r| {
            once(r, &raw(UNKNOWN, F_REQUEST | F_ACK, 1, 0, &[]))
        }),
        case(Errors, "unknown-type-unaligned", "type 0x7ff0, the valid payload without padding", Any, |r| {
            let m = unpadded(unknown(r, 1, F_ACK));
            once(r, &m)
        }),
        case(
            Errors,
            "batch-mixed",
            "good, unknown, no-REQUEST, NOOP, no-ACK, bad length, good: in one datagram",
            Any,
            |r| {
                let m = batch(&[
                    r.valid(1, F_ACK),
                    unknown(r, 2, F_ACK),
                    message(&r.profile.valid, F_ACK, 3, 0),
                    raw(nlmsg::NOOP, F_REQUEST | F_ACK, 4, 0, &[]),
                    r.valid(5, 0),
                    unknown(r, 6, 0),
                    raw(nlmsg::DONE, F_REQUEST, 7, 0, &[0; 4]),
                    r.valid(8, F_ACK),
                    with_len(r.valid(9, F_ACK), 4096),
                    r.valid(10, F_ACK),
                ]);
                once(r, &m)
            },
        ),
        // --- attrs ---------------------------------------------------------
        case(Attrs, "attr-too-long", "a string attribute longer than the policy allows", Attributes, |r| {
            let m = too_long(r)?;
            once(r, &m)
        }),
        case(
            Attrs,
            "attr-len-0-strict",
            "NETLINK_GET_STRICT_CHK; an attribute with nla_len 0 at the end",
            Attributes,
            |r| attr_len(r, 0, STRICT),
        ),
        case(
            Attrs,
            "attr-len-1-strict",
            "NETLINK_GET_STRICT_CHK; an attribute with nla_len 1 at the end",
            Attributes,
            |r| attr_len(r, 1, STRICT),
        ),
        case(
            Attrs,
            "attr-len-2-strict",
            "NETLINK_GET_STRICT_CHK; an attribute with nla_len 2 at the end",
            Attributes,
            |r| attr_len(r, 2, STRICT),
        ),
        case(
            Attrs,
            "attr-len-3-strict",
            "NETLINK_GET_STRICT_CHK; an attribute with nla_len 3 at the end",
            Attributes,
            |r| attr_len(r, 3, STRICT),
        ),
        case(
            Attrs,
            "attr-past-end-strict",
            "NETLINK_GET_STRICT_CHK; an attribute whose nla_len runs past the end",
            Attributes,
            |r| attr_past_end(r, STRICT),
        ),
        case(Attrs, "attr-unknown-type-strict", "NETLINK_GET_STRICT_CHK; an attribute of type 1000", Attributes, |r| {
            attr_unknown_type(r, STRICT)
        }),
        case(Attrs, "attr-len-2", "an attribute with nla_len 2 at the end", Attributes, |r| attr_len(r, 2, &[])),
        case(Attrs, "attr-past-end", "an attribute whose nla_len runs past the end", Attributes, |r| {
            attr_past_end(r, &[])
        }),
        case(Attrs, "attr-unknown-type", "an attribute of type 1000", Attributes, |r| attr_unknown_type(r, &[])),
        // --- sockopts ------------------------------------------------------
        case(Sockopts, "options-read-back", "each option read, set to 1, read again", Any, |r| {
            r.open(&[])?;
            for (name, o) in [
                ("NETLINK_CAP_ACK", NETLINK_CAP_ACK),
                ("NETLINK_EXT_ACK", NETLINK_EXT_ACK),
                ("NETLINK_GET_STRICT_CHK", NETLINK_GET_STRICT_CHK),
            ] {
                let s = r.sock()?;
                let before = s.get_int(SOL_NETLINK, o)?;
                let set = s.set_int(SOL_NETLINK, o, 1).map_or_else(|e| e.to_string(), |()| "ok".into());
                let after = s.get_int(SOL_NETLINK, o)?;
                r.step(format!("{name}: {before}, set: {set}, then {after}"));
            }
            Ok(())
        }),
        case(Sockopts, "cap-ack-error", "NETLINK_CAP_ACK; type 0x7ff0", Any, |r| {
            let m = unknown(r, 1, F_ACK);
            with_options(r, &[NETLINK_CAP_ACK], &m)
        }),
        case(Sockopts, "cap-ack-ack", "NETLINK_CAP_ACK; the valid request", Any, |r| {
            let m = r.valid(1, F_ACK);
            with_options(r, &[NETLINK_CAP_ACK], &m)
        }),
        case(Sockopts, "ext-ack-error", "NETLINK_EXT_ACK; type 0x7ff0", Any, |r| {
            let m = unknown(r, 1, F_ACK);
            with_options(r, &[NETLINK_EXT_ACK], &m)
        }),
        case(Sockopts, "ext-ack-ack", "NETLINK_EXT_ACK; the valid request", Any, |r| {
            let m = r.valid(1, F_ACK);
            with_options(r, &[NETLINK_EXT_ACK], &m)
        }),
        case(Sockopts, "strict-valid", "NETLINK_GET_STRICT_CHK; the valid request", Any, |r| {
            let m = r.valid(1, F_ACK);
            with_options(r, STRICT, &m)
        }),
        case(Sockopts, "ext-ack-too-long", "NETLINK_EXT_ACK; a string attribute too long", Attributes, |r| {
            let m = too_long(r)?;
            with_options(r, &[NETLINK_EXT_ACK], &m)
        }),
        case(
            Sockopts,
            "cap-ext-ack-too-long",
            "NETLINK_CAP_ACK and NETLINK_EXT_ACK; a string attribute too long",
            Attributes,
            |r| {
                let m = too_long(r)?;
                with_options(r, &[NETLINK_CAP_ACK, NETLINK_EXT_ACK], &m)
            },
        ),
        case(
            Sockopts,
            "ext-ack-leftover-strict",
            "NETLINK_EXT_ACK and NETLINK_GET_STRICT_CHK; nla_len 2 at the end",
            Attributes,
            |r| attr_len(r, 2, &[NETLINK_EXT_ACK, NETLINK_GET_STRICT_CHK]),
        ),
        // --- ports ---------------------------------------------------------
        case(Ports, "pid-of-other-socket", "the valid request whose nlmsg_pid is a second socket's port", Any, |r| {
            r.open(&[])?;
            r.open_other()?;
            let m = message(&r.profile.valid, F_REQUEST | F_ACK, 1, r.other_port());
            r.send(&m)?;
            r.drain()?;
            r.drain_other()
        }),
        case(Ports, "pid-of-other-socket-error", "type 0x7ff0 whose nlmsg_pid is a second socket's port", Any, |r| {
            r.open(&[])?;
            r.open_other()?;
            let m = raw(UNKNOWN, F_REQUEST | F_ACK, 1, r.other_port(), &r.profile.valid.payload);
            r.send(&m)?;
            r.drain()?;
            r.drain_other()
        }),
        case(Ports, "pid-random", "the valid request with nlmsg_pid 0x7fff1234", Any, |r| {
            let m = message(&r.profile.valid, F_REQUEST | F_ACK, 1, 0x7fff_1234);
            once(r, &m)
        }),
        // --- dump ----------------------------------------------------------
        case(Dump, "dump", "a dump request, read to the end", Dumps, |r| dump_with(r, &[], 0)),
        case(Dump, "dump-ack", "a dump request with NLM_F_ACK", Dumps, |r| dump_with(r, &[], F_ACK)),
        case(Dump, "dump-ext-ack", "NETLINK_EXT_ACK; a dump request", Dumps, |r| dump_with(r, &[NETLINK_EXT_ACK], 0)),
        case(
            Dump,
            "dump-tiny-buffer",
            "a dump whose first buffer is read with 16 bytes, then the rest, then the valid request",
            Dumps,
            |r| {
                fill(r)?;
                r.open(&[])?;
                let m = dump_request(r, 1, 0)?;
                r.send(&m)?;
                r.read_one(16)?;
                r.drain_with(DUMP_BUF)?;
                let v = r.valid(2, F_ACK);
                r.send(&v)?;
                r.drain()
            },
        ),
        case(
            Dump,
            "dump-abandoned",
            "a dump whose socket is closed after one buffer; then the valid request on a new socket",
            Dumps,
            |r| {
                let module = r.profile.module;
                let before = module.and_then(run::module_refs);
                dump_first(r)?;
                r.close();
                let after = module.and_then(run::module_refs);
                match (before, after) {
                    (Some(b), Some(a)) if a > b => {
                        r.step(format!("the module kept {} reference(s) after the socket closed", a - b))
                    }
                    _ => r.step("socket closed, no reference left behind"),
                }
                r.open(&[])?;
                let v = r.valid(2, F_ACK);
                r.send(&v)?;
                r.drain()
            },
        ),
        case(Dump, "dump-busy", "two dump requests in one datagram", Dumps, |r| {
            fill(r)?;
            r.open(&[])?;
            let m = batch(&[dump_request(r, 1, F_ACK)?, dump_request(r, 2, F_ACK)?]);
            r.send(&m)?;
            r.drain_with(DUMP_BUF)
        }),
        case(Dump, "dump-change", "a dump; after its first buffer an entry is added", Dumps, |r| {
            dump_first(r)?;
            change_fixture(r, |f| f.change_one(), "one entry added")?;
            r.drain_with(DUMP_BUF)
        }),
        case(Dump, "dump-change-all", "a dump; after its first buffer every entry is removed", Dumps, |r| {
            dump_first(r)?;
            change_fixture(r, |f| f.remove_all(), "every entry removed")?;
            r.drain_with(DUMP_BUF)
        }),
        case(Dump, "dump-start-error", "a dump request that fails at its start", Dumps, |r| dump_start_error(r, false)),
        case(Dump, "dump-start-error-ext-ack", "NETLINK_EXT_ACK; a dump request that fails at its start", Dumps, |r| {
            dump_start_error(r, true)
        }),
        // --- echo ----------------------------------------------------------
        case(Echo, "change-no-echo", "a change with NLM_F_ACK", Notifications, |r| change(r, F_ACK)),
        case(Echo, "change-echo", "a change with NLM_F_ECHO|NLM_F_ACK", Notifications, |r| change(r, F_ACK | F_ECHO)),
    ]
}

/// Makes the profile's change with `flags`, reads the answers, undoes it.
fn change(r: &mut Run<'_>, flags: u16) -> io::Result<()> {
    let e = r.profile.echo.as_ref().ok_or_else(|| io::Error::other("no change"))?;
    let (m, undo) = (message(&e.change, F_REQUEST | flags, 1, 0), e.undo.clone());
    let protocol = r.profile.protocol;
    once(r, &m)?;
    crate::profile::apply(protocol, [undo], &[])
}
