//! Property tests: round trips (build, then parse, gives back what we built)
//! and "never panics, whatever the bytes" for every parser.

use proptest::prelude::*;
use wire::attr::{self, Attr, Attrs};
use wire::nlmsg::{self, ErrorPayload, Header, Messages};
use wire::policy::{self, Policy};
use wire::proto::{self, TlvSummary};
use wire::tlv::{self, TlvWriter};
use wire::writer::Writer;
use wire::{cstr, Error};

fn bytes(max: usize) -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(any::<u8>(), 0..max)
}

/// Text without NUL, at most `max` bytes long.
fn text(max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(1u8..=0x7f, 0..=max).prop_map(|v| String::from_utf8(v).unwrap())
}

// ---------------------------------------------------------------------------
// Messages and batches.
// ---------------------------------------------------------------------------

#[derive(Debug, Clone)]
struct Msg {
    ty: u16,
    flags: u16,
    seq: u32,
    pid: u32,
    payload: Vec<u8>,
}

fn msg() -> impl Strategy<Value = Msg> {
    (any::<u16>(), any::<u16>(), any::<u32>(), any::<u32>(), bytes(70)).prop_map(|(ty, flags, seq, pid, payload)| Msg {
        ty,
        flags,
        seq,
        pid,
        payload,
    })
}

proptest! {
    #[test]
    fn batch_round_trip(msgs in prop::collection::vec(msg(), 0..8), garbage: u8) {
        // Garbage in the buffer must not leak into padding.
        let mut buf = vec![garbage; 1024];
        let mut w = Writer::new(&mut buf);
        for m in &msgs {
            // Half of them in one go, half with start/put/finish.
            if m.seq % 2 == 0 {
                w.message(m.ty, m.flags, m.seq, m.pid, &m.payload).unwrap();
            } else {
                let t = w.start(m.ty, m.flags, m.seq, m.pid).unwrap();
                w.put_payload(&m.payload).unwrap();
                w.finish(t).unwrap();
            }
        }
        prop_assert_eq!(w.len() % 4, 0);
        let got: Vec<_> = Messages::new(w.as_bytes()).collect::<Result<_, _>>().unwrap();
        prop_assert_eq!(got.len(), msgs.len());
        for (g, m) in got.iter().zip(&msgs) {
            prop_assert_eq!(g.header.ty, m.ty);
            prop_assert_eq!(g.header.flags, m.flags);
            prop_assert_eq!(g.header.seq, m.seq);
            prop_assert_eq!(g.header.pid, m.pid);
            // With put_payload the padding is part of the message length.
            let n = m.payload.len();
            prop_assert_eq!(&g.payload[..n], &m.payload[..]);
            prop_assert!(g.payload[n..].iter().all(|&b| b == 0));
        }
    }

    #[test]
    fn header_round_trip(len: u32, ty: u16, flags: u16, seq: u32, pid: u32) {
        let h = Header { len, ty, flags, seq, pid };
        prop_assert_eq!(Header::parse(&h.to_bytes()), Ok(h));
        prop_assert_eq!(Header::from_bytes(&h.to_bytes()), h);
    }

    #[test]
    fn error_round_trip(error: i32, len: u32, ty: u16, flags: u16, seq: u32, pid: u32, portid: u32) {
        let request = Header { len, ty, flags, seq, pid };
        let p = ErrorPayload { error, request };
        prop_assert_eq!(ErrorPayload::parse(&p.to_bytes()), Ok(p));

        let mut buf = [0u8; 64];
        let mut w = Writer::new(&mut buf);
        w.error(&request, portid, error).unwrap();
        let m = Messages::new(w.as_bytes()).next().unwrap().unwrap();
        prop_assert_eq!(m.header.ty, nlmsg::ERROR);
        prop_assert_eq!(m.header.seq, seq);
        prop_assert_eq!(m.header.pid, portid);
        let e = m.error_payload().unwrap().unwrap();
        prop_assert_eq!(e.request, request);
        prop_assert!(e.error <= 0);
        prop_assert_eq!(e.errno(), error.saturating_abs());
    }

    #[test]
    fn messages_never_panic(buf in bytes(200)) {
        let mut seen = 0usize;
        let mut errors = 0;
        for m in Messages::new(&buf) {
            match m {
                Ok(m) => {
                    prop_assert!(m.header.len as usize >= nlmsg::HDRLEN);
                    prop_assert_eq!(m.payload.len(), m.header.len as usize - nlmsg::HDRLEN);
                    seen += nlmsg::align(m.header.len as usize).unwrap();
                    let _ = m.error_payload();
                    let _ = ErrorPayload::parse_with_trailer(m.payload);
                }
                Err(_) => errors += 1,
            }
        }
        prop_assert!(errors <= 1);
        prop_assert!(seen <= nlmsg::align(buf.len()).unwrap());
    }
}

