//! Message payloads decoded with the `wire` definitions: texts, the
//! course's TLVs, attributes and nested attributes by name, errors and ACKs
//! with their errno name and extended-ACK attributes, rtnetlink's fixed
//! headers. Whatever is malformed is said so, never hidden; whatever is
//! unknown is shown in hex.

use super::doc::Doc;
use super::names::{self, NETLINK_COURSE, NETLINK_ROUTE};
use super::schema::{self, Set, Value};
use wire::attr::Attrs;
use wire::ext_ack::{self, DoneReply, ErrorReply, ExtAck};
use wire::nlmsg::{self, Header};
use wire::{errno, proto, rtm, tlv};

/// Bytes shown of a value in hex before `…`.
const HEX_MAX: usize = 32;

/// The payload of one message (`header.len - 16` bytes), decoded.
pub fn describe(protocol: u16, header: &Header, payload: &[u8]) -> Vec<Doc> {
    match header.ty {
        nlmsg::ERROR => return error(protocol, header, payload),
        nlmsg::DONE => return done(header, payload),
        ty if ty < nlmsg::MIN_TYPE => return raw(payload),
        _ => {}
    }
    match protocol {
        NETLINK_COURSE => course(header.ty, payload),
        NETLINK_ROUTE => route(header.ty, payload),
        _ => raw(payload),
    }
}

/// The course's protocol, by message type.
fn course(ty: u16, payload: &[u8]) -> Vec<Doc> {
    match ty {
        proto::GREET | proto::GREET_REPLY => vec![Doc::Text(text(payload))],
        proto::TLV_RECORDS => tlvs(payload),
        proto::TLV_SUMMARY => match proto::TlvSummary::parse(payload) {
            Ok(s) => vec![Doc::text(format!(
                "names {}  websites {}  ids {}  skipped {}",
                s.names, s.websites, s.ids, s.skipped
            ))],
            Err(e) => bad(e, payload),
        },
        proto::PERSON_SET => attrs(&schema::PERSON, payload),
        proto::PERSON_REPLY => attrs(&schema::PERSON_REPLY, payload),
        rtm::TABLE_NEW..=rtm::ROUTE_LOOKUP => attrs(&schema::RTM, payload),
        _ => raw(payload),
    }
}

/// rtnetlink: the fixed header of the family, then its attributes.
fn route(ty: u16, payload: &[u8]) -> Vec<Doc> {
    let family = (ty.saturating_sub(libc::RTM_NEWLINK)) / 4;
    match family {
        0 => fixed(payload, 16, &schema::IFLA, ifinfomsg),
        2 => fixed(payload, 12, &schema::RTA, rtmsg),
        1 => fixed(payload, 8, &NO_ATTRS, ifaddrmsg),
        _ => raw(payload),
    }
}

static NO_ATTRS: Set = Set { defs: &[] };

/// A fixed header of `len` bytes shown by `show`, then attributes of `set`.
/// A shorter payload (a GET request may send less) is shown in hex.
fn fixed(payload: &[u8], len: usize, set: &Set, show: fn(&[u8]) -> Doc) -> Vec<Doc> {
    match payload.split_at_checked(nlmsg::align(len).unwrap_or(len)) {
        Some((head, rest)) => {
            let mut items = vec![show(head), Doc::Break];
            items.extend(attrs(set, rest));
            items
        }
        None => raw(payload),
    }
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    b.get(at..at + 4).and_then(|s| s.try_into().ok()).map_or(0, u32::from_ne_bytes)
}

/// `struct ifinfomsg` (`include/uapi/linux/rtnetlink.h`), 16 bytes.
fn ifinfomsg(b: &[u8]) -> Doc {
    let ty = u16::from_ne_bytes([b[2], b[3]]);
    Doc::Group(
        "ifinfomsg".into(),
        vec![
            Doc::text(format!("ifi_family {}", b[0])),
            Doc::text(format!("ifi_type {ty}")),
            Doc::text(format!("ifi_index {}", u32_at(b, 4) as i32)),
            Doc::text(format!("ifi_flags {}", iff(u32_at(b, 8)))),
            Doc::text(format!("ifi_change {}", iff(u32_at(b, 12)))),
        ],
    )
}

