//! The shape of an answer: what is left of a message once everything that
//! may rightly differ between two protocols is taken out (the reply's type
//! and payload, how many parts a dump takes, the text of an error message),
//! so that the kernel's own protocol and a course module can be compared.

use nlprobe::answer::{self, ExtAck};
use nlprobe::sock::Datagram;
use std::collections::HashMap;
use std::fmt;
use wire::nlmsg::{self, Header, Messages};

/// Whose port a `nlmsg_pid` names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Port {
    /// The socket that received the answer (the requester).
    Me,
    /// The case's second socket.
    Other,
    /// Any other value.
    Value(u32),
}

/// What kind of message an answer is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A protocol message (type >= `NLMSG_MIN_TYPE`): a reply, a dump part,
    /// a notification. Its type and payload are the protocol's business.
    Reply,
    /// `NLMSG_ERROR` with error 0.
    Ack,
    /// `NLMSG_ERROR` with a negative errno (`ANY` when the case compares
    /// only that it failed).
    Error(i32),
    /// `NLMSG_DONE` with its status.
    Done(i32),
    /// Another control type (`NLMSG_NOOP`, `NLMSG_OVERRUN`, 5-15).
    Control(u16),
}

/// An errno that stands for any error, in cases where the two protocols
/// report the same failure with numbers of their own.
pub const ANY: i32 = i32::MIN;

/// What an `NLMSG_ERROR` carries after `struct nlmsgerr`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Echo {
    /// Not an `NLMSG_ERROR` (or `NLMSG_DONE`).
    NotApplicable,
    /// The request's header only.
    Header,
    /// The request's header and its whole payload.
    Full,
    /// Something else: part of the payload, a header that is not the
    /// request's, a length that does not add up.
    Wrong,
}

/// Where the extended ACK's `NLMSGERR_ATTR_OFFS` points.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Offs {
    /// No `NLMSGERR_ATTR_OFFS`.
    None,
    /// At the attribute the case broke.
    AtBad,
    /// Somewhere else.
    Elsewhere(u32),
}

/// One answer message, reduced to its shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shape {
    /// What it is.
    pub kind: Kind,
    /// Its flags: all of them for control messages; for protocol messages
    /// only `NLM_F_MULTI` and `NLM_F_DUMP_INTR` (the rest is the protocol's).
    pub flags: u16,
    /// `nlmsg_seq`.
    pub seq: u32,
    /// `nlmsg_pid`.
    pub pid: Port,
    /// Did the datagram come from the kernel (source port 0)?
    pub from_kernel: bool,
    /// What an error or ACK carries of the request.
    pub echo: Echo,
    /// Extended-ACK attribute types, `NLMSGERR_ATTR_OFFS` aside.
    pub ext: Vec<u16>,
    /// Where `NLMSGERR_ATTR_OFFS` points.
    pub offs: Offs,
    /// Only the start of the datagram was read (`MSG_TRUNC`).
    pub truncated: bool,
    /// Seen this many times in a row (1, or 2 for "more than once").
    pub repeated: u8,
}

/// One thing a case observed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// An answer message.
    Msg(Shape),
    /// `sendmsg` failed with this errno.
    SendError(i32),
    /// `recvmsg` failed with this errno (`ENOBUFS`: answers were dropped).
    SocketError(i32),
    /// A step of the case (a change made mid-dump, a second socket's turn).
    Step(String),
    /// Bytes that are not netlink messages.
    Garbage(String),
}

/// What the requester sent, to compare the answers' copies with.
#[derive(Debug, Default, Clone)]
pub struct Sent {
    by_seq: HashMap<u32, (Header, Vec<u8>)>,
}

