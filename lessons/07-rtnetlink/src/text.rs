//! Routes as words: what `rt add` reads (the words of `ip route add`) and
//! how `rt` prints a route (as iproute2's `ip route` does).
//!
//! The parser only checks what it needs to build a message: a prefix
//! length of 33 or host bits below the length pass through, so that the
//! kernel's answer to them can be seen.

use crate::route::{Nexthop, Route, Verb};
use std::fmt::Write as _;
use std::net::Ipv4Addr;
use wire::rtnl;

/// A route as typed: a [`Route`] whose interfaces are still names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spec {
    /// The route, without its interface indexes.
    pub route: Route,
    /// `dev NAME`.
    pub dev: Option<String>,
    /// `nexthop via GW dev NAME weight W`, each: gateway, device, weight.
    pub hops: Vec<(Option<Ipv4Addr>, Option<String>, u16)>,
}

/// A table id from `main`, `local`, `default` or a number.
pub fn table_id(word: &str) -> Result<u32, String> {
    match word {
        "main" => Ok(rtnl::RT_TABLE_MAIN),
        "local" => Ok(rtnl::RT_TABLE_LOCAL),
        "default" => Ok(rtnl::RT_TABLE_DEFAULT),
        n => n.parse().map_err(|_| format!("`{n}` is no table (main, local, default or a number)")),
    }
}

/// A `u8` value from one of iproute2's names or a number.
fn named_u8(word: &str, what: &str, name: fn(u8) -> Option<&'static str>) -> Result<u8, String> {
    (0..=u8::MAX)
        .find(|&v| name(v) == Some(word))
        .map_or_else(|| word.parse().map_err(|_| format!("`{word}` is no {what}")), Ok)
}

/// A route type by its name (`blackhole`), as a leading word.
fn route_type(word: &str) -> Option<u8> {
    (1..=rtnl::RTN_MAX).find(|&t| rtnl::type_of_route_name(t) == Some(word))
}

/// An address `A.B.C.D`.
fn address(word: &str) -> Result<Ipv4Addr, String> {
    word.parse().map_err(|_| format!("`{word}` is no IPv4 address"))
}

/// `default`, `A.B.C.D` (a /32) or `A.B.C.D/LEN` with any LEN up to 255:
/// the kernel is the judge of the rest.
pub fn prefix(word: &str) -> Result<(Ipv4Addr, u8), String> {
    if word == "default" {
        return Ok((Ipv4Addr::UNSPECIFIED, 0));
    }
    match word.split_once('/') {
        Some((a, len)) => Ok((address(a)?, len.parse().map_err(|_| format!("`{len}` is no prefix length"))?)),
        None => Ok((address(word)?, 32)),
    }
}

/// Reads the words after `rt add` (or append, replace, change, del):
///
/// `[TYPE] PREFIX [via GW] [dev NAME] [table ID] [metric N] [proto P]
/// [scope S] [nexthop via GW [dev NAME] [weight W]]...`
///
/// What is not said gets the defaults of `ip route`: table main; for a
/// new route, type unicast, protocol static (`ip` says boot), scope link
/// for a route without gateway, else universe; to delete, type, protocol
/// and scope left open (0, 0, nowhere: any route of the prefix matches).
pub fn parse_route(verb: Verb, words: &[String]) -> Result<Spec, String> {
    let mut route = Route::default();
    let mut spec_dev = None;
    let mut hops = Vec::new();
    let (mut protocol, mut scope, mut kind, mut dst) = (None, None, None, None);
    let mut it = words.iter().map(String::as_str).peekable();
    while let Some(word) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("`{word}` needs a value"));
        match word {
            "via" => route.gateway = Some(address(value()?)?),
            "dev" => spec_dev = Some(value()?.to_string()),
            "table" => route.table = table_id(value()?)?,
            "metric" => route.priority = Some(value()?.parse().map_err(|_| "metric wants a number".to_string())?),
            "proto" => protocol = Some(named_u8(value()?, "protocol", rtnl::protocol_name)?),
            "scope" => scope = Some(named_u8(value()?, "scope", rtnl::scope_name)?),
            "nexthop" => {
                let (mut gw, mut dev, mut weight) = (None, None, 1);
                while let Some(&w) = it.peek() {
                    match w {
                        "via" | "dev" | "weight" => {
                            it.next();
                            let v = it.next().ok_or_else(|| format!("`{w}` needs a value"))?;
                            match w {
                                "via" => gw = Some(address(v)?),
                                "dev" => dev = Some(v.to_string()),
                                _ => weight = v.parse().map_err(|_| "weight wants 1 to 256".to_string())?,
                            }
                        }
                        _ => break,
                    }
                }
                hops.push((gw, dev, weight));
            }
            w if dst.is_none() && kind.is_none() && route_type(w).is_some() => kind = route_type(w),
            w if dst.is_none() => dst = Some(prefix(w)?),
            w => return Err(format!("`{w}`: what is it? (see rt {} --help)", verb_word(verb))),
        }
    }
    let (addr, len) = dst.ok_or("which prefix? (e.g. 10.1.0.0/16, or default)")?;
    (route.dst, route.dst_len) = (addr, len);
    let new = verb != Verb::Del;
    route.kind = kind.unwrap_or(if new { rtnl::RTN_UNICAST } else { rtnl::RTN_UNSPEC });
    route.protocol = protocol.unwrap_or(if new { rtnl::RTPROT_STATIC } else { rtnl::RTPROT_UNSPEC });
    route.scope = scope.unwrap_or(match (new, route.kind) {
        (false, _) => rtnl::RT_SCOPE_NOWHERE,
        (true, rtnl::RTN_UNICAST) if route.gateway.is_none() && hops.is_empty() => rtnl::RT_SCOPE_LINK,
        _ => rtnl::RT_SCOPE_UNIVERSE,
    });
    Ok(Spec { route, dev: spec_dev, hops })
}

