//! Our errno table agrees with the C library of the machine running the
//! tests: same numbers, same `strerror` text.

use wire::errno::{self, describe, name};

#[test]
fn descriptions_match_strerror() {
    for e in [
        errno::EPERM,
        errno::ENOENT,
        errno::ESRCH,
        errno::EINTR,
        errno::EIO,
        errno::EAGAIN,
        errno::ENOMEM,
        errno::EACCES,
        errno::EFAULT,
        errno::EBUSY,
        errno::EEXIST,
        errno::ENODEV,
        errno::EINVAL,
        errno::ENOSPC,
        errno::ERANGE,
        errno::EBADMSG,
        errno::EMSGSIZE,
        errno::EPROTONOSUPPORT,
        errno::EOPNOTSUPP,
        errno::ENOBUFS,
        errno::ECONNREFUSED,
    ] {
        let libc_text = std::io::Error::from_raw_os_error(e).to_string();
        assert_eq!(libc_text, format!("{} (os error {e})", describe(e)), "{}", name(e));
    }
}
