//! Validating attributes against a policy, like the kernel's `nla_policy`
//! and `nla_parse`.
//!
//! A protocol says, for each attribute type, what its value must look like.
//! The kernel writes that down as an array `struct nla_policy
//! policy[MAX + 1]` indexed by attribute type, and `nla_parse()` checks a
//! whole attribute area against it in one go, filling a table `tb[type]`
//! with the attributes found. This module does the same in Rust:
//!
//! ```
//! use wire::policy::{self, Policy};
//!
//! const NAME: u16 = 1;
//! const AGE: u16 = 2;
//! const POLICY: [Policy; 3] = [
//!     Policy::IGNORE,         // type 0 is never used
//!     Policy::string(31),     // NAME: NUL-terminated, at most 31 bytes
//!     Policy::U32,            // AGE
//! ];
//!
//! # let mut buf = [0u8; 64];
//! # let mut w = wire::writer::Writer::new(&mut buf);
//! # w.put_str(NAME, "Ada").unwrap();
//! # w.put_u32(AGE, 36).unwrap();
//! # let area = w.as_bytes();
//! let tb = policy::parse(area, &POLICY)?;
//! if let Some(name) = tb[NAME as usize] {
//!     assert_eq!(name.str()?, "Ada"); // cannot fail: the policy checked it
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Rules (the same as the kernel's, unless said otherwise):
//!
//! * **Unknown types are skipped**: a type ≥ the policy length, or whose
//!   entry is [`AttrKind::Ignore`], is not checked and not stored. This lets
//!   an old module accept requests from a newer program. (The kernel's strict
//!   mode rejects them instead.)
//! * **Duplicates: the last one wins**, as in the kernel.
//! * Flag bits of the type ([`super::attr::F_NESTED`]...) are ignored when
//!   looking up the policy.
//! * Integers must have exactly their size (the kernel's strict mode).
//! * The first failure stops the parse and is reported as a
//!   [`PolicyError`]: which attribute type, and why. Its
//!   [`errno`](PolicyError::errno) is `EINVAL` for malformed or mis-sized
//!   attributes and `ERANGE` for lengths out of the allowed range, as the
//!   kernel's length checks answer. One difference: for an over-long
//!   `NLA_NUL_STRING` the kernel answers `EINVAL` (it looks for the NUL only
//!   within the allowed length and finds none); we say `ERANGE`, which tells
//!   the sender more precisely what is wrong.

use core::fmt;

use super::attr::{Attr, Attrs};
use super::errno;
use super::error::Error;

/// What the value of one attribute type must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AttrKind {
    /// Not used: attributes of this type are skipped, as unknown ones.
    Ignore,
    /// Exactly 1 byte.
    U8,
    /// Exactly 2 bytes.
    U16,
    /// Exactly 4 bytes.
    U32,
    /// Exactly 8 bytes.
    U64,
    /// A NUL-terminated UTF-8 string of at most `max_len` bytes, NUL not
    /// counted (the kernel's `NLA_NUL_STRING` with `.len = max_len`). Bytes
    /// after the first NUL are ignored.
    String {
        /// Longest accepted text, in bytes, without the NUL.
        max_len: usize,
    },
    /// Any bytes, between `min` and `max` of them (inclusive).
    Binary {
        /// Fewest accepted bytes.
        min: usize,
        /// Most accepted bytes.
        max: usize,
    },
    /// A list of attributes; its framing is checked (not its content: check
    /// that with its own policy when you descend into it).
    Nested,
    /// No value at all: presence means "yes" (`NLA_FLAG`).
    Flag,
}

/// The policy of one attribute type: one entry of the policy array, at the
/// index of the type it describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Policy {
    /// What the value must be.
    pub kind: AttrKind,
}

impl Policy {
    /// See [`AttrKind::Ignore`].
    pub const IGNORE: Policy = Policy::new(AttrKind::Ignore);
    /// See [`AttrKind::U8`].
    pub const U8: Policy = Policy::new(AttrKind::U8);
    /// See [`AttrKind::U16`].
    pub const U16: Policy = Policy::new(AttrKind::U16);
    /// See [`AttrKind::U32`].
    pub const U32: Policy = Policy::new(AttrKind::U32);
    /// See [`AttrKind::U64`].
    pub const U64: Policy = Policy::new(AttrKind::U64);
    /// See [`AttrKind::Nested`].
    pub const NESTED: Policy = Policy::new(AttrKind::Nested);
    /// See [`AttrKind::Flag`].
    pub const FLAG: Policy = Policy::new(AttrKind::Flag);

    /// A policy entry for `kind`.
    pub const fn new(kind: AttrKind) -> Policy {
        Policy { kind }
    }

    /// See [`AttrKind::String`].
    pub const fn string(max_len: usize) -> Policy {
        Policy::new(AttrKind::String { max_len })
    }

