//! Building netlink messages and attributes in a buffer you provide.
//!
//! [`Writer`] works like libmnl's `mnl_nlmsg_put_header` / `mnl_attr_put_*`,
//! minus the allocation and plus bounds checks: it appends to a `&mut [u8]`
//! and returns [`Error::NoSpace`] instead of writing past its end. A write
//! that fails leaves the buffer as it was, so you may stop, send what is
//! there, and start again.
//!
//! ```
//! use wire::{nlmsg, proto, writer::Writer};
//!
//! let mut buf = [0u8; 256];
//! let mut w = Writer::new(&mut buf);
//! let msg = w.start(proto::PERSON_SET, nlmsg::F_REQUEST | nlmsg::F_ACK, 1, 0)?;
//! w.put_str(proto::PERSON_ATTR_NAME, "Ada")?;
//! w.put_u32(proto::PERSON_ATTR_AGE, 36)?;
//! let addr = w.nest_start(proto::PERSON_ATTR_ADDRESS)?;
//! w.put_str(proto::ADDRESS_ATTR_CITY, "London")?;
//! w.nest_end(addr)?;
//! w.finish(msg)?; // writes nlmsg_len
//! let bytes: &[u8] = w.as_bytes(); // ready for send()
//! # assert_eq!(bytes.len() % 4, 0);
//! # Ok::<(), wire::Error>(())
//! ```
//!
//! How it works: [`Writer::start`] writes a header whose `len` is a
//! placeholder and gives back a [`MessageToken`] remembering where the
//! message starts; everything put afterwards is appended, padded to 4 bytes;
//! [`Writer::finish`] computes the length and patches the header. Nested
//! attributes work the same way with [`Writer::nest_start`] and
//! [`Writer::nest_end`]. Several messages can follow each other in one
//! buffer: that is a batch, read back with [`super::nlmsg::Messages`].
//!
//! The attribute functions also work outside of a message, to build a bare
//! attribute area.

use super::attr;
use super::bytes;
use super::cstr;
use super::error::Error;
use super::nlmsg::{self, align, ErrorPayload, Header};

/// Appends netlink messages and attributes to a caller-provided buffer.
/// See the [module documentation](self).
#[derive(Debug)]
pub struct Writer<'a> {
    buf: &'a mut [u8],
    len: usize,
}

/// Remembers where a message started; give it back to [`Writer::finish`].
#[must_use = "a started message must be finished with Writer::finish"]
#[derive(Debug)]
pub struct MessageToken {
    start: usize,
}

/// Remembers where a nested attribute started; give it back to
/// [`Writer::nest_end`].
#[must_use = "a nest must be closed with Writer::nest_end"]
#[derive(Debug)]
pub struct NestToken {
    start: usize,
}

impl<'a> Writer<'a> {
    /// A writer that appends to `buf`, starting at its beginning. The buffer
    /// need not be zeroed: padding bytes are written explicitly.
    pub fn new(buf: &'a mut [u8]) -> Writer<'a> {
        Writer { buf, len: 0 }
    }

    /// Bytes written so far.
    pub const fn len(&self) -> usize {
        self.len
    }

    /// True if nothing was written yet.
    pub const fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Size of the whole buffer.
    pub const fn capacity(&self) -> usize {
        self.buf.len()
    }

    /// Bytes still free.
    pub const fn remaining(&self) -> usize {
        self.buf.len().saturating_sub(self.len)
    }

    /// Forgets everything written, to reuse the buffer for the next batch.
    pub fn clear(&mut self) {
        self.len = 0;
    }

    /// The bytes written so far.
    pub fn as_bytes(&self) -> &[u8] {
        self.buf.get(..self.len).unwrap_or(&[])
    }

    /// The bytes written so far, to patch in place (a flag in a header
    /// written earlier, say).
    pub fn as_bytes_mut(&mut self) -> &mut [u8] {
        self.buf.get_mut(..self.len).unwrap_or(&mut [])
    }

    /// Ends the writer and returns the written bytes with the buffer's
    /// lifetime.
    pub fn into_bytes(self) -> &'a [u8] {
        let buf: &'a [u8] = self.buf;
        buf.get(..self.len).unwrap_or(&[])
    }

