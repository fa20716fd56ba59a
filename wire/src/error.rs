//! What can go wrong while reading or writing wire formats.
//!
//! Every parser and encoder of this crate returns `Result<_, Error>` instead
//! of panicking. The set is small on purpose: it says *what kind* of mistake
//! was found, and [`Error::errno`] turns it into the error number a kernel
//! module sends back in its `NLMSG_ERROR` answer:
//!
//! | variant               | meaning                                     | errno      |
//! |-----------------------|---------------------------------------------|------------|
//! | [`Error::Truncated`]  | the bytes stop in the middle of a header    | `EINVAL`   |
//! | [`Error::BadLength`]  | a length field is impossible                | `EINVAL`   |
//! | [`Error::BadSize`]    | a value has the wrong size for its type     | `EINVAL`   |
//! | [`Error::BadString`]  | a string lacks its NUL or is not UTF-8      | `EINVAL`   |
//! | [`Error::TooBig`]     | a value does not fit its field              | `ERANGE`   |
//! | [`Error::NoSpace`]    | the output buffer is full                   | `EMSGSIZE` |
//!
//! The first four are about *input* (bytes we received), the last two about
//! *output* (bytes we are building).

use core::fmt;

use super::errno;

/// An encoding or decoding error. See the [module documentation](self).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Error {
    /// The buffer ends before a complete header could be read, e.g. 10 bytes
    /// left where a 16-byte netlink header should start.
    Truncated,
    /// A length field is impossible: smaller than its own header, or pointing
    /// past the end of the buffer.
    BadLength,
    /// A value has the wrong size for what it should contain, e.g. a `u32`
    /// attribute with 2 bytes, or a TLV whose length is not a multiple of its
    /// unit size.
    BadSize,
    /// A string is not NUL-terminated, contains a NUL where none is allowed,
    /// or is not valid UTF-8.
    BadString,
    /// A value is too large for the field that must carry it, e.g. an
    /// attribute longer than 65535 bytes or a name longer than its TLV unit.
    TooBig,
    /// The output buffer has no room left for what we tried to write.
    NoSpace,
}

impl Error {
    /// The (positive) errno that best describes this error, to be sent back
    /// negated in an `NLMSG_ERROR` message.
    pub const fn errno(self) -> i32 {
        match self {
            Error::Truncated | Error::BadLength | Error::BadSize | Error::BadString => errno::EINVAL,
            Error::TooBig => errno::ERANGE,
            Error::NoSpace => errno::EMSGSIZE,
        }
    }

    /// A short English description, the text of [`Display`](fmt::Display).
    pub const fn as_str(self) -> &'static str {
        match self {
            Error::Truncated => "truncated header",
            Error::BadLength => "bad length field",
            Error::BadSize => "value has the wrong size",
            Error::BadString => "bad string (missing NUL or invalid UTF-8)",
            Error::TooBig => "value too big for its field",
            Error::NoSpace => "no space left in the buffer",
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Lets userspace code use `?` to turn an [`Error`] into
/// `Box<dyn std::error::Error>` or `anyhow::Error`.
impl core::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errno_mapping() {
        assert_eq!(Error::Truncated.errno(), errno::EINVAL);
        assert_eq!(Error::BadLength.errno(), errno::EINVAL);
        assert_eq!(Error::BadSize.errno(), errno::EINVAL);
        assert_eq!(Error::BadString.errno(), errno::EINVAL);
        assert_eq!(Error::TooBig.errno(), errno::ERANGE);
        assert_eq!(Error::NoSpace.errno(), errno::EMSGSIZE);
    }

    #[test]
    fn display() {
        extern crate std;
        use std::string::ToString;
        assert_eq!(Error::NoSpace.to_string(), "no space left in the buffer");
    }
}