/// The word of a change, as typed.
pub fn verb_word(verb: Verb) -> &'static str {
    match verb {
        Verb::Add => "add",
        Verb::Append => "append",
        Verb::Replace => "replace",
        Verb::Change => "change",
        Verb::Del => "del",
    }
}

/// A route as `ip route` (iproute2) prints it: `10.1.0.0/16 via 192.0.2.254
/// dev d0 proto static metric 5`. `name` turns an interface index into its
/// name. The table is said unless it is main, or `table_known` (the user
/// asked for one table); the protocol unless it is boot, as iproute2 does.
pub fn show(route: &Route, table_known: bool, mut name: impl FnMut(u32) -> String) -> String {
    let mut s = String::new();
    if route.kind != rtnl::RTN_UNICAST {
        let _ = write!(
            s,
            "{} ",
            rtnl::type_of_route_name(route.kind).map_or_else(|| route.kind.to_string(), str::to_string)
        );
    }
    match route.dst_len {
        0 => s.push_str("default"),
        32 => s.push_str(&route.dst.to_string()),
        n => {
            let _ = write!(s, "{}/{n}", route.dst);
        }
    }
    if let Some(gw) = route.gateway {
        let _ = write!(s, " via {gw}");
    }
    if let Some(oif) = route.oif {
        let _ = write!(s, " dev {}", name(oif));
    }
    if !table_known && route.table != rtnl::RT_TABLE_MAIN {
        let _ = write!(
            s,
            " table {}",
            rtnl::table_name(route.table).map_or_else(|| route.table.to_string(), str::to_string)
        );
    }
    if route.protocol != rtnl::RTPROT_BOOT {
        let _ = write!(
            s,
            " proto {}",
            rtnl::protocol_name(route.protocol).map_or_else(|| route.protocol.to_string(), str::to_string)
        );
    }
    if route.scope != rtnl::RT_SCOPE_UNIVERSE {
        let _ = write!(
            s,
            " scope {}",
            rtnl::scope_name(route.scope).map_or_else(|| route.scope.to_string(), str::to_string)
        );
    }
    if let Some(src) = route.prefsrc {
        let _ = write!(s, " src {src}");
    }
    if let Some(metric) = route.priority {
        let _ = write!(s, " metric {metric}");
    }
    let flags = u8::try_from(route.flags & 0xff).unwrap_or(0);
    for (bit, word) in
        [(rtnl::RTNH_F_DEAD, "dead"), (rtnl::RTNH_F_ONLINK, "onlink"), (rtnl::RTNH_F_LINKDOWN, "linkdown")]
    {
        if flags & bit != 0 {
            let _ = write!(s, " {word}");
        }
    }
    for hop in &route.nexthops {
        s.push_str(&show_nexthop(hop, &mut name));
    }
    s
}