/// `struct rtmsg`, 12 bytes.
fn rtmsg(b: &[u8]) -> Doc {
    let names = ["rtm_family", "rtm_dst_len", "rtm_src_len", "rtm_tos", "rtm_table", "rtm_protocol", "rtm_scope"];
    let mut items: Vec<Doc> = names.iter().zip(b).map(|(n, v)| Doc::text(format!("{n} {v}"))).collect();
    items.push(Doc::text(format!("rtm_type {}", b[7])));
    Doc::Group("rtmsg".into(), items)
}

/// `struct ifaddrmsg`, 8 bytes.
fn ifaddrmsg(b: &[u8]) -> Doc {
    let names = ["ifa_family", "ifa_prefixlen", "ifa_flags", "ifa_scope"];
    let mut items: Vec<Doc> = names.iter().zip(b).map(|(n, v)| Doc::text(format!("{n} {v}"))).collect();
    items.push(Doc::text(format!("ifa_index {}", u32_at(b, 4))));
    Doc::Group("ifaddrmsg".into(), items)
}

/// Interface flags (`IFF_*`, `include/uapi/linux/if.h`) by name.
fn iff(flags: u32) -> String {
    const NAMES: &[(libc::c_int, &str)] = &[
        (libc::IFF_UP, "UP"),
        (libc::IFF_BROADCAST, "BROADCAST"),
        (libc::IFF_LOOPBACK, "LOOPBACK"),
        (libc::IFF_POINTOPOINT, "POINTOPOINT"),
        (libc::IFF_RUNNING, "RUNNING"),
        (libc::IFF_NOARP, "NOARP"),
        (libc::IFF_PROMISC, "PROMISC"),
        (libc::IFF_MULTICAST, "MULTICAST"),
        (libc::IFF_LOWER_UP, "LOWER_UP"),
    ];
    let mut names = Vec::new();
    let mut left = flags;
    for &(bit, name) in NAMES {
        let bit = bit as u32;
        if left & bit != 0 {
            names.push(name.to_string());
            left &= !bit;
        }
    }
    if left != 0 {
        names.push(format!("{left:#x}"));
    }
    if names.is_empty() {
        "0".into()
    } else {
        names.join("|")
    }
}

/// An `NLMSG_ERROR`: which request it answers and how, the request's payload
/// if the kernel echoed it (no `NLM_F_CAPPED`), and the extended-ACK
/// attributes (`NLM_F_ACK_TLVS`). The split is `wire::ext_ack`'s, after
/// `netlink_ack()` (`net/netlink/af_netlink.c`).
fn error(protocol: u16, header: &Header, payload: &[u8]) -> Vec<Doc> {
    let reply = match ErrorReply::parse(header, payload) {
        Ok(r) => r,
        Err(e) => return bad(format!("not a valid NLMSG_ERROR payload ({e})"), payload),
    };
    let (e, request) = (reply.error, reply.error.request);
    let what = format!("{} seq {} port {}", names::type_name(protocol, request.ty), request.seq, request.pid);
    let mut items = vec![if e.is_ack() {
        Doc::text(format!("ACK of {what}"))
    } else {
        Doc::text(format!("error {} {} ({}) for {what}", e.error, errno_name(e.error), errno_text(e.error)))
    }];
    // The whole request, to find the attributes the offsets point at.
    let mut whole = None;
    if let Some(echoed) = reply.request_payload {
        items.push(Doc::Group("request".into(), describe(protocol, &request, echoed)));
        let mut bytes = request.to_bytes().to_vec();
        bytes.extend_from_slice(echoed);
        whole = Some(bytes);
    }
    items.extend(ext_ack(&reply.ext_ack, protocol, request.ty, whole.as_deref()));
    items
}

/// An `NLMSG_DONE`: the dump's status (`int`), then extended-ACK attributes
/// (`netlink_dump_done()`).
fn done(header: &Header, payload: &[u8]) -> Vec<Doc> {
    let reply = match DoneReply::parse(header, payload) {
        Ok(r) => r,
        Err(e) => return bad(format!("not a valid NLMSG_DONE payload ({e})"), payload),
    };
    let status = reply.status;
    let mut items = vec![Doc::text(if status == 0 {
        "status 0".to_string()
    } else {
        format!("status {status} {}", errno_name(status))
    })];
    items.extend(ext_ack(&reply.ext_ack, NETLINK_COURSE, nlmsg::DONE, None));
    items
}

