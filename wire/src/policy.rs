//! Validating attributes against a policy, as the kernel's `nla_parse` does.
//!
//! A protocol says, for each attribute type, what its value must look like.
//! The kernel writes that down as an array `struct nla_policy
//! policy[MAX + 1]` indexed by attribute type, and `nla_parse()` checks a
//! whole attribute area against it in one go, filling a table `tb[type]`
//! with the attributes found. This module does the same in Rust, with the
//! kernel's rules, answers and extended-ACK texts (`lib/nlattr.c`:
//! `__nla_validate_parse` and `validate_nla`, Linux 6.12):
//!
//! ```
//! use wire::policy::{self, Policy};
//!
//! const NAME: u16 = 1;
//! const AGE: u16 = 2;
//! const POLICY: [Policy; 3] = [
//!     Policy::UNSPEC,         // type 0 is never valid
//!     Policy::string(31),     // NAME: at most 31 bytes of text
//!     Policy::U32,            // AGE
//! ];
//!
//! # let mut buf = [0u8; 64];
//! # let mut w = wire::writer::Writer::new(&mut buf);
//! # w.put_str(NAME, "Ada").unwrap();
//! # w.put_u32(AGE, 36).unwrap();
//! # let area = w.as_bytes();
//! match policy::parse(area, &POLICY) {
//!     Ok(tb) => assert_eq!(tb[NAME as usize].map(|a| a.str()), Some(Ok("Ada"))),
//!     // The errno to answer, the attribute at fault, the kernel's words.
//!     Err(e) => panic!("{} ({:?}): {:?}", e.errno(), e.attr(), e.message()),
//! }
//! ```
//!
//! ## Two modes, as in the kernel
//!
//! [`parse`] is the kernel's `nla_parse()`: *strict* validation
//! (`NL_VALIDATE_STRICT`), what every new netlink family gets, generic
//! netlink included. [`parse_liberal`] is `nla_parse_deprecated()`
//! (`NL_VALIDATE_LIBERAL`), what old rtnetlink messages still use so that
//! programs written for older kernels keep working. The course's modules
//! parse strictly. What differs:
//!
//! | input                                   | strict (`parse`)              | liberal (`parse_liberal`)        |
//! |-----------------------------------------|-------------------------------|----------------------------------|
//! | type 0, or above the policy's last type | `EINVAL` "Unknown attribute type" | skipped                      |
//! | a type whose entry is [`Policy::UNSPEC`] | `EINVAL` "Unsupported attribute" | accepted as it is            |
//! | an integer of the wrong size            | `EINVAL` "invalid attribute length" | too short `ERANGE`, too long accepted |
//! | `NLA_F_NESTED` missing on a nested type, or set on another | `EINVAL` | accepted                     |
//! | bytes left after the last whole attribute (a broken `nla_len`) | `EINVAL` "bytes leftover after parsing attributes" | accepted (the kernel logs a warning) |
//!
//! Both modes: the last of duplicate attributes wins; a string
//! ([`Policy::string`], `NLA_STRING`) is as long as its value less one
//! trailing NUL, so `"ab\0xyz\0"` is 6 bytes long, not 2; values over a
//! limit answer `ERANGE` "Attribute failed policy validation".
//!
//! What the kernel does and this module does not: the `NLMSGERR_ATTR_POLICY`
//! attribute of an extended ACK (it describes a kernel `struct nla_policy`,
//! which we do not have), and integer range policies. UTF-8 is not a policy
//! matter (the kernel does not check it): [`Attr::str`] does, when a module
//! reads the text.

use core::ffi::CStr;
use core::fmt;

use super::attr::{self, Attr, Attrs};
use super::errno;

