//! The lab checks' raw netlink tools, `nlprobe`, `nlconform` and `nlfuzz`:
//! what they share. A socket that sends exactly the bytes a case calls for
//! ([`sock`]), a reader for the kernel's error answers with their extended
//! ACK ([`answer`]), and each protocol's valid requests ([`profile`]).

pub mod answer;
pub mod profile;
pub mod sock;
