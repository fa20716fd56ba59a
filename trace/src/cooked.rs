//! The 16-byte "cooked" header in front of every frame of a
//! `LINKTYPE_NETLINK` (253) capture.
//!
//! A packet socket on an `nlmon` device hands out each netlink frame with a
//! `struct sockaddr_ll` describing it; libpcap (what `tcpdump -i nlmon0`
//! uses) turns that address into the Linux "cooked capture" (SLL) header and
//! stores it in front of the netlink bytes. Wireshark's netlink dissector
//! (`epan/dissectors/packet-netlink.c`) reads it back. All fields are
//! big-endian:
//!
//! ```text
//!  0        2        4        6                          14       16
//! +--------+--------+--------+--------------------------+--------+-----------------
//! |pkttype | hatype | halen  | address (8, unused: 0)    |protocol| netlink messages
//! |        |  824   |   0    |                          |  e.g.31| (host byte order)
//! +--------+--------+--------+--------------------------+--------+-----------------
//! ```
//!
//! * `pkttype` is `sll_pkttype`: always `PACKET_OUTGOING` (4) on nlmon,
//!   because the frame leaves through the device's transmit path
//!   (`dev_queue_xmit_nit()` in `net/core/dev.c` overwrites the
//!   `PACKET_USER`/`PACKET_KERNEL` the netlink tap had set). So the file does
//!   not say which way a message went: see [`super::direction`].
//! * `hatype` is the device type, `ARPHRD_NETLINK`; Wireshark checks it.
//! * `protocol` is the netlink protocol of the socket the message was
//!   delivered to (`NETLINK_ROUTE` = 0, the course's 31...), which the tap
//!   puts in `skb->protocol` (`__netlink_deliver_tap_skb()`,
//!   `net/netlink/af_netlink.c`).

/// Size of the header, in bytes.
pub const LEN: usize = 16;

/// `ARPHRD_NETLINK` (`include/uapi/linux/if_arp.h`): the device type of
/// nlmon, and the `hatype` Wireshark expects.
pub const ARPHRD_NETLINK: u16 = 824;

/// `PACKET_OUTGOING` (`include/uapi/linux/if_packet.h`): what every nlmon
/// frame is marked as.
pub const PACKET_OUTGOING: u16 = 4;

/// The fields of the cooked header that mean something for netlink.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cooked {
    /// `sll_pkttype` as the packet socket gave it.
    pub pkttype: u16,
    /// `sll_hatype`: [`ARPHRD_NETLINK`] for nlmon.
    pub hatype: u16,
    /// The netlink protocol number (`NETLINK_ROUTE` = 0, the course's 31).
    pub protocol: u16,
}

impl Cooked {
    /// The header of a frame of netlink `protocol` captured on nlmon.
    pub const fn netlink(protocol: u16) -> Cooked {
        Cooked { pkttype: PACKET_OUTGOING, hatype: ARPHRD_NETLINK, protocol }
    }

    /// The 16 bytes, as libpcap writes them (address length and address 0:
    /// nlmon has no hardware address).
    pub fn to_bytes(self) -> [u8; LEN] {
        let mut out = [0u8; LEN];
        out[0..2].copy_from_slice(&self.pkttype.to_be_bytes());
        out[2..4].copy_from_slice(&self.hatype.to_be_bytes());
        out[14..16].copy_from_slice(&self.protocol.to_be_bytes());
        out
    }

    /// Splits a captured frame into its header and the netlink bytes after
    /// it. `None` if the frame is shorter than [`LEN`].
    pub fn split(frame: &[u8]) -> Option<(Cooked, &[u8])> {
        let (head, rest) = frame.split_at_checked(LEN)?;
        let be = |at: usize| u16::from_be_bytes([head[at], head[at + 1]]);
        Some((Cooked { pkttype: be(0), hatype: be(2), protocol: be(14) }, rest))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_layout() {
        let c = Cooked::netlink(31);
        let b = c.to_bytes();
        // What tcpdump writes for a protocol-31 frame on nlmon0.
        assert_eq!(b, [0, 4, 0x03, 0x38, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 31]);
        let mut frame = b.to_vec();
        frame.extend_from_slice(b"rest");
        assert_eq!(Cooked::split(&frame), Some((c, &b"rest"[..])));
        assert_eq!(Cooked::split(&frame[..15]), None);
    }
}
