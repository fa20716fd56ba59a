//! Extended ACKs: what the kernel says about an error beyond its errno.
//!
//! A socket that turned on `NETLINK_EXT_ACK` (`setsockopt(SOL_NETLINK,
//! NETLINK_EXT_ACK, 1)`) gets more than a number back when a request fails:
//! the `NLMSG_ERROR` message carries attributes (`struct nlattr`, host byte
//! order), and says so with [`nlmsg::F_ACK_TLVS`]. They follow the
//! `struct nlmsgerr` and, unless [`nlmsg::F_CAPPED`] is set, the request's
//! echoed payload (`netlink_ack` in `net/netlink/af_netlink.c`):
//!
//! ```text
//! payload of NLMSG_ERROR (offsets in bytes):
//!  0       4                 20                     20 + align(len - 16)
//! +-------+-----------------+----------------------+----------------------+
//! | error | request header  | request payload      | extended-ACK attrs   |
//! | i32   | 16 bytes, len   | len - 16 bytes, only | only with            |
//! |       |                 | without F_CAPPED     | F_ACK_TLVS           |
//! +-------+-----------------+----------------------+----------------------+
//! ```
//!
//! The kernel echoes the request's payload in an error unless the socket
//! turned on `NETLINK_CAP_ACK`; an ACK (error 0) is always capped. A dump's
//! `NLMSG_DONE` can carry the same attributes after its `i32` status
//! (`netlink_dump_done`).
//!
//! The attributes (`enum nlmsgerr_attrs`, `include/uapi/linux/netlink.h`):
//!
//! | type | name                        | value                                        |
//! |------|-----------------------------|----------------------------------------------|
//! | 1    | [`ATTR_MSG`]                | text for humans, NUL-terminated              |
//! | 2    | [`ATTR_OFFS`]               | `u32`: byte offset of the bad attribute, counted from the request's header |
//! | 3    | [`ATTR_COOKIE`]             | bytes the subsystem hands back on success    |
//! | 4    | [`ATTR_POLICY`]             | nested: the policy the attribute failed      |
//! | 5    | [`ATTR_MISS_TYPE`]          | `u32`: type of a required attribute that is missing |
//! | 6    | [`ATTR_MISS_NEST`]          | `u32`: offset of the nest it is missing from |
//!
//! The kernel writes them with `netlink_ack_tlv_fill`, from what a handler
//! set with `NL_SET_ERR_MSG`, `NL_SET_BAD_ATTR` and `NL_SET_ERR_ATTR_MISS`
//! (`include/linux/netlink.h`); `nla_parse` with a policy sets the offset by
//! itself. [`ErrorReply::parse`] and [`DoneReply::parse`] split a message
//! into its parts; [`locate`] turns an offset back into "which attribute of
//! my request" by walking the request.

use super::attr::{self, Attrs};
use super::bytes;
use super::error::Error;
use super::nlmsg::{self, align, ErrorPayload, Header};

/// `NLMSGERR_ATTR_MSG`: the error message, a NUL-terminated string.
pub const ATTR_MSG: u16 = 1;
/// `NLMSGERR_ATTR_OFFS`: `u32` offset of the invalid attribute in the
/// request, counted from the start of the request's header.
pub const ATTR_OFFS: u16 = 2;
/// `NLMSGERR_ATTR_COOKIE`: bytes a subsystem returns to identify what a
/// successful request created.
pub const ATTR_COOKIE: u16 = 3;
/// `NLMSGERR_ATTR_POLICY`: the policy of the rejected attribute (nested).
pub const ATTR_POLICY: u16 = 4;
/// `NLMSGERR_ATTR_MISS_TYPE`: `u32` type of a required attribute that is
/// missing.
pub const ATTR_MISS_TYPE: u16 = 5;
/// `NLMSGERR_ATTR_MISS_NEST`: `u32` offset of the nest the attribute is
/// missing from (absent when it is missing at the top level).
pub const ATTR_MISS_NEST: u16 = 6;

