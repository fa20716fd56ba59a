//! Netlink messages: the 16-byte header, walking a buffer of messages, and
//! the payload of `NLMSG_ERROR` (errors and ACKs).
//!
//! Every netlink message starts with `struct nlmsghdr` (`<linux/netlink.h>`):
//!
//! ```text
//!  0               4       6       8               12              16
//! +---------------+-------+-------+---------------+---------------+----------
//! | nlmsg_len     | type  | flags | nlmsg_seq     | nlmsg_pid     | payload..
//! | u32           | u16   | u16   | u32           | u32           |
//! +---------------+-------+-------+---------------+---------------+----------
//! ```
//!
//! * `nlmsg_len` counts the header **and** the payload, but not the padding
//!   that follows the payload up to the next multiple of 4 ([`align`]);
//! * `type` says what the payload is: below [`MIN_TYPE`] the types are
//!   reserved for netlink itself ([`NOOP`], [`ERROR`], [`DONE`],
//!   [`OVERRUN`]); from [`MIN_TYPE`] on they belong to the protocol (ours are
//!   in [`super::proto`]);
//! * `flags` are the `F_*` constants below;
//! * `seq` is chosen by the requester and copied into the answers, so that
//!   answers can be matched to requests;
//! * `pid` is the *port id* of the sender socket (0 for the kernel), not
//!   necessarily a process id.
//!
//! All fields are in host byte order. One `recv()` (or one `sendmsg()`) may
//! carry several messages back to back, each padded to 4 bytes: a *batch*.
//! [`Messages`] walks such a buffer and checks every header on the way.

use super::bytes;
use super::error::Error;

/// Netlink aligns messages (and attributes) to this many bytes
/// (`NLMSG_ALIGNTO`).
pub const ALIGNTO: usize = 4;

/// Size of the netlink message header, `sizeof(struct nlmsghdr)`
/// (`NLMSG_HDRLEN`).
pub const HDRLEN: usize = 16;

/// Rounds `len` up to the next multiple of [`ALIGNTO`] (`NLMSG_ALIGN`):
/// `align(5) == Some(8)`, `align(8) == Some(8)`.
///
/// `None` if the result does not fit in a `usize` (only for absurd lengths
/// near `usize::MAX`, but we promised never to overflow).
pub const fn align(len: usize) -> Option<usize> {
    // ALIGNTO - 1 == 3: add it, then clear the two low bits.
    match len.checked_add(3) {
        Some(v) => Some(v & !3),
        None => None,
    }
}

/// Bytes needed for a whole message with `payload_len` bytes of payload,
/// padding included (`NLMSG_SPACE`). `None` on overflow.
pub const fn space(payload_len: usize) -> Option<usize> {
    match align(payload_len) {
        Some(p) => p.checked_add(HDRLEN),
        None => None,
    }
}

// ---------------------------------------------------------------------------
// Message types reserved by netlink itself (`<linux/netlink.h>`).
// ---------------------------------------------------------------------------

/// `NLMSG_NOOP`: nothing to do, skip this message.
pub const NOOP: u16 = 1;
/// `NLMSG_ERROR`: an error or, when the error is 0, an acknowledgement. The
/// payload is an [`ErrorPayload`].
pub const ERROR: u16 = 2;
/// `NLMSG_DONE`: end of a multipart answer (a dump). Its payload is an `i32`
/// status, 0 when the dump went well.
pub const DONE: u16 = 3;
/// `NLMSG_OVERRUN`: data lost (unused in practice).
pub const OVERRUN: u16 = 4;
/// `NLMSG_MIN_TYPE`: types below this are reserved for the four above.
pub const MIN_TYPE: u16 = 0x10;

// ---------------------------------------------------------------------------
// Flags (`NLM_F_*`). Several share a value: which meaning applies depends
// on the kind of request (GET, NEW, DELETE) or on the message being an ACK.
// ---------------------------------------------------------------------------

