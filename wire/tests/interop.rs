//! Interoperability with the `netlink-packet-core` crate (the Rust netlink
//! stack used by `rtnetlink` and friends): what `wire` writes, it reads, and
//! the other way round. If both agree byte for byte, we both agree with the
//! kernel's layout.

use netlink_packet_core::{
    DecodeError, DefaultNla, DoneMessage, Emitable, ErrorMessage, NetlinkBuffer, NetlinkDeserializable, NetlinkHeader,
    NetlinkMessage, NetlinkPayload, NetlinkSerializable, NlaBuffer, NlasIterator, Parseable, NLA_F_NESTED,
    NLA_F_NET_BYTEORDER,
};
use proptest::prelude::*;
use std::num::NonZeroI32;
use wire::attr::{self, Attrs};
use wire::nlmsg::{self, ErrorPayload, Header, Messages};
use wire::writer::Writer;
use wire::{errno, proto};

/// A payload that netlink-packet-core keeps as raw bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Raw {
    ty: u16,
    bytes: Vec<u8>,
}

impl NetlinkSerializable for Raw {
    fn message_type(&self) -> u16 {
        self.ty
    }
    fn buffer_len(&self) -> usize {
        self.bytes.len()
    }
    fn serialize(&self, buffer: &mut [u8]) {
        buffer.copy_from_slice(&self.bytes);
    }
}

impl NetlinkDeserializable for Raw {
    type Error = DecodeError;
    fn deserialize(header: &NetlinkHeader, payload: &[u8]) -> Result<Self, DecodeError> {
        Ok(Raw { ty: header.message_type, bytes: payload.to_vec() })
    }
}

/// Serializes one of their messages (after `finalize`).
fn theirs_to_bytes(mut msg: NetlinkMessage<Raw>) -> Vec<u8> {
    msg.finalize();
    let mut buf = vec![0u8; msg.buffer_len()];
    msg.serialize(&mut buf);
    buf
}

fn their_header(flags: u16, seq: u32, pid: u32) -> NetlinkHeader {
    let mut h = NetlinkHeader::default();
    h.flags = flags;
    h.sequence_number = seq;
    h.port_number = pid;
    h
}

#[test]
fn our_message_their_parser() {
    let mut buf = [0u8; 256];
    let mut w = Writer::new(&mut buf);
    let m = w.start(proto::PERSON_SET, nlmsg::F_REQUEST | nlmsg::F_ACK, 0x0102_0304, 4242).unwrap();
    w.put_str(proto::PERSON_ATTR_NAME, "Ada").unwrap();
    w.put_u32(proto::PERSON_ATTR_AGE, 36).unwrap();
    let n = w.nest_start(proto::PERSON_ATTR_ADDRESS).unwrap();
    w.put_str(proto::ADDRESS_ATTR_CITY, "London").unwrap();
    w.put_be32(proto::ADDRESS_ATTR_STREET, 0x7f00_0001).unwrap();
    w.nest_end(n).unwrap();
    let len = w.finish(m).unwrap();
    let bytes = w.as_bytes();

    let nb = NetlinkBuffer::new_checked(bytes).unwrap();
    assert_eq!(nb.length() as usize, len);
    assert_eq!(nb.message_type(), proto::PERSON_SET);
    assert_eq!(nb.flags(), nlmsg::F_REQUEST | nlmsg::F_ACK);
    assert_eq!(nb.sequence_number(), 0x0102_0304);
    assert_eq!(nb.port_number(), 4242);

    let msg = NetlinkMessage::<Raw>::deserialize(bytes).unwrap();
    let NetlinkPayload::InnerMessage(raw) = msg.payload else {
        panic!("not an inner message: {:?}", msg.payload);
    };
    let nlas: Vec<NlaBuffer<&[u8]>> = NlasIterator::new(&raw.bytes[..]).map(|n| n.unwrap()).collect();
    assert_eq!(nlas.len(), 3);
    assert_eq!(nlas[0].kind(), proto::PERSON_ATTR_NAME);
    assert_eq!(nlas[0].value(), b"Ada\0");
    assert_eq!(nlas[1].value(), &36u32.to_ne_bytes());
    assert_eq!(nlas[2].kind(), proto::PERSON_ATTR_ADDRESS);
    assert!(nlas[2].nested_flag());
    let inner: Vec<DefaultNla> =
        NlasIterator::new(nlas[2].value()).map(|n| DefaultNla::parse(&n.unwrap()).unwrap()).collect();
    assert_eq!(
        inner,
        [
            DefaultNla::new(proto::ADDRESS_ATTR_CITY, b"London\0".to_vec()),
            DefaultNla::new(proto::ADDRESS_ATTR_STREET | NLA_F_NET_BYTEORDER, vec![127, 0, 0, 1]),
        ]
    );
}

