//! The course's own TLV format (lesson 03). These are *not* netlink
//! attributes: it is a smaller, simpler type-length-value encoding that
//! travels as the payload of a [`super::proto::TLV_RECORDS`] message.
//!
//! ```text
//! +------+--------+--------------------------------------+
//! | type | length | value: length bytes = n units         | next TLV ...
//! | u8   | u8     | unit 0 | unit 1 | ... | unit n-1      |
//! +------+--------+--------------------------------------+
//! ```
//!
//! * `length` counts the **value bytes only**, not the 2-byte header, so a
//!   value is at most 255 bytes; there is **no padding** between TLVs;
//! * a value is one or more fixed-size *units*; the unit size depends on the
//!   type ([`unit_size`]):
//!
//! | type               | unit     | content of one unit                         |
//! |--------------------|----------|---------------------------------------------|
//! | [`NAME`] = 1       | 32 bytes | string, NUL-padded (at most 31 bytes)        |
//! | [`WEBSITE`] = 2    | 64 bytes | string, NUL-padded (at most 63 bytes)        |
//! | [`EMPLOYEE_ID`] = 3| 8 bytes  | `u64`, **little-endian** (whatever the host) |
//!
//! So one NAME TLV may carry up to 7 names (7 × 32 = 224 ≤ 255).
//!
//! Decoding rules, chosen so that one bad record does not hide the others
//! when the framing is still sound:
//!
//! * a truncated header, or a value running past the end of the buffer, is
//!   an error ([`Error::Truncated`], [`Error::BadLength`]) and **stops** the
//!   iteration: we no longer know where the next TLV starts;
//! * a known type whose length is zero or not a multiple of its unit size is
//!   an error ([`Error::BadSize`]) **for that TLV only**; the iteration
//!   continues with the next one;
//! * an unknown type is yielded normally, with [`Tlv::unit_size`] `== None`,
//!   so that callers can count it and skip it.
//!
//! Strings inside a unit must contain at least one NUL (the encoder always
//! leaves one), so a C reader can print them with `%s`.

use super::bytes;
use super::cstr;
use super::error::Error;

/// Size of a TLV header: type and length, one byte each.
pub const HDRLEN: usize = 2;
/// Largest value: the length is a `u8`.
pub const MAX_VALUE_LEN: usize = u8::MAX as usize;

/// Type of a name record: 32-byte NUL-padded strings.
pub const NAME: u8 = 1;
/// Type of a website record: 64-byte NUL-padded strings.
pub const WEBSITE: u8 = 2;
/// Type of an employee-id record: 8-byte little-endian `u64`s.
pub const EMPLOYEE_ID: u8 = 3;

/// Unit size of [`NAME`].
pub const NAME_UNIT: usize = 32;
/// Unit size of [`WEBSITE`].
pub const WEBSITE_UNIT: usize = 64;
/// Unit size of [`EMPLOYEE_ID`].
pub const EMPLOYEE_ID_UNIT: usize = 8;

/// The unit size of a type, `None` for an unknown type.
pub const fn unit_size(ty: u8) -> Option<usize> {
    match ty {
        NAME => Some(NAME_UNIT),
        WEBSITE => Some(WEBSITE_UNIT),
        EMPLOYEE_ID => Some(EMPLOYEE_ID_UNIT),
        _ => None,
    }
}

/// A short name for a type, for logs: `"NAME"`, `"WEBSITE"`,
/// `"EMPLOYEE_ID"` or `"UNKNOWN"`.
pub const fn type_name(ty: u8) -> &'static str {
    match ty {
        NAME => "NAME",
        WEBSITE => "WEBSITE",
        EMPLOYEE_ID => "EMPLOYEE_ID",
        _ => "UNKNOWN",
    }
}

/// One TLV, borrowed from the buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tlv<'a> {
    /// The type byte.
    pub ty: u8,
    /// The value bytes (`length` of them).
    pub value: &'a [u8],
}

impl<'a> Tlv<'a> {
    /// The unit size of this TLV's type; `None` if the type is unknown.
    pub const fn unit_size(&self) -> Option<usize> {
        unit_size(self.ty)
    }

    /// The fixed-size units of the value. Empty for an unknown type.
    pub fn units(&self) -> Units<'a> {
        Units { rest: self.value, size: self.unit_size().unwrap_or(0) }
    }
}

/// Iterator over the units of a [`Tlv`], each `unit_size` bytes. A trailing
/// incomplete unit (only possible for a hand-made `Tlv`) is not yielded.
#[derive(Debug, Clone)]
pub struct Units<'a> {
    rest: &'a [u8],
    size: usize,
}

