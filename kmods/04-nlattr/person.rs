// SPDX-License-Identifier: GPL-2.0

//! Lesson 04: netlink attributes, kernel side.
//!
//! The module serves netlink protocol 31. A PERSON_SET request describes a
//! person with attributes (a name, an age, a nested address); the module
//! checks every attribute against the protocol's policy before it uses any,
//! gives the person a number, and answers with a PERSON_REPLY whose
//! attributes are a greeting and that number.

use core::fmt;
use core::sync::atomic::{AtomicU32, Ordering};
use kernel::prelude::*;
use kernel::str::CString;

#[allow(dead_code, unreachable_pub, unused_attributes, missing_docs)]
#[path = "wire/lib.rs"]
mod wire;

#[allow(dead_code, unreachable_pub)]
#[path = "knetlink/lib.rs"]
mod knetlink;

use knetlink::{ratelimit, ExtAck, Handled, Handler, Request, Socket};
use wire::errno::{EMSGSIZE, EOPNOTSUPP};
use wire::nlmsg;
use wire::proto;

module! {
    type: PersonModule,
    name: "person",
    author: "The netlink course",
    description: "Lesson 04: people described with netlink attributes, on protocol 31",
    license: "GPL",
}

/// The largest PERSON_SET payload the module reads, in bytes. A person with
/// every attribute at its longest takes 152 bytes; a page leaves room for
/// attributes a newer program may add (they are skipped). Anything bigger
/// is refused with EMSGSIZE before a single attribute is looked at.
const MAX_REQUEST: usize = 4096;

/// Room for a PERSON_REPLY: the message header, the greeting attribute
/// (header, at most GREETING_MAX bytes, NUL, padding) and the ID attribute.
const REPLY_LEN: usize = nlmsg::HDRLEN + 4 + proto::GREETING_MAX + 1 + 3 + 8;

/// The module: while it lives, protocol 31 is served.
struct PersonModule {
    socket: Socket<Registry>,
}

/// The handler of protocol 31, and the module's only state: how many people
/// were registered. Senders on several CPUs may register at the same time,
/// so the counter is atomic: `fetch_add` reads and increments it in one
/// indivisible step, and no two people get the same number.
struct Registry {
    registered: AtomicU32,
}

impl kernel::Module for PersonModule {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        let registry = Registry { registered: AtomicU32::new(0) };
        let socket = Socket::new(proto::NETLINK_COURSE, 0, KBox::pin(registry, GFP_KERNEL)?)?;
        pr_info!("listening on netlink protocol {}\n", proto::NETLINK_COURSE);
        Ok(PersonModule { socket })
    }
}

impl Drop for PersonModule {
    fn drop(&mut self) {
        let registered = self.socket.handler().registered.load(Ordering::Relaxed);
        pr_info!("protocol {} released after {} people\n", proto::NETLINK_COURSE, registered);
    }
}

impl Handler for Registry {
    /// One request of a batch; the kernel's `netlink_rcv_skb` walks the
    /// batch and acknowledges (see knetlink).
    fn request(&self, request: &Request<'_>, extack: &mut ExtAck<'_>) -> Result<Handled> {
        let header = request.header();
        if header.ty != proto::PERSON_SET {
            // No message: rtnetlink sends none for an unknown type either.
            return Err(knetlink::errno(EOPNOTSUPP));
        }
        if ratelimit::allow() {
            pr_info!(
                "PERSON_SET seq {} from port {}: {} bytes of attributes\n",
                header.seq,
                request.portid(),
                request.payload().len()
            );
        }
        self.person_set(request, extack)?;
        Ok(Handled::Done)
    }
}