impl Sent {
    /// Remembers every message of a datagram that was sent (a bad length
    /// ends the walk, as it ends the kernel's).
    pub fn record(&mut self, bytes: &[u8]) {
        for m in Messages::new(bytes).map_while(Result::ok) {
            self.by_seq.entry(m.header.seq).or_insert((m.header, m.payload.to_vec()));
        }
        // A last message cut short still has a header the kernel may copy.
        if let Ok(h) = Header::parse(bytes) {
            self.by_seq.entry(h.seq).or_insert((h, bytes.get(16..).unwrap_or(&[]).to_vec()));
        }
    }
}

/// How to read what comes back.
#[derive(Debug, Clone, Copy)]
pub struct Context {
    /// The receiving socket's port.
    pub me: u32,
    /// The case's second socket, if any.
    pub other: Option<u32>,
    /// Offset (from the request header) of the attribute the case broke.
    pub bad_offset: Option<u32>,
    /// Compare errno values (false: only that there was an error).
    pub errno_matters: bool,
}

/// Turns a received datagram into events.
pub fn shapes(d: &Datagram, ctx: &Context, sent: &Sent) -> Vec<Event> {
    let mut out = Vec::new();
    let port = |pid: u32| {
        if pid == ctx.me {
            Port::Me
        } else if Some(pid) == ctx.other {
            Port::Other
        } else {
            Port::Value(pid)
        }
    };
    for m in Messages::new(&d.bytes) {
        let m = match m {
            Ok(m) => m,
            Err(_) if d.truncated => {
                // The buffer cut the datagram: keep what the first header says.
                if let Ok(h) = Header::parse(&d.bytes) {
                    if out.is_empty() {
                        out.push(Event::Msg(header_only(&h, port(h.pid), d)));
                    }
                }
                break;
            }
            Err(e) => {
                out.push(Event::Garbage(format!("{e:?} after {} messages", out.len())));
                break;
            }
        };
        let h = m.header;
        let mut shape = Shape {
            kind: Kind::Reply,
            flags: h.flags,
            seq: h.seq,
            pid: port(h.pid),
            from_kernel: d.from == 0,
            echo: Echo::NotApplicable,
            ext: Vec::new(),
            offs: Offs::None,
            truncated: d.truncated,
            repeated: 1,
        };
        let mut ext = ExtAck::default();
        match h.ty {
            nlmsg::ERROR => match answer::parse_error(h.flags, m.payload) {
                Some(e) => {
                    shape.kind = if e.error == 0 { Kind::Ack } else { Kind::Error(e.error) };
                    shape.echo = echo(&e, h.flags, sent);
                    ext = e.ext;
                }
                None => shape.echo = Echo::Wrong,
            },
            nlmsg::DONE => {
                let (status, e) = answer::parse_done(h.flags, m.payload);
                shape.kind = Kind::Done(status);
                ext = e;
            }
            t if t < nlmsg::MIN_TYPE => shape.kind = Kind::Control(t),
            _ => shape.flags &= nlmsg::F_MULTI | nlmsg::F_DUMP_INTR,
        }
        if !ctx.errno_matters {
            shape.kind = match shape.kind {
                Kind::Error(_) => Kind::Error(ANY),
                Kind::Done(s) if s < 0 => Kind::Done(ANY),
                k => k,
            };
        }
        shape.ext = ext.types.iter().copied().filter(|&t| t != answer::ATTR_OFFS).collect();
        shape.offs = match ext.offs {
            None => Offs::None,
            Some(o) if Some(o) == ctx.bad_offset => Offs::AtBad,
            Some(o) => Offs::Elsewhere(o),
        };
        if ext.malformed {
            shape.echo = Echo::Wrong;
        }
        out.push(Event::Msg(shape));
    }
    out
}