    /// Appends `parts` one after the other, then zeros up to the next
    /// multiple of 4. All or nothing: on error nothing is written.
    /// Returns the offset where the first part starts.
    fn append(&mut self, parts: &[&[u8]]) -> Result<usize, Error> {
        let start = self.len;
        let mut end = start;
        for p in parts {
            end = end.checked_add(p.len()).ok_or(Error::NoSpace)?;
        }
        let padded = align(end).ok_or(Error::NoSpace)?;
        if padded > self.buf.len() {
            return Err(Error::NoSpace);
        }
        let mut at = start;
        for p in parts {
            bytes::put(self.buf, at, p).ok_or(Error::NoSpace)?;
            at = at.checked_add(p.len()).ok_or(Error::NoSpace)?;
        }
        bytes::zero(self.buf, end, padded.saturating_sub(end)).ok_or(Error::NoSpace)?;
        self.len = padded;
        Ok(start)
    }

    // -----------------------------------------------------------------
    // Messages
    // -----------------------------------------------------------------

    /// Starts a message: writes its header (with a placeholder length).
    pub fn start(&mut self, ty: u16, flags: u16, seq: u32, pid: u32) -> Result<MessageToken, Error> {
        let h = Header::new(ty, flags, seq, pid);
        let start = self.append(&[&h.to_bytes()])?;
        Ok(MessageToken { start })
    }

    /// Finishes a message: sets its `nlmsg_len` to everything written since
    /// [`Writer::start`], and returns that length.
    ///
    /// Errors with [`Error::BadLength`] if the token does not belong to this
    /// writer (it points past what was written), [`Error::TooBig`] if the
    /// message is longer than `u32::MAX`.
    pub fn finish(&mut self, msg: MessageToken) -> Result<usize, Error> {
        let len = self.len.checked_sub(msg.start).ok_or(Error::BadLength)?;
        if len < nlmsg::HDRLEN {
            return Err(Error::BadLength);
        }
        let len32 = u32::try_from(len).map_err(|_| Error::TooBig)?;
        bytes::put(self.buf, msg.start, &len32.to_ne_bytes()).ok_or(Error::BadLength)?;
        Ok(len)
    }

    /// Appends raw payload bytes to the current message (a fixed header, a
    /// string, TLV records...), padded to 4 bytes.
    pub fn put_payload(&mut self, data: &[u8]) -> Result<(), Error> {
        self.append(&[data]).map(|_| ())
    }

    /// Appends a whole message in one go: header, `payload`, padding.
    /// Returns the message length.
    pub fn message(&mut self, ty: u16, flags: u16, seq: u32, pid: u32, payload: &[u8]) -> Result<usize, Error> {
        let len = payload.len().checked_add(nlmsg::HDRLEN).ok_or(Error::TooBig)?;
        let len32 = u32::try_from(len).map_err(|_| Error::TooBig)?;
        let h = Header { len: len32, ..Header::new(ty, flags, seq, pid) };
        self.append(&[&h.to_bytes(), payload])?;
        Ok(len)
    }

    /// Appends an `NLMSG_ERROR` message answering `request`: error `errno`,
    /// or an ACK if `errno` is 0.
    ///
    /// `errno` may be given positive (`errno::EINVAL`, as in userspace) or
    /// negative (`-EINVAL`, as kernel functions return it): the wire always
    /// carries the negative value. `portid` is the port of the requester,
    /// which the kernel puts in `nlmsg_pid` of its answers. The answer
    /// repeats the request's `seq`, carries only the request header (not its
    /// payload) and says so with [`nlmsg::F_CAPPED`].
    pub fn error(&mut self, request: &Header, portid: u32, errno: i32) -> Result<usize, Error> {
        let p = ErrorPayload { error: errno.saturating_abs().saturating_neg(), request: *request };
        self.message(nlmsg::ERROR, nlmsg::F_CAPPED, request.seq, portid, &p.to_bytes())
    }