/// `NLM_F_REQUEST`: this message is a request. Every message sent to the
/// kernel must carry it, otherwise the kernel ignores it.
pub const F_REQUEST: u16 = 0x01;
/// `NLM_F_MULTI`: part of a multipart answer, which ends with [`DONE`].
pub const F_MULTI: u16 = 0x02;
/// `NLM_F_ACK`: please answer with an ACK ([`ERROR`] with error 0) on
/// success. Errors are always reported.
pub const F_ACK: u16 = 0x04;
/// `NLM_F_ECHO`: echo this request back to the sender.
pub const F_ECHO: u16 = 0x08;
/// `NLM_F_DUMP_INTR`: the dump was interrupted by a change; it may be
/// inconsistent.
pub const F_DUMP_INTR: u16 = 0x10;
/// `NLM_F_DUMP_FILTERED`: the dump was filtered as requested.
pub const F_DUMP_FILTERED: u16 = 0x20;

/// GET requests: `NLM_F_ROOT`, return the whole table, not one entry.
pub const F_ROOT: u16 = 0x100;
/// GET requests: `NLM_F_MATCH`, return all entries matching the criteria.
pub const F_MATCH: u16 = 0x200;
/// GET requests: `NLM_F_ATOMIC`, return an atomic snapshot.
pub const F_ATOMIC: u16 = 0x400;
/// GET requests: `NLM_F_DUMP`, the usual "give me everything" request.
pub const F_DUMP: u16 = F_ROOT | F_MATCH;

/// NEW requests: `NLM_F_REPLACE`, replace an existing object.
pub const F_REPLACE: u16 = 0x100;
/// NEW requests: `NLM_F_EXCL`, fail with `EEXIST` if the object exists.
pub const F_EXCL: u16 = 0x200;
/// NEW requests: `NLM_F_CREATE`, create the object if it does not exist.
pub const F_CREATE: u16 = 0x400;
/// NEW requests: `NLM_F_APPEND`, add to the end of the list.
pub const F_APPEND: u16 = 0x800;

/// DELETE requests: `NLM_F_NONREC`, do not delete recursively.
pub const F_NONREC: u16 = 0x100;
/// DELETE requests: `NLM_F_BULK`, delete several objects at once.
pub const F_BULK: u16 = 0x200;

/// ACK messages: `NLM_F_CAPPED`, the [`ErrorPayload`] carries only the
/// request's header, not the request's payload.
pub const F_CAPPED: u16 = 0x100;
/// ACK messages: `NLM_F_ACK_TLVS`, extended-ACK attributes follow the
/// [`ErrorPayload`].
pub const F_ACK_TLVS: u16 = 0x200;

/// The netlink message header, `struct nlmsghdr`, decoded.
///
/// `Header` is a plain value: [`Header::parse`] copies the fields out of the
/// buffer and [`Header::write_to`] copies them back in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Header {
    /// `nlmsg_len`: length of the message, header included, padding not.
    pub len: u32,
    /// `nlmsg_type`: what the payload is.
    pub ty: u16,
    /// `nlmsg_flags`: the `F_*` constants.
    pub flags: u16,
    /// `nlmsg_seq`: sequence number chosen by the requester.
    pub seq: u32,
    /// `nlmsg_pid`: port id of the sending socket (0 = the kernel).
    pub pid: u32,
}

impl Header {
    /// A header for a message without payload yet (`len` = [`HDRLEN`]).
    pub const fn new(ty: u16, flags: u16, seq: u32, pid: u32) -> Header {
        Header {
            // HDRLEN is 16: the cast cannot truncate.
            len: HDRLEN as u32,
            ty,
            flags,
            seq,
            pid,
        }
    }

    /// Reads a header from the first 16 bytes of `buf`.
    ///
    /// Only the size of `buf` is checked ([`Error::Truncated`] if shorter than
    /// [`HDRLEN`]); the `len` field is returned as found. [`Messages`] is the
    /// one that checks `len` against the buffer.
    pub fn parse(buf: &[u8]) -> Result<Header, Error> {
        let raw: [u8; HDRLEN] = bytes::array(buf, 0).ok_or(Error::Truncated)?;
        Ok(Header::from_bytes(&raw))
    }