/// The shape of a message of which only the header could be read.
fn header_only(h: &Header, pid: Port, d: &Datagram) -> Shape {
    let kind = match h.ty {
        nlmsg::ERROR => Kind::Error(ANY),
        nlmsg::DONE => Kind::Done(0),
        t if t < nlmsg::MIN_TYPE => Kind::Control(t),
        _ => Kind::Reply,
    };
    let flags = if kind == Kind::Reply { h.flags & (nlmsg::F_MULTI | nlmsg::F_DUMP_INTR) } else { h.flags };
    Shape {
        kind,
        flags,
        seq: h.seq,
        pid,
        from_kernel: d.from == 0,
        echo: Echo::NotApplicable,
        ext: Vec::new(),
        offs: Offs::None,
        truncated: true,
        repeated: 1,
    }
}

/// Does the error's copy of the request match what was sent, and does its
/// length add up? `netlink_ack` writes 16 + 20 bytes, then (unless
/// `NLM_F_CAPPED`) the request's payload padded to 4 (`nlmsg_append`), then
/// the attributes: an error answering a 19-byte request is 40 bytes long.
fn echo(e: &answer::ErrorAnswer, flags: u16, sent: &Sent) -> Echo {
    let Some((hdr, payload)) = sent.by_seq.get(&e.request.seq) else {
        return Echo::Wrong;
    };
    if e.request != *hdr {
        return Echo::Wrong;
    }
    if flags & nlmsg::F_CAPPED != 0 {
        return if e.echo.is_empty() { Echo::Header } else { Echo::Wrong };
    }
    let padded = nlmsg::align(payload.len()).unwrap_or(usize::MAX);
    if e.echo == *payload && e.trailer_len >= padded && (flags & nlmsg::F_ACK_TLVS != 0 || e.trailer_len == padded) {
        Echo::Full
    } else {
        Echo::Wrong
    }
}

/// Merges runs of identical messages: how many parts a dump takes depends
/// on the sizes of its entries, so "one or more" is what is compared.
pub fn collapse(events: Vec<Event>) -> Vec<Event> {
    let mut out: Vec<Event> = Vec::new();
    for e in events {
        if let (Some(Event::Msg(last)), Event::Msg(s)) = (out.last_mut(), &e) {
            if (Shape { repeated: last.repeated, ..s.clone() }) == *last {
                last.repeated = 2;
                continue;
            }
        }
        out.push(e);
    }
    out
}

/// Flag names as the kernel headers spell them, for the kind of message.
fn flag_names(kind: Kind, flags: u16) -> String {
    let mut names = Vec::new();
    let mut rest = flags;
    let mut take = |bit: u16, name: &str| {
        if rest & bit != 0 {
            names.push(name.to_string());
            rest &= !bit;
        }
    };
    take(nlmsg::F_REQUEST, "REQUEST");
    take(nlmsg::F_MULTI, "MULTI");
    take(nlmsg::F_ACK, "ACK");
    take(nlmsg::F_ECHO, "ECHO");
    take(nlmsg::F_DUMP_INTR, "DUMP_INTR");
    take(nlmsg::F_DUMP_FILTERED, "DUMP_FILTERED");
    if matches!(kind, Kind::Ack | Kind::Error(_) | Kind::Done(_)) {
        take(nlmsg::F_CAPPED, "CAPPED");
        take(nlmsg::F_ACK_TLVS, "ACK_TLVS");
    }
    if rest != 0 {
        names.push(format!("{rest:#x}"));
    }
    if names.is_empty() {
        "0".into()
    } else {
        names.join("|")
    }
}

fn errno_name(e: i32) -> String {
    if e == ANY {
        "any error".into()
    } else {
        format!("-{}", nlprobe::answer::errno_name(e.saturating_neg()))
    }
}