// ---------------------------------------------------------------------------
// Attributes, including nested trees.
// ---------------------------------------------------------------------------

#[derive(Debug, Clone)]
enum Node {
    Leaf(u16, Vec<u8>),
    Nest(u16, Vec<Node>),
}

fn tree() -> impl Strategy<Value = Vec<Node>> {
    let leaf = (0..=attr::TYPE_MASK, bytes(20)).prop_map(|(k, v)| Node::Leaf(k, v));
    let node = leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            (0..=attr::TYPE_MASK, bytes(20)).prop_map(|(k, v)| Node::Leaf(k, v)),
            (0..=attr::TYPE_MASK, prop::collection::vec(inner, 0..4)).prop_map(|(k, c)| Node::Nest(k, c)),
        ]
    });
    prop::collection::vec(node, 0..6)
}

fn write_tree(w: &mut Writer, nodes: &[Node]) {
    for n in nodes {
        match n {
            Node::Leaf(k, v) => w.put_attr(*k, v).unwrap(),
            Node::Nest(k, c) => {
                let t = w.nest_start(*k).unwrap();
                write_tree(w, c);
                w.nest_end(t).unwrap();
            }
        }
    }
}

fn check_tree(area: &[u8], nodes: &[Node]) -> Result<(), TestCaseError> {
    let got: Vec<Attr> = Attrs::new(area).collect::<Result<_, _>>().unwrap();
    prop_assert_eq!(got.len(), nodes.len());
    for (a, n) in got.iter().zip(nodes) {
        match n {
            Node::Leaf(k, v) => {
                prop_assert_eq!(a.kind(), *k);
                prop_assert!(!a.is_nested());
                prop_assert_eq!(a.payload(), &v[..]);
            }
            Node::Nest(k, c) => {
                prop_assert_eq!(a.kind(), *k);
                prop_assert!(a.is_nested());
                check_tree(a.payload(), c)?;
            }
        }
    }
    Ok(())
}

fn all_kinds_policy() -> [Policy; 10] {
    [
        Policy::UNSPEC,
        Policy::U8,
        Policy::U16,
        Policy::U32,
        Policy::U64,
        Policy::string(7),
        Policy::binary(1, 9),
        Policy::NESTED,
        Policy::FLAG,
        Policy::string(0),
    ]
}

/// Calls every accessor; none may panic.
fn poke(a: &Attr) {
    let _ = (a.kind(), a.raw_type(), a.is_nested(), a.is_net_byteorder(), a.is_empty());
    let _ = (a.u8(), a.u16(), a.u32(), a.u64(), a.i32(), a.be_u16(), a.be_u32(), a.str());
    for n in a.nested().take(64).flatten() {
        let _ = (n.u32(), n.str());
    }
}

