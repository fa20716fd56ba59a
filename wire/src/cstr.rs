//! NUL-terminated strings on the wire.
//!
//! C marks the end of a string with a zero byte (`'\0'`, "NUL"), and netlink,
//! being a C interface, does the same: a string attribute such as
//! `"Ada"` travels as the 4 bytes `41 64 61 00`. Rust's `&str` has no NUL; it
//! knows its length instead. This module converts between the two, strictly:
//!
//! * decoding ([`decode`]) *requires* a NUL inside the bytes (otherwise a C
//!   reader would run past the end) and valid UTF-8 before it; whatever
//!   follows the first NUL (padding) is ignored;
//! * encoding ([`check`] then copy + one zero byte) *refuses* a string that
//!   already contains a NUL, because a C reader would silently cut it there.

use super::error::Error;

/// The part of `bytes` before the first NUL, as UTF-8 text.
///
/// `decode(b"Ada\0\0\0") == Ok("Ada")`. Errors with [`Error::BadString`]
/// when there is no NUL at all or the text is not valid UTF-8.
pub fn decode(bytes: &[u8]) -> Result<&str, Error> {
    let end = bytes.iter().position(|&b| b == 0).ok_or(Error::BadString)?;
    let text = bytes.get(..end).ok_or(Error::BadString)?;
    core::str::from_utf8(text).map_err(|_| Error::BadString)
}

/// Checks that `s` can travel as a NUL-terminated string: it must not
/// contain a NUL itself ([`Error::BadString`]).
pub fn check(s: &str) -> Result<(), Error> {
    if s.as_bytes().contains(&0) {
        Err(Error::BadString)
    } else {
        Ok(())
    }
}

/// The number of bytes `s` takes on the wire: its length plus the NUL.
/// `None` only if that overflows `usize` (it cannot for a real string).
pub fn encoded_len(s: &str) -> Option<usize> {
    s.len().checked_add(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_stops_at_first_nul() {
        assert_eq!(decode(b"Ada\0"), Ok("Ada"));
        assert_eq!(decode(b"Ada\0\0\0\0"), Ok("Ada"));
        assert_eq!(decode(b"a\0b\0"), Ok("a"));
        assert_eq!(decode(b"\0"), Ok(""));
    }

    #[test]
    fn decode_rejects() {
        assert_eq!(decode(b""), Err(Error::BadString));
        assert_eq!(decode(b"Ada"), Err(Error::BadString));
        assert_eq!(decode(b"\xff\0"), Err(Error::BadString));
    }

    #[test]
    fn check_and_len() {
        assert_eq!(check("Ada"), Ok(()));
        assert_eq!(check("A\0da"), Err(Error::BadString));
        assert_eq!(encoded_len("Ada"), Some(4));
    }
}