/// What the value of one attribute type must be: the kernel's `NLA_*` types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AttrKind {
    /// `NLA_UNSPEC`, the kernel's default for a type the policy does not
    /// describe: refused by strict parsing, accepted as it is by liberal.
    Unspec,
    /// `NLA_REJECT`: never accepted, in either mode.
    Reject,
    /// `NLA_U8`: exactly 1 byte.
    U8,
    /// `NLA_U16`: exactly 2 bytes.
    U16,
    /// `NLA_U32`: exactly 4 bytes.
    U32,
    /// `NLA_U64`: exactly 8 bytes.
    U64,
    /// `NLA_STRING` with `.len = max_len`: text of at most `max_len` bytes.
    /// Its length is the value's, less one trailing NUL if there is one; a
    /// NUL is not required. An empty value is refused.
    String {
        /// Longest accepted text, in bytes, without a trailing NUL.
        max_len: usize,
    },
    /// `NLA_NUL_STRING` with `.len = max_len`: like [`AttrKind::String`],
    /// and a NUL must come within the first `max_len + 1` bytes (`EINVAL`
    /// if not).
    NulString {
        /// Longest accepted text, in bytes, without the NUL.
        max_len: usize,
    },
    /// `NLA_BINARY` with a length range (`NLA_POLICY_RANGE(NLA_BINARY, min,
    /// max)`): between `min` and `max` bytes, inclusive.
    Binary {
        /// Fewest accepted bytes.
        min: usize,
        /// Most accepted bytes.
        max: usize,
    },
    /// `NLA_NESTED`: a list of attributes, empty or at least one header long.
    /// With a policy (`NLA_POLICY_NESTED`), the list is validated against it
    /// here; without (an empty slice), only its length is checked and the
    /// reader validates the content with a `parse` of its own.
    Nested(&'static [Policy]),
    /// `NLA_FLAG`: no value; presence means "yes".
    Flag,
}

/// The policy of one attribute type: one entry of the policy array, at the
/// index of the type it describes (`struct nla_policy`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Policy {
    /// What the value must be.
    pub kind: AttrKind,
}

impl Policy {
    /// See [`AttrKind::Unspec`]. Entry 0 of every policy: type 0 is invalid.
    pub const UNSPEC: Policy = Policy::new(AttrKind::Unspec);
    /// See [`AttrKind::Reject`].
    pub const REJECT: Policy = Policy::new(AttrKind::Reject);
    /// See [`AttrKind::U8`].
    pub const U8: Policy = Policy::new(AttrKind::U8);
    /// See [`AttrKind::U16`].
    pub const U16: Policy = Policy::new(AttrKind::U16);
    /// See [`AttrKind::U32`].
    pub const U32: Policy = Policy::new(AttrKind::U32);
    /// See [`AttrKind::U64`].
    pub const U64: Policy = Policy::new(AttrKind::U64);
    /// A nested attribute whose content the reader validates itself
    /// (`NLA_NESTED` without a nested policy).
    pub const NESTED: Policy = Policy::new(AttrKind::Nested(&[]));
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

    /// See [`AttrKind::NulString`].
    pub const fn nul_string(max_len: usize) -> Policy {
        Policy::new(AttrKind::NulString { max_len })
    }

    /// See [`AttrKind::Binary`].
    pub const fn binary(min: usize, max: usize) -> Policy {
        Policy::new(AttrKind::Binary { min, max })
    }

    /// A nested attribute validated against `policy` (`NLA_POLICY_NESTED`).
    pub const fn nested(policy: &'static [Policy]) -> Policy {
        Policy::new(AttrKind::Nested(policy))
    }

    /// The exact size of a fixed-size type (the kernel's `nla_attr_len`).
    const fn fixed_len(&self) -> Option<usize> {
        match self.kind {
            AttrKind::U8 => Some(1),
            AttrKind::U16 => Some(2),
            AttrKind::U32 => Some(4),
            AttrKind::U64 => Some(8),
            _ => None,
        }
    }