impl<'a> Iterator for Units<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        if self.size == 0 {
            return None;
        }
        let unit = self.rest.get(..self.size)?;
        self.rest = self.rest.get(self.size..).unwrap_or(&[]);
        Some(unit)
    }
}

/// Decodes a string unit ([`NAME`], [`WEBSITE`]): the text before the first
/// NUL. [`Error::BadString`] without a NUL or with invalid UTF-8.
pub fn unit_str(unit: &[u8]) -> Result<&str, Error> {
    cstr::decode(unit)
}

/// Decodes an [`EMPLOYEE_ID`] unit: a little-endian `u64`
/// ([`Error::BadSize`] unless exactly 8 bytes).
pub fn unit_u64(unit: &[u8]) -> Result<u64, Error> {
    unit.try_into().map(u64::from_le_bytes).map_err(|_| Error::BadSize)
}

/// Writes TLVs into a caller-provided buffer, back to back, no padding.
/// A write that fails leaves the buffer as it was.
#[derive(Debug)]
pub struct TlvWriter<'a> {
    buf: &'a mut [u8],
    len: usize,
}

impl<'a> TlvWriter<'a> {
    /// A writer appending to `buf` from its beginning.
    pub fn new(buf: &'a mut [u8]) -> TlvWriter<'a> {
        TlvWriter { buf, len: 0 }
    }

    /// Bytes written so far.
    pub const fn len(&self) -> usize {
        self.len
    }

    /// True if nothing was written yet.
    pub const fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The bytes written so far.
    pub fn as_bytes(&self) -> &[u8] {
        self.buf.get(..self.len).unwrap_or(&[])
    }

    /// Ends the writer and returns the written bytes.
    pub fn into_bytes(self) -> &'a [u8] {
        let buf: &'a [u8] = self.buf;
        buf.get(..self.len).unwrap_or(&[])
    }

    /// Reserves a TLV of `value_len` bytes, writes its header, zeroes its
    /// value, and returns the offset of the value.
    fn open(&mut self, ty: u8, value_len: usize) -> Result<usize, Error> {
        let len = u8::try_from(value_len).map_err(|_| Error::TooBig)?;
        let value_at = self.len.checked_add(HDRLEN).ok_or(Error::NoSpace)?;
        let end = value_at.checked_add(value_len).ok_or(Error::NoSpace)?;
        if end > self.buf.len() {
            return Err(Error::NoSpace);
        }
        bytes::put(self.buf, self.len, &[ty, len]).ok_or(Error::NoSpace)?;
        bytes::zero(self.buf, value_at, value_len).ok_or(Error::NoSpace)?;
        Ok(value_at)
    }

    /// Appends one TLV with a raw value, whatever the type
    /// ([`Error::TooBig`] if longer than 255 bytes).
    pub fn put(&mut self, ty: u8, value: &[u8]) -> Result<(), Error> {
        let at = self.open(ty, value.len())?;
        bytes::put(self.buf, at, value).ok_or(Error::NoSpace)?;
        self.len = at.saturating_add(value.len());
        Ok(())
    }

    /// Appends one TLV of string units of `unit` bytes.
    fn put_strs(&mut self, ty: u8, unit: usize, items: &[&str]) -> Result<(), Error> {
        for s in items {
            cstr::check(s)?;
            // Keep at least one NUL in every unit.
            if s.len() >= unit {
                return Err(Error::TooBig);
            }
        }
        let total = unit.checked_mul(items.len()).ok_or(Error::TooBig)?;
        let mut at = self.open(ty, total)?;
        for s in items {
            bytes::put(self.buf, at, s.as_bytes()).ok_or(Error::NoSpace)?;
            at = at.checked_add(unit).ok_or(Error::NoSpace)?;
        }
        self.len = at;
        Ok(())
    }

    /// Appends one [`NAME`] TLV carrying all of `names` (1 to 7 of them, each
    /// at most 31 bytes, without NUL; [`Error::TooBig`] otherwise).
    pub fn put_names(&mut self, names: &[&str]) -> Result<(), Error> {
        if names.is_empty() {
            return Err(Error::BadSize);
        }
        self.put_strs(NAME, NAME_UNIT, names)
    }

    /// Appends one [`NAME`] TLV with a single name.
    pub fn put_name(&mut self, name: &str) -> Result<(), Error> {
        self.put_names(&[name])
    }

    /// Appends one [`WEBSITE`] TLV carrying all of `sites` (1 to 3, each at
    /// most 63 bytes).
    pub fn put_websites(&mut self, sites: &[&str]) -> Result<(), Error> {
        if sites.is_empty() {
            return Err(Error::BadSize);
        }
        self.put_strs(WEBSITE, WEBSITE_UNIT, sites)
    }

