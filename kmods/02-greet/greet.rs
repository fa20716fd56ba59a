// SPDX-License-Identifier: GPL-2.0

//! Lesson 02: the netlink hello world, kernel side.
//!
//! The module registers netlink protocol 31. For every GREET message that
//! userspace sends, it answers with a GREET_REPLY message to the sender's
//! socket, and with an ACK when the request asks for one.

use kernel::prelude::*;

#[allow(dead_code, unreachable_pub, unused_attributes, missing_docs)]
#[path = "wire/lib.rs"]
mod wire;

#[allow(dead_code, unreachable_pub)]
#[path = "knetlink/lib.rs"]
mod knetlink;

use knetlink::{Handler, Request, Socket};
use wire::errno::{EMSGSIZE, EOPNOTSUPP};
use wire::nlmsg::{self, Header, Message, Messages};
use wire::proto;

module! {
    type: GreetModule,
    name: "greet",
    author: "The netlink course",
    description: "Lesson 02: greet over netlink protocol 31",
    license: "GPL",
}

/// The longest greeting we accept, in bytes.
const MAX_GREETING: usize = 256;
/// What the module puts before the echoed greeting.
const REPLY_PREFIX: &[u8] = b"Hello from the kernel! You said: ";

/// The module: while it lives, protocol 31 is served.
struct GreetModule {
    _socket: Socket<Greeter>,
}

/// The handler of protocol 31. It keeps no state: every message is answered
/// on its own, so senders on several CPUs at once need no lock.
struct Greeter;

impl kernel::Module for GreetModule {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        let socket = Socket::new(proto::NETLINK_COURSE, 0, KBox::pin(Greeter, GFP_KERNEL)?)?;
        pr_info!("listening on netlink protocol {}\n", proto::NETLINK_COURSE);
        Ok(GreetModule { _socket: socket })
    }
}

impl Drop for GreetModule {
    fn drop(&mut self) {
        pr_info!("protocol {} released\n", proto::NETLINK_COURSE);
    }
}

impl Handler for Greeter {
    fn receive(&self, request: &Request<'_>) {
        // One sendmsg may carry a batch: handle every message in it. The
        // iterator checks each header's length against what arrived.
        for message in Messages::new(request.data()) {
            match message {
                Ok(message) => handle(request, &message),
                Err(e) => {
                    // A header we cannot trust: nothing after it can be found
                    // safely. Like the kernel's own protocols, stop silently.
                    pr_warn!("malformed message from port {}: {:?}; rest of the batch dropped\n", request.portid(), e);
                    break;
                }
            }
        }
    }
}

/// Handles one message and sends its answers. Errors go back to the sender
/// as an NLMSG_ERROR message; a message that is not a request is ignored.
fn handle(request: &Request<'_>, message: &Message<'_>) {
    let header = &message.header;
    // Only requests are served; anything else (a reply a confused program
    // sent us, say) is dropped without an answer, as the kernel's own
    // netlink protocols do.
    if header.flags & nlmsg::F_REQUEST == 0 {
        return;
    }
    let result = match header.ty {
        proto::GREET => {
            pr_info!("GREET seq {} from port {}: {} bytes\n", header.seq, request.portid(), message.payload.len());
            greet(request, header, message.payload)
        }
        // Control messages (NOOP, DONE, ...) carry no request for us.
        ty if ty < nlmsg::MIN_TYPE => return,
        _ => Err(knetlink::errno(EOPNOTSUPP)),
    };
    let answer = match result {
        // Success: an ACK only when asked for.
        Ok(()) if header.flags & nlmsg::F_ACK == 0 => return,
        Ok(()) => request.ack(header, 0),
        // Failure: always reported, ACK flag or not.
        Err(e) => request.ack(header, e.to_errno()),
    };
    if let Err(e) = answer {
        pr_warn!("could not answer port {}: {:?}\n", request.portid(), e);
    }
}

/// Answers a GREET: its payload is the greeting text (UTF-8, NUL padding
/// allowed); the answer is a GREET_REPLY echoing it, to the sender's port.
fn greet(request: &Request<'_>, header: &Header, payload: &[u8]) -> Result {
    // Check everything about the input before using it.
    let text = trim_nuls(payload);
    if text.is_empty() || core::str::from_utf8(text).is_err() {
        return Err(EINVAL);
    }
    if text.len() > MAX_GREETING {
        return Err(knetlink::errno(EMSGSIZE));
    }
    // TODO(exercise 2.2): Build the GREET_REPLY (the REPLY_PREFIX, the text, a NUL) with the request's sequence number, and send it to the sender's port id (request.portid(), never the header's pid).
    pr_info!("TODO: reply to port {} (seq {})\n", request.portid(), header.seq);
    let _ = REPLY_PREFIX;
    Err(knetlink::errno(EOPNOTSUPP))
}

/// The bytes before the first NUL (userspace may send C strings).
fn trim_nuls(bytes: &[u8]) -> &[u8] {
    match bytes.iter().position(|&b| b == 0) {
        Some(end) => &bytes[..end],
        None => bytes,
    }
}