impl fmt::Display for Shape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            Kind::Reply => write!(f, "REPLY")?,
            Kind::Ack => write!(f, "ACK")?,
            Kind::Error(e) => write!(f, "ERROR {}", errno_name(e))?,
            Kind::Done(0) => write!(f, "DONE 0")?,
            Kind::Done(s) if s < 0 => write!(f, "DONE {}", errno_name(s))?,
            Kind::Done(s) => write!(f, "DONE {s}")?,
            Kind::Control(t) => write!(f, "CONTROL type={t}")?,
        }
        if self.repeated > 1 {
            write!(f, " (1 or more)")?;
        }
        write!(f, " seq={} flags={}", self.seq, flag_names(self.kind, self.flags))?;
        match self.pid {
            Port::Me => {}
            Port::Other => write!(f, " pid=OTHER-SOCKET")?,
            Port::Value(v) => write!(f, " pid={v}")?,
        }
        match self.echo {
            Echo::NotApplicable => {}
            Echo::Header => write!(f, " echo=header")?,
            Echo::Full => write!(f, " echo=header+payload")?,
            Echo::Wrong => write!(f, " echo=WRONG")?,
        }
        if !self.ext.is_empty() || self.offs != Offs::None {
            let mut names: Vec<String> = self.ext.iter().map(|&t| answer::attr_name(t)).collect();
            match self.offs {
                Offs::None => {}
                Offs::AtBad => names.push("offs=bad-attr".into()),
                Offs::Elsewhere(o) => names.push(format!("offs={o}")),
            }
            write!(f, " ext-ack={}", names.join(","))?;
        }
        if self.truncated {
            write!(f, " TRUNCATED")?;
        }
        if !self.from_kernel {
            write!(f, " NOT-FROM-KERNEL")?;
        }
        Ok(())
    }
}

impl fmt::Display for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Event::Msg(s) => write!(f, "{s}"),
            Event::SendError(e) => write!(f, "sendmsg: {}", nlprobe::answer::errno_name(*e)),
            Event::SocketError(e) => write!(f, "recvmsg: {}", nlprobe::answer::errno_name(*e)),
            Event::Step(s) => write!(f, "-- {s}"),
            Event::Garbage(g) => write!(f, "GARBAGE {g}"),
        }
    }
}

