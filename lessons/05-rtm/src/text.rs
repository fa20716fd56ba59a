//! Addresses and prefixes in text, and the kernel's answers as text.

use crate::session::Answer;
use std::net::Ipv4Addr;
use wire::rtm::{self, Attributes, Prefix};

/// `10.1.1.1` as the 4 bytes of the wire (network byte order).
pub fn address(text: &str) -> Result<[u8; 4], String> {
    text.parse::<Ipv4Addr>().map(|a| a.octets()).map_err(|_| format!("`{text}` is not an IPv4 address"))
}

/// `10.1.1.0/24` (no length: /32). The kernel judges the length and the
/// host bits: this only reads the numbers.
pub fn prefix(text: &str) -> Result<Prefix, String> {
    let (addr, len) = text.split_once('/').unwrap_or((text, "32"));
    let len = len.parse::<u8>().map_err(|_| format!("`{text}`: the prefix length is not a number 0-255"))?;
    Ok(Prefix { addr: address(addr)?, len })
}

/// A prefix as text: `10.1.1.0/24`.
pub fn prefix_text(p: Prefix) -> String {
    format!("{}/{}", Ipv4Addr::from(p.addr), p.len)
}

/// The name of the last attribute of `path` (types, outermost first), for
/// error messages: the kernel's extended ACK points at attributes by offset,
/// `nlsock` turns the offset into types, this into names.
pub fn attr_name(path: &[u16]) -> Option<&'static str> {
    match path {
        [rtm::ATTR_TABLE] => Some("TABLE"),
        [rtm::ATTR_DST] => Some("DST"),
        [rtm::ATTR_DST_LEN] => Some("DST_LEN"),
        [rtm::ATTR_GATEWAY] => Some("GATEWAY"),
        [rtm::ATTR_OIF] => Some("OIF"),
        [rtm::ATTR_ROUTES] => Some("ROUTES"),
        _ => None,
    }
}

/// One answer as a line: a route as `ip route` shows it, a table with its
/// route count.
pub fn show(answer: &Answer) -> String {
    let attrs = match Attributes::parse(&answer.payload) {
        Ok(a) => a,
        Err(e) => return format!("(undecodable message type {}: {e})", answer.header.ty),
    };
    match answer.header.ty {
        rtm::ROUTE_NEW | rtm::ROUTE_DEL => match attrs.route() {
            Ok(r) => format!("{} via {} dev {}", prefix_text(r.dst), Ipv4Addr::from(r.gateway), r.oif),
            Err(_) => match attrs.prefix() {
                Ok(p) => prefix_text(p),
                // A ROUTE_DEL that names only a table: all of its routes.
                Err(e) if answer.header.ty == rtm::ROUTE_DEL && e.missing == Some(rtm::ATTR_DST) => {
                    "every route".into()
                }
                Err(e) => format!("(undecodable route: {e})"),
            },
        },
        rtm::TABLE_NEW | rtm::TABLE_DEL => {
            let name = attrs.table().unwrap_or("?");
            match attrs.routes() {
                Some(n) => format!("{name} routes {n}"),
                None => name.to_string(),
            }
        }
        ty => format!("(message type {} {})", ty, rtm::type_name(ty)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses() {
        assert_eq!(prefix("10.1.1.0/24"), Ok(Prefix { addr: [10, 1, 1, 0], len: 24 }));
        assert_eq!(prefix("10.1.1.7"), Ok(Prefix { addr: [10, 1, 1, 7], len: 32 }));
        assert_eq!(prefix("10.1.1.0/33").map(|p| p.len), Ok(33));
        assert!(prefix("10.1.1/24").is_err());
        assert!(address("1.2.3.4.5").is_err());
        assert_eq!(prefix_text(Prefix { addr: [0; 4], len: 0 }), "0.0.0.0/0");
    }
}
