//! Reading the kernel's `NLMSG_ERROR` answers in full, as `netlink_ack`
//! (`net/netlink/af_netlink.c`) writes them:
//!
//! ```text
//! header (16) | error i32 | request header (16) | request payload, unless
//!             |           |                     | NLM_F_CAPPED | ext-ACK attributes,
//!             |           |                     |              | if NLM_F_ACK_TLVS
//! ```
//!
//! The extended-ACK attributes (`enum nlmsgerr_attrs`,
//! `include/uapi/linux/netlink.h`) say why a request failed: a message, the
//! offset of the bad attribute, the type of a missing one.

use wire::attr::Attrs;
use wire::nlmsg::{self, ErrorPayload, Header};

/// `NLMSGERR_ATTR_MSG`: a NUL-terminated text.
pub const ATTR_MSG: u16 = 1;
/// `NLMSGERR_ATTR_OFFS`: u32, offset of the bad attribute from the start of
/// the request's header.
pub const ATTR_OFFS: u16 = 2;
/// `NLMSGERR_ATTR_COOKIE`: opaque bytes.
pub const ATTR_COOKIE: u16 = 3;
/// `NLMSGERR_ATTR_POLICY`: nested, the policy the attribute failed.
pub const ATTR_POLICY: u16 = 4;
/// `NLMSGERR_ATTR_MISS_TYPE`: u32, type of a missing attribute.
pub const ATTR_MISS_TYPE: u16 = 5;
/// `NLMSGERR_ATTR_MISS_NEST`: u32, offset of the nest that lacks it.
pub const ATTR_MISS_NEST: u16 = 6;

/// The name of an extended-ACK attribute type, as the kernel's enum spells it
/// without its prefix (`msg`, `offs`, ...).
pub fn attr_name(ty: u16) -> String {
    match ty {
        ATTR_MSG => "msg".into(),
        ATTR_OFFS => "offs".into(),
        ATTR_COOKIE => "cookie".into(),
        ATTR_POLICY => "policy".into(),
        ATTR_MISS_TYPE => "miss_type".into(),
        ATTR_MISS_NEST => "miss_nest".into(),
        other => format!("attr{other}"),
    }
}

/// The name of a (positive) errno: `wire::errno`'s, or for the few it does
/// not know, `errno 61 (No data available)`.
pub fn errno_name(e: i32) -> String {
    match wire::errno::name(e) {
        "E?" => {
            let text = std::io::Error::from_raw_os_error(e).to_string();
            let text = text.split(" (os error").next().unwrap_or_default().to_string();
            format!("errno {e} ({text})")
        }
        n => n.to_string(),
    }
}

/// An `NLMSG_ERROR` message taken apart.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ErrorAnswer {
    /// 0 (an ACK) or a negative errno.
    pub error: i32,
    /// The request header the kernel copied back.
    pub request: Header,
    /// The copy of the request's payload (empty when `NLM_F_CAPPED`).
    pub echo: Vec<u8>,
    /// The extended-ACK attributes, in the order found.
    pub ext: ExtAck,
    /// Bytes after `struct nlmsgerr`: the copy of the payload, its padding
    /// and the attributes.
    pub trailer_len: usize,
}

/// Extended-ACK attributes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ExtAck {
    /// The types of every attribute found, in order.
    pub types: Vec<u16>,
    /// `NLMSGERR_ATTR_MSG`, without its NUL.
    pub msg: Option<String>,
    /// `NLMSGERR_ATTR_OFFS`.
    pub offs: Option<u32>,
    /// `NLMSGERR_ATTR_MISS_TYPE`.
    pub miss_type: Option<u32>,
    /// `NLMSGERR_ATTR_MISS_NEST`.
    pub miss_nest: Option<u32>,
    /// The attribute area did not parse (bytes left over, a bad length).
    pub malformed: bool,
}

impl ExtAck {
    /// Reads an extended-ACK attribute area.
    pub fn parse(area: &[u8]) -> ExtAck {
        let mut ext = ExtAck::default();
        for a in Attrs::new(area) {
            let Ok(a) = a else {
                ext.malformed = true;
                break;
            };
            ext.types.push(a.kind());
            match a.kind() {
                ATTR_MSG => ext.msg = Some(String::from_utf8_lossy(a.payload()).trim_end_matches('\0').to_string()),
                ATTR_OFFS => ext.offs = a.u32().ok(),
                ATTR_MISS_TYPE => ext.miss_type = a.u32().ok(),
                ATTR_MISS_NEST => ext.miss_nest = a.u32().ok(),
                _ => {}
            }
        }
        ext
    }