#[test]
fn their_message_our_parser() {
    let nlas = vec![
        DefaultNla::new(1, b"Ada\0".to_vec()),
        DefaultNla::new(2, 36u32.to_ne_bytes().to_vec()),
        DefaultNla::new(3 | NLA_F_NESTED, {
            let inner = vec![DefaultNla::new(2, b"Paris\0".to_vec())];
            let mut b = vec![0u8; inner.as_slice().buffer_len()];
            inner.as_slice().emit(&mut b);
            b
        }),
        DefaultNla::new(4, vec![9]), // value needs 3 bytes of padding
    ];
    let mut payload = vec![0u8; nlas.as_slice().buffer_len()];
    nlas.as_slice().emit(&mut payload);
    let msg = NetlinkMessage::new(
        their_header(nlmsg::F_REQUEST, 7, 99),
        NetlinkPayload::InnerMessage(Raw { ty: proto::PERSON_SET, bytes: payload.clone() }),
    );
    let bytes = theirs_to_bytes(msg);

    let msgs: Vec<_> = Messages::new(&bytes).map(|m| m.unwrap()).collect();
    assert_eq!(msgs.len(), 1);
    let h = msgs[0].header;
    assert_eq!(h, Header { len: bytes.len() as u32, ty: proto::PERSON_SET, flags: nlmsg::F_REQUEST, seq: 7, pid: 99 });
    assert_eq!(msgs[0].payload, &payload[..]);

    // Type 4 is unknown to PERSON_POLICY: strict parsing refuses it, as the
    // kernel's nla_parse would; liberal parsing skips it.
    let strict = wire::policy::parse(msgs[0].payload, &proto::PERSON_POLICY).unwrap_err();
    assert_eq!(strict.attr(), Some(4));
    let tb = wire::policy::parse_liberal(msgs[0].payload, &proto::PERSON_POLICY).unwrap();
    assert_eq!(tb[1].unwrap().str(), Ok("Ada"));
    assert_eq!(tb[2].unwrap().u32(), Ok(36));
    let addr = tb[3].unwrap();
    assert!(addr.is_nested());
    let city = addr.nested().find(2).unwrap().unwrap();
    assert_eq!(city.str(), Ok("Paris"));
    // ... but still readable.
    let four = Attrs::new(msgs[0].payload).find(4).unwrap().unwrap();
    assert_eq!(four.u8(), Ok(9));
}

#[test]
fn our_ack_and_error_their_parser() {
    let req = Header { len: 40, ..Header::new(proto::GREET, nlmsg::F_REQUEST | nlmsg::F_ACK, 31, 0) };
    let mut buf = [0u8; 128];
    let mut w = Writer::new(&mut buf);
    w.ack(&req, 1234).unwrap();
    w.error(&req, 1234, errno::EINVAL).unwrap();
    w.done(31, 1234).unwrap();
    let bytes = w.as_bytes();

    let mut at = 0;
    let mut got = Vec::new();
    while at < bytes.len() {
        let nb = NetlinkBuffer::new_checked(&bytes[at..]).unwrap();
        let len = nb.length() as usize;
        got.push(NetlinkMessage::<Raw>::deserialize(&bytes[at..at + len]).unwrap());
        at += nlmsg::align(len).unwrap();
    }
    assert_eq!(got.len(), 3);

    let NetlinkPayload::Error(ack) = &got[0].payload else { panic!("{:?}", got[0].payload) };
    assert_eq!(ack.code, None);
    assert_eq!(ack.header, req.to_bytes());
    assert_eq!(got[0].header.sequence_number, 31);
    assert_eq!(got[0].header.port_number, 1234);
    assert_eq!(got[0].header.flags, nlmsg::F_CAPPED);

    let NetlinkPayload::Error(err) = &got[1].payload else { panic!("{:?}", got[1].payload) };
    assert_eq!(err.code, NonZeroI32::new(-errno::EINVAL));
    assert_eq!(err.to_io().raw_os_error(), Some(errno::EINVAL), "theirs maps it to the same OS error");

    let NetlinkPayload::Done(done) = &got[2].payload else { panic!("{:?}", got[2].payload) };
    assert_eq!(done.code, 0);
    assert_eq!(got[2].header.flags, nlmsg::F_MULTI);
}

#[test]
fn their_error_and_done_our_parser() {
    let req = Header::new(0x30, nlmsg::F_REQUEST, 5, 6);
    let mut e = ErrorMessage::default();
    e.code = NonZeroI32::new(-errno::EEXIST);
    e.header = req.to_bytes().to_vec();
    let mut err_msg = NetlinkMessage::<Raw>::new(their_header(0, 5, 6), NetlinkPayload::Error(e));
    err_msg.finalize();
    let mut d = DoneMessage::default();
    d.code = 0;
    let done_msg = NetlinkMessage::<Raw>::new(their_header(nlmsg::F_MULTI, 5, 6), NetlinkPayload::Done(d));

    let mut batch = theirs_to_bytes(err_msg);
    batch.extend(theirs_to_bytes(done_msg));

    let msgs: Vec<_> = Messages::new(&batch).map(|m| m.unwrap()).collect();
    assert_eq!(msgs.len(), 2);
    let ep = msgs[0].error_payload().unwrap().unwrap();
    assert_eq!(ep, ErrorPayload { error: -errno::EEXIST, request: req });
    assert_eq!(errno::name(ep.error), "EEXIST");
    assert_eq!(msgs[1].header.ty, nlmsg::DONE);
    assert_eq!(msgs[1].payload, 0i32.to_ne_bytes());
}