    /// Checks one attribute against this entry (`validate_nla`), descending
    /// into nested policies, `depth` levels deep so far.
    fn check<'a>(&self, a: Attr<'a>, mode: Mode, depth: usize) -> Result<(), PolicyError<'a>> {
        let fail = |reason| Err(PolicyError::at(a, reason));
        let len = a.payload().len();
        let strict = mode == Mode::Strict;
        if let Some(fixed) = self.fixed_len() {
            if len != fixed && strict {
                return fail(Reason::WrongSize { expected: fixed, got: len });
            }
        }
        if strict {
            let nested = matches!(self.kind, AttrKind::Nested(_));
            if nested && !a.is_nested() {
                return fail(Reason::NestedFlagMissing);
            }
            if !nested && self.kind != AttrKind::Unspec && a.is_nested() {
                return fail(Reason::NestedFlagUnexpected);
            }
        }
        match self.kind {
            AttrKind::Unspec if strict => fail(Reason::Unsupported),
            AttrKind::Unspec => Ok(()),
            AttrKind::Reject => fail(Reason::Rejected),
            AttrKind::Flag if len > 0 => fail(Reason::TooLong { max: 0, got: len }),
            AttrKind::Flag => Ok(()),
            AttrKind::U8 | AttrKind::U16 | AttrKind::U32 | AttrKind::U64 => match self.fixed_len() {
                // Liberal: too short is refused, too long accepted.
                Some(min) if len < min => fail(Reason::TooShort { min, got: len }),
                _ => Ok(()),
            },
            AttrKind::NulString { max_len } => {
                let window = a.payload().get(..max_len.saturating_add(1)).unwrap_or(a.payload());
                if !window.contains(&0) {
                    return fail(Reason::NotTerminated);
                }
                string_len(a, max_len)
            }
            AttrKind::String { max_len } => string_len(a, max_len),
            AttrKind::Binary { min, max } => {
                if len < min || len > max {
                    fail(Reason::BinarySize { min, max, got: len })
                } else {
                    Ok(())
                }
            }
            AttrKind::Nested(inner) => {
                if len == 0 {
                    return Ok(());
                }
                if len < attr::HDRLEN {
                    return fail(Reason::TooShort { min: attr::HDRLEN, got: len });
                }
                if inner.is_empty() {
                    return Ok(());
                }
                // Inner errors come back as they are: they name the inner
                // attribute, as the kernel's do.
                validate(a.payload(), inner, mode, depth.saturating_add(1), &mut [])
            }
        }
    }
}

/// The length rule shared by `NLA_STRING` and `NLA_NUL_STRING`: not empty,
/// and at most `max_len` bytes once one trailing NUL is discounted.
fn string_len(a: Attr<'_>, max_len: usize) -> Result<(), PolicyError<'_>> {
    let value = a.payload();
    let text = match value.split_last() {
        None => return Err(PolicyError::at(a, Reason::TooShort { min: 1, got: 0 })),
        Some((0, text)) => text,
        Some(_) => value,
    };
    if text.len() > max_len {
        return Err(PolicyError::at(a, Reason::TooLong { max: max_len, got: text.len() }));
    }
    Ok(())
}

/// How strictly to validate: the kernel's `NL_VALIDATE_STRICT` or
/// `NL_VALIDATE_LIBERAL` (see the [module documentation](self)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mode {
    /// `nla_parse()`: the rules of new code.
    Strict,
    /// `nla_parse_deprecated()`: the rules of old rtnetlink messages.
    Liberal,
}

/// Why an attribute (or an attribute list) failed its policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reason {
    /// Bytes are left after the last whole attribute: an `nla_len` below 4
    /// or past the end, or fewer than 4 bytes at the end (strict only).
    Leftover {
        /// How many bytes could not be read as attributes.
        bytes: usize,
    },
    /// Type 0, or a type above the policy's last (strict only).
    UnknownType,
    /// A type whose policy entry is [`AttrKind::Unspec`] (strict only).
    Unsupported,
    /// A type whose policy entry is [`AttrKind::Reject`].
    Rejected,
    /// An integer attribute without its exact size (strict only).
    WrongSize {
        /// Size required by the policy.
        expected: usize,
        /// Size received.
        got: usize,
    },
    /// A nested type without `NLA_F_NESTED` (strict only).
    NestedFlagMissing,
    /// `NLA_F_NESTED` on a type that is not nested (strict only).
    NestedFlagUnexpected,
    /// Fewer bytes than the policy allows.
    TooShort {
        /// Fewest allowed.
        min: usize,
        /// Size received.
        got: usize,
    },
    /// More bytes than the policy allows (for strings: the text length).
    TooLong {
        /// Most allowed.
        max: usize,
        /// Size received.
        got: usize,
    },
    /// A binary attribute outside its length range.
    BinarySize {
        /// Fewest allowed.
        min: usize,
        /// Most allowed.
        max: usize,
        /// Size received.
        got: usize,
    },
    /// An `NLA_NUL_STRING` without a NUL within its allowed length.
    NotTerminated,
    /// Nested attributes nested deeper than the kernel's
    /// `MAX_POLICY_RECURSION_DEPTH` (10).
    TooDeep,
}

impl Reason {
    /// The errno the kernel answers with (positive): `ERANGE` for values
    /// over or under a length limit, `EINVAL` for everything else.
    pub const fn errno(&self) -> i32 {
        match self {
            Reason::TooShort { .. } | Reason::TooLong { .. } | Reason::BinarySize { .. } => errno::ERANGE,
            _ => errno::EINVAL,
        }
    }