    /// See [`AttrKind::Binary`].
    pub const fn binary(min: usize, max: usize) -> Policy {
        Policy::new(AttrKind::Binary { min, max })
    }

    /// Checks one attribute against this entry.
    pub fn check(&self, a: &Attr<'_>) -> Result<(), Reason> {
        let got = a.payload().len();
        let exact = |expected: usize| {
            if got == expected {
                Ok(())
            } else {
                Err(Reason::WrongSize { expected, got })
            }
        };
        match self.kind {
            AttrKind::Ignore => Ok(()),
            AttrKind::U8 => exact(1),
            AttrKind::U16 => exact(2),
            AttrKind::U32 => exact(4),
            AttrKind::U64 => exact(8),
            AttrKind::Flag => {
                if got == 0 {
                    Ok(())
                } else {
                    Err(Reason::TooLong { max: 0, got })
                }
            }
            AttrKind::Binary { min, max } => {
                if got < min {
                    Err(Reason::TooShort { min, got })
                } else if got > max {
                    Err(Reason::TooLong { max, got })
                } else {
                    Ok(())
                }
            }
            AttrKind::String { max_len } => {
                let s =
                    a.str().map_err(
                        |_| {
                            if a.payload().contains(&0) {
                                Reason::NotUtf8
                            } else {
                                Reason::NotTerminated
                            }
                        },
                    )?;
                if s.len() > max_len {
                    Err(Reason::TooLong { max: max_len, got: s.len() })
                } else {
                    Ok(())
                }
            }
            AttrKind::Nested => a.nested().validate().map_err(Reason::Malformed),
        }
    }
}

/// Why an attribute failed its policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reason {
    /// The attribute list itself is broken (see [`Error`]); for a
    /// [`AttrKind::Nested`] attribute, the list inside it.
    Malformed(Error),
    /// An integer attribute does not have its exact size.
    WrongSize {
        /// Size required by the policy.
        expected: usize,
        /// Size received.
        got: usize,
    },
    /// Fewer bytes than the policy's minimum.
    TooShort {
        /// Minimum of the policy.
        min: usize,
        /// Size received.
        got: usize,
    },
    /// More bytes than allowed (for strings: text length without the NUL).
    TooLong {
        /// Maximum of the policy.
        max: usize,
        /// Size received.
        got: usize,
    },
    /// A string attribute without a NUL byte.
    NotTerminated,
    /// A string attribute whose text is not valid UTF-8.
    NotUtf8,
}

impl Reason {
    /// The errno to answer: `ERANGE` for [`Reason::TooShort`] and
    /// [`Reason::TooLong`], `EINVAL` for everything else (see the module
    /// documentation for the one case where the kernel's own answer differs).
    pub const fn errno(&self) -> i32 {
        match self {
            Reason::TooShort { .. } | Reason::TooLong { .. } => errno::ERANGE,
            Reason::Malformed(_) | Reason::WrongSize { .. } | Reason::NotTerminated | Reason::NotUtf8 => errno::EINVAL,
        }
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reason::Malformed(e) => write!(f, "malformed: {e}"),
            Reason::WrongSize { expected, got } => {
                write!(f, "wrong size: {got} bytes, expected {expected}")
            }
            Reason::TooShort { min, got } => write!(f, "too short: {got} < {min} bytes"),
            Reason::TooLong { max, got } => write!(f, "too long: {got} > {max} bytes"),
            Reason::NotTerminated => f.write_str("string without NUL terminator"),
            Reason::NotUtf8 => f.write_str("string is not valid UTF-8"),
        }
    }
}

/// A policy failure: which attribute, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PolicyError {
    /// The attribute type (flags stripped) that failed; `None` when the
    /// attribute list broke before a type could be read.
    pub attr: Option<u16>,
    /// What was wrong.
    pub reason: Reason,
}

impl PolicyError {
    /// The (positive) errno to answer with; see [`Reason::errno`].
    pub const fn errno(&self) -> i32 {
        self.reason.errno()
    }
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.attr {
            Some(t) => write!(f, "attribute type {t}: {}", self.reason),
            None => write!(f, "attribute list: {}", self.reason),
        }
    }
}

impl core::error::Error for PolicyError {}

impl From<PolicyError> for Error {
    /// Loses the detail: the closest [`Error`] for a policy failure.
    fn from(e: PolicyError) -> Error {
        match e.reason {
            Reason::Malformed(e) => e,
            Reason::WrongSize { .. } | Reason::TooShort { .. } => Error::BadSize,
            Reason::TooLong { .. } => Error::TooBig,
            Reason::NotTerminated | Reason::NotUtf8 => Error::BadString,
        }
    }
}

