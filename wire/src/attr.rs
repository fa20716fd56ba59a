//! Netlink attributes: typed values inside a message payload.
//!
//! After a protocol's fixed header (if any), a netlink payload is usually a
//! list of *attributes*, `struct nlattr` (`<linux/netlink.h>`), back to back:
//!
//! ```text
//!  0       2       4                     len     align(len)
//! +-------+-------+---------------------+-------+
//! | len   | type  | value               |padding| next attribute ...
//! | u16   | u16   | len - 4 bytes       | 0..3  |
//! +-------+-------+---------------------+-------+
//! ```
//!
//! * `len` counts the 4-byte header and the value, **not** the padding;
//! * the two top bits of `type` are flags ([`F_NESTED`],
//!   [`F_NET_BYTEORDER`]); the rest ([`TYPE_MASK`]) is the attribute type,
//!   whose meaning is defined by the protocol (ours: [`super::proto`]);
//! * a *nested* attribute's value is itself a list of attributes, which is
//!   how netlink builds trees (a person has an address, which has a city).
//!
//! Reading: [`Attrs`] walks a list of attributes, yielding [`Attr`]s whose
//! typed accessors ([`Attr::u32`], [`Attr::str`], ...) check the size.
//! Writing: see [`super::writer::Writer::put_attr`] and friends.
//! Checking a whole list against a table of expected types:
//! [`super::policy`].

use super::bytes;
use super::error::Error;
use super::nlmsg::align;

/// Size of the attribute header, `NLA_HDRLEN`.
pub const HDRLEN: usize = 4;

/// Largest possible value: `len` is a `u16` and includes the header.
pub const MAX_VALUE_LEN: usize = u16::MAX as usize - HDRLEN;

/// `NLA_F_NESTED`: the value is a list of attributes.
pub const F_NESTED: u16 = 1 << 15;
/// `NLA_F_NET_BYTEORDER`: the value is in network byte order (big-endian).
pub const F_NET_BYTEORDER: u16 = 1 << 14;
/// `NLA_TYPE_MASK`: the bits of `type` that are the type, without flags.
pub const TYPE_MASK: u16 = !(F_NESTED | F_NET_BYTEORDER);

/// One attribute, borrowed from the buffer it was found in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Attr<'a> {
    raw_type: u16,
    payload: &'a [u8],
}

impl<'a> Attr<'a> {
    /// An attribute with the given raw type (flags included) and value; what
    /// [`Attrs`] yields. Useful in tests and to hand-build policies.
    pub const fn new(raw_type: u16, payload: &'a [u8]) -> Attr<'a> {
        Attr { raw_type, payload }
    }

    /// The `type` field exactly as on the wire, flags included.
    pub const fn raw_type(&self) -> u16 {
        self.raw_type
    }

    /// The attribute type, without the flag bits.
    pub const fn kind(&self) -> u16 {
        self.raw_type & TYPE_MASK
    }

    /// True if the sender set [`F_NESTED`]. Many senders (including older
    /// kernel code) leave it unset on nested attributes, so do not rely on it:
    /// the protocol says which types are nested.
    pub const fn is_nested(&self) -> bool {
        self.raw_type & F_NESTED != 0
    }

    /// True if the sender set [`F_NET_BYTEORDER`].
    pub const fn is_net_byteorder(&self) -> bool {
        self.raw_type & F_NET_BYTEORDER != 0
    }

    /// The value bytes (`len - 4` of them, padding excluded).
    pub const fn payload(&self) -> &'a [u8] {
        self.payload
    }

    fn exact<const N: usize>(&self) -> Result<[u8; N], Error> {
        self.payload.try_into().map_err(|_| Error::BadSize)
    }

    /// The value as a `u8` (exactly 1 byte, else [`Error::BadSize`]).
    pub fn u8(&self) -> Result<u8, Error> {
        self.exact::<1>().map(u8::from_ne_bytes)
    }

    /// The value as a host-order `u16` (exactly 2 bytes).
    pub fn u16(&self) -> Result<u16, Error> {
        self.exact().map(u16::from_ne_bytes)
    }

    /// The value as a host-order `u32` (exactly 4 bytes).
    pub fn u32(&self) -> Result<u32, Error> {
        self.exact().map(u32::from_ne_bytes)
    }

    /// The value as a host-order `u64` (exactly 8 bytes).
    pub fn u64(&self) -> Result<u64, Error> {
        self.exact().map(u64::from_ne_bytes)
    }