/// A transcript on one line, or "silence". Messages alike but for their
/// sequence numbers, which count up by one, are written once with the range
/// (`ACK seq=1..16 flags=CAPPED echo=header`).
pub fn render(events: &[Event]) -> String {
    let mut parts = Vec::new();
    let mut i = 0;
    while let Some(e) = events.get(i) {
        let mut text = e.to_string();
        if let Event::Msg(first) = e {
            let mut last = first.seq;
            while let Some(Event::Msg(next)) = events.get(i + 1) {
                let same = Shape { seq: first.seq, ..next.clone() } == *first;
                if !same || Some(next.seq) != last.checked_add(1) || first.repeated > 1 {
                    break;
                }
                last = next.seq;
                i += 1;
            }
            if last != first.seq {
                text = text.replacen(&format!(" seq={} ", first.seq), &format!(" seq={}..{last} ", first.seq), 1);
            }
        }
        parts.push(text);
        i += 1;
    }
    if parts.is_empty() {
        "silence".into()
    } else {
        parts.join("; ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wire::nlmsg::ErrorPayload;
    use wire::writer::Writer;

    fn ctx() -> Context {
        Context { me: 77, other: Some(88), bad_offset: Some(20), errno_matters: true }
    }

    fn datagram(bytes: &[u8]) -> Datagram {
        Datagram { bytes: bytes.to_vec(), size: bytes.len(), truncated: false, from: 0 }
    }

    #[test]
    fn an_error_with_the_whole_request() {
        let mut sent = Sent::default();
        let mut req = [0u8; 64];
        let mut w = Writer::new(&mut req);
        w.message(0x7ff0, nlmsg::F_REQUEST, 5, 0, b"abcde").unwrap();
        sent.record(w.as_bytes());
        let h = Header::parse(w.as_bytes()).unwrap();
        let mut buf = [0u8; 128];
        let mut w = Writer::new(&mut buf);
        let mut payload = ErrorPayload { error: -95, request: h }.to_bytes().to_vec();
        payload.extend_from_slice(b"abcde\0\0\0");
        w.message(nlmsg::ERROR, 0, 5, 77, &payload).unwrap();
        let got = shapes(&datagram(w.as_bytes()), &ctx(), &sent);
        assert_eq!(render(&got), "ERROR -EOPNOTSUPP seq=5 flags=0 echo=header+payload");
        // Capped, sent to someone else.
        let mut buf = [0u8; 128];
        let mut w = Writer::new(&mut buf);
        w.message(nlmsg::ERROR, nlmsg::F_CAPPED, 5, 88, &payload[..20]).unwrap();
        let got = shapes(&datagram(w.as_bytes()), &ctx(), &sent);
        assert_eq!(render(&got), "ERROR -EOPNOTSUPP seq=5 flags=CAPPED pid=OTHER-SOCKET echo=header");
        // An echo cut short is wrong.
        let mut buf = [0u8; 128];
        let mut w = Writer::new(&mut buf);
        w.message(nlmsg::ERROR, 0, 5, 77, &payload[..22]).unwrap();
        assert_eq!(
            render(&shapes(&datagram(w.as_bytes()), &ctx(), &sent)),
            "ERROR -EOPNOTSUPP seq=5 flags=0 echo=WRONG"
        );
    }

    #[test]
    fn dump_parts_collapse() {
        let mut buf = [0u8; 256];
        let mut w = Writer::new(&mut buf);
        for _ in 0..3 {
            w.message(0x20, nlmsg::F_MULTI | 0x100, 9, 77, b"x").unwrap();
        }
        w.message(0x20, nlmsg::F_MULTI | nlmsg::F_DUMP_INTR, 9, 77, b"x").unwrap();
        w.message(0x20, nlmsg::F_MULTI, 9, 77, b"x").unwrap();
        w.message(nlmsg::DONE, nlmsg::F_MULTI | nlmsg::F_DUMP_INTR, 9, 77, &0i32.to_ne_bytes()).unwrap();
        let got = collapse(shapes(&datagram(w.as_bytes()), &ctx(), &Sent::default()));
        assert_eq!(
            render(&got),
            "REPLY (1 or more) seq=9 flags=MULTI; REPLY seq=9 flags=MULTI|DUMP_INTR; REPLY seq=9 flags=MULTI; \
             DONE 0 seq=9 flags=MULTI|DUMP_INTR"
        );
    }

    #[test]
    fn offsets_are_relative_to_the_broken_attribute() {
        let mut sent = Sent::default();
        let mut req = [0u8; 64];
        let mut w = Writer::new(&mut req);
        w.message(0x20, nlmsg::F_REQUEST, 1, 0, &[0; 8]).unwrap();
        sent.record(w.as_bytes());
        let h = Header::parse(w.as_bytes()).unwrap();
        let mut buf = [0u8; 128];
        let mut w = Writer::new(&mut buf);
        let t = w.start(nlmsg::ERROR, nlmsg::F_CAPPED | nlmsg::F_ACK_TLVS, 1, 77).unwrap();
        w.put_payload(&ErrorPayload { error: -34, request: h }.to_bytes()).unwrap();
        w.put_str(answer::ATTR_MSG, "too long").unwrap();
        w.put_u32(answer::ATTR_OFFS, 20).unwrap();
        w.finish(t).unwrap();
        let got = shapes(&datagram(w.as_bytes()), &ctx(), &sent);
        assert_eq!(render(&got), "ERROR -ERANGE seq=1 flags=CAPPED|ACK_TLVS echo=header ext-ack=msg,offs=bad-attr");
        let any = Context { errno_matters: false, bad_offset: None, ..ctx() };
        let got = shapes(&datagram(w.as_bytes()), &any, &sent);
        assert_eq!(render(&got), "ERROR any error seq=1 flags=CAPPED|ACK_TLVS echo=header ext-ack=msg,offs=20");
    }
}