    /// Decodes the 16 bytes of a header.
    pub fn from_bytes(raw: &[u8; HDRLEN]) -> Header {
        // Every read is inside the 16-byte array; the fallbacks never happen.
        Header {
            len: bytes::u32_ne(raw, 0).unwrap_or(0),
            ty: bytes::u16_ne(raw, 4).unwrap_or(0),
            flags: bytes::u16_ne(raw, 6).unwrap_or(0),
            seq: bytes::u32_ne(raw, 8).unwrap_or(0),
            pid: bytes::u32_ne(raw, 12).unwrap_or(0),
        }
    }

    /// Encodes the header into its 16 bytes.
    pub fn to_bytes(self) -> [u8; HDRLEN] {
        let l = self.len.to_ne_bytes();
        let t = self.ty.to_ne_bytes();
        let f = self.flags.to_ne_bytes();
        let s = self.seq.to_ne_bytes();
        let p = self.pid.to_ne_bytes();
        [l[0], l[1], l[2], l[3], t[0], t[1], f[0], f[1], s[0], s[1], s[2], s[3], p[0], p[1], p[2], p[3]]
    }

    /// Writes the header into the first 16 bytes of `buf`
    /// ([`Error::NoSpace`] if `buf` is shorter).
    pub fn write_to(&self, buf: &mut [u8]) -> Result<(), Error> {
        bytes::put(buf, 0, &self.to_bytes()).ok_or(Error::NoSpace)
    }

    /// Length of the payload according to `len` (0 if `len` < [`HDRLEN`]).
    pub const fn payload_len(&self) -> usize {
        (self.len as usize).saturating_sub(HDRLEN)
    }

    /// True if every bit of `flag` is set in `flags`.
    pub const fn has(&self, flag: u16) -> bool {
        self.flags & flag == flag
    }
}

/// One message found by [`Messages`]: its header and its payload (exactly
/// `header.len - 16` bytes, padding excluded).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Message<'a> {
    /// The decoded header.
    pub header: Header,
    /// The payload bytes, borrowed from the received buffer.
    pub payload: &'a [u8],
}

impl<'a> Message<'a> {
    /// If this is an [`ERROR`] message, its decoded payload.
    ///
    /// `None` for other types; `Some(Err(_))` when an `ERROR` message is too
    /// short to hold an [`ErrorPayload`].
    pub fn error_payload(&self) -> Option<Result<ErrorPayload, Error>> {
        if self.header.ty == ERROR {
            Some(ErrorPayload::parse(self.payload))
        } else {
            None
        }
    }
}

/// Iterator over the messages in a buffer, as received from a netlink
/// socket (or as a batch sent to the kernel).
///
/// For each message it checks that
/// * at least [`HDRLEN`] bytes are left ([`Error::Truncated`] otherwise),
/// * `len` is at least [`HDRLEN`] and does not run past the end of the
///   buffer ([`Error::BadLength`] otherwise),
///
/// then yields the message and steps to the next one by `align(len)` bytes.
/// The padding of the *last* message may be missing: like the kernel, we
/// accept a buffer that ends right after the last payload.
///
/// After an error the iterator is finished (it yields `None`): once a length
/// is wrong we no longer know where the next message starts.
///
/// Differences with the kernel's `netlink_rcv_skb`: the kernel silently
/// ignores fewer than 16 trailing bytes and a message whose length is wrong;
/// we report both, because a course wants to *see* such mistakes. The
/// iterator does not interpret types or flags (`DONE`, `F_MULTI`): that is
/// the caller's job.
#[derive(Debug, Clone)]
pub struct Messages<'a> {
    rest: &'a [u8],
}

impl<'a> Messages<'a> {
    /// Walks the messages in `buf`.
    pub const fn new(buf: &'a [u8]) -> Messages<'a> {
        Messages { rest: buf }
    }

    /// The bytes not visited yet (empty after an error).
    pub const fn rest(&self) -> &'a [u8] {
        self.rest
    }

    fn fail(&mut self, e: Error) -> Option<Result<Message<'a>, Error>> {
        self.rest = &[];
        Some(Err(e))
    }
}

