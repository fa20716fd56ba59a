//! Profiles: for each protocol, the requests the cases build on. The same
//! case (a framing mistake, a socket option, a dump read in a certain way)
//! is played against the kernel's `NETLINK_ROUTE` ([`route`]) and against a
//! lesson's module, each with its own valid request.

use nlprobe::sock::{Received, Socket};
use std::io;
use std::time::Duration;
use wire::nlmsg::{self, Messages};
use wire::rtm::{self, Prefix, Route};
use wire::writer::Writer;
use wire::{proto, tlv};

/// A request: type, flags beyond `NLM_F_REQUEST`, payload.
#[derive(Debug, Clone)]
pub struct Request {
    /// `nlmsg_type`.
    pub ty: u16,
    /// Flags the request needs besides the case's (`NLM_F_DUMP`, `NLM_F_CREATE`...).
    pub flags: u16,
    /// The payload: fixed header (if the protocol has one) and attributes.
    pub payload: Vec<u8>,
}

/// A protocol whose requests carry attributes.
#[derive(Debug, Clone)]
pub struct Attrs {
    /// The valid request, whose payload ends with its attributes.
    pub valid: Request,
    /// The valid request with one string attribute longer than the
    /// policy allows (`ERANGE`), and where that attribute starts in the
    /// payload.
    pub too_long: (Request, usize),
}

/// A protocol with a dump and a way to change what it lists.
pub struct Dump {
    /// The dump request (`NLM_F_DUMP` among its flags).
    pub request: Request,
    /// A dump request that fails at its start, and the socket options it
    /// needs to fail.
    pub failing: (Request, Vec<libc::c_int>),
    /// Fills, changes and empties what the dump lists.
    pub fixture: Box<dyn Fixture>,
    /// The fixture is known to be full and unchanged.
    pub filled: std::cell::Cell<bool>,
}

impl Dump {
    /// Makes sure the fixture holds its [`ENTRIES`] entries and nothing else.
    pub fn fill(&self) -> io::Result<()> {
        if !self.filled.get() {
            self.fixture.fill()?;
            self.filled.set(true);
        }
        Ok(())
    }
}

/// What a dump lists, changed from a second socket while a dump runs.
pub trait Fixture {
    /// Makes sure the [`ENTRIES`] entries are there, and nothing else.
    fn fill(&self) -> io::Result<()>;
    /// Adds one more entry: a change, with entries still to dump.
    fn change_one(&self) -> io::Result<()>;
    /// Removes every entry: a change after which nothing is left to dump.
    fn remove_all(&self) -> io::Result<()>;
    /// Leaves the system as it was found.
    fn cleanup(&self) -> io::Result<()>;
}

/// How many entries a dump lists: enough for several buffers.
pub const ENTRIES: u32 = 600;

/// A change whose notification `NLM_F_ECHO` sends back to the requester,
/// and the request that undoes it.
#[derive(Debug, Clone)]
pub struct Echo {
    /// The change (`NLM_F_CREATE|NLM_F_EXCL` among its flags).
    pub change: Request,
    /// The request that undoes it.
    pub undo: Request,
}

/// Everything the cases need to know about one protocol.
pub struct Profile {
    /// The name `--profile` takes.
    pub name: &'static str,
    /// What it is, for `--list`.
    pub what: &'static str,
    /// The netlink protocol number.
    pub protocol: i32,
    /// A valid request the protocol answers with one message (and an ACK
    /// when asked). Its payload length is not a multiple of 4, so that a
    /// message without its padding can be sent.
    pub valid: Request,
    /// Attribute requests, if the protocol has them.
    pub attrs: Option<Attrs>,
    /// A dump, if the protocol has one.
    pub dump: Option<Dump>,
    /// A change with a notification, if the protocol sends them.
    pub echo: Option<Echo>,
    /// The module to watch for leaked references (None: built into the kernel).
    pub module: Option<&'static str>,
}

/// The profile names `--profile` accepts.
pub const NAMES: [&str; 5] = ["greet", "tlv", "person", "rtm", "rtm-notify"];