/// Checks every attribute of `area` against `policy` and returns the table
/// `tb` where `tb[t]` is the last attribute of type `t`, if any. See the
/// [module documentation](self) for the rules.
pub fn parse<'a, const N: usize>(area: &'a [u8], policy: &[Policy; N]) -> Result<[Option<Attr<'a>>; N], PolicyError> {
    let mut tb: [Option<Attr<'a>>; N] = [None; N];
    for a in Attrs::new(area) {
        let a = a.map_err(|e| PolicyError { attr: None, reason: Reason::Malformed(e) })?;
        let kind = a.kind();
        let Some(p) = policy.get(usize::from(kind)) else {
            continue; // unknown type: skipped
        };
        if p.kind == AttrKind::Ignore {
            continue;
        }
        p.check(&a).map_err(|reason| PolicyError { attr: Some(kind), reason })?;
        if let Some(slot) = tb.get_mut(usize::from(kind)) {
            *slot = Some(a); // duplicates: the last one wins
        }
    }
    Ok(tb)
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::super::writer::Writer;
    use super::*;
    use std::string::ToString;

    const P: [Policy; 9] = [
        Policy::IGNORE,
        Policy::U8,
        Policy::U16,
        Policy::U32,
        Policy::U64,
        Policy::string(5),
        Policy::binary(2, 4),
        Policy::NESTED,
        Policy::FLAG,
    ];

    fn area(f: impl FnOnce(&mut Writer)) -> std::vec::Vec<u8> {
        let mut buf = [0u8; 512];
        let mut w = Writer::new(&mut buf);
        f(&mut w);
        w.as_bytes().to_vec()
    }

    #[test]
    fn accepts_good_attributes() {
        let b = area(|w| {
            w.put_u8(1, 1).unwrap();
            w.put_u16(2, 2).unwrap();
            w.put_u32(3, 3).unwrap();
            w.put_u64(4, 4).unwrap();
            w.put_str(5, "hello").unwrap();
            w.put_attr(6, &[1, 2, 3]).unwrap();
            let n = w.nest_start(7).unwrap();
            w.put_u32(1, 1).unwrap();
            w.nest_end(n).unwrap();
            w.put_flag(8).unwrap();
            w.put_u32(0, 0xdead).unwrap(); // IGNORE entry
            w.put_u32(42, 0xdead).unwrap(); // unknown type
            w.put_u32(3, 33).unwrap(); // duplicate: last wins
        });
        let tb = parse(&b, &P).unwrap();
        assert!(tb[0].is_none());
        assert_eq!(tb[1].unwrap().u8(), Ok(1));
        assert_eq!(tb[3].unwrap().u32(), Ok(33));
        assert_eq!(tb[5].unwrap().str(), Ok("hello"));
        assert!(tb[7].unwrap().is_nested());
        assert!(tb[8].is_some());
        assert_eq!(parse(&[], &P).unwrap(), [None; 9]);
    }

    fn fails(f: impl FnOnce(&mut Writer)) -> PolicyError {
        parse(&area(f), &P).unwrap_err()
    }

    #[test]
    fn reports_type_and_reason() {
        let e = fails(|w| w.put_u16(3, 1).unwrap());
        assert_eq!(e.attr, Some(3));
        assert_eq!(e.reason, Reason::WrongSize { expected: 4, got: 2 });
        assert_eq!(e.errno(), errno::EINVAL);
        assert_eq!(e.to_string(), "attribute type 3: wrong size: 2 bytes, expected 4");

        let e = fails(|w| w.put_str(5, "toolong").unwrap());
        assert_eq!(e.reason, Reason::TooLong { max: 5, got: 7 });
        assert_eq!(e.errno(), errno::ERANGE);

        let e = fails(|w| w.put_attr(5, b"abc").unwrap());
        assert_eq!(e.reason, Reason::NotTerminated);
        let e = fails(|w| w.put_attr(5, b"\xff\0").unwrap());
        assert_eq!(e.reason, Reason::NotUtf8);
        let e = fails(|w| w.put_attr(6, b"a").unwrap());
        assert_eq!(e.reason, Reason::TooShort { min: 2, got: 1 });
        let e = fails(|w| w.put_attr(6, b"abcde").unwrap());
        assert_eq!(e.reason, Reason::TooLong { max: 4, got: 5 });
        let e = fails(|w| w.put_u8(8, 1).unwrap());
        assert_eq!(e.reason, Reason::TooLong { max: 0, got: 1 });
        let e = fails(|w| w.put_attr(7, &[1, 2, 3]).unwrap());
        assert_eq!(e.attr, Some(7));
        assert_eq!(e.reason, Reason::Malformed(Error::Truncated));

        let e = parse(&[8, 0, 1, 0], &P).unwrap_err();
        assert_eq!(e.attr, None);
        assert_eq!(e.reason, Reason::Malformed(Error::BadLength));
        assert_eq!(e.to_string(), "attribute list: malformed: bad length field");
        assert_eq!(Error::from(e), Error::BadLength);
    }
}
