//! Which way a frame went: to the kernel, or from it.
//!
//! The netlink tap knows: `__netlink_deliver_tap_skb()`
//! (`net/netlink/af_netlink.c`) marks a copy for a kernel socket
//! `PACKET_KERNEL` and one for a user socket `PACKET_USER`. But the copy then
//! leaves through the nlmon device's transmit path, where
//! `dev_queue_xmit_nit()` (`net/core/dev.c`) marks every copy it hands to
//! packet sockets `PACKET_OUTGOING`. What reaches the capture program, and the
//! file, has lost the direction; Wireshark guesses it from `nlmsg_pid`
//! (0: to the kernel), which is wrong for the course's programs, which put
//! their own port id there.
//!
//! We use the rule netlink itself sets: a request carries `NLM_F_REQUEST`
//! ("must be set on all request messages", `include/uapi/linux/netlink.h`),
//! and the kernel never sets it on what it sends (replies, ACKs, errors, dump
//! parts, notifications). A frame too short or too broken to hold a netlink
//! header also went *to* the kernel: the kernel sends only well-formed
//! messages.
//!
//! The rule's one blind spot: a message sent to the kernel *without*
//! `NLM_F_REQUEST`, which the kernel ignores (lesson 02's checks send one on
//! purpose), is listed as coming from the kernel. Messages between two user
//! sockets (not used in the course) are listed by the same rule.

use wire::nlmsg::{self, Header};

/// The direction of a frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// From a user socket to the kernel.
    ToKernel,
    /// From the kernel to a user socket.
    FromKernel,
}

impl Direction {
    /// Infers the direction of a frame from its netlink bytes (the rule in
    /// the [module documentation](self)).
    pub fn of(data: &[u8]) -> Direction {
        match Header::parse(data) {
            Ok(h)
                if (h.len as usize) >= nlmsg::HDRLEN && (h.len as usize) <= data.len() && !h.has(nlmsg::F_REQUEST) =>
            {
                Direction::FromKernel
            }
            _ => Direction::ToKernel,
        }
    }

    /// `"to kernel"` or `"from kernel"`, for the listing.
    pub fn label(self) -> &'static str {
        match self {
            Direction::ToKernel => "to kernel",
            Direction::FromKernel => "from kernel",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wire::writer::Writer;

    fn message(flags: u16) -> Vec<u8> {
        let mut buf = [0u8; 64];
        let mut w = Writer::new(&mut buf);
        w.message(20, flags, 1, 77, b"hi\0").unwrap();
        w.as_bytes().to_vec()
    }

    #[test]
    fn request_flag_decides() {
        assert_eq!(Direction::of(&message(nlmsg::F_REQUEST | nlmsg::F_ACK)), Direction::ToKernel);
        assert_eq!(Direction::of(&message(0)), Direction::FromKernel);
        assert_eq!(Direction::of(&message(nlmsg::F_MULTI)), Direction::FromKernel);
        let mut buf = [0u8; 64];
        let mut w = Writer::new(&mut buf);
        w.ack(&Header::new(20, nlmsg::F_REQUEST | nlmsg::F_ACK, 1, 77), 77).unwrap();
        assert_eq!(Direction::of(w.as_bytes()), Direction::FromKernel);
    }

    #[test]
    fn broken_frames_went_to_the_kernel() {
        assert_eq!(Direction::of(&[1, 2, 3]), Direction::ToKernel);
        let mut m = message(0);
        m[0..4].copy_from_slice(&200u32.to_ne_bytes()); // longer than the frame
        assert_eq!(Direction::of(&m), Direction::ToKernel);
        m[0..4].copy_from_slice(&8u32.to_ne_bytes()); // shorter than a header
        assert_eq!(Direction::of(&m), Direction::ToKernel);
    }
}