/// The profile of a lesson's module, by name.
pub fn by_name(name: &str) -> Option<Profile> {
    match name {
        "greet" => Some(greet()),
        "tlv" => Some(tlv()),
        "person" => Some(person()),
        "rtm" => Some(rtm("rtm", "lesson 05: the routing table manager (rtm.ko)", "rtm")),
        "rtm-notify" => Some(rtm(
            "rtm-notify",
            "lesson 06: the routing table manager with notifications (rtm_notify.ko)",
            "rtm_notify",
        )),
        _ => None,
    }
}

// ---------------------------------------------------------------------------
// NETLINK_ROUTE: the oracle.
// ---------------------------------------------------------------------------

/// `RTM_NEWADDR` (`include/uapi/linux/rtnetlink.h`).
pub const RTM_NEWADDR: u16 = 20;
/// `RTM_DELADDR`.
pub const RTM_DELADDR: u16 = 21;
/// `RTM_GETADDR`.
pub const RTM_GETADDR: u16 = 22;
/// `RTM_GETLINK`.
pub const RTM_GETLINK: u16 = 18;
/// `IFLA_IFNAME` (`include/uapi/linux/if_link.h`): string, at most 15 bytes.
const IFLA_IFNAME: u16 = 3;
/// `IFA_ADDRESS` (`include/uapi/linux/if_addr.h`).
const IFA_ADDRESS: u16 = 1;
/// `IFA_LOCAL`.
const IFA_LOCAL: u16 = 2;
/// `EADDRNOTAVAIL`: deleting an address that is not there.
const EADDRNOTAVAIL: i32 = 99;
/// The loopback device's index: 1 in every network namespace.
const LO: i32 = 1;

/// `struct ifinfomsg` (16 bytes): family 0, type 0, `index`, flags 0.
fn ifinfomsg(index: i32) -> Vec<u8> {
    let mut m = vec![0u8; 16];
    m[4..8].copy_from_slice(&index.to_ne_bytes());
    m
}

/// `struct ifaddrmsg` (8 bytes): `AF_INET`, prefix length, index.
fn ifaddrmsg(prefixlen: u8, index: u32) -> Vec<u8> {
    let mut m = vec![libc::AF_INET as u8, prefixlen, 0, 0];
    m.extend_from_slice(&index.to_ne_bytes());
    m
}