    /// Appends an ACK (`NLMSG_ERROR` with error 0) answering `request`; see
    /// [`Writer::error`].
    pub fn ack(&mut self, request: &Header, portid: u32) -> Result<usize, Error> {
        self.error(request, portid, 0)
    }

    /// Appends an `NLMSG_DONE` message ending a multipart answer (a dump),
    /// with the usual 4-byte status 0 as payload and [`nlmsg::F_MULTI`].
    pub fn done(&mut self, seq: u32, portid: u32) -> Result<usize, Error> {
        self.message(nlmsg::DONE, nlmsg::F_MULTI, seq, portid, &0i32.to_ne_bytes())
    }

    // -----------------------------------------------------------------
    // Attributes
    // -----------------------------------------------------------------

    /// Appends an attribute of type `kind` whose value is the
    /// concatenation of `parts`.
    fn attr_parts(&mut self, kind: u16, parts: &[&[u8]]) -> Result<(), Error> {
        let mut len = attr::HDRLEN;
        for p in parts {
            len = len.checked_add(p.len()).ok_or(Error::TooBig)?;
        }
        let len16 = u16::try_from(len).map_err(|_| Error::TooBig)?;
        let l = len16.to_ne_bytes();
        let t = kind.to_ne_bytes();
        let hdr = [l[0], l[1], t[0], t[1]];
        match parts {
            [] => self.append(&[&hdr]),
            [a] => self.append(&[&hdr, a]),
            [a, b] => self.append(&[&hdr, a, b]),
            // Not used inside this module; kept total for safety.
            _ => Err(Error::TooBig),
        }
        .map(|_| ())
    }

    /// Appends an attribute with raw `value` bytes. `kind` is written as
    /// given, so flag bits ([`attr::F_NET_BYTEORDER`]...) may be included.
    /// [`Error::TooBig`] if the value exceeds [`attr::MAX_VALUE_LEN`].
    pub fn put_attr(&mut self, kind: u16, value: &[u8]) -> Result<(), Error> {
        self.attr_parts(kind, &[value])
    }

    /// Appends a flag attribute: no value, its presence is the information.
    pub fn put_flag(&mut self, kind: u16) -> Result<(), Error> {
        self.attr_parts(kind, &[])
    }

    /// Appends a `u8` attribute.
    pub fn put_u8(&mut self, kind: u16, v: u8) -> Result<(), Error> {
        self.put_attr(kind, &[v])
    }

    /// Appends a host-order `u16` attribute.
    pub fn put_u16(&mut self, kind: u16, v: u16) -> Result<(), Error> {
        self.put_attr(kind, &v.to_ne_bytes())
    }

    /// Appends a host-order `u32` attribute.
    pub fn put_u32(&mut self, kind: u16, v: u32) -> Result<(), Error> {
        self.put_attr(kind, &v.to_ne_bytes())
    }

    /// Appends a host-order `u64` attribute.
    pub fn put_u64(&mut self, kind: u16, v: u64) -> Result<(), Error> {
        self.put_attr(kind, &v.to_ne_bytes())
    }

    /// Appends a host-order `i32` attribute.
    pub fn put_i32(&mut self, kind: u16, v: i32) -> Result<(), Error> {
        self.put_attr(kind, &v.to_ne_bytes())
    }

    /// Appends a network-order (big-endian) `u16` attribute, with
    /// [`attr::F_NET_BYTEORDER`] set.
    pub fn put_be16(&mut self, kind: u16, v: u16) -> Result<(), Error> {
        self.put_attr(kind | attr::F_NET_BYTEORDER, &v.to_be_bytes())
    }

