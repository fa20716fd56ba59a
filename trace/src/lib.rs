//! # `nltrace`: watching netlink
//!
//! Every netlink message that crosses a socket can be copied to an `nlmon`
//! network device (`drivers/net/nlmon.c`), where a packet socket reads it,
//! as `tcpdump -i nlmon0` does. The lab's capture program (`nltrace
//! capture`, in the VM) creates that device, reads it, and writes a standard
//! pcap file; this library is what turns such a file back into a listing a
//! person reads, one message a line, decoded with the course's `wire`
//! definitions:
//!
//! ```text
//! #1    0.000000  to kernel    GREET        REQUEST|ACK seq 1 port 52 len 30
//!         "Hello, kernel!"
//! #2    0.000000  from kernel  GREET_REPLY  0           seq 1 port 52 len 64
//!         "Hello from the kernel! You said: Hello, kernel!"
//! #3    0.000000  from kernel  NLMSG_ERROR  CAPPED      seq 1 port 52 len 36
//!         ACK of GREET seq 1 port 52
//! ```
//!
//! | module        | what it is                                                   |
//! |---------------|--------------------------------------------------------------|
//! | [`cooked`]    | the 16-byte header before each frame of a netlink capture     |
//! | [`pcap`]      | the capture file: frames read and written (`pcap-file`)       |
//! | [`direction`] | which way a frame went, which the file does not say           |
//! | [`names`]     | message types and flags by name, per protocol                 |
//! | [`schema`]    | attribute sets: each type's name and how to show its value   |
//! | [`payload`]   | payloads decoded: texts, TLVs, attributes, errors, ACKs       |
//! | [`doc`]       | laying decoded items out in lines                             |
//! | [`listing`]   | the listing of a whole capture                               |
//! | [`exchange`]  | finding a request's reply and ACK in a capture               |
//! | [`route`]     | the rtnetlink request that creates the nlmon device          |

// Lesson 03's TLV walk is exercise 3.1's answer, so no shared crate holds
// one: like lesson 03's kernel module, this crate compiles the student's
// own file (which names the wire formats `crate::wire`). Until exercise 3.1
// is done, a trace shows TLV records as raw bytes.
#[allow(dead_code, unused_imports, unused_macros, unreachable_pub)]
#[path = "../../lessons/03-tlv/src/iter.rs"]
mod iter;
use ::wire;

pub mod cooked;
pub mod direction;
pub mod doc;
pub mod exchange;
pub mod listing;
pub mod names;
pub mod payload;
pub mod pcap;
pub mod route;
pub mod schema;