    /// The extended-ACK message the kernel sends with this failure
    /// (`NLMSGERR_ATTR_MSG`), word for word.
    pub const fn message(&self) -> &'static CStr {
        match self {
            Reason::Leftover { .. } => c"bytes leftover after parsing attributes",
            Reason::UnknownType => c"Unknown attribute type",
            Reason::Unsupported => c"Unsupported attribute",
            Reason::WrongSize { .. } => c"invalid attribute length",
            Reason::NestedFlagMissing => c"NLA_F_NESTED is missing",
            Reason::NestedFlagUnexpected => c"NLA_F_NESTED not expected",
            Reason::BinarySize { .. } => c"binary attribute size out of range",
            Reason::TooDeep => c"allowed policy recursion depth exceeded",
            Reason::Rejected | Reason::TooShort { .. } | Reason::TooLong { .. } | Reason::NotTerminated => {
                c"Attribute failed policy validation"
            }
        }
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reason::Leftover { bytes } => write!(f, "{bytes} bytes left after the last attribute"),
            Reason::UnknownType => f.write_str("unknown attribute type"),
            Reason::Unsupported => f.write_str("unsupported attribute"),
            Reason::Rejected => f.write_str("attribute not allowed"),
            Reason::WrongSize { expected, got } => write!(f, "wrong size: {got} bytes, expected {expected}"),
            Reason::NestedFlagMissing => f.write_str("NLA_F_NESTED missing on a nested attribute"),
            Reason::NestedFlagUnexpected => f.write_str("NLA_F_NESTED on an attribute that is not nested"),
            Reason::TooShort { min, got } => write!(f, "too short: {got} < {min} bytes"),
            Reason::TooLong { max, got } => write!(f, "too long: {got} > {max} bytes"),
            Reason::BinarySize { min, max, got } => write!(f, "{got} bytes, not {min} to {max}"),
            Reason::NotTerminated => f.write_str("string without NUL terminator"),
            Reason::TooDeep => f.write_str("attributes nested too deep"),
        }
    }
}

/// A policy failure: which attribute, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PolicyError<'a> {
    /// The attribute at fault, borrowed from the area that was parsed; `None`
    /// when the list itself is broken ([`Reason::Leftover`]). A kernel module
    /// reports its position as `NLMSGERR_ATTR_OFFS` (`NL_SET_BAD_ATTR`).
    pub bad: Option<Attr<'a>>,
    /// What was wrong.
    pub reason: Reason,
}

impl<'a> PolicyError<'a> {
    fn at(a: Attr<'a>, reason: Reason) -> PolicyError<'a> {
        PolicyError { bad: Some(a), reason }
    }

    /// The type of the attribute at fault (flags stripped), if one is.
    pub fn attr(&self) -> Option<u16> {
        self.bad.map(|a| a.kind())
    }

    /// The (positive) errno to answer with; see [`Reason::errno`].
    pub const fn errno(&self) -> i32 {
        self.reason.errno()
    }

    /// The kernel's extended-ACK message for it; see [`Reason::message`].
    pub const fn message(&self) -> &'static CStr {
        self.reason.message()
    }
}

impl fmt::Display for PolicyError<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.attr() {
            Some(t) => write!(f, "attribute type {t}: {}", self.reason),
            None => write!(f, "attribute list: {}", self.reason),
        }
    }
}

impl core::error::Error for PolicyError<'_> {}

/// `MAX_POLICY_RECURSION_DEPTH` of `include/net/netlink.h`.
const MAX_DEPTH: usize = 10;

/// `__nla_validate_parse`: checks every attribute of `area` against
/// `policy` and stores each in `tb[type]` (if `tb` is that long).
fn validate<'a>(
    area: &'a [u8],
    policy: &[Policy],
    mode: Mode,
    depth: usize,
    tb: &mut [Option<Attr<'a>>],
) -> Result<(), PolicyError<'a>> {
    if depth >= MAX_DEPTH {
        return Err(PolicyError { bad: None, reason: Reason::TooDeep });
    }
    let mut walk = Attrs::new(area);
    loop {
        // What the kernel's nla_for_each_attr leaves unread if this fails.
        let left = walk.rest().len();
        let Some(next) = walk.next() else { break };
        let Ok(a) = next else {
            if mode == Mode::Strict {
                return Err(PolicyError { bad: None, reason: Reason::Leftover { bytes: left } });
            }
            break;
        };
        let ty = usize::from(a.kind());
        let entry = if ty == 0 { None } else { policy.get(ty) };
        let Some(entry) = entry else {
            if mode == Mode::Strict {
                return Err(PolicyError::at(a, Reason::UnknownType));
            }
            continue;
        };
        entry.check(a, mode, depth)?;
        if let Some(slot) = tb.get_mut(ty) {
            *slot = Some(a); // duplicates: the last one wins
        }
    }
    Ok(())
}