    /// Appends a network-order (big-endian) `u32` attribute, with
    /// [`attr::F_NET_BYTEORDER`] set.
    pub fn put_be32(&mut self, kind: u16, v: u32) -> Result<(), Error> {
        self.put_attr(kind | attr::F_NET_BYTEORDER, &v.to_be_bytes())
    }

    /// Appends a NUL-terminated string attribute (`s` plus one zero byte).
    /// [`Error::BadString`] if `s` contains a NUL itself.
    pub fn put_str(&mut self, kind: u16, s: &str) -> Result<(), Error> {
        cstr::check(s)?;
        self.attr_parts(kind, &[s.as_bytes(), &[0]])
    }

    /// Opens a nested attribute of type `kind` ([`attr::F_NESTED`] is set, as
    /// the kernel's `nla_nest_start` does). Everything put until
    /// [`Writer::nest_end`] becomes its value.
    pub fn nest_start(&mut self, kind: u16) -> Result<NestToken, Error> {
        // An empty attribute for now; nest_end patches its length.
        let start = self.len;
        self.put_flag(kind | attr::F_NESTED)?;
        Ok(NestToken { start })
    }

    /// Closes a nested attribute: sets its length to everything written since
    /// [`Writer::nest_start`].
    ///
    /// [`Error::TooBig`] if the nest exceeds 65535 bytes (the attribute length
    /// is a `u16`; the bytes stay written, drop the message).
    /// [`Error::BadLength`] if the token does not belong to this writer.
    /// Close nests in the reverse order of opening them.
    pub fn nest_end(&mut self, nest: NestToken) -> Result<(), Error> {
        let len = self.len.checked_sub(nest.start).ok_or(Error::BadLength)?;
        if len < attr::HDRLEN {
            return Err(Error::BadLength);
        }
        let len16 = u16::try_from(len).map_err(|_| Error::TooBig)?;
        bytes::put(self.buf, nest.start, &len16.to_ne_bytes()).ok_or(Error::BadLength)
    }
}

#[cfg(test)]
mod tests {
    use super::super::attr::Attrs;
    use super::super::errno;
    use super::super::nlmsg::Messages;
    use super::*;

    #[test]
    fn builds_a_message_with_attributes() {
        let mut buf = [0xffu8; 128];
        let mut w = Writer::new(&mut buf);
        let m = w.start(0x20, nlmsg::F_REQUEST, 5, 77).unwrap();
        w.put_u8(1, 9).unwrap();
        w.put_str(2, "hey").unwrap();
        let n = w.nest_start(3).unwrap();
        w.put_u64(1, 42).unwrap();
        w.put_be32(2, 0x7f00_0001).unwrap();
        w.nest_end(n).unwrap();
        w.put_flag(4).unwrap();
        let len = w.finish(m).unwrap();
        assert_eq!(len, w.len());
        // 16 + 8 (u8) + 8 ("hey\0") + 4 + 12 + 8 (nest) + 4 (flag)
        assert_eq!(len, 60);

        let bytes = w.into_bytes();
        let mut msgs = Messages::new(bytes);
        let msg = msgs.next().unwrap().unwrap();
        assert!(msgs.next().is_none());
        assert_eq!(msg.header.len as usize, len);
        assert_eq!((msg.header.seq, msg.header.pid), (5, 77));
        let a: Vec<_> = Attrs::new(msg.payload).map(|a| a.unwrap()).collect();
        assert_eq!(a[0].u8(), Ok(9));
        assert_eq!(a[1].str(), Ok("hey"));
        assert!(a[2].is_nested());
        let inner: Vec<_> = a[2].nested().map(|a| a.unwrap()).collect();
        assert_eq!(inner[0].u64(), Ok(42));
        assert!(inner[1].is_net_byteorder());
        assert_eq!(inner[1].be_u32(), Ok(0x7f00_0001));
        assert!(a[3].is_empty());
        // Padding was written as zeros, not left as 0xff.
        assert_eq!(&msg.payload[5..8], &[0, 0, 0]);
    }