    /// The value as a host-order `i32` (exactly 4 bytes).
    pub fn i32(&self) -> Result<i32, Error> {
        self.exact().map(i32::from_ne_bytes)
    }

    /// The value as a network-order (big-endian) `u16`, e.g. a port.
    pub fn be_u16(&self) -> Result<u16, Error> {
        self.exact().map(u16::from_be_bytes)
    }

    /// The value as a network-order (big-endian) `u32`, e.g. an IPv4 address.
    pub fn be_u32(&self) -> Result<u32, Error> {
        self.exact().map(u32::from_be_bytes)
    }

    /// The value as text: the bytes before the first NUL, or all of them
    /// when there is none, as the kernel reads an `NLA_STRING` attribute
    /// (`nla_strscpy`, `nla_strcmp`). [`Error::BadString`] if that text is
    /// not UTF-8. The policy ([`super::policy`]) checks the length first.
    pub fn str(&self) -> Result<&'a str, Error> {
        let end = self.payload.iter().position(|&b| b == 0).unwrap_or(self.payload.len());
        let text = self.payload.get(..end).ok_or(Error::BadString)?;
        core::str::from_utf8(text).map_err(|_| Error::BadString)
    }

    /// True if the value is empty: a *flag* attribute, whose mere presence
    /// means "yes".
    pub const fn is_empty(&self) -> bool {
        self.payload.is_empty()
    }

    /// The attributes nested inside this one's value. Works whether or not
    /// [`F_NESTED`] is set.
    pub const fn nested(&self) -> Attrs<'a> {
        Attrs::new(self.payload)
    }
}

/// Iterator over a list of attributes (an "attribute area").
///
/// For each attribute it checks that
/// * at least [`HDRLEN`] bytes are left ([`Error::Truncated`] otherwise),
/// * `len` is at least [`HDRLEN`] and does not run past the end
///   ([`Error::BadLength`] otherwise),
///
/// then yields it and steps by `align(len)`. As in the kernel's `nla_ok` /
/// `nla_next`, the padding of the *last* attribute may be missing.
/// After an error the iterator is finished.
///
/// The kernel stops silently at up to 3 leftover bytes (and only warns about
/// them); we report them as [`Error::Truncated`].
#[derive(Debug, Clone)]
pub struct Attrs<'a> {
    rest: &'a [u8],
}

impl<'a> Attrs<'a> {
    /// Walks the attributes in `area`.
    pub const fn new(area: &'a [u8]) -> Attrs<'a> {
        Attrs { rest: area }
    }

    /// The bytes not visited yet (empty after an error).
    pub const fn rest(&self) -> &'a [u8] {
        self.rest
    }

    /// The first attribute of type `kind` (flags ignored), if any. Stops with
    /// the error if the list is malformed before it is found.
    pub fn find(self, kind: u16) -> Result<Option<Attr<'a>>, Error> {
        for a in self {
            let a = a?;
            if a.kind() == kind {
                return Ok(Some(a));
            }
        }
        Ok(None)
    }

    /// Checks that the whole list is well formed, without looking at types.
    pub fn validate(self) -> Result<(), Error> {
        for a in self {
            a?;
        }
        Ok(())
    }

    fn fail(&mut self, e: Error) -> Option<Result<Attr<'a>, Error>> {
        self.rest = &[];
        Some(Err(e))
    }
}

// ANCHOR: attrs_next
impl<'a> Iterator for Attrs<'a> {
    type Item = Result<Attr<'a>, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.rest.is_empty() {
            return None;
        }
        let (len, raw_type) = match (bytes::u16_ne(self.rest, 0), bytes::u16_ne(self.rest, 2)) {
            (Some(l), Some(t)) => (usize::from(l), t),
            _ => return self.fail(Error::Truncated),
        };
        if len < HDRLEN {
            return self.fail(Error::BadLength);
        }
        let payload = match self.rest.get(HDRLEN..len) {
            Some(p) => p,
            None => return self.fail(Error::BadLength),
        };
        let step = align(len).unwrap_or(len).min(self.rest.len());
        self.rest = self.rest.get(step..).unwrap_or(&[]);
        Some(Ok(Attr { raw_type, payload }))
    }
}
// ANCHOR_END: attrs_next

#[cfg(test)]
mod tests {
    use super::*;