// ANCHOR: messages_next
impl<'a> Iterator for Messages<'a> {
    type Item = Result<Message<'a>, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.rest.is_empty() {
            return None;
        }
        let header = match Header::parse(self.rest) {
            Ok(h) => h,
            Err(e) => return self.fail(e),
        };
        let len = header.len as usize;
        if len < HDRLEN {
            return self.fail(Error::BadLength);
        }
        let payload = match self.rest.get(HDRLEN..len) {
            Some(p) => p,
            None => return self.fail(Error::BadLength),
        };
        // Step over the padding too, but never past the end.
        let step = align(len).unwrap_or(len).min(self.rest.len());
        self.rest = self.rest.get(step..).unwrap_or(&[]);
        Some(Ok(Message { header, payload }))
    }
}
// ANCHOR_END: messages_next

/// Size of [`ErrorPayload`] on the wire: an `i32` and a [`Header`].
pub const ERROR_PAYLOAD_LEN: usize = 4 + HDRLEN;

/// The payload of an [`ERROR`] message, `struct nlmsgerr`:
///
/// ```text
/// +-----------+--------------------------------------+
/// | error i32 | header of the request it answers (16) |
/// +-----------+--------------------------------------+
/// ```
///
/// `error` is a **negative** errno (`-EINVAL` = -22), or 0 for an ACK. Unless
/// the message has [`F_CAPPED`], the kernel also copies the request's payload
/// after the header; with [`F_ACK_TLVS`], extended-ACK attributes follow.
/// Both are in the trailer returned by [`ErrorPayload::parse_with_trailer`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct ErrorPayload {
    /// 0 for an ACK, otherwise a negative errno.
    pub error: i32,
    /// The header of the request being answered.
    pub request: Header,
}

impl ErrorPayload {
    /// True if this is an acknowledgement (error 0), not an error.
    pub const fn is_ack(&self) -> bool {
        self.error == 0
    }

    /// The errno as a positive number (`EINVAL` = 22), 0 for an ACK.
    pub const fn errno(&self) -> i32 {
        self.error.saturating_abs()
    }

    /// Reads the first [`ERROR_PAYLOAD_LEN`] bytes of an `ERROR` message's
    /// payload ([`Error::Truncated`] if shorter). Bytes after them are
    /// ignored.
    pub fn parse(payload: &[u8]) -> Result<ErrorPayload, Error> {
        ErrorPayload::parse_with_trailer(payload).map(|(e, _)| e)
    }

    /// Like [`ErrorPayload::parse`], and also returns the bytes after the
    /// 20-byte `struct nlmsgerr`: the echoed request payload (when not
    /// [`F_CAPPED`]) and the extended-ACK attributes (with [`F_ACK_TLVS`]).
    pub fn parse_with_trailer(payload: &[u8]) -> Result<(ErrorPayload, &[u8]), Error> {
        let error = bytes::i32_ne(payload, 0).ok_or(Error::Truncated)?;
        let hdr = payload.get(4..).ok_or(Error::Truncated)?;
        let request = Header::parse(hdr)?;
        let trailer = payload.get(ERROR_PAYLOAD_LEN..).unwrap_or(&[]);
        Ok((ErrorPayload { error, request }, trailer))
    }

    /// Encodes the 20 bytes.
    pub fn to_bytes(self) -> [u8; ERROR_PAYLOAD_LEN] {
        let mut out = [0u8; ERROR_PAYLOAD_LEN];
        // Both writes are inside the 20-byte array and cannot fail.
        let _ = bytes::put(&mut out, 0, &self.error.to_ne_bytes());
        let _ = bytes::put(&mut out, 4, &self.request.to_bytes());
        out
    }