/// One next hop: ` nexthop via 192.0.2.2 dev d0 weight 1` (iproute2 puts
/// each on a line of its own; here they stay on the route's line).
fn show_nexthop(hop: &Nexthop, name: &mut impl FnMut(u32) -> String) -> String {
    let mut s = String::from(" nexthop");
    if let Some(gw) = hop.gateway {
        let _ = write!(s, " via {gw}");
    }
    let _ = write!(s, " dev {} weight {}", name(hop.oif), hop.weight);
    for (bit, word) in
        [(rtnl::RTNH_F_DEAD, "dead"), (rtnl::RTNH_F_ONLINK, "onlink"), (rtnl::RTNH_F_LINKDOWN, "linkdown")]
    {
        if hop.flags & bit != 0 {
            let _ = write!(s, " {word}");
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_string).collect()
    }

    #[test]
    fn reads_what_ip_route_reads() {
        let s = parse_route(Verb::Add, &words("10.1.0.0/16 via 192.0.2.254 dev d0 table 1000 metric 5")).unwrap();
        assert_eq!((s.route.dst, s.route.dst_len), (Ipv4Addr::new(10, 1, 0, 0), 16));
        assert_eq!((s.route.table, s.route.priority, s.dev.as_deref()), (1000, Some(5), Some("d0")));
        assert_eq!(
            (s.route.scope, s.route.kind, s.route.protocol),
            (rtnl::RT_SCOPE_UNIVERSE, rtnl::RTN_UNICAST, rtnl::RTPROT_STATIC)
        );
        let s = parse_route(Verb::Add, &words("10.2.0.0/16 dev d0")).unwrap();
        assert_eq!(s.route.scope, rtnl::RT_SCOPE_LINK);
        let s = parse_route(Verb::Del, &words("10.2.0.0/16")).unwrap();
        assert_eq!((s.route.scope, s.route.kind, s.route.protocol), (rtnl::RT_SCOPE_NOWHERE, 0, 0));
        let s = parse_route(Verb::Add, &words("blackhole 10.3.0.0/16 proto kernel scope host")).unwrap();
        assert_eq!(
            (s.route.kind, s.route.protocol, s.route.scope),
            (rtnl::RTN_BLACKHOLE, rtnl::RTPROT_KERNEL, rtnl::RT_SCOPE_HOST)
        );
        let s = parse_route(Verb::Add, &words("default nexthop via 192.0.2.2 nexthop via 192.0.2.3 dev d1 weight 3"))
            .unwrap();
        assert_eq!(s.route.dst_len, 0);
        assert_eq!(
            s.hops,
            vec![
                (Some(Ipv4Addr::new(192, 0, 2, 2)), None, 1),
                (Some(Ipv4Addr::new(192, 0, 2, 3)), Some("d1".into()), 3)
            ]
        );
        // Left for the kernel to judge.
        assert_eq!(parse_route(Verb::Add, &words("10.0.0.0/33")).unwrap().route.dst_len, 33);
        assert!(parse_route(Verb::Add, &words("10.0.0.0/16 bogus")).is_err());
        assert!(parse_route(Verb::Add, &words("via 1.2.3.4")).is_err());
        assert!(parse_route(Verb::Add, &words("10.0.0.0/16 table")).is_err());
    }

    #[test]
    fn prints_what_ip_route_prints() {
        let names = |i: u32| format!("d{}", i - 2);
        let r = parse_route(Verb::Add, &words("10.1.0.0/16 via 192.0.2.254 table 1000 metric 5")).unwrap().route;
        assert_eq!(
            show(&Route { oif: Some(2), ..r.clone() }, false, names),
            "10.1.0.0/16 via 192.0.2.254 dev d0 table 1000 proto static metric 5"
        );
        assert_eq!(show(&r, true, names), "10.1.0.0/16 via 192.0.2.254 proto static metric 5");
        let local = Route {
            dst: Ipv4Addr::new(127, 0, 0, 1),
            dst_len: 32,
            table: rtnl::RT_TABLE_LOCAL,
            protocol: rtnl::RTPROT_KERNEL,
            scope: rtnl::RT_SCOPE_HOST,
            kind: rtnl::RTN_LOCAL,
            oif: Some(1),
            prefsrc: Some(Ipv4Addr::new(127, 0, 0, 1)),
            ..Route::default()
        };
        assert_eq!(
            show(&local, false, |_| "lo".into()),
            "local 127.0.0.1 dev lo table local proto kernel scope host src 127.0.0.1"
        );
        let boot = Route { protocol: rtnl::RTPROT_BOOT, ..Route::default() };
        assert_eq!(show(&boot, false, names), "default");
        let mp = Route {
            nexthops: vec![Nexthop {
                gateway: Some(Ipv4Addr::new(192, 0, 2, 2)),
                oif: 2,
                weight: 1,
                flags: rtnl::RTNH_F_LINKDOWN,
            }],
            ..Route::default()
        };
        assert_eq!(show(&mp, false, names), "default proto static nexthop via 192.0.2.2 dev d0 weight 1 linkdown");
    }
}
