//! Generic netlink (lesson 08): the header every message of a generic
//! netlink family carries, and the controller that names the families
//! (`include/uapi/linux/genetlink.h`, Linux 6.12).
//!
//! One netlink protocol, `NETLINK_GENERIC` (16), carries any number of
//! *families*, each registered by the kernel or a module under a name
//! (`"nlctrl"`, `"devlink"`, `"rtm"`). A family's number is not fixed: the
//! kernel hands it out at registration, and a program asks the controller
//! (family `nlctrl`, always [`ID_CTRL`]) for it by name. The family's number
//! is the message's `nlmsg_type`; what to do is the *command* in the 4-byte
//! header that follows the netlink header:
//!
//! ```text
//! | nlmsghdr (16 bytes)        | genlmsghdr (4)          | attributes ... |
//! | len | type = family id |..| cmd | version | reserved |                |
//! ```
//!
//! Multicast groups are named too: a family registers groups by name, the
//! kernel gives them numbers from one space shared by all families (often
//! above 32, so a program joins them with `NETLINK_ADD_MEMBERSHIP`, not the
//! `nl_groups` bitmask), and the controller tells name and number.

use super::bytes;
use super::error::Error;
use super::writer::{MessageToken, Writer};

/// The generic netlink protocol number (`NETLINK_GENERIC`).
pub const NETLINK_GENERIC: i32 = 16;

/// Size of the generic netlink header (`GENL_HDRLEN`), in bytes.
pub const HDRLEN: usize = 4;

/// Longest family or group name, NUL included (`GENL_NAMSIZ`).
pub const NAMSIZ: usize = 16;

/// The controller's family id (`GENL_ID_CTRL`), the only fixed one.
pub const ID_CTRL: u16 = 0x10;

/// The controller's version, as the kernel registers it.
pub const CTRL_VERSION: u8 = 2;

// ANCHOR: header
/// The generic netlink header (`struct genlmsghdr`): the command, the
/// family's protocol version, and two reserved bytes that must be zero
/// (the kernel refuses a request whose `reserved` is not: "genlmsghdr.reserved
/// field is not 0").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    /// The command: what to do, or what a message the kernel sends is about.
    pub cmd: u8,
    /// The family's protocol version.
    pub version: u8,
}
// ANCHOR_END: header

impl Header {
    /// The 4 bytes on the wire: `cmd`, `version`, then `reserved` = 0.
    pub const fn to_bytes(self) -> [u8; HDRLEN] {
        [self.cmd, self.version, 0, 0]
    }

    /// Reads the header at the start of a message payload; also returns the
    /// attributes after it. [`Error::Truncated`] if fewer than 4 bytes.
    pub fn parse(payload: &[u8]) -> Result<(Header, &[u8]), Error> {
        let [cmd, version, _, _]: [u8; HDRLEN] = bytes::array(payload, 0).ok_or(Error::Truncated)?;
        let rest = payload.get(HDRLEN..).unwrap_or_default();
        Ok((Header { cmd, version }, rest))
    }
}

/// Starts a generic netlink message of family `family` with command `cmd`:
/// the netlink header, then the generic header. Attributes put after it
/// follow; finish with [`Writer::finish`].
pub fn start(
    w: &mut Writer<'_>,
    family: u16,
    header: Header,
    flags: u16,
    seq: u32,
    pid: u32,
) -> Result<MessageToken, Error> {
    let m = w.start(family, flags, seq, pid)?;
    w.put_payload(&header.to_bytes())?;
    Ok(m)
}

// ANCHOR: ctrl
/// Controller command: a family, as the controller describes it (answer to
/// [`CTRL_CMD_GETFAMILY`], and the event when one is registered).
pub const CTRL_CMD_NEWFAMILY: u8 = 1;
/// Controller event: a family was unregistered.
pub const CTRL_CMD_DELFAMILY: u8 = 2;
/// Controller command: describe one family (by [`CTRL_ATTR_FAMILY_NAME`] or
/// [`CTRL_ATTR_FAMILY_ID`]); with `NLM_F_DUMP`, every family.
pub const CTRL_CMD_GETFAMILY: u8 = 3;