proptest! {
    #[test]
    fn attr_tree_round_trip(nodes in tree(), garbage: u8) {
        let mut buf = vec![garbage; 8192];
        let mut w = Writer::new(&mut buf);
        write_tree(&mut w, &nodes);
        check_tree(w.as_bytes(), &nodes)?;
        // Inside a message too.
        let mut buf2 = vec![garbage; 8192];
        let mut w2 = Writer::new(&mut buf2);
        let t = w2.start(proto::PERSON_SET, nlmsg::F_REQUEST, 1, 2).unwrap();
        write_tree(&mut w2, &nodes);
        w2.finish(t).unwrap();
        let m = Messages::new(w2.as_bytes()).next().unwrap().unwrap();
        check_tree(m.payload, &nodes)?;
    }

    #[test]
    fn typed_attrs_round_trip(a: u8, b: u16, c: u32, d: u64, e: i32, f: u16, g: u32, s in text(100)) {
        let mut buf = [0u8; 512];
        let mut w = Writer::new(&mut buf);
        w.put_u8(1, a).unwrap();
        w.put_u16(2, b).unwrap();
        w.put_u32(3, c).unwrap();
        w.put_u64(4, d).unwrap();
        w.put_i32(5, e).unwrap();
        w.put_be16(6, f).unwrap();
        w.put_be32(7, g).unwrap();
        w.put_str(8, &s).unwrap();
        w.put_flag(9).unwrap();
        let v: Vec<Attr> = Attrs::new(w.as_bytes()).collect::<Result<_, _>>().unwrap();
        prop_assert_eq!(v[0].u8(), Ok(a));
        prop_assert_eq!(v[1].u16(), Ok(b));
        prop_assert_eq!(v[2].u32(), Ok(c));
        prop_assert_eq!(v[3].u64(), Ok(d));
        prop_assert_eq!(v[4].i32(), Ok(e));
        prop_assert_eq!(v[5].be_u16(), Ok(f));
        prop_assert_eq!(v[6].payload(), &g.to_be_bytes()[..]);
        prop_assert_eq!(v[6].be_u32(), Ok(g));
        prop_assert!(v[6].is_net_byteorder());
        prop_assert_eq!(v[7].str(), Ok(&s[..]));
        prop_assert!(v[8].is_empty());
    }

    #[test]
    fn attrs_and_policy_never_panic(buf in bytes(200)) {
        let mut errors = 0;
        for a in Attrs::new(&buf) {
            match a {
                Ok(a) => poke(&a),
                Err(_) => errors += 1,
            }
        }
        prop_assert!(errors <= 1);
        let _ = Attrs::new(&buf).find(1);
        let _ = Attrs::new(&buf).validate();
        let _ = policy::parse(&buf, &all_kinds_policy());
        let _ = policy::parse(&buf, &proto::PERSON_POLICY);
        let _ = policy::parse(&buf, &proto::ADDRESS_POLICY);
        let _ = policy::parse(&buf, &proto::REPLY_POLICY);
        let _ = policy::parse(&buf, &[]);
        if let Err(e) = policy::parse(&buf, &all_kinds_policy()) {
            let _ = (e.to_string(), e.errno(), e.message(), e.attr());
        }
        if let Err(e) = policy::parse_liberal(&buf, &all_kinds_policy()) {
            let _ = (e.to_string(), e.errno(), e.message(), e.attr());
        }
    }

    #[test]
    fn policy_accepts_what_it_promises(buf in bytes(120)) {
        // Whatever parse() accepted, the typed accessors can read.
        if let Ok(tb) = policy::parse(&buf, &all_kinds_policy()) {
            if let Some(a) = tb[1] { prop_assert!(a.u8().is_ok()); }
            if let Some(a) = tb[2] { prop_assert!(a.u16().is_ok()); }
            if let Some(a) = tb[3] { prop_assert!(a.u32().is_ok()); }
            if let Some(a) = tb[4] { prop_assert!(a.u64().is_ok()); }
            // The policy checks the length, not UTF-8 (neither does the kernel's).
            if let Some(a) = tb[5] { prop_assert!(a.str().map_or(true, |s| s.len() <= 7)); }
            if let Some(a) = tb[6] { prop_assert!((1..=9).contains(&a.payload().len())); }
            if let Some(a) = tb[7] { prop_assert!(a.nested().validate().is_ok()); }
            if let Some(a) = tb[8] { prop_assert!(a.is_empty()); }
            if let Some(a) = tb[9] { prop_assert_eq!(a.str(), Ok("")); }
        }
    }

    #[test]
    fn person_round_trip(name in text(proto::NAME_MAX), age: u32,
                         street in text(proto::STREET_MAX), city in text(proto::CITY_MAX)) {
        let mut buf = [0u8; 512];
        let mut w = Writer::new(&mut buf);
        let m = w.start(proto::PERSON_SET, nlmsg::F_REQUEST | nlmsg::F_ACK, 1, 0).unwrap();
        w.put_str(proto::PERSON_ATTR_NAME, &name).unwrap();
        w.put_u32(proto::PERSON_ATTR_AGE, age).unwrap();
        let n = w.nest_start(proto::PERSON_ATTR_ADDRESS).unwrap();
        w.put_str(proto::ADDRESS_ATTR_STREET, &street).unwrap();
        w.put_str(proto::ADDRESS_ATTR_CITY, &city).unwrap();
        w.nest_end(n).unwrap();
        w.finish(m).unwrap();

        let msg = Messages::new(w.as_bytes()).next().unwrap().unwrap();
        let tb = policy::parse(msg.payload, &proto::PERSON_POLICY).unwrap();
        prop_assert_eq!(tb[usize::from(proto::PERSON_ATTR_NAME)].unwrap().str(), Ok(&name[..]));
        prop_assert_eq!(tb[usize::from(proto::PERSON_ATTR_AGE)].unwrap().u32(), Ok(age));
        let addr = tb[usize::from(proto::PERSON_ATTR_ADDRESS)].unwrap();
        let at = policy::parse(addr.payload(), &proto::ADDRESS_POLICY).unwrap();
        prop_assert_eq!(at[usize::from(proto::ADDRESS_ATTR_STREET)].unwrap().str(), Ok(&street[..]));
        prop_assert_eq!(at[usize::from(proto::ADDRESS_ATTR_CITY)].unwrap().str(), Ok(&city[..]));
    }
}

// ---------------------------------------------------------------------------
// The writer: any sequence of operations, any buffer size.
// ---------------------------------------------------------------------------

