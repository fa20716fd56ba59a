//! Walking a buffer of TLVs without ever reading past its end: an
//! [`Iterator`] (exercise 3.1) and, on top of it, the macro
//! [`for_each_tlv!`] (exercise 3.2), Rust's answer to the C course's
//! `ITERATE_TLV_BEGIN` / `ITERATE_TLV_END` pair.
//!
//! Both follow the decoding rules of the shared `wire::tlv` module, and
//! both run on both sides: `tlv selftest` tests them here, and the lesson's
//! kernel module compiles this very file to walk the TLVs it receives. So
//! the file uses `core` only (no `std`, no allocation), nothing newer than
//! the kernel's minimum Rust (1.78: no `split_at_checked`, no
//! `is_multiple_of`), and names the wire formats `crate::wire`, which works
//! in the program and in the module.

use crate::wire::tlv::Tlv;
use crate::wire::Error;

// ANCHOR: struct
/// Iterator over the TLVs of a buffer. Each item is a TLV, or the error
/// found where a TLV should be:
///
/// * fewer than 2 bytes left for the header: [`Error::Truncated`], and the
///   walk ends;
/// * a length that runs past the end of the buffer: [`Error::BadLength`],
///   and the walk ends;
/// * a known type whose length is zero or not a whole number of its units:
///   [`Error::BadSize`], and the walk goes on with the next TLV;
/// * an unknown type: yielded like any other TLV (its `unit_size()` is
///   `None`), for the caller to skip.
pub struct TlvIter<'a> {
    /// The bytes not walked yet: the next TLV starts at the first of them.
    rest: &'a [u8],
}

impl<'a> TlvIter<'a> {
    /// A walk over the TLVs in `buf`, from its first byte.
    pub fn new(buf: &'a [u8]) -> TlvIter<'a> {
        TlvIter { rest: buf }
    }
}
// ANCHOR_END: struct

// ANCHOR: next
impl<'a> Iterator for TlvIter<'a> {
    type Item = Result<Tlv<'a>, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        // EXERCISE 3.1: Take the type byte, the length byte and `length` value bytes from the front of self.rest, never indexing past its end; yield the errors of the rules above (Truncated and BadLength also empty self.rest, so the walk ends), else the TLV.
        // No byte left: the walk is over.
        let (&ty, after_ty) = self.rest.split_first()?;
        // A type without its length byte: a truncated header.
        let Some((&len, after_len)) = after_ty.split_first() else {
            self.rest = &[];
            return Some(Err(Error::Truncated));
        };
        // The value must be inside the buffer: `get` says None where
        // slicing would panic.
        let len = usize::from(len);
        let (Some(value), Some(after_value)) = (after_len.get(..len), after_len.get(len..)) else {
            self.rest = &[];
            return Some(Err(Error::BadLength));
        };
        // The framing is sound: the next TLV starts right after this one,
        // whatever its contents turn out to be.
        self.rest = after_value;
        match crate::wire::tlv::unit_size(ty) {
            Some(unit) if value.is_empty() || value.len() % unit != 0 => Some(Err(Error::BadSize)),
            _ => Some(Ok(Tlv { ty, value })),
        }
        // STARTER
        // let _ = self.rest;
        // None
        // END
    }
}
// ANCHOR_END: next

// ANCHOR: macro
/// Runs a block for every well-formed TLV of a known type in a buffer:
///
/// ```ignore
/// let skipped = for_each_tlv!(&buf, |ty, len, value| {
///     println!("type {ty}, {len} bytes: {value:02x?}");
/// })?;
/// ```
///
/// `ty` is the type byte (`u8`), `len` the value's length (`usize`),
/// `value` the value bytes (`&[u8]`, borrowed from the buffer); any pattern
/// works in their places (`_`, `_len`). Unknown types and TLVs of the wrong
/// size are skipped. The block may `continue` (on to the next TLV) and
/// `break` (out of the walk).
///
/// The macro's value is `Ok(n)`, `n` being the number of TLVs skipped, or
/// the [`Error`] that stopped the walk (a truncated header, a value
/// past the end). The block has run for the TLVs before that point.
macro_rules! for_each_tlv {
    ($buf:expr, |$ty:pat_param, $len:pat_param, $value:pat_param| $body:block) => {{
        // EXERCISE 3.2: Walk TlvIter::new($buf): run $body with ($ty, $len, $value) bound for each Ok TLV of a known type; count unknown types and BadSize as skipped; stop at any other error. Evaluate to Ok(skipped) or Err(that error).
        let mut skipped: usize = 0;
        let mut stopped_by = None;
        for item in $crate::iter::TlvIter::new($buf) {
            match item {
                Ok(tlv) if tlv.unit_size().is_some() => {
                    let ($ty, $len, $value): (u8, usize, &[u8]) = (tlv.ty, tlv.value.len(), tlv.value);
                    $body
                }
                Ok(_) | Err($crate::wire::Error::BadSize) => skipped += 1,
                Err(e) => {
                    stopped_by = Some(e);
                    break;
                }
            }
        }
        match stopped_by {
            None => Ok::<usize, $crate::wire::Error>(skipped),
            Some(e) => Err(e),
        }
        // STARTER
        // let _ = $crate::iter::TlvIter::new($buf);
        // // The block is compiled, but never runs: no TLV reaches it yet.
        // for ($ty, $len, $value) in ::core::iter::empty::<(u8, usize, &[u8])>() $body
        // Ok::<usize, $crate::wire::Error>(0)
        // END
    }};
}
// ANCHOR_END: macro

pub(crate) use for_each_tlv;