    /// Appends one attribute with padding to `out`.
    fn put(out: &mut Vec<u8>, ty: u16, value: &[u8]) {
        out.extend_from_slice(&((HDRLEN + value.len()) as u16).to_ne_bytes());
        out.extend_from_slice(&ty.to_ne_bytes());
        out.extend_from_slice(value);
        while !out.len().is_multiple_of(4) {
            out.push(0);
        }
    }

    extern crate std;
    use std::vec::Vec;

    #[test]
    fn reads_typed_values() {
        let mut b = Vec::new();
        put(&mut b, 1, &[7]);
        put(&mut b, 2, &0xbeefu16.to_ne_bytes());
        put(&mut b, 3, &0xdead_beefu32.to_ne_bytes());
        put(&mut b, 4, &u64::MAX.to_ne_bytes());
        put(&mut b, 5 | F_NET_BYTEORDER, &[192, 168, 0, 1]);
        put(&mut b, 6, b"Ada\0");
        put(&mut b, 7, b"");
        let a: Vec<Attr> = Attrs::new(&b).map(|a| a.unwrap()).collect();
        assert_eq!(a.len(), 7);
        assert_eq!(a[0].u8(), Ok(7));
        assert_eq!(a[1].u16(), Ok(0xbeef));
        assert_eq!(a[2].u32(), Ok(0xdead_beef));
        assert_eq!(a[3].u64(), Ok(u64::MAX));
        assert!(a[4].is_net_byteorder());
        assert_eq!(a[4].kind(), 5);
        assert_eq!(a[4].be_u32(), Ok(0xc0a8_0001));
        assert_eq!(a[5].str(), Ok("Ada"));
        assert!(a[6].is_empty());
        // Wrong sizes.
        assert_eq!(a[0].u16(), Err(Error::BadSize));
        assert_eq!(a[2].u64(), Err(Error::BadSize));
        assert_eq!(a[3].u32(), Err(Error::BadSize));
        assert_eq!(a[2].str(), Err(Error::BadString)); // 0xdeadbeef is not UTF-8
        assert_eq!(Attr::new(1, b"abc").str(), Ok("abc")); // no NUL needed
        assert_eq!(Attr::new(1, b"a\0bc").str(), Ok("a"));
    }

    #[test]
    fn nested_and_find() {
        let mut inner = Vec::new();
        put(&mut inner, 1, b"Main St\0");
        put(&mut inner, 2, b"Paris\0");
        let mut b = Vec::new();
        put(&mut b, 1, b"Ada\0");
        put(&mut b, 3 | F_NESTED, &inner);
        let addr = Attrs::new(&b).find(3).unwrap().unwrap();
        assert!(addr.is_nested());
        assert_eq!(addr.kind(), 3);
        let city = addr.nested().find(2).unwrap().unwrap();
        assert_eq!(city.str(), Ok("Paris"));
        assert_eq!(Attrs::new(&b).find(9), Ok(None));
        assert_eq!(Attrs::new(&b).validate(), Ok(()));
    }

    #[test]
    fn last_padding_may_be_missing() {
        let mut b = Vec::new();
        put(&mut b, 1, &[1, 2, 3, 4]);
        put(&mut b, 2, &[9]);
        b.truncate(b.len() - 3);
        let a: Vec<_> = Attrs::new(&b).collect();
        assert_eq!(a.len(), 2);
        assert_eq!(a[1].unwrap().payload(), &[9]);
    }

    #[test]
    fn rejects_malformed() {
        // Leftover bytes smaller than a header.
        let mut it = Attrs::new(&[4, 0, 1, 0, 0xaa]);
        assert!(it.next().unwrap().is_ok());
        assert_eq!(it.next(), Some(Err(Error::Truncated)));
        assert_eq!(it.next(), None);
        // len < 4.
        let b = [3u16.to_ne_bytes(), 1u16.to_ne_bytes()].concat();
        let mut it = Attrs::new(&b);
        assert_eq!(it.next(), Some(Err(Error::BadLength)));
        assert_eq!(it.next(), None);
        // len past the end.
        let b = [9u16.to_ne_bytes(), 1u16.to_ne_bytes(), [0, 0]].concat();
        assert_eq!(Attrs::new(&b).next(), Some(Err(Error::BadLength)));
        assert_eq!(Attrs::new(&b).validate(), Err(Error::BadLength));
        assert_eq!(Attrs::new(&b).find(1), Err(Error::BadLength));
    }
}