#[derive(Debug, Clone)]
enum Op {
    U32(u16, u32),
    Str(u16, String),
    Raw(u16, Vec<u8>),
    Flag(u16),
    Payload(Vec<u8>),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (any::<u16>(), any::<u32>()).prop_map(|(k, v)| Op::U32(k, v)),
        (any::<u16>(), ".{0,12}").prop_map(|(k, s)| Op::Str(k, s)),
        (any::<u16>(), bytes(30)).prop_map(|(k, v)| Op::Raw(k, v)),
        any::<u16>().prop_map(Op::Flag),
        bytes(10).prop_map(Op::Payload),
    ]
}

proptest! {
    #[test]
    fn writer_failures_change_nothing(ops in prop::collection::vec(op(), 0..20), size in 0usize..160) {
        let mut buf = vec![0u8; size];
        let mut w = Writer::new(&mut buf);
        for o in &ops {
            let before = w.as_bytes().to_vec();
            let r = match o {
                Op::U32(k, v) => w.put_u32(*k, *v),
                Op::Str(k, s) => w.put_str(*k, s),
                Op::Raw(k, v) => w.put_attr(*k, v),
                Op::Flag(k) => w.put_flag(*k),
                Op::Payload(v) => w.put_payload(v),
            };
            match r {
                Ok(()) => prop_assert!(w.len() > before.len() || matches!(o, Op::Payload(v) if v.is_empty())),
                Err(e) => {
                    prop_assert!(matches!(e, Error::NoSpace | Error::BadString), "{e:?}");
                    prop_assert_eq!(w.as_bytes(), &before[..]);
                }
            }
            prop_assert_eq!(w.len() % 4, 0);
            prop_assert!(w.len() <= size);
        }
    }
}

// ---------------------------------------------------------------------------
// The course TLVs.
// ---------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq)]
enum Rec {
    Names(Vec<String>),
    Sites(Vec<String>),
    Ids(Vec<u64>),
    Other(u8, Vec<u8>),
}

fn rec() -> impl Strategy<Value = Rec> {
    prop_oneof![
        prop::collection::vec(text(tlv::NAME_UNIT - 1), 1..=7).prop_map(Rec::Names),
        prop::collection::vec(text(tlv::WEBSITE_UNIT - 1), 1..=3).prop_map(Rec::Sites),
        prop::collection::vec(any::<u64>(), 1..=31).prop_map(Rec::Ids),
        (4u8.., prop::collection::vec(any::<u8>(), 0..=255)).prop_map(|(t, v)| Rec::Other(t, v)),
    ]
}

proptest! {
    #[test]
    fn tlv_round_trip(recs in prop::collection::vec(rec(), 0..6), garbage: u8) {
        let mut buf = vec![garbage; 4096];
        let mut w = TlvWriter::new(&mut buf);
        for r in &recs {
            match r {
                Rec::Names(v) => w.put_names(&v.iter().map(|s| &s[..]).collect::<Vec<_>>()),
                Rec::Sites(v) => w.put_websites(&v.iter().map(|s| &s[..]).collect::<Vec<_>>()),
                Rec::Ids(v) => w.put_ids(v),
                Rec::Other(t, v) => w.put(*t, v),
            }
            .unwrap();
        }
        // What the format says the bytes are: type, length, value; strings
        // NUL-padded to their unit, ids little-endian; no padding between.
        let padded = |v: &[String], unit: usize| -> Vec<u8> {
            v.iter().flat_map(|s| { let mut u = s.as_bytes().to_vec(); u.resize(unit, 0); u }).collect()
        };
        let mut want = Vec::new();
        for r in &recs {
            let (ty, value) = match r {
                Rec::Names(v) => (tlv::NAME, padded(v, tlv::NAME_UNIT)),
                Rec::Sites(v) => (tlv::WEBSITE, padded(v, tlv::WEBSITE_UNIT)),
                Rec::Ids(v) => (tlv::EMPLOYEE_ID, v.iter().flat_map(|i| i.to_le_bytes()).collect()),
                Rec::Other(t, v) => (*t, v.clone()),
            };
            want.push(ty);
            want.push(value.len() as u8);
            want.extend(value);
        }
        prop_assert_eq!(w.as_bytes(), &want[..]);
    }

    #[test]
    fn small_decoders_never_panic(buf in bytes(40)) {
        let _ = Header::parse(&buf);
        let _ = ErrorPayload::parse(&buf);
        let _ = TlvSummary::parse(&buf);
        let _ = cstr::decode(&buf);
    }

    #[test]
    fn summary_round_trip(names: u32, websites: u32, ids: u32, skipped: u32) {
        let s = TlvSummary { names, websites, ids, skipped };
        prop_assert_eq!(TlvSummary::parse(&s.to_bytes()), Ok(s));
    }
}
