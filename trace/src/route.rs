//! The rtnetlink requests that create and delete the capture device. The
//! device is a network interface like any other, so creating it is an
//! `RTM_NEWLINK` request on `NETLINK_ROUTE`, exactly what
//! `ip link add nlmon0 up type nlmon` sends: a `struct ifinfomsg`, the
//! interface's name, and the link kind nested in `IFLA_LINKINFO`. The kernel
//! side is `rtnl_newlink()` (`net/core/rtnetlink.c`), which finds the kind
//! `"nlmon"` registered by `drivers/net/nlmon.c`.

use wire::nlmsg;
use wire::writer::Writer;

/// The name the lab gives its capture device.
pub const DEVICE: &str = "nlmon0";

/// Size of `struct ifinfomsg` (`include/uapi/linux/rtnetlink.h`).
pub const IFINFOMSG_LEN: usize = 16;

/// `struct ifinfomsg`: family `AF_UNSPEC`, any device type, no index (the
/// kernel picks one), and the interface flags to set: `flags` in the bits
/// of `change`.
pub fn ifinfomsg(flags: u32, change: u32) -> [u8; IFINFOMSG_LEN] {
    let mut m = [0u8; IFINFOMSG_LEN];
    // ifi_family (u8) = AF_UNSPEC = 0, pad, ifi_type (u16) = 0, ifi_index (i32) = 0
    m[8..12].copy_from_slice(&flags.to_ne_bytes()); // ifi_flags
    m[12..16].copy_from_slice(&change.to_ne_bytes()); // ifi_change
    m
}

// ANCHOR: new_nlmon
/// The request that creates the nlmon device `name` and brings it up in one
/// go (`ip link add NAME up type nlmon`), written into `buf`:
///
/// ```text
/// RTM_NEWLINK  REQUEST|ACK|EXCL|CREATE
///   ifinfomsg { ifi_flags UP  ifi_change UP }
///   IFLA_IFNAME "nlmon0"
///   IFLA_LINKINFO { IFLA_INFO_KIND "nlmon" }
/// ```
///
/// `NLM_F_CREATE|NLM_F_EXCL`: create it, and fail with `EEXIST` if a device
/// of that name exists. Errors: `buf` too small.
pub fn new_nlmon<'b>(buf: &'b mut [u8], name: &str, seq: u32) -> Result<&'b [u8], wire::Error> {
    let up = libc::IFF_UP as u32;
    let mut w = Writer::new(buf);
    let flags = nlmsg::F_REQUEST | nlmsg::F_ACK | nlmsg::F_CREATE | nlmsg::F_EXCL;
    let msg = w.start(libc::RTM_NEWLINK, flags, seq, 0)?;
    w.put_payload(&ifinfomsg(up, up))?;
    w.put_str(libc::IFLA_IFNAME, name)?;
    let info = w.nest_start(libc::IFLA_LINKINFO)?;
    w.put_str(libc::IFLA_INFO_KIND, "nlmon")?;
    w.nest_end(info)?;
    w.finish(msg)?;
    Ok(w.into_bytes())
}
// ANCHOR_END: new_nlmon

/// The request that deletes the device `name` (`ip link del NAME`).
pub fn del_link<'b>(buf: &'b mut [u8], name: &str, seq: u32) -> Result<&'b [u8], wire::Error> {
    let mut w = Writer::new(buf);
    let msg = w.start(libc::RTM_DELLINK, nlmsg::F_REQUEST | nlmsg::F_ACK, seq, 0)?;
    w.put_payload(&ifinfomsg(0, 0))?;
    w.put_str(libc::IFLA_IFNAME, name)?;
    w.finish(msg)?;
    Ok(w.into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doc::{self, Doc};
    use crate::names;
    use crate::payload;
    use wire::nlmsg::Messages;

    #[test]
    fn the_request_decodes_as_ip_would_send_it() {
        let mut buf = [0u8; 128];
        let bytes = new_nlmon(&mut buf, DEVICE, 1).unwrap();
        let m = Messages::new(bytes).next().unwrap().unwrap();
        assert_eq!(m.header.len as usize, bytes.len());
        assert_eq!(names::type_name(0, m.header.ty), "RTM_NEWLINK");
        assert_eq!(names::flags(0, m.header.ty, m.header.flags), "REQUEST|ACK|EXCL|CREATE");
        let mut lines = Vec::new();
        doc::layout(&payload::describe(0, &m.header, m.payload), 0, 100, &mut lines);
        assert_eq!(
            lines,
            [
                "ifinfomsg { ifi_family 0  ifi_type 0  ifi_index 0  ifi_flags UP  ifi_change UP }",
                "IFLA_IFNAME \"nlmon0\"  IFLA_LINKINFO { IFLA_INFO_KIND \"nlmon\" }",
            ]
        );
        let del = del_link(&mut buf, DEVICE, 2).unwrap();
        let m = Messages::new(del).next().unwrap().unwrap();
        let items = payload::describe(0, &m.header, m.payload);
        assert_eq!(items.last(), Some(&Doc::text("IFLA_IFNAME \"nlmon0\"")));
    }
}
