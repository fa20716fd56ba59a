//! Extended-ACK attributes: what the kernel may add after the
//! `struct nlmsgerr` of an `NLMSG_ERROR` (or after the status of an
//! `NLMSG_DONE`) when the message carries [`super::nlmsg::F_ACK_TLVS`].
//!
//! A socket asks for them with the socket option `NETLINK_EXT_ACK`; the
//! kernel's `netlink_ack()` (`net/netlink/af_netlink.c`) then appends
//! netlink attributes of these types (`enum nlmsgerr_attrs`,
//! `include/uapi/linux/netlink.h`), read with [`super::attr::Attrs`]:
//!
//! ```text
//! NLMSG_ERROR payload:
//! +-----------+----------------------+------------------------+------------------+
//! | error i32 | request header (16)  | request payload        | these attributes |
//! |           |                      | (absent with F_CAPPED) | (F_ACK_TLVS)     |
//! +-----------+----------------------+------------------------+------------------+
//! ```

/// `NLMSGERR_ATTR_MSG`: a human-readable message, NUL-terminated string
/// (the kernel's `NL_SET_ERR_MSG`).
pub const ATTR_MSG: u16 = 1;
/// `NLMSGERR_ATTR_OFFS`: `u32`, the byte offset of the offending attribute
/// in the request, counted from the start of the request's header.
pub const ATTR_OFFS: u16 = 2;
/// `NLMSGERR_ATTR_COOKIE`: bytes a subsystem returns on success to name
/// what was created.
pub const ATTR_COOKIE: u16 = 3;
/// `NLMSGERR_ATTR_POLICY`: nested, the policy the rejected attribute broke.
pub const ATTR_POLICY: u16 = 4;
/// `NLMSGERR_ATTR_MISS_TYPE`: `u32`, the type of a required attribute
/// that was missing.
pub const ATTR_MISS_TYPE: u16 = 5;
/// `NLMSGERR_ATTR_MISS_NEST`: `u32`, the offset of the nest in which
/// [`ATTR_MISS_TYPE`] was missing (absent when it was missing at the top).
pub const ATTR_MISS_NEST: u16 = 6;
/// `NLMSGERR_ATTR_MAX`: the highest type in 6.12.
pub const ATTR_MAX: u16 = ATTR_MISS_NEST;

/// The kernel's name of an extended-ACK attribute type:
/// `name(ATTR_MSG) == "NLMSGERR_ATTR_MSG"`; `None` for a type 6.12 does
/// not define.
pub const fn name(ty: u16) -> Option<&'static str> {
    match ty {
        ATTR_MSG => Some("NLMSGERR_ATTR_MSG"),
        ATTR_OFFS => Some("NLMSGERR_ATTR_OFFS"),
        ATTR_COOKIE => Some("NLMSGERR_ATTR_COOKIE"),
        ATTR_POLICY => Some("NLMSGERR_ATTR_POLICY"),
        ATTR_MISS_TYPE => Some("NLMSGERR_ATTR_MISS_TYPE"),
        ATTR_MISS_NEST => Some("NLMSGERR_ATTR_MISS_NEST"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_uapi_enum() {
        // enum nlmsgerr_attrs counts from NLMSGERR_ATTR_UNUSED = 0.
        assert_eq!(name(0), None);
        assert_eq!(name(ATTR_MSG), Some("NLMSGERR_ATTR_MSG"));
        assert_eq!(name(ATTR_MISS_NEST), Some("NLMSGERR_ATTR_MISS_NEST"));
        assert_eq!(name(ATTR_MAX + 1), None);
        for ty in 1..=ATTR_MAX {
            assert!(name(ty).is_some(), "{ty}");
        }
    }
}