/// The extended-ACK attributes by their kernel names. With the `request`
/// message at hand (an uncapped error echoes it), an offset is followed to
/// the attribute it points at: `NLMSGERR_ATTR_OFFS 16 (PERSON_ATTR_NAME)`.
fn ext_ack(ack: &ExtAck<'_>, protocol: u16, ty: u16, request: Option<&[u8]>) -> Vec<Doc> {
    if ack.is_empty() {
        return Vec::new();
    }
    let located = |offset: u32| -> String {
        let Some((set, fixed)) = attribute_set(protocol, ty) else { return String::new() };
        let Some(path) = request.and_then(|r| ext_ack::locate(r, nlmsg::HDRLEN + fixed, offset)) else {
            return String::new();
        };
        format!(" ({})", path_names(set, path.types()).join(" > "))
    };
    let mut items = vec![Doc::Break];
    if let Some(m) = ack.msg {
        items.push(Doc::text(format!("NLMSGERR_ATTR_MSG {m:?}")));
    }
    if let Some(o) = ack.offset {
        items.push(Doc::text(format!("NLMSGERR_ATTR_OFFS {o}{}", located(o))));
    }
    if let Some(c) = ack.cookie {
        items.push(Doc::text(format!("NLMSGERR_ATTR_COOKIE {}", hex(c))));
    }
    if let Some(p) = ack.policy {
        items.push(Doc::text(format!("NLMSGERR_ATTR_POLICY {}", hex(p))));
    }
    if let Some(t) = ack.miss_type {
        // The missing attribute's name, in the set of the nest it is
        // missing from (or of the message).
        let name = attribute_set(protocol, ty).and_then(|(set, fixed)| {
            let set = match ack.miss_nest {
                None => set,
                Some(nest) => {
                    let path = request.and_then(|r| ext_ack::locate(r, nlmsg::HDRLEN + fixed, nest))?;
                    nested_set(set, path.types())?
                }
            };
            Some(set.get(u16::try_from(t).ok()?)?.name)
        });
        items.push(Doc::text(format!(
            "NLMSGERR_ATTR_MISS_TYPE {t}{}",
            name.map(|n| format!(" ({n})")).unwrap_or_default()
        )));
    }
    if let Some(n) = ack.miss_nest {
        items.push(Doc::text(format!("NLMSGERR_ATTR_MISS_NEST {n}{}", located(n))));
    }
    items
}

/// The attribute set of message type `ty` of `protocol`, and the size of
/// the fixed header before its attributes.
fn attribute_set(protocol: u16, ty: u16) -> Option<(&'static Set, usize)> {
    match (protocol, ty) {
        (NETLINK_COURSE, proto::PERSON_SET) => Some((&schema::PERSON, 0)),
        (NETLINK_COURSE, proto::PERSON_REPLY) => Some((&schema::PERSON_REPLY, 0)),
        (NETLINK_COURSE, rtm::TABLE_NEW..=rtm::ROUTE_LOOKUP) => Some((&schema::RTM, 0)),
        (NETLINK_ROUTE, ty) if ty >= libc::RTM_NEWLINK => match (ty - libc::RTM_NEWLINK) / 4 {
            0 => Some((&schema::IFLA, 16)),
            2 => Some((&schema::RTA, 12)),
            _ => None,
        },
        _ => None,
    }
}

/// The names along a path of attribute types, nests first.
fn path_names(set: &'static Set, types: &[u16]) -> Vec<String> {
    let mut set = Some(set);
    types
        .iter()
        .map(|&t| match set.and_then(|s| s.get(t)) {
            Some(d) => {
                set = match d.value {
                    Value::Nested(inner) => Some(inner),
                    _ => None,
                };
                d.name.to_string()
            }
            None => {
                set = None;
                format!("type {t}")
            }
        })
        .collect()
}