/// The extended-ACK attributes of one answer, each `None` when absent.
/// Borrows from the received buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ExtAck<'a> {
    /// [`ATTR_MSG`]: the kernel's text, without its NUL.
    pub msg: Option<&'a str>,
    /// [`ATTR_OFFS`]: where in the request the bad attribute starts.
    pub offset: Option<u32>,
    /// [`ATTR_COOKIE`]: raw bytes.
    pub cookie: Option<&'a [u8]>,
    /// [`ATTR_POLICY`]: the nested policy description, raw.
    pub policy: Option<&'a [u8]>,
    /// [`ATTR_MISS_TYPE`]: the type of the missing attribute.
    pub miss_type: Option<u32>,
    /// [`ATTR_MISS_NEST`]: where in the request the nest lacking it starts.
    pub miss_nest: Option<u32>,
}

impl<'a> ExtAck<'a> {
    /// Reads the extended-ACK attributes in `area`.
    ///
    /// Unknown types are skipped (newer kernels may add some); a known type
    /// of the wrong size is [`Error::BadSize`], a message without its NUL or
    /// not UTF-8 is [`Error::BadString`], a malformed list is the attribute
    /// iterator's error.
    pub fn parse(area: &'a [u8]) -> Result<ExtAck<'a>, Error> {
        let mut ack = ExtAck::default();
        for a in Attrs::new(area) {
            let a = a?;
            match a.kind() {
                ATTR_MSG => ack.msg = Some(a.str()?),
                ATTR_OFFS => ack.offset = Some(a.u32()?),
                ATTR_COOKIE => ack.cookie = Some(a.payload()),
                ATTR_POLICY => ack.policy = Some(a.payload()),
                ATTR_MISS_TYPE => ack.miss_type = Some(a.u32()?),
                ATTR_MISS_NEST => ack.miss_nest = Some(a.u32()?),
                _ => {}
            }
        }
        Ok(ack)
    }

    /// True if no attribute was present.
    pub fn is_empty(&self) -> bool {
        *self == ExtAck::default()
    }
}

/// An `NLMSG_ERROR` message split into its parts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ErrorReply<'a> {
    /// The error (negative errno, or 0 for an ACK) and the request's header.
    pub error: ErrorPayload,
    /// The request's payload as the kernel echoed it (`None` when the
    /// message has [`nlmsg::F_CAPPED`]).
    pub request_payload: Option<&'a [u8]>,
    /// The extended-ACK attributes (empty without [`nlmsg::F_ACK_TLVS`]).
    pub ext_ack: ExtAck<'a>,
}

impl<'a> ErrorReply<'a> {
    /// Splits the `payload` of an `NLMSG_ERROR` message whose header is
    /// `header` (its flags say what follows the `struct nlmsgerr`).
    ///
    /// Errors: [`Error::Truncated`] if the payload is shorter than 20 bytes;
    /// [`Error::BadLength`] if the echoed request's length is below 16 or
    /// runs past the payload; the attribute errors of [`ExtAck::parse`].
    pub fn parse(header: &Header, payload: &'a [u8]) -> Result<ErrorReply<'a>, Error> {
        let (error, trailer) = ErrorPayload::parse_with_trailer(payload)?;
        let (request_payload, rest) = if header.has(nlmsg::F_CAPPED) {
            (None, trailer)
        } else {
            // The kernel copies nlmsg_len - 16 bytes and pads them to 4
            // (nlmsg_append).
            let len = (error.request.len as usize).checked_sub(nlmsg::HDRLEN).ok_or(Error::BadLength)?;
            let echoed = trailer.get(..len).ok_or(Error::BadLength)?;
            let step = align(len).ok_or(Error::BadLength)?.min(trailer.len());
            (Some(echoed), trailer.get(step..).unwrap_or(&[]))
        };
        let ext_ack = if header.has(nlmsg::F_ACK_TLVS) { ExtAck::parse(rest)? } else { ExtAck::default() };
        Ok(ErrorReply { error, request_payload, ext_ack })
    }
}

/// An `NLMSG_DONE` message split into its parts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DoneReply<'a> {
    /// The dump's status: 0, or a negative errno.
    pub status: i32,
    /// The extended-ACK attributes (empty without [`nlmsg::F_ACK_TLVS`]).
    pub ext_ack: ExtAck<'a>,
}