    /// One line: `msg="..." offs=20 miss_type=1`, or `none`.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(m) = &self.msg {
            parts.push(format!("msg={m:?}"));
        }
        if let Some(o) = self.offs {
            parts.push(format!("offs={o}"));
        }
        if let Some(t) = self.miss_type {
            parts.push(format!("miss_type={t}"));
        }
        if let Some(n) = self.miss_nest {
            parts.push(format!("miss_nest={n}"));
        }
        for t in &self.types {
            if ![ATTR_MSG, ATTR_OFFS, ATTR_MISS_TYPE, ATTR_MISS_NEST].contains(t) {
                parts.push(attr_name(*t));
            }
        }
        if self.malformed {
            parts.push("malformed".into());
        }
        if parts.is_empty() {
            "none".into()
        } else {
            parts.join(" ")
        }
    }
}

/// Takes an `NLMSG_ERROR` message apart: `flags` are its header's flags,
/// `payload` its payload. `None` when the payload is shorter than
/// `struct nlmsgerr` (20 bytes).
pub fn parse_error(flags: u16, payload: &[u8]) -> Option<ErrorAnswer> {
    let (e, trailer) = ErrorPayload::parse_with_trailer(payload).ok()?;
    let (echo, tlvs) = if flags & nlmsg::F_CAPPED != 0 {
        (&[][..], trailer)
    } else {
        // The copy is padded to 4 bytes (`nlmsg_append`); the attributes
        // start after the padding.
        let n = e.request.payload_len().min(trailer.len());
        let pad = nlmsg::align(n).unwrap_or(n).min(trailer.len());
        (&trailer[..n], &trailer[pad..])
    };
    let ext = if flags & nlmsg::F_ACK_TLVS != 0 { ExtAck::parse(tlvs) } else { ExtAck::default() };
    Some(ErrorAnswer { error: e.error, request: e.request, echo: echo.to_vec(), ext, trailer_len: trailer.len() })
}

/// The extended-ACK attributes after the 4-byte status of an `NLMSG_DONE`
/// (`netlink_dump_done` puts them there with `NLM_F_ACK_TLVS`).
pub fn parse_done(flags: u16, payload: &[u8]) -> (i32, ExtAck) {
    let status = payload.get(..4).and_then(|b| b.try_into().ok()).map(i32::from_ne_bytes).unwrap_or(0);
    let ext =
        if flags & nlmsg::F_ACK_TLVS != 0 { ExtAck::parse(payload.get(4..).unwrap_or(&[])) } else { ExtAck::default() };
    (status, ext)
}

#[cfg(test)]
mod tests {
    use super::*;
    use wire::writer::Writer;

    #[test]
    fn takes_an_error_with_echo_and_tlvs_apart() {
        // A request of 16 + 3 bytes: its copy is padded to 4.
        let req = Header { len: 19, ..Header::new(0x7ff0, nlmsg::F_REQUEST, 3, 0) };
        let mut buf = [0u8; 128];
        let mut w = Writer::new(&mut buf);
        w.put_payload(&ErrorPayload { error: -22, request: req }.to_bytes()).unwrap();
        w.put_payload(b"abc").unwrap();
        w.put_str(ATTR_MSG, "bad").unwrap();
        w.put_u32(ATTR_OFFS, 16).unwrap();
        let e = parse_error(nlmsg::F_ACK_TLVS, w.as_bytes()).unwrap();
        assert_eq!((e.error, e.request, &e.echo[..]), (-22, req, &b"abc"[..]));
        assert_eq!(e.ext.msg.as_deref(), Some("bad"));
        assert_eq!(e.ext.offs, Some(16));
        assert_eq!(e.ext.types, vec![ATTR_MSG, ATTR_OFFS]);
        assert_eq!(e.ext.describe(), "msg=\"bad\" offs=16");
        // Capped: no echo, the attributes follow the header at once.
        let mut buf = [0u8; 128];
        let mut w = Writer::new(&mut buf);
        w.put_payload(&ErrorPayload { error: -22, request: req }.to_bytes()).unwrap();
        w.put_u32(ATTR_MISS_TYPE, 1).unwrap();
        let e = parse_error(nlmsg::F_CAPPED | nlmsg::F_ACK_TLVS, w.as_bytes()).unwrap();
        assert!(e.echo.is_empty());
        assert_eq!(e.ext.miss_type, Some(1));
        assert_eq!(parse_error(0, &[0; 19]), None);
    }

    #[test]
    fn reads_a_done_status() {
        let mut p = (-19i32).to_ne_bytes().to_vec();
        p.extend_from_slice(&[8, 0, 1, 0, b'n', b'o', 0, 0]);
        let (status, ext) = parse_done(nlmsg::F_MULTI | nlmsg::F_ACK_TLVS, &p);
        assert_eq!(status, -19);
        assert_eq!(ext.msg.as_deref(), Some("no"));
        assert_eq!(parse_done(nlmsg::F_MULTI, &p).1, ExtAck::default());
    }
}
