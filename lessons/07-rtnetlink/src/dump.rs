//! Dumps: every route of a table, or of the tables and interface asked for
//! (exercise 7.3).
//!
//! With `NETLINK_GET_STRICT_CHK` on (`Session::open` turns it on), the
//! kernel reads a dump request's `struct rtmsg` and attributes as a filter
//! (`ip_valid_fib_dump_req` in net/ipv4/fib_frontend.c): `RTA_TABLE` for one
//! table, `RTA_OIF` for the routes through one interface, `rtm_type`,
//! `rtm_protocol` and `rtm_flags` too. The other fields of the header must
//! be 0 ("Invalid values in header for FIB dump request"), and any other
//! attribute is refused ("Unsupported attribute in dump request"). Without
//! the option, the kernel ignores all of it and dumps every table.

use crate::session::{Answer, Failure, Session};
use wire::nlmsg;
use wire::rtnl::{self, RtMsg};
use wire::writer::Writer;

/// What a dump asks the kernel for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Filter {
    /// Only this table (`None`: every table).
    pub table: Option<u32>,
    /// Only routes through this interface index.
    pub oif: Option<u32>,
}

/// The dump request for the IPv4 routes `filter` selects: `RTM_GETROUTE`
/// with `NLM_F_REQUEST | NLM_F_DUMP`, `struct rtmsg`, the filter's
/// attributes.
pub fn request(filter: &Filter, seq: u32, port: u32) -> Result<Vec<u8>, Failure> {
    let mut buf = vec![0u8; 256];
    let mut w = Writer::new(&mut buf);
    // TODO(exercise 7.3): The dump request in `w`: RTM_GETROUTE with the flags of a dump, a struct rtmsg for IPv4 routes, then the filter as attributes (the module documentation says which the kernel reads).
    let _ = (filter, seq, port, &mut w, RtMsg::default(), nlmsg::F_REQUEST, rtnl::RTM_GETROUTE);
    Err(Failure::other("the dump request is not written yet (exercise 7.3)"))
}

/// Receives the answer to `request`, the dump request with sequence number
/// `seq` sent just before, and calls `part` for every message of it, as it
/// arrives, until the `NLMSG_DONE` that ends it. Messages that are not answers to it
/// (notifications, on a socket that joined a group) go to `other`.
///
/// Errors: the kernel's refusal (an `NLMSG_ERROR`, or an `NLMSG_DONE`
/// whose status is negative: how a strict dump request it finds wrong is
/// answered), the socket's errors.
pub fn receive(
    session: &mut Session,
    request: &[u8],
    seq: u32,
    mut part: impl FnMut(Answer),
    mut other: impl FnMut(Answer),
) -> Result<(), Failure> {
    // TODO(exercise 7.3): Receive the dump until the NLMSG_DONE that ends the answer to our request (session.recv, session.is_reply). Our parts go to `part`, every message that is no answer to us to `other`; an NLMSG_ERROR, or an NLMSG_DONE with a negative i32 status, is the kernel's refusal (answer.refusal(request, rtnl::ROUTE_ATTRS_AT)).
    let _ = (session, request, seq, &mut part, &mut other);
    Err(Failure::other("receiving a dump is not written yet (exercise 7.3)"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use wire::attr::Attrs;
    use wire::nlmsg::{self, Messages};
    use wire::rtnl::{self, RtMsg};

    #[test]
    #[ignore = "exercise 7.3: run with `cargo test -p rt -- --ignored` once it is written"]
    fn a_filtered_request() {
        let bytes = request(&Filter { table: Some(1000), oif: Some(3) }, 5, 42).unwrap();
        let m = Messages::new(&bytes).next().unwrap().unwrap();
        assert_eq!((m.header.ty, m.header.flags), (rtnl::RTM_GETROUTE, nlmsg::F_REQUEST | nlmsg::F_DUMP));
        assert_eq!(RtMsg::parse(m.payload).unwrap().0, RtMsg { family: rtnl::AF_INET, ..RtMsg::default() });
        let attrs: Vec<_> =
            Attrs::new(&m.payload[12..]).map(|a| a.unwrap()).map(|a| (a.kind(), a.u32().unwrap())).collect();
        assert_eq!(attrs, [(rtnl::RTA_TABLE, 1000), (rtnl::RTA_OIF, 3)]);
        let all = request(&Filter::default(), 5, 42).unwrap();
        assert_eq!(all.len(), 16 + 12);
    }
}