/// A fixed header and attributes written by `put`, as a payload. The last
/// attribute keeps its padding unless `unpadded`.
fn payload(fixed: &[u8], put: impl FnOnce(&mut Writer<'_>) -> Result<(), wire::Error>) -> Vec<u8> {
    let mut buf = vec![0u8; 4096];
    let mut w = Writer::new(&mut buf);
    // Cannot fail: the buffer holds far more than these few bytes.
    w.put_payload(fixed).and_then(|()| put(&mut w)).expect("a payload of a few bytes fits 4 KiB");
    w.as_bytes().to_vec()
}

/// Drops the padding after the last attribute of `p`, given its `nla_len`
/// ends at `end`.
fn unpad(mut p: Vec<u8>, end: usize) -> Vec<u8> {
    p.truncate(end);
    p
}

/// `NETLINK_ROUTE`'s profile: `RTM_GETLINK` of `lo` (answered with an
/// `RTM_NEWLINK`), its attribute `IFLA_IFNAME`, and a dump of IPv4
/// addresses (`RTM_GETADDR`), which checks its consistency with
/// `nl_dump_check_consistent` (`net/ipv4/devinet.c`).
pub fn route() -> Profile {
    // ifinfomsg, then IFLA_IFNAME "lo": 16 + 7 bytes, unpadded.
    let valid_payload = unpad(payload(&ifinfomsg(LO), |w| w.put_str(IFLA_IFNAME, "lo")), 23);
    let valid = Request { ty: RTM_GETLINK, flags: 0, payload: valid_payload };
    let too_long = payload(&ifinfomsg(LO), |w| w.put_str(IFLA_IFNAME, "a-name-longer-than-ifnamsiz"));
    // The dump's strict check refuses a prefix length in the request's header.
    let failing = Request { ty: RTM_GETADDR, flags: nlmsg::F_DUMP, payload: ifaddrmsg(8, 0) };
    Profile {
        name: "route",
        what: "the kernel's NETLINK_ROUTE (rtnetlink): the oracle",
        protocol: libc::NETLINK_ROUTE,
        attrs: Some(Attrs {
            valid: valid.clone(),
            too_long: (Request { ty: RTM_GETLINK, flags: 0, payload: too_long }, 16),
        }),
        valid,
        dump: Some(Dump {
            request: Request { ty: RTM_GETADDR, flags: nlmsg::F_DUMP, payload: ifaddrmsg(0, 0) },
            failing: (failing, vec![nlprobe::sock::NETLINK_GET_STRICT_CHK]),
            fixture: Box::new(LoAddresses),
            filled: Default::default(),
        }),
        echo: Some(Echo {
            change: Request {
                ty: RTM_NEWADDR,
                flags: nlmsg::F_CREATE | nlmsg::F_EXCL,
                payload: lo_addr([10, 78, 0, 1]),
            },
            undo: Request { ty: RTM_DELADDR, flags: 0, payload: lo_addr([10, 78, 0, 1]) },
        }),
        module: None,
    }
}

/// An `RTM_NEWADDR`/`RTM_DELADDR` payload: `addr`/32 on `lo`.
fn lo_addr(addr: [u8; 4]) -> Vec<u8> {
    payload(&ifaddrmsg(32, LO as u32), |w| {
        w.put_attr(IFA_LOCAL, &addr)?;
        w.put_attr(IFA_ADDRESS, &addr)
    })
}

/// The i-th address of the dump's fixture: 10.77.x.y/32 on `lo`.
fn fixture_addr(i: u32) -> [u8; 4] {
    [10, 77, (i / 250) as u8, (i % 250 + 1) as u8]
}

/// IPv4 addresses on `lo`: adding or removing one changes the generation
/// the address dump checks (`inet_base_seq`).
struct LoAddresses;

impl Fixture for LoAddresses {
    fn fill(&self) -> io::Result<()> {
        self.remove_all()?;
        let reqs = (0..ENTRIES).map(|i| Request {
            ty: RTM_NEWADDR,
            flags: nlmsg::F_CREATE | nlmsg::F_REPLACE,
            payload: lo_addr(fixture_addr(i)),
        });
        apply(libc::NETLINK_ROUTE, reqs, &[])
    }
    fn change_one(&self) -> io::Result<()> {
        let add =
            Request { ty: RTM_NEWADDR, flags: nlmsg::F_CREATE | nlmsg::F_REPLACE, payload: lo_addr([10, 79, 0, 1]) };
        apply(libc::NETLINK_ROUTE, [add], &[])
    }
    fn remove_all(&self) -> io::Result<()> {
        let reqs = (0..ENTRIES).map(|i| Request { ty: RTM_DELADDR, flags: 0, payload: lo_addr(fixture_addr(i)) });
        apply(libc::NETLINK_ROUTE, reqs, &[EADDRNOTAVAIL])?;
        let extra = Request { ty: RTM_DELADDR, flags: 0, payload: lo_addr([10, 79, 0, 1]) };
        apply(libc::NETLINK_ROUTE, [extra], &[EADDRNOTAVAIL])
    }
    fn cleanup(&self) -> io::Result<()> {
        self.remove_all()
    }
}

// ---------------------------------------------------------------------------
// The lessons' modules.
// ---------------------------------------------------------------------------

fn greet() -> Profile {
    Profile {
        name: "greet",
        what: "lesson 02: greet.ko (GREET, 5 bytes of text)",
        protocol: proto::NETLINK_COURSE,
        valid: Request { ty: proto::GREET, flags: 0, payload: b"probe".to_vec() },
        attrs: None,
        dump: None,
        echo: None,
        module: Some("greet"),
    }
}

fn tlv() -> Profile {
    // One EMPLOYEE_ID record (wire::tlv): type 3, length 8, the id 7 as a
    // little-endian u64. Written out, as lesson 03's check does, so that the
    // bytes stay what they are whoever owns the TLV code.
    let records = vec![tlv::EMPLOYEE_ID, 8, 7, 0, 0, 0, 0, 0, 0, 0];
    Profile {
        name: "tlv",
        what: "lesson 03: tlv.ko (TLV_RECORDS with one employee id, 10 bytes)",
        protocol: proto::NETLINK_COURSE,
        valid: Request { ty: proto::TLV_RECORDS, flags: 0, payload: records },
        attrs: None,
        dump: None,
        echo: None,
        module: Some("tlv"),
    }
}

fn person() -> Profile {
    // AGE 36, then NAME "Al" unpadded: 8 + 7 bytes.
    let valid = Request {
        ty: proto::PERSON_SET,
        flags: 0,
        payload: unpad(
            payload(&[], |w| {
                w.put_u32(proto::PERSON_ATTR_AGE, 36)?;
                w.put_str(proto::PERSON_ATTR_NAME, "Al")
            }),
            15,
        ),
    };
    let too_long = payload(&[], |w| w.put_str(proto::PERSON_ATTR_NAME, "a-name-longer-than-thirty-one-bytes"));
    Profile {
        name: "person",
        what: "lesson 04: person.ko (PERSON_SET with AGE and NAME)",
        protocol: proto::NETLINK_COURSE,
        attrs: Some(Attrs {
            valid: valid.clone(),
            too_long: (Request { ty: proto::PERSON_SET, flags: 0, payload: too_long }, 0),
        }),
        valid,
        dump: None,
        echo: None,
        module: Some("person"),
    }
}

/// The table the rtm profiles work in. Its name attribute is 4 + 10 bytes:
/// a payload that is not a multiple of 4.
const TABLE: &str = "nlconform";

fn table_attrs(name: &str) -> Vec<u8> {
    payload(&[], |w| rtm::put_table(w, name, None))
}

fn rtm(name: &'static str, what: &'static str, module: &'static str) -> Profile {
    // TABLE_NEW with NLM_F_ECHO: lesson 05 sends the notification to the
    // requester alone, lesson 06 also to the table group's listeners.
    let echo = Echo {
        change: Request {
            ty: rtm::TABLE_NEW,
            flags: nlmsg::F_CREATE | nlmsg::F_EXCL,
            payload: table_attrs("nlconform-echo"),
        },
        undo: Request { ty: rtm::TABLE_DEL, flags: 0, payload: table_attrs("nlconform-echo") },
    };
    let get = Request { ty: rtm::TABLE_GET, flags: 0, payload: unpad(table_attrs(TABLE), 14) };
    let too_long = table_attrs("a-table-name-longer-than-thirty-two-bytes");
    Profile {
        name,
        what,
        protocol: proto::NETLINK_COURSE,
        attrs: Some(Attrs {
            valid: get.clone(),
            too_long: (Request { ty: rtm::TABLE_GET, flags: 0, payload: too_long }, 0),
        }),
        valid: get,
        dump: Some(Dump {
            request: Request { ty: rtm::ROUTE_GET, flags: nlmsg::F_DUMP, payload: table_attrs(TABLE) },
            failing: (
                Request { ty: rtm::ROUTE_GET, flags: nlmsg::F_DUMP, payload: table_attrs("nlconform-none") },
                vec![],
            ),
            fixture: Box::new(RtmRoutes),
            filled: Default::default(),
        }),
        echo: Some(echo),
        module: Some(module),
    }
}

/// The i-th route of the fixture: 10.x.y.0/24 via 11.1.1.1 dev eth0.
fn fixture_route(i: u32) -> Prefix {
    Prefix::of([10, (i / 250) as u8, (i % 250) as u8, 0], 24)
}

fn route_attrs(dst: Prefix, with_hop: bool) -> Vec<u8> {
    payload(&[], |w| {
        if with_hop {
            rtm::put_route(w, TABLE, &Route { dst, gateway: [11, 1, 1, 1], oif: "eth0" })
        } else {
            rtm::put_prefix(w, TABLE, dst)
        }
    })
}

/// The routes of table `nlconform`: every change moves the module's
/// generation counter.
struct RtmRoutes;

impl Fixture for RtmRoutes {
    fn fill(&self) -> io::Result<()> {
        // A new table rather than deleting routes: ROUTE_DEL is exercise
        // 5.1, and the cases that do not dump must pass on its starter.
        self.cleanup()?;
        let table = Request { ty: rtm::TABLE_NEW, flags: nlmsg::F_CREATE, payload: table_attrs(TABLE) };
        apply(proto::NETLINK_COURSE, [table], &[])?;
        let routes = (0..ENTRIES).map(|i| Request {
            ty: rtm::ROUTE_NEW,
            flags: nlmsg::F_CREATE | nlmsg::F_REPLACE,
            payload: route_attrs(fixture_route(i), true),
        });
        apply(proto::NETLINK_COURSE, routes, &[])
    }
    fn change_one(&self) -> io::Result<()> {
        let add = Request {
            ty: rtm::ROUTE_NEW,
            flags: nlmsg::F_CREATE | nlmsg::F_REPLACE,
            payload: route_attrs(Prefix::of([172, 16, 0, 0], 16), true),
        };
        apply(proto::NETLINK_COURSE, [add], &[])
    }
    fn remove_all(&self) -> io::Result<()> {
        let dels = (0..ENTRIES).map(fixture_route).chain([Prefix::of([172, 16, 0, 0], 16)]).map(|dst| Request {
            ty: rtm::ROUTE_DEL,
            flags: 0,
            payload: route_attrs(dst, false),
        });
        apply(proto::NETLINK_COURSE, dels, &[wire::errno::ENOENT])
    }
    fn cleanup(&self) -> io::Result<()> {
        let del = Request { ty: rtm::TABLE_DEL, flags: 0, payload: table_attrs(TABLE) };
        apply(proto::NETLINK_COURSE, [del], &[wire::errno::ENOENT])
    }
}

/// Sends `reqs` on a fresh socket of `protocol`, 100 to a datagram, each
/// with `NLM_F_ACK`, and waits for every answer. Errors other than the
/// `tolerated` ones fail the whole.
pub fn apply(protocol: i32, reqs: impl IntoIterator<Item = Request>, tolerated: &[i32]) -> io::Result<()> {
    let sock = Socket::open(protocol)?;
    let reqs: Vec<Request> = reqs.into_iter().collect();
    for (chunk_no, chunk) in reqs.chunks(100).enumerate() {
        let mut buf = vec![0u8; chunk.iter().map(|r| r.payload.len() + 20).sum::<usize>() + 64];
        let mut w = Writer::new(&mut buf);
        let first = (chunk_no * 100) as u32 + 1;
        for (i, r) in chunk.iter().enumerate() {
            let flags = nlmsg::F_REQUEST | nlmsg::F_ACK | r.flags;
            w.message(r.ty, flags, first + i as u32, 0, &r.payload).map_err(io::Error::other)?;
        }
        sock.send(w.as_bytes())?;
        let mut answered = 0;
        while answered < chunk.len() {
            let d = match sock.recv(64 * 1024, Duration::from_secs(5))? {
                Received::Datagram(d) => d,
                Received::Error(e) => return Err(io::Error::from_raw_os_error(e)),
                Received::Nothing => return Err(io::Error::other("the kernel did not answer every change")),
            };
            for m in Messages::new(&d.bytes) {
                let m = m.map_err(io::Error::other)?;
                if let Some(Ok(e)) = m.error_payload() {
                    answered += 1;
                    if e.error != 0 && !tolerated.contains(&e.errno()) {
                        let what = format!("change seq {} failed: {}", m.header.seq, wire::errno::name(e.errno()));
                        return Err(io::Error::other(what));
                    }
                }
            }
        }
    }
    Ok(())
}