    extern crate std;
    use std::vec::Vec;

    #[test]
    fn out_of_space_changes_nothing() {
        let mut buf = [0u8; 24];
        let mut w = Writer::new(&mut buf);
        let m = w.start(0x20, 0, 0, 0).unwrap();
        assert_eq!(w.put_u64(1, 1), Err(Error::NoSpace));
        assert_eq!(w.len(), 16);
        w.put_u32(1, 1).unwrap();
        assert_eq!(w.remaining(), 0);
        assert_eq!(w.put_flag(2), Err(Error::NoSpace));
        assert_eq!(w.nest_start(2).err(), Some(Error::NoSpace));
        assert_eq!(w.finish(m), Ok(24));

        let mut tiny = [0u8; 15];
        let mut w = Writer::new(&mut tiny);
        assert_eq!(w.start(0x20, 0, 0, 0).err(), Some(Error::NoSpace));
        assert_eq!(w.ack(&Header::new(1, 0, 0, 0), 0), Err(Error::NoSpace));
        assert!(w.is_empty());
    }

    #[test]
    fn rejects_bad_values() {
        let mut buf = [0u8; 70000];
        let mut w = Writer::new(&mut buf);
        assert_eq!(w.put_str(1, "a\0b"), Err(Error::BadString));
        let big = [0u8; 65532];
        assert_eq!(w.put_attr(1, &big), Err(Error::TooBig));
        w.put_attr(1, &big[..65531]).unwrap();
        w.clear();
        let n = w.nest_start(1).unwrap();
        w.put_attr(1, &big[..65531]).unwrap();
        assert_eq!(w.nest_end(n), Err(Error::TooBig));
    }

    #[test]
    fn foreign_tokens_are_rejected() {
        let mut a = [0u8; 64];
        let mut b = [0u8; 64];
        let mut wa = Writer::new(&mut a);
        let mut wb = Writer::new(&mut b);
        wa.put_u64(1, 1).unwrap();
        let n = wa.nest_start(1).unwrap();
        let m = wa.start(1, 0, 0, 0).unwrap();
        assert_eq!(wb.nest_end(n), Err(Error::BadLength));
        assert_eq!(wb.finish(m), Err(Error::BadLength));
    }

    #[test]
    fn batch_ack_error_done() {
        let mut buf = [0u8; 256];
        let mut w = Writer::new(&mut buf);
        let req = Header { len: 40, ..Header::new(0x20, nlmsg::F_REQUEST | nlmsg::F_ACK, 12, 0) };
        assert_eq!(w.ack(&req, 555), Ok(36));
        assert_eq!(w.error(&req, 555, errno::EEXIST), Ok(36));
        assert_eq!(w.error(&req, 555, -errno::EINVAL), Ok(36));
        assert_eq!(w.done(12, 555), Ok(20));
        assert_eq!(w.message(0x21, 0, 1, 2, b"abc"), Ok(19));

        let msgs: Vec<_> = Messages::new(w.as_bytes()).map(|m| m.unwrap()).collect();
        assert_eq!(msgs.len(), 5);
        let acks: Vec<_> = msgs[..3]
            .iter()
            .map(|m| {
                assert_eq!(m.header.ty, nlmsg::ERROR);
                assert_eq!(m.header.seq, 12);
                assert_eq!(m.header.pid, 555);
                assert!(m.header.has(nlmsg::F_CAPPED));
                m.error_payload().unwrap().unwrap()
            })
            .collect();
        assert!(acks[0].is_ack());
        assert_eq!(acks[0].request, req);
        assert_eq!(acks[1].error, -errno::EEXIST);
        assert_eq!(acks[2].error, -errno::EINVAL);
        assert_eq!(msgs[3].header.ty, nlmsg::DONE);
        assert_eq!(msgs[3].payload, &[0, 0, 0, 0]);
        assert_eq!(msgs[4].payload, b"abc");
        assert!(msgs[4].error_payload().is_none());
    }
}