impl Registry {
    /// Answers a PERSON_SET: validate, register, reply.
    fn person_set(&self, request: &Request<'_>, extack: &mut ExtAck<'_>) -> Result {
        let payload = request.payload();
        if payload.len() > MAX_REQUEST {
            extack.message(c"request too big");
            return Err(knetlink::errno(EMSGSIZE));
        }
        // Nothing of the payload is used before this returns Ok.
        let person = parse_person(payload, extack)?;
        // A number for the person: 1, 2, 3... across all senders.
        let id = self.registered.fetch_add(1, Ordering::Relaxed).wrapping_add(1);
        if ratelimit::allow() {
            pr_info!("registered #{}: {}\n", id, person);
        }
        let greeting = CString::try_from_fmt(kernel::fmt!("{}", Greeting(&person)))?;
        let mut buf = [0u8; REPLY_LEN];
        let len = build_reply(&mut buf, request.header().seq, request.portid(), &greeting, id)?;
        request.reply(buf.get(..len).unwrap_or_default())
    }
}

/// A person, as found in a PERSON_SET that passed the policy. The strings
/// borrow from the request's buffer: nothing is copied.
#[allow(dead_code)] // parse_person makes one, once exercise 4.2 is done
struct Person<'a> {
    name: &'a str,
    age: Option<u32>,
    street: Option<&'a str>,
    city: Option<&'a str>,
}

/// Checks the attributes of a PERSON_SET against the protocol's policies,
/// strictly as the kernel's `nla_parse` does, and returns the person they
/// describe.
///
/// Answers: what the policy refuses, with its errno (`EINVAL` or `ERANGE`),
/// the kernel's message and the attribute at fault in `extack`; no NAME:
/// `EINVAL`, reported as missing; a string that is not UTF-8: `EINVAL`.
fn parse_person<'a>(payload: &'a [u8], extack: &mut ExtAck<'_>) -> Result<Person<'a>> {
    // TODO(exercise 4.2): Parse the payload with wire::policy::parse and proto::PERSON_POLICY, then the ADDRESS's value with proto::ADDRESS_POLICY; answer a PolicyError with extack.policy(&e) (its errno, message and attribute); a missing NAME is EINVAL with extack.missing(PERSON_ATTR_NAME).
    pr_info!("TODO: check {} bytes of attributes against the policy\n", payload.len());
    let _ = extack;
    Err(knetlink::errno(EOPNOTSUPP))
}

/// Writes the PERSON_REPLY into `buf`: a header with the request's `seq` and
/// the sender's `portid`, the GREETING and the ID. Returns its length.
fn build_reply(buf: &mut [u8], seq: u32, portid: u32, greeting: &CStr, id: u32) -> Result<usize> {
    // TODO(exercise 4.2): Start a PERSON_REPLY message (seq, portid, no flags), put REPLY_ATTR_GREETING (a string) and REPLY_ATTR_ID (a u32), finish it; a wire error becomes EMSGSIZE.
    pr_info!("TODO: reply {:?} with id {} to port {} (seq {}, {} bytes of room)\n", greeting, id, portid, seq, buf.len());
    Err(knetlink::errno(EOPNOTSUPP))
}

/// The greeting for a person: "Hello Ada, 36, from London!", leaving out
/// what the person lacks. At most 6 + 31 + 12 + 7 + 31 + 1 = 88 bytes, well
/// below GREETING_MAX.
struct Greeting<'p, 'a>(&'p Person<'a>);

impl fmt::Display for Greeting<'_, '_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Hello {}", self.0.name)?;
        if let Some(age) = self.0.age {
            write!(f, ", {age}")?;
        }
        if let Some(city) = self.0.city {
            write!(f, ", from {city}")?;
        }
        f.write_str("!")
    }
}

/// What the log says about a person. `{:?}` quotes and escapes the strings:
/// they come from userspace and may hold anything, newlines included.
impl fmt::Display for Person<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "name {:?}", self.name)?;
        if let Some(age) = self.age {
            write!(f, ", age {age}")?;
        }
        if let Some(street) = self.street {
            write!(f, ", street {street:?}")?;
        }
        if let Some(city) = self.city {
            write!(f, ", city {city:?}")?;
        }
        Ok(())
    }
}