// ---------------------------------------------------------------------------
// Property tests across both implementations.
// ---------------------------------------------------------------------------

fn nla_list() -> impl Strategy<Value = Vec<(u16, Vec<u8>)>> {
    prop::collection::vec((0..=attr::TYPE_MASK, prop::collection::vec(any::<u8>(), 0..40)), 0..12)
}

proptest! {
    #[test]
    fn prop_attrs_ours_to_theirs(list in nla_list(), flags in prop::sample::select(vec![0, NLA_F_NESTED, NLA_F_NET_BYTEORDER])) {
        let mut buf = vec![0u8; 4096];
        let mut w = Writer::new(&mut buf);
        for (k, v) in &list {
            w.put_attr(k | flags, v).unwrap();
        }
        let bytes = w.as_bytes();
        let theirs: Vec<DefaultNla> = NlasIterator::new(bytes)
            .map(|n| DefaultNla::parse(&n.unwrap()).unwrap())
            .collect();
        let expected: Vec<DefaultNla> = list
            .iter()
            .map(|(k, v)| DefaultNla::new(k | flags, v.clone()))
            .collect();
        prop_assert_eq!(theirs, expected);
    }

    #[test]
    fn prop_attrs_theirs_to_ours(list in nla_list()) {
        let nlas: Vec<DefaultNla> = list
            .iter()
            .map(|(k, v)| DefaultNla::new(*k, v.clone()))
            .collect();
        let mut bytes = vec![0u8; nlas.as_slice().buffer_len()];
        nlas.as_slice().emit(&mut bytes);
        let ours: Vec<(u16, Vec<u8>)> = Attrs::new(&bytes)
            .map(|a| a.map(|a| (a.kind(), a.payload().to_vec())))
            .collect::<Result<_, _>>()
            .unwrap();
        prop_assert_eq!(ours, list);
    }

    #[test]
    fn prop_header_both_ways(ty in nlmsg::MIN_TYPE.., flags: u16, seq: u32, pid: u32,
                             payload in prop::collection::vec(any::<u8>(), 0..64)) {
        // Ours -> theirs.
        let mut buf = vec![0u8; 256];
        let mut w = Writer::new(&mut buf);
        let len = w.message(ty, flags, seq, pid, &payload).unwrap();
        let bytes = w.as_bytes();
        let theirs = NetlinkMessage::<Raw>::deserialize(&bytes[..len]).unwrap();
        prop_assert_eq!(theirs.header.length as usize, len);
        prop_assert_eq!(theirs.header.message_type, ty);
        prop_assert_eq!(theirs.header.flags, flags);
        prop_assert_eq!(theirs.header.sequence_number, seq);
        prop_assert_eq!(theirs.header.port_number, pid);
        prop_assert_eq!(theirs.payload, NetlinkPayload::InnerMessage(Raw { ty, bytes: payload.clone() }));

        // Theirs -> ours.
        let msg = NetlinkMessage::new(
            their_header(flags, seq, pid),
            NetlinkPayload::InnerMessage(Raw { ty, bytes: payload.clone() }),
        );
        let bytes = theirs_to_bytes(msg);
        let m = Messages::new(&bytes).next().unwrap().unwrap();
        prop_assert_eq!(m.header, Header { len: bytes.len() as u32, ty, flags, seq, pid });
        prop_assert_eq!(m.payload, &payload[..]);
    }

    #[test]
    fn prop_same_verdict_on_random_attr_bytes(bytes in prop::collection::vec(any::<u8>(), 0..64)) {
        // Where both accept, they must see the same attributes. (We are
        // stricter on 1..=3 trailing bytes, which they ignore.)
        let theirs: Vec<_> = NlasIterator::new(&bytes[..]).collect();
        let ours: Vec<_> = Attrs::new(&bytes).collect();
        if theirs.iter().all(|r| r.is_ok()) && ours.iter().all(|r| r.is_ok()) {
            prop_assert_eq!(theirs.len(), ours.len());
            for (t, o) in theirs.iter().zip(&ours) {
                let (t, o) = (t.as_ref().unwrap(), o.unwrap());
                prop_assert_eq!(t.kind(), o.kind());
                prop_assert_eq!(t.value(), o.payload());
            }
        }
    }
}
