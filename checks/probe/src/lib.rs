//! The lab checks' raw netlink tools, `nlprobe` and `nlconform`: what they
//! share. A socket that sends exactly the bytes a case calls for
//! ([`sock`]), and a reader for the kernel's error answers with their
//! extended ACK ([`answer`]).

pub mod answer;
pub mod sock;