/// The family's id, `u16`.
pub const CTRL_ATTR_FAMILY_ID: u16 = 1;
/// The family's name, NUL-terminated string of at most 15 bytes.
pub const CTRL_ATTR_FAMILY_NAME: u16 = 2;
/// The family's version, `u32`.
pub const CTRL_ATTR_VERSION: u16 = 3;
/// The size of the family's own header after the generic one, `u32`.
pub const CTRL_ATTR_HDRSIZE: u16 = 4;
/// The highest attribute type of the family's policy, `u32`.
pub const CTRL_ATTR_MAXATTR: u16 = 5;
/// The operations: a nest of nests (types 1, 2, ...), each with
/// [`CTRL_ATTR_OP_ID`] and [`CTRL_ATTR_OP_FLAGS`].
pub const CTRL_ATTR_OPS: u16 = 6;
/// The multicast groups: a nest of nests (types 1, 2, ...), each with
/// [`CTRL_ATTR_MCAST_GRP_NAME`] and [`CTRL_ATTR_MCAST_GRP_ID`].
pub const CTRL_ATTR_MCAST_GROUPS: u16 = 7;

/// In an operation's nest: its command, `u32`.
pub const CTRL_ATTR_OP_ID: u16 = 1;
/// In an operation's nest: its flags ([`GENL_ADMIN_PERM`] ...), `u32`.
pub const CTRL_ATTR_OP_FLAGS: u16 = 2;

/// In a group's nest: its name, NUL-terminated string.
pub const CTRL_ATTR_MCAST_GRP_NAME: u16 = 1;
/// In a group's nest: its number, `u32`: what `NETLINK_ADD_MEMBERSHIP` takes.
pub const CTRL_ATTR_MCAST_GRP_ID: u16 = 2;

/// Operation flag: the command needs `CAP_NET_ADMIN` (checked by the kernel
/// before the family's handler runs).
pub const GENL_ADMIN_PERM: u32 = 0x01;
/// Operation flag: the command can be done (a plain request).
pub const GENL_CMD_CAP_DO: u32 = 0x02;
/// Operation flag: the command can be dumped (`NLM_F_DUMP`).
pub const GENL_CMD_CAP_DUMP: u32 = 0x04;
/// Operation flag: the command has an attribute policy.
pub const GENL_CMD_CAP_HASPOL: u32 = 0x08;
/// Operation flag: the command needs `CAP_NET_ADMIN` in the user namespace
/// that owns the network namespace.
pub const GENL_UNS_ADMIN_PERM: u32 = 0x10;
// ANCHOR_END: ctrl

#[cfg(test)]
mod tests {
    use super::super::attr::Attrs;
    use super::super::nlmsg::{self, Messages};
    use super::*;

    #[test]
    fn a_message_with_its_generic_header() {
        let mut buf = [0u8; 64];
        let mut w = Writer::new(&mut buf);
        let h = Header { cmd: CTRL_CMD_GETFAMILY, version: 1 };
        let m = start(&mut w, ID_CTRL, h, nlmsg::F_REQUEST, 7, 0).unwrap();
        w.put_str(CTRL_ATTR_FAMILY_NAME, "rtm").unwrap();
        assert_eq!(w.finish(m), Ok(28));
        let msg = Messages::new(w.as_bytes()).next().unwrap().unwrap();
        assert_eq!((msg.header.ty, msg.header.seq), (ID_CTRL, 7));
        assert_eq!(&msg.payload[..4], &[3, 1, 0, 0]);
        let (got, attrs) = Header::parse(msg.payload).unwrap();
        assert_eq!(got, h);
        let name = Attrs::new(attrs).find(CTRL_ATTR_FAMILY_NAME).unwrap().unwrap();
        assert_eq!(name.str(), Ok("rtm"));
        assert_eq!(Header::parse(&[1, 2, 0]), Err(Error::Truncated));
    }
}