/// The set of the attributes nested in the attribute at `types`.
fn nested_set(set: &'static Set, types: &[u16]) -> Option<&'static Set> {
    types.iter().try_fold(set, |s, &t| match s.get(t)?.value {
        Value::Nested(inner) => Some(inner),
        _ => None,
    })
}

/// The errno's name: `EINVAL`; `errno 42` for one `wire` does not list.
pub fn errno_name(error: i32) -> String {
    match errno::name(error) {
        "E?" => format!("errno {}", error.saturating_abs()),
        n => n.to_string(),
    }
}

/// The errno's description, as `strerror(3)` says it.
fn errno_text(error: i32) -> String {
    match errno::describe(error) {
        "Unknown error" => {
            let text = std::io::Error::from_raw_os_error(error.saturating_abs()).to_string();
            text.split(" (os error").next().unwrap_or_default().to_string()
        }
        d => d.to_string(),
    }
}

/// A list of attributes of `set`, nested ones as groups.
pub fn attrs(set: &Set, area: &[u8]) -> Vec<Doc> {
    let mut items = Vec::new();
    for a in Attrs::new(area) {
        let a = match a {
            Ok(a) => a,
            Err(e) => {
                items.push(Doc::text(format!("! malformed attribute: {e}")));
                break;
            }
        };
        let v = a.payload();
        items.push(match set.get(a.kind()) {
            Some(d) => match d.value {
                Value::Nested(inner) => Doc::Group(d.name.into(), attrs(inner, v)),
                Value::Str => Doc::text(format!("{} {}", d.name, text(v))),
                Value::CStr if !v.contains(&0) => Doc::text(format!("{} {} (no NUL)", d.name, text(v))),
                Value::CStr => Doc::text(format!("{} {}", d.name, text(v))),
                Value::Uint => Doc::text(format!("{} {}", d.name, uint(v))),
                Value::Ipv4 => Doc::text(format!("{} {}", d.name, ipv4(v))),
                Value::Mac => Doc::text(format!("{} {}", d.name, mac(v))),
                Value::Bytes => Doc::text(format!("{} {}", d.name, hex(v))),
            },
            None => Doc::text(format!("type {} {}", a.kind(), hex(v))),
        });
    }
    items
}

/// The course's TLV records (lesson 03): each record a group of its units.
/// The walk is the student's `TlvIter` (see `lib.rs`); what it does not
/// walk is shown as bytes.
fn tlvs(payload: &[u8]) -> Vec<Doc> {
    let mut items = Vec::new();
    if !payload.is_empty() && crate::iter::TlvIter::new(payload).next().is_none() {
        // The student's iterator is not written yet (exercise 3.1).
        items.push(Doc::text(format!("TLVs (not walked: exercise 3.1) {}", hex(payload))));
        return items;
    }
    for t in crate::iter::TlvIter::new(payload) {
        match t {
            Ok(t) if t.unit_size().is_some() => {
                let units = t
                    .units()
                    .map(|u| match t.ty {
                        tlv::EMPLOYEE_ID => {
                            Doc::text(tlv::unit_u64(u).map_or_else(|e| e.to_string(), |n| n.to_string()))
                        }
                        _ => Doc::text(text(u)),
                    })
                    .collect();
                items.push(Doc::Group(tlv::type_name(t.ty).into(), units));
            }
            Ok(t) => items.push(Doc::text(format!("type {} {}", t.ty, hex(t.value)))),
            // A record of a known type with a bad size: skipped, the next one follows.
            Err(wire::Error::BadSize) => items.push(Doc::text("! record of a bad size")),
            Err(e) => {
                items.push(Doc::text(format!("! {e}: the rest cannot be read")));
                break;
            }
        }
    }
    items
}

/// Text, quoted: UTF-8, up to a NUL if there is one. Lesson 02's module
/// reads its GREETs so, and `NLA_STRING` attributes need no NUL either
/// (`NLA_NUL_STRING` ones do, which the receiver's policy checks).
fn text(v: &[u8]) -> String {
    let end = v.iter().position(|&b| b == 0).unwrap_or(v.len());
    match std::str::from_utf8(&v[..end]) {
        Ok(s) => format!("{s:?}"),
        Err(_) => format!("{:?} (not UTF-8)", String::from_utf8_lossy(&v[..end])),
    }
}

fn uint(v: &[u8]) -> String {
    match v.len() {
        1 => v[0].to_string(),
        2 => u16::from_ne_bytes([v[0], v[1]]).to_string(),
        4 => u32_at(v, 0).to_string(),
        8 => u64::from_ne_bytes(v.try_into().unwrap_or_default()).to_string(),
        n => format!("(bad size {n}) {}", hex(v)),
    }
}

fn ipv4(v: &[u8]) -> String {
    match v {
        [a, b, c, d] => format!("{a}.{b}.{c}.{d}"),
        _ => format!("(bad size {}) {}", v.len(), hex(v)),
    }
}

fn mac(v: &[u8]) -> String {
    v.iter().map(|b| format!("{b:02x}")).collect::<Vec<_>>().join(":")
}

/// Bytes in hex, `ca fe`; past [`HEX_MAX`] bytes cut, with the count.
pub fn hex(v: &[u8]) -> String {
    let shown: Vec<String> = v.iter().take(HEX_MAX).map(|b| format!("{b:02x}")).collect();
    match v.len() {
        0 => "(empty)".into(),
        n if n > HEX_MAX => format!("{} … ({n} bytes)", shown.join(" ")),
        _ => shown.join(" "),
    }
}

fn raw(payload: &[u8]) -> Vec<Doc> {
    if payload.is_empty() {
        Vec::new()
    } else {
        vec![Doc::text(hex(payload))]
    }
}

fn bad(why: impl std::fmt::Display, payload: &[u8]) -> Vec<Doc> {
    vec![Doc::text(format!("! {why}: {}", hex(payload)))]
}

#[cfg(test)]
mod tests {
    use super::*;
    use wire::nlmsg::ErrorPayload;
    use wire::writer::Writer;

    fn flat(items: &[Doc]) -> String {
        items.iter().filter(|d| **d != Doc::Break).map(Doc::flat).collect::<Vec<_>>().join("  ")
    }

    fn header(ty: u16, flags: u16) -> Header {
        Header::new(ty, flags, 7, 4242)
    }

    #[test]
    fn greet_text() {
        assert_eq!(flat(&describe(31, &header(proto::GREET, 5), b"Hello!\0\0")), "\"Hello!\"");
        assert_eq!(flat(&describe(31, &header(proto::GREET, 5), b"Hi")), "\"Hi\"");
        assert_eq!(
            flat(&describe(31, &header(proto::PERSON_REPLY, 0), &[8, 0, 1, 0, b'H', b'i', b'!', b'!'])),
            "REPLY_ATTR_GREETING \"Hi!!\""
        );
        assert_eq!(flat(&describe(31, &header(proto::GREET, 5), b"\xffHi\0")), "\"\u{fffd}Hi\" (not UTF-8)");
    }

    #[test]
    fn nested_attributes_by_name() {
        let mut buf = [0u8; 128];
        let mut w = Writer::new(&mut buf);
        w.put_str(proto::PERSON_ATTR_NAME, "Ada").unwrap();
        w.put_u32(proto::PERSON_ATTR_AGE, 36).unwrap();
        let n = w.nest_start(proto::PERSON_ATTR_ADDRESS).unwrap();
        w.put_str(proto::ADDRESS_ATTR_CITY, "London").unwrap();
        w.nest_end(n).unwrap();
        w.put_u8(9, 1).unwrap();
        w.put_attr(proto::PERSON_ATTR_NAME, b"Bob").unwrap();
        let got = flat(&describe(31, &header(proto::PERSON_SET, 5), w.as_bytes()));
        assert_eq!(
            got,
            "PERSON_ATTR_NAME \"Ada\"  PERSON_ATTR_AGE 36  PERSON_ATTR_ADDRESS { ADDRESS_ATTR_CITY \"London\" }  type 9 01  PERSON_ATTR_NAME \"Bob\" (no NUL)"
        );
        // A length running past the end is reported, not skipped.
        let mut bytes = w.as_bytes().to_vec();
        bytes.extend_from_slice(&[40, 0, 1, 0]);
        assert!(flat(&describe(31, &header(proto::PERSON_SET, 5), &bytes))
            .ends_with("! malformed attribute: bad length field"));
    }

    #[test]
    fn rtm_routes() {
        let mut buf = [0u8; 128];
        let mut w = Writer::new(&mut buf);
        let r = rtm::Route { dst: rtm::Prefix { addr: [10, 1, 1, 0], len: 24 }, gateway: [11, 1, 1, 1], oif: "eth0/6" };
        rtm::put_route(&mut w, "main", &r).unwrap();
        assert_eq!(
            flat(&describe(31, &header(rtm::ROUTE_NEW, nlmsg::F_MULTI), w.as_bytes())),
            "ATTR_TABLE \"main\"  ATTR_DST 10.1.1.0  ATTR_DST_LEN 24  ATTR_GATEWAY 11.1.1.1  ATTR_OIF \"eth0/6\""
        );
    }

    #[test]
    fn tlv_records() {
        let mut buf = [0u8; 256];
        let mut w = tlv::TlvWriter::new(&mut buf);
        w.put_names(&["Ada", "Grace"]).unwrap();
        w.put(tlv::EMPLOYEE_ID, &52437u64.to_le_bytes()).unwrap();
        w.put(9, &[0xca, 0xfe]).unwrap();
        let mut bytes = w.as_bytes().to_vec();
        bytes.extend_from_slice(&[1, 5, 0, 0, 0, 0, 0]); // a NAME of 5 bytes: bad size
        bytes.extend_from_slice(&[2, 200]); // runs past the end
        if crate::iter::TlvIter::new(&bytes).next().is_none() {
            // The walk is the student's iterator (lesson 03, exercise 3.1),
            // not written yet in this tree: the bytes are shown raw.
            assert!(flat(&describe(31, &header(proto::TLV_RECORDS, 5), &bytes)).starts_with("TLVs (not walked"));
            return;
        }
        assert_eq!(
            flat(&describe(31, &header(proto::TLV_RECORDS, 5), &bytes)),
            "NAME { \"Ada\"  \"Grace\" }  EMPLOYEE_ID { 52437 }  type 9 ca fe  ! record of a bad size  \
             ! bad length field: the rest cannot be read"
        );
        let s = proto::TlvSummary { names: 2, websites: 0, ids: 1, skipped: 2 };
        assert_eq!(
            flat(&describe(31, &header(proto::TLV_SUMMARY, 0), &s.to_bytes())),
            "names 2  websites 0  ids 1  skipped 2"
        );
    }

    #[test]
    fn ack_and_errors() {
        let request = Header { len: 24, ..header(proto::PERSON_SET, nlmsg::F_REQUEST | nlmsg::F_ACK) };
        let ack = ErrorPayload { error: 0, request };
        assert_eq!(
            flat(&describe(31, &header(nlmsg::ERROR, nlmsg::F_CAPPED), &ack.to_bytes())),
            "ACK of PERSON_SET seq 7 port 4242"
        );
        // Not capped: the request's payload comes back, then the extended ACK.
        let mut payload = ErrorPayload { error: -34, request }.to_bytes().to_vec();
        let mut buf = [0u8; 64];
        let mut w = Writer::new(&mut buf);
        w.put_u32(proto::PERSON_ATTR_AGE, 200).unwrap();
        payload.extend_from_slice(w.as_bytes());
        w.clear();
        w.put_str(ext_ack::ATTR_MSG, "too old").unwrap();
        w.put_u32(ext_ack::ATTR_OFFS, 16).unwrap();
        payload.extend_from_slice(w.as_bytes());
        let got = flat(&describe(31, &header(nlmsg::ERROR, nlmsg::F_ACK_TLVS), &payload));
        assert_eq!(
            got,
            "error -34 ERANGE (Numerical result out of range) for PERSON_SET seq 7 port 4242  \
             request { PERSON_ATTR_AGE 200 }  NLMSGERR_ATTR_MSG \"too old\"  NLMSGERR_ATTR_OFFS 16 (PERSON_ATTR_AGE)"
        );
        // A missing attribute, named from the request's attribute set.
        let mut payload = ErrorPayload { error: -22, request: Header { len: 16, ..request } }.to_bytes().to_vec();
        w.clear();
        w.put_u32(ext_ack::ATTR_MISS_TYPE, u32::from(proto::PERSON_ATTR_NAME)).unwrap();
        payload.extend_from_slice(w.as_bytes());
        assert!(flat(&describe(31, &header(nlmsg::ERROR, nlmsg::F_ACK_TLVS), &payload))
            .ends_with("request {}  NLMSGERR_ATTR_MISS_TYPE 1 (PERSON_ATTR_NAME)"));
        assert!(flat(&describe(31, &header(nlmsg::ERROR, 0), &[0; 8])).starts_with("! not a valid NLMSG_ERROR"));
        assert_eq!(errno_name(-42), "errno 42");
        assert_eq!(errno_text(-42), "No message of desired type");
    }

    #[test]
    fn done_status() {
        assert_eq!(flat(&describe(31, &header(nlmsg::DONE, nlmsg::F_MULTI), &0i32.to_ne_bytes())), "status 0");
        assert_eq!(
            flat(&describe(31, &header(nlmsg::DONE, nlmsg::F_MULTI), &(-4i32).to_ne_bytes())),
            "status -4 EINTR"
        );
    }
}