impl<'a> DoneReply<'a> {
    /// Splits the `payload` of an `NLMSG_DONE` message whose header is
    /// `header`. [`Error::Truncated`] if the payload is shorter than the
    /// 4-byte status; the attribute errors of [`ExtAck::parse`].
    pub fn parse(header: &Header, payload: &'a [u8]) -> Result<DoneReply<'a>, Error> {
        let status = bytes::i32_ne(payload, 0).ok_or(Error::Truncated)?;
        let rest = payload.get(4..).unwrap_or(&[]);
        let ext_ack = if header.has(nlmsg::F_ACK_TLVS) { ExtAck::parse(rest)? } else { ExtAck::default() };
        Ok(DoneReply { status, ext_ack })
    }
}

/// How deep [`locate`] follows nested attributes.
pub const MAX_DEPTH: usize = 8;

/// The attribute an offset points at: its type and the types of the nests
/// around it, outermost first (flag bits removed). At most [`MAX_DEPTH`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AttrPath {
    types: [u16; MAX_DEPTH],
    depth: usize,
}

impl AttrPath {
    /// The types, outermost first: `[3, 2]` is attribute 2 inside
    /// attribute 3.
    pub fn types(&self) -> &[u16] {
        self.types.get(..self.depth).unwrap_or(&[])
    }

    fn push(&mut self, kind: u16) -> Option<()> {
        *self.types.get_mut(self.depth)? = kind;
        self.depth = self.depth.checked_add(1)?;
        Some(())
    }
}