/// Checks every attribute of `area` against `policy` strictly, as the
/// kernel's `nla_parse()`, and returns the table `tb` where `tb[t]` is the
/// last attribute of type `t`, if any.
pub fn parse<'a, const N: usize>(
    area: &'a [u8],
    policy: &[Policy; N],
) -> Result<[Option<Attr<'a>>; N], PolicyError<'a>> {
    parse_with(area, policy, Mode::Strict)
}

/// The same with the liberal rules of `nla_parse_deprecated()`.
pub fn parse_liberal<'a, const N: usize>(
    area: &'a [u8],
    policy: &[Policy; N],
) -> Result<[Option<Attr<'a>>; N], PolicyError<'a>> {
    parse_with(area, policy, Mode::Liberal)
}

/// [`parse`] or [`parse_liberal`], as `mode` says.
pub fn parse_with<'a, const N: usize>(
    area: &'a [u8],
    policy: &[Policy; N],
    mode: Mode,
) -> Result<[Option<Attr<'a>>; N], PolicyError<'a>> {
    let mut tb: [Option<Attr<'a>>; N] = [None; N];
    validate(area, policy, mode, 0, &mut tb)?;
    Ok(tb)
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::super::writer::Writer;
    use super::*;
    use std::string::ToString;

    const INNER: [Policy; 2] = [Policy::UNSPEC, Policy::U32];
    const P: [Policy; 12] = [
        Policy::UNSPEC,
        Policy::U8,
        Policy::U16,
        Policy::U32,
        Policy::U64,
        Policy::string(5),
        Policy::binary(2, 4),
        Policy::NESTED,
        Policy::FLAG,
        Policy::nul_string(5),
        Policy::nested(&INNER),
        Policy::REJECT,
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
            w.put_str(9, "ab").unwrap();
            let n = w.nest_start(10).unwrap();
            w.put_u32(1, 1).unwrap();
            w.nest_end(n).unwrap();
            w.put_u32(3, 33).unwrap(); // duplicate: last wins
        });
        let tb = parse(&b, &P).unwrap();
        assert!(tb[0].is_none());
        assert_eq!(tb[1].unwrap().u8(), Ok(1));
        assert_eq!(tb[3].unwrap().u32(), Ok(33));
        assert_eq!(tb[5].unwrap().str(), Ok("hello"));
        assert!(tb[7].unwrap().is_nested());
        assert!(tb[8].is_some());
        assert_eq!(parse(&[], &P).unwrap(), [None; 12]);
    }

    fn fails(f: impl FnOnce(&mut Writer)) -> (Option<u16>, Reason) {
        let b = area(f);
        let e = parse(&b, &P).unwrap_err();
        (e.attr(), e.reason)
    }

    #[test]
    fn strict_answers_like_the_kernel() {
        let b = area(|w| w.put_u16(3, 1).unwrap());
        let e = parse(&b, &P).unwrap_err();
        assert_eq!(e.attr(), Some(3));
        assert_eq!(e.reason, Reason::WrongSize { expected: 4, got: 2 });
        assert_eq!((e.errno(), e.message()), (errno::EINVAL, c"invalid attribute length"));
        assert_eq!(e.to_string(), "attribute type 3: wrong size: 2 bytes, expected 4");
        // The bad attribute is the one in the area: its value sits 4 bytes in.
        assert_eq!(e.bad.unwrap().payload().as_ptr(), b[4..].as_ptr());

        assert_eq!(fails(|w| w.put_str(5, "toolong").unwrap()), (Some(5), Reason::TooLong { max: 5, got: 7 }));
        // NLA_STRING: the length is the value less one trailing NUL, so text
        // hidden after an early NUL still counts.
        assert_eq!(fails(|w| w.put_attr(5, b"ab\0xyzxyzxyz\0").unwrap()).1, Reason::TooLong { max: 5, got: 12 });
        // ... and no NUL is needed; an empty value is refused.
        assert!(parse(&area(|w| w.put_attr(5, b"abc").unwrap()), &P).is_ok());
        assert_eq!(fails(|w| w.put_attr(5, b"").unwrap()).1, Reason::TooShort { min: 1, got: 0 });
        // NLA_NUL_STRING needs its NUL within max + 1 bytes.
        assert_eq!(fails(|w| w.put_attr(9, b"abc").unwrap()).1, Reason::NotTerminated);
        assert_eq!(fails(|w| w.put_attr(9, b"abcdef\0").unwrap()).1, Reason::NotTerminated);
        assert_eq!(fails(|w| w.put_attr(9, b"ab\0xyz\0").unwrap()).1, Reason::TooLong { max: 5, got: 6 });

        let (_, r) = fails(|w| w.put_attr(6, b"a").unwrap());
        assert_eq!(
            (r, r.errno(), r.message()),
            (Reason::BinarySize { min: 2, max: 4, got: 1 }, errno::ERANGE, c"binary attribute size out of range")
        );
        assert_eq!(fails(|w| w.put_u8(8, 1).unwrap()).1, Reason::TooLong { max: 0, got: 1 });
        assert_eq!(fails(|w| w.put_attr(11, b"").unwrap()).1, Reason::Rejected);
        // Unknown types, type 0, NLA_F_NESTED where it does not belong.
        assert_eq!(fails(|w| w.put_u32(42, 0).unwrap()), (Some(42), Reason::UnknownType));
        assert_eq!(fails(|w| w.put_u32(0, 0).unwrap()), (Some(0), Reason::UnknownType));
        assert_eq!(fails(|w| w.put_u32(3 | attr::F_NESTED, 0).unwrap()).1, Reason::NestedFlagUnexpected);
        assert_eq!(fails(|w| w.put_attr(7, &[]).unwrap()).1, Reason::NestedFlagMissing);
        // A nest too short for an attribute header; an inner failure names
        // the inner attribute.
        assert_eq!(fails(|w| w.put_attr(7 | attr::F_NESTED, &[1, 2]).unwrap()).1, Reason::TooShort { min: 4, got: 2 });
        let inner = fails(|w| {
            let n = w.nest_start(10).unwrap();
            w.put_u16(1, 1).unwrap();
            w.nest_end(n).unwrap();
        });
        assert_eq!(inner, (Some(1), Reason::WrongSize { expected: 4, got: 2 }));
    }

    #[test]
    fn broken_lists() {
        let e = parse(&[8, 0, 1, 0], &P).unwrap_err();
        assert_eq!((e.attr(), e.reason), (None, Reason::Leftover { bytes: 4 }));
        assert_eq!(e.message(), c"bytes leftover after parsing attributes");
        assert_eq!(e.to_string(), "attribute list: 4 bytes left after the last attribute");
        // nla_len 0 to 3: nothing after them can be read.
        for len in 0u16..4 {
            let mut b = area(|w| w.put_u8(1, 1).unwrap());
            b.extend_from_slice(&len.to_ne_bytes());
            b.extend_from_slice(&1u16.to_ne_bytes());
            assert_eq!(parse(&b, &P).unwrap_err().reason, Reason::Leftover { bytes: 4 });
            assert_eq!(parse_liberal(&b, &P).unwrap()[1].unwrap().u8(), Ok(1));
        }
    }

    #[test]
    fn liberal_is_liberal() {
        let b = area(|w| {
            w.put_u32(42, 0).unwrap(); // unknown: skipped
            w.put_u64(3, 7).unwrap(); // longer than a u32: accepted
            w.put_flag(7).unwrap(); // nested type without the flag
        });
        let tb = parse_liberal(&b, &P).unwrap();
        assert_eq!(tb[3].unwrap().payload().len(), 8);
        assert!(parse(&b, &P).is_err());
        let short = area(|w| w.put_u16(3, 1).unwrap());
        assert_eq!(parse_liberal(&short, &P).unwrap_err().reason, Reason::TooShort { min: 4, got: 2 });
    }

    #[test]
    fn depth_is_bounded() {
        static DEEP: [Policy; 2] = [Policy::UNSPEC, Policy::nested(&DEEP)];
        let mut buf = [0u8; 256];
        let mut w = Writer::new(&mut buf);
        let mut tokens = std::vec::Vec::new();
        for _ in 0..12 {
            tokens.push(w.nest_start(1).unwrap());
        }
        for t in tokens.into_iter().rev() {
            w.nest_end(t).unwrap();
        }
        let e = parse(w.as_bytes(), &DEEP).unwrap_err();
        assert_eq!(e.reason, Reason::TooDeep);
    }
}