    /// Writes the 20 bytes at the start of `buf` ([`Error::NoSpace`] if
    /// shorter).
    pub fn write_to(&self, buf: &mut [u8]) -> Result<(), Error> {
        bytes::put(buf, 0, &self.to_bytes()).ok_or(Error::NoSpace)
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;
    use std::vec::Vec;

    fn msg(ty: u16, payload: &[u8], out: &mut [u8]) -> usize {
        let len = HDRLEN + payload.len();
        let h = Header { len: len as u32, ..Header::new(ty, F_REQUEST, 7, 0) };
        h.write_to(out).unwrap();
        out[HDRLEN..len].copy_from_slice(payload);
        align(len).unwrap()
    }

    #[test]
    fn align_rounds_up() {
        assert_eq!(align(0), Some(0));
        assert_eq!(align(1), Some(4));
        assert_eq!(align(4), Some(4));
        assert_eq!(align(5), Some(8));
        assert_eq!(align(usize::MAX), None);
        assert_eq!(space(5), Some(24));
    }

    #[test]
    fn header_round_trip() {
        let h = Header { len: 0x1234_5678, ty: 0x20, flags: F_REQUEST | F_ACK, seq: 42, pid: 4242 };
        let b = h.to_bytes();
        assert_eq!(&b[0..4], &0x1234_5678u32.to_ne_bytes());
        assert_eq!(&b[4..6], &0x20u16.to_ne_bytes());
        assert_eq!(Header::parse(&b), Ok(h));
        assert_eq!(Header::parse(&b[..15]), Err(Error::Truncated));
        let mut small = [0u8; 15];
        assert_eq!(h.write_to(&mut small), Err(Error::NoSpace));
        assert!(h.has(F_ACK));
        assert!(!h.has(F_DUMP));
        assert_eq!(Header::new(1, 0, 0, 0).payload_len(), 0);
    }

    #[test]
    fn flag_values() {
        assert_eq!(F_DUMP, 0x300);
        assert_eq!(F_REPLACE, F_ROOT);
        assert_eq!(F_CAPPED, 0x100);
        assert_eq!(F_ACK_TLVS, 0x200);
    }

    #[test]
    fn walks_a_batch() {
        let mut buf = [0u8; 64];
        let a = msg(0x20, b"abcde", &mut buf);
        let b = msg(0x21, b"", &mut buf[a..]);
        let c = msg(0x22, b"xyz", &mut buf[a + b..]);
        // The last message is not padded: 16 + 3 bytes.
        let total = a + b + HDRLEN + 3;
        assert_eq!(c, HDRLEN + 4);
        let got: Vec<_> = Messages::new(&buf[..total]).collect();
        assert_eq!(got.len(), 3);
        let m0 = got[0].unwrap();
        assert_eq!((m0.header.ty, m0.payload), (0x20, &b"abcde"[..]));
        assert_eq!(got[1].unwrap().payload, b"");
        assert_eq!(got[2].unwrap().payload, b"xyz");
    }

    #[test]
    fn rejects_bad_lengths() {
        let mut buf = [0u8; 40];
        let a = msg(0x20, b"abcd", &mut buf);
        // Trailing partial header.
        let mut it = Messages::new(&buf[..a + 5]);
        assert!(it.next().unwrap().is_ok());
        assert_eq!(it.next(), Some(Err(Error::Truncated)));
        assert_eq!(it.next(), None);
        // len smaller than the header.
        buf[0..4].copy_from_slice(&3u32.to_ne_bytes());
        let mut it = Messages::new(&buf);
        assert_eq!(it.next(), Some(Err(Error::BadLength)));
        assert_eq!(it.next(), None);
        // len past the end.
        buf[0..4].copy_from_slice(&41u32.to_ne_bytes());
        let mut it = Messages::new(&buf);
        assert_eq!(it.next(), Some(Err(Error::BadLength)));
        assert_eq!(it.next(), None);
        // Empty buffer: no message at all.
        assert_eq!(Messages::new(&[]).next(), None);
    }

    #[test]
    fn error_payload_round_trip() {
        let e = ErrorPayload { error: -22, request: Header::new(0x20, F_REQUEST | F_ACK, 9, 1234) };
        let mut buf = [0u8; 24];
        e.write_to(&mut buf).unwrap();
        buf[20..].copy_from_slice(b"tail");
        let (d, trailer) = ErrorPayload::parse_with_trailer(&buf).unwrap();
        assert_eq!(d, e);
        assert_eq!(trailer, b"tail");
        assert_eq!(d.errno(), 22);
        assert!(!d.is_ack());
        assert_eq!(ErrorPayload::parse(&buf[..19]), Err(Error::Truncated));
        assert_eq!(ErrorPayload::parse(&buf[..3]), Err(Error::Truncated));
        let mut small = [0u8; 19];
        assert_eq!(e.write_to(&mut small), Err(Error::NoSpace));
    }
}