/// Which attribute of `request` starts at byte `offset` (an
/// [`ATTR_OFFS`] or [`ATTR_MISS_NEST`] value).
///
/// `request` is the whole request message, header included, as it was sent
/// (or as [`ErrorReply`] echoes it: header, then payload); its attributes
/// start at byte `attrs_at` (16 for the course protocol, 16 plus the
/// family header for others: 32 for `RTM_GETLINK`'s `struct ifinfomsg`).
/// An offset inside an attribute's value is looked for among the attributes
/// nested in it.
///
/// `None` when no attribute starts exactly there: the offset points into
/// something that is not a list of attributes, past the message, or deeper
/// than [`MAX_DEPTH`].
pub fn locate(request: &[u8], attrs_at: usize, offset: u32) -> Option<AttrPath> {
    let offset = usize::try_from(offset).ok()?;
    let end = Header::parse(request).ok().map(|h| h.len as usize)?.min(request.len());
    let mut path = AttrPath::default();
    let (mut at, mut area_end) = (attrs_at, end);
    // Each turn walks one list of attributes; an offset inside an attribute
    // sends us into its value.
    'list: loop {
        while at < area_end && at <= offset {
            let len = usize::from(bytes::u16_ne(request, at)?);
            let kind = bytes::u16_ne(request, at.checked_add(2)?)? & attr::TYPE_MASK;
            let next = at.checked_add(len)?;
            if len < attr::HDRLEN || next > area_end {
                return None;
            }
            if offset == at {
                path.push(kind)?;
                return Some(path);
            }
            if offset < next {
                path.push(kind)?;
                at = at.checked_add(attr::HDRLEN)?;
                area_end = next;
                continue 'list;
            }
            at = align(next)?;
        }
        return None;
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;
    use crate::writer::Writer;
    use std::vec::Vec;

    /// The person request of lesson 04: NAME "Ada" at 16, AGE at 24, ADDRESS
    /// (nested) at 32 with STREET at 36 and CITY at 56.
    fn ada() -> Vec<u8> {
        let mut buf = [0u8; 128];
        let mut w = Writer::new(&mut buf);
        let m = w.start(35, nlmsg::F_REQUEST | nlmsg::F_ACK, 1, 0).unwrap();
        w.put_str(1, "Ada").unwrap();
        w.put_u32(2, 36).unwrap();
        let n = w.nest_start(3).unwrap();
        w.put_str(1, "Baker Street").unwrap();
        w.put_str(2, "London").unwrap();
        w.nest_end(n).unwrap();
        w.finish(m).unwrap();
        w.as_bytes().to_vec()
    }

    /// An NLMSG_ERROR payload as `netlink_ack` builds it.
    fn error_payload(error: i32, request: &[u8], capped: bool, tlvs: &[u8]) -> Vec<u8> {
        let mut p = Vec::new();
        p.extend_from_slice(&error.to_ne_bytes());
        if capped {
            p.extend_from_slice(&request[..16]);
        } else {
            p.extend_from_slice(request);
            while !p.len().is_multiple_of(4) {
                p.push(0);
            }
        }
        p.extend_from_slice(tlvs);
        p
    }

    fn tlvs(f: impl FnOnce(&mut Writer<'_>)) -> Vec<u8> {
        let mut buf = [0u8; 256];
        let mut w = Writer::new(&mut buf);
        f(&mut w);
        w.as_bytes().to_vec()
    }

    fn header(flags: u16) -> Header {
        Header::new(nlmsg::ERROR, flags, 1, 4242)
    }

    #[test]
    fn locates_top_level_and_nested_attributes() {
        let req = ada();
        let at = |off| locate(&req, 16, off).map(|p| p.types().to_vec());
        assert_eq!(at(16), Some([1].to_vec()));
        assert_eq!(at(24), Some([2].to_vec()));
        assert_eq!(at(32), Some([3].to_vec()));
        assert_eq!(at(36), Some([3, 1].to_vec()));
        assert_eq!(at(56), Some([3, 2].to_vec()));
        // Inside a value, on no attribute, past the end, before the list.
        assert_eq!(at(20), None);
        assert_eq!(at(40), None);
        assert_eq!(at(200), None);
        assert_eq!(at(0), None);
        assert_eq!(locate(&req[..10], 16, 16), None);
    }

    #[test]
    fn locate_survives_garbage() {
        // nla_len 0 at the first attribute: no walk, no endless loop.
        let mut req = ada();
        req[16] = 0;
        req[17] = 0;
        assert_eq!(locate(&req, 16, 24), None);
        // nla_len past the message.
        let mut req = ada();
        req[16] = 200;
        assert_eq!(locate(&req, 16, 16), None);
        // Deeper than MAX_DEPTH: nests of nests, each 4 bytes bigger.
        let mut buf = [0u8; 256];
        let mut w = Writer::new(&mut buf);
        let m = w.start(35, 0, 1, 0).unwrap();
        let nests: Vec<_> = (0..10).map(|_| w.nest_start(1).unwrap()).collect();
        w.put_u32(2, 7).unwrap();
        for n in nests.into_iter().rev() {
            w.nest_end(n).unwrap();
        }
        w.finish(m).unwrap();
        let deep = w.as_bytes().to_vec();
        assert_eq!(locate(&deep, 16, 16 + 4 * 7).map(|p| p.types().len()), Some(8));
        assert_eq!(locate(&deep, 16, 16 + 4 * 8), None);
    }

    #[test]
    fn error_with_echo_and_tlvs() {
        let req = ada();
        let t = tlvs(|w| {
            w.put_str(ATTR_MSG, "name too long").unwrap();
            w.put_u32(ATTR_OFFS, 16).unwrap();
        });
        let p = error_payload(-34, &req, false, &t);
        let e = ErrorReply::parse(&header(nlmsg::F_ACK_TLVS), &p).unwrap();
        assert_eq!(e.error.error, -34);
        assert_eq!(e.error.request.len as usize, req.len());
        assert_eq!(e.request_payload, Some(&req[16..]));
        assert_eq!(e.ext_ack.msg, Some("name too long"));
        assert_eq!(e.ext_ack.offset, Some(16));
        assert_eq!(e.ext_ack.miss_type, None);
    }

    #[test]
    fn capped_error_and_odd_request_length() {
        // A request whose payload is 5 bytes: the echo is padded to 8.
        let mut req = [0u8; 21];
        Header { len: 21, ..Header::new(20, nlmsg::F_REQUEST, 3, 0) }.write_to(&mut req).unwrap();
        req[16..].copy_from_slice(b"hello");
        let t = tlvs(|w| w.put_u32(ATTR_MISS_TYPE, 1).unwrap());
        let p = error_payload(-22, &req, false, &t);
        assert_eq!(p.len(), 20 + 8 + t.len());
        let e = ErrorReply::parse(&header(nlmsg::F_ACK_TLVS), &p).unwrap();
        assert_eq!(e.request_payload, Some(&b"hello"[..]));
        assert_eq!(e.ext_ack.miss_type, Some(1));
        // The same capped.
        let p = error_payload(-22, &req, true, &t);
        let e = ErrorReply::parse(&header(nlmsg::F_CAPPED | nlmsg::F_ACK_TLVS), &p).unwrap();
        assert_eq!(e.request_payload, None);
        assert_eq!(e.ext_ack.miss_type, Some(1));
        // Without F_ACK_TLVS the bytes after the echo are not read.
        let e = ErrorReply::parse(&header(nlmsg::F_CAPPED), &p).unwrap();
        assert!(e.ext_ack.is_empty());
    }

    #[test]
    fn refuses_broken_answers() {
        let req = ada();
        // Echo claims more than is there.
        let p = error_payload(-22, &req, false, &[]);
        assert_eq!(ErrorReply::parse(&header(0), &p[..40]), Err(Error::BadLength));
        // Echoed header with a length below 16.
        let mut p = error_payload(-22, &req, true, &[]);
        p[4..8].copy_from_slice(&3u32.to_ne_bytes());
        assert_eq!(ErrorReply::parse(&header(0), &p), Err(Error::BadLength));
        assert_eq!(ErrorReply::parse(&header(0), &p[..19]), Err(Error::Truncated));
        // A message that is not text; an offset of 2 bytes.
        let bad = tlvs(|w| w.put_attr(ATTR_MSG, b"\xffoops\0").unwrap());
        let p = error_payload(-22, &req, true, &bad);
        assert_eq!(ErrorReply::parse(&header(nlmsg::F_CAPPED | nlmsg::F_ACK_TLVS), &p), Err(Error::BadString));
        let bad = tlvs(|w| w.put_u16(ATTR_OFFS, 16).unwrap());
        assert_eq!(ExtAck::parse(&bad), Err(Error::BadSize));
    }

    #[test]
    fn unknown_attributes_are_skipped() {
        let t = tlvs(|w| {
            w.put_u32(99, 1).unwrap();
            w.put_attr(ATTR_COOKIE, &[1, 2, 3]).unwrap();
            w.put_u32(ATTR_MISS_NEST, 32).unwrap();
        });
        let a = ExtAck::parse(&t).unwrap();
        assert_eq!(a.cookie, Some(&[1u8, 2, 3][..]));
        assert_eq!(a.miss_nest, Some(32));
        assert!(!a.is_empty());
        assert!(ExtAck::parse(&[]).unwrap().is_empty());
    }

    #[test]
    fn done_with_status_and_message() {
        let t = tlvs(|w| w.put_str(ATTR_MSG, "table vanished").unwrap());
        let mut p = (-2i32).to_ne_bytes().to_vec();
        p.extend_from_slice(&t);
        let h = Header::new(nlmsg::DONE, nlmsg::F_MULTI | nlmsg::F_ACK_TLVS, 5, 4242);
        let d = DoneReply::parse(&h, &p).unwrap();
        assert_eq!((d.status, d.ext_ack.msg), (-2, Some("table vanished")));
        let plain = Header::new(nlmsg::DONE, nlmsg::F_MULTI, 5, 4242);
        assert_eq!(DoneReply::parse(&plain, &0i32.to_ne_bytes()).unwrap().status, 0);
        assert_eq!(DoneReply::parse(&plain, &[0, 0]), Err(Error::Truncated));
    }
}