    /// Appends one [`WEBSITE`] TLV with a single website.
    pub fn put_website(&mut self, site: &str) -> Result<(), Error> {
        self.put_websites(&[site])
    }

    /// Appends one [`EMPLOYEE_ID`] TLV carrying all of `ids` (1 to 31).
    pub fn put_ids(&mut self, ids: &[u64]) -> Result<(), Error> {
        if ids.is_empty() {
            return Err(Error::BadSize);
        }
        let total = EMPLOYEE_ID_UNIT.checked_mul(ids.len()).ok_or(Error::TooBig)?;
        let mut at = self.open(EMPLOYEE_ID, total)?;
        for id in ids {
            bytes::put(self.buf, at, &id.to_le_bytes()).ok_or(Error::NoSpace)?;
            at = at.checked_add(EMPLOYEE_ID_UNIT).ok_or(Error::NoSpace)?;
        }
        self.len = at;
        Ok(())
    }

    /// Appends one [`EMPLOYEE_ID`] TLV with a single id.
    pub fn put_id(&mut self, id: u64) -> Result<(), Error> {
        self.put_ids(&[id])
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;
    use std::vec::Vec;

    #[test]
    fn round_trip() {
        let mut buf = [0xaau8; 512];
        let mut w = TlvWriter::new(&mut buf);
        w.put_names(&["Ada", "Grace"]).unwrap();
        w.put_website("https://kernel.org").unwrap();
        w.put_ids(&[1, u64::MAX]).unwrap();
        w.put(9, b"??").unwrap();
        assert_eq!(w.len(), 2 + 64 + 2 + 64 + 2 + 16 + 2 + 2);
        let b = w.into_bytes();
        assert_eq!(&b[..2], &[NAME, 64]);
        // Little-endian id on the wire.
        assert_eq!(&b[134..142], &1u64.to_le_bytes());

        // The TLVs where the format puts them: no padding between them.
        let t = [
            Tlv { ty: b[0], value: &b[2..66] },
            Tlv { ty: b[66], value: &b[68..132] },
            Tlv { ty: b[132], value: &b[134..150] },
            Tlv { ty: b[150], value: &b[152..154] },
        ];
        assert_eq!([b[1], b[67], b[133], b[151]], [64, 64, 16, 2]);
        let names: Vec<&str> = t[0].units().map(|u| unit_str(u).unwrap()).collect();
        assert_eq!(names, ["Ada", "Grace"]);
        assert_eq!(unit_str(t[1].units().next().unwrap()), Ok("https://kernel.org"));
        let ids: Vec<u64> = t[2].units().map(|u| unit_u64(u).unwrap()).collect();
        assert_eq!(ids, [1, u64::MAX]);
        assert_eq!(t[3].unit_size(), None);
        assert_eq!(t[3].units().count(), 0);
        assert_eq!(t[3].value, b"??");
        assert_eq!(type_name(t[2].ty), "EMPLOYEE_ID");
    }

    #[test]
    fn encoder_limits() {
        let mut buf = [0u8; 512];
        let mut w = TlvWriter::new(&mut buf);
        let long = "x".repeat(32);
        assert_eq!(w.put_name(&long), Err(Error::TooBig));
        assert_eq!(w.put_name(&long[..31]), Ok(()));
        assert_eq!(w.put_name("a\0b"), Err(Error::BadString));
        assert_eq!(w.put_names(&["a"; 8]), Err(Error::TooBig));
        assert_eq!(w.put_names(&["a"; 7]), Ok(()));
        assert_eq!(w.put_websites(&["a"; 4]), Err(Error::TooBig));
        assert_eq!(w.put_ids(&[0; 32]), Err(Error::TooBig));
        assert_eq!(w.put_ids(&[]), Err(Error::BadSize));
        assert_eq!(w.put(1, &[0; 256]), Err(Error::TooBig));
        let before = w.len();
        let mut small = [0u8; 10];
        let mut s = TlvWriter::new(&mut small);
        assert_eq!(s.put_id(1), Ok(()));
        assert_eq!(s.put_id(2), Err(Error::NoSpace));
        assert_eq!(s.len(), 10);
        assert_eq!(w.len(), before);
    }

    #[test]
    fn unit_decoders() {
        // A string unit without NUL; an id of 7 bytes.
        assert_eq!(unit_str(&[b'a'; 32]), Err(Error::BadString));
        assert_eq!(unit_u64(&[0; 7]), Err(Error::BadSize));
        assert_eq!(unit_str(b"Ada\0\0"), Ok("Ada"));
        assert_eq!(Tlv { ty: NAME, value: &[0; 64] }.units().count(), 2);
    }
}
