// SPDX-License-Identifier: GPL-2.0

//! Lesson 02: the netlink hello world, kernel side, on the kernel's own API.
//!
//! The module registers netlink protocol 31 with `netlink_kernel_create`.
//! For every GREET message that userspace sends, its input callback answers
//! with a GREET_REPLY message to the sender's socket, and with an ACK when
//! the request asks for one. Everything is done with the kernel's netlink
//! functions, as a C module would: the 6.12 Rust bindings (`kernel::bindings`)
//! are those functions, and each call into them is an `unsafe` block whose
//! safety comment says why it is sound. (From lesson 03 on, the course's
//! `knetlink` layer wraps these calls in safe types.)

use core::ffi::{c_int, CStr};
use kernel::bindings;
use kernel::prelude::*;

// ANCHOR: includes
// The wire formats (constants, headers, the message iterator), shared with
// the userspace program.
#[allow(dead_code, unreachable_pub, unused_attributes, missing_docs)]
#[path = "wire/lib.rs"]
mod wire;

// At most a few log lines per burst, whatever userspace sends.
#[allow(dead_code, unreachable_pub)]
#[path = "knetlink/ratelimit.rs"]
mod ratelimit;
// ANCHOR_END: includes

use wire::nlmsg::{self, Message, Messages};
use wire::proto;

module! {
    type: GreetModule,
    name: "greet",
    author: "The netlink course",
    description: "Lesson 02: greet over netlink protocol 31",
    license: "GPL",
}

extern "C" {
    /// The initial network namespace. The kernel exports it, but the 6.12
    /// bindings do not declare it; only its address is used.
    static mut init_net: bindings::net;
}

/// The longest greeting we accept, in bytes.
const MAX_GREETING: usize = 256;
/// What the module puts before the echoed greeting.
const REPLY_PREFIX: &[u8] = b"Hello from the kernel! You said: ";

/// The module: while it lives, protocol 31 is served.
///
/// # Invariants
///
/// `sock` is the kernel socket `__netlink_kernel_create` returned; it is
/// released exactly once, when the module is dropped.
struct GreetModule {
    sock: *mut bindings::sock,
}

// SAFETY: the socket pointer is only handed to kernel functions, which may
// be called from any thread (module init and exit run on different ones).
unsafe impl Send for GreetModule {}
// SAFETY: `&GreetModule` gives access to nothing but that pointer.
unsafe impl Sync for GreetModule {}

// ANCHOR: create
impl kernel::Module for GreetModule {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        // What `netlink_kernel_create` needs to know: the input callback.
        // (No multicast groups in this lesson; everything else 0.)
        let mut cfg = bindings::netlink_kernel_cfg { input: Some(greet_input), ..Default::default() };
        // SAFETY: `init_net` is the kernel's static initial namespace (only
        // its address is taken); `cfg` is a valid configuration, which the
        // call copies; `THIS_MODULE` is this module, which the core records
        // so that every userspace socket of the protocol keeps the module
        // loaded. (`netlink_kernel_create` is a static inline wrapper of
        // this function in C, which is why it is not in the bindings.)
        let sock = unsafe {
            bindings::__netlink_kernel_create(
                core::ptr::addr_of_mut!(init_net),
                proto::NETLINK_COURSE,
                THIS_MODULE.as_ptr(),
                &mut cfg,
            )
        };
        if sock.is_null() {
            pr_err!("netlink protocol {} is taken\n", proto::NETLINK_COURSE);
            return Err(EBUSY);
        }
        // Nothing may fail after this: userspace can send as soon as the
        // protocol exists, and a module whose init fails is freed at once.
        pr_info!("listening on netlink protocol {}\n", proto::NETLINK_COURSE);
        Ok(GreetModule { sock })
    }
}
// ANCHOR_END: create

// ANCHOR: release
impl Drop for GreetModule {
    fn drop(&mut self) {
        // SAFETY: `self.sock` is live (invariant) and released only here.
        // No input callback runs: one runs only inside a `sendmsg` on a
        // userspace socket of the protocol, and each such socket keeps the
        // module loaded, so none exists while the module unloads.
        unsafe { bindings::netlink_kernel_release(self.sock) };
        pr_info!("protocol {} released\n", proto::NETLINK_COURSE);
    }
}
// ANCHOR_END: release

// ANCHOR: input
/// The input callback: the netlink core calls it for every buffer a
/// userspace `sendmsg` delivers to protocol 31, in the sending process's
/// context, possibly on several CPUs at once, and frees the buffer when it
/// returns.
///
/// # Safety
///
/// Called by the netlink core only, with a live socket buffer.
unsafe extern "C" fn greet_input(skb: *mut bindings::sk_buff) {
    // SAFETY: the core passes a live buffer and keeps it until we return.
    // Netlink makes the buffers of userspace messages in one linear piece,
    // so `data` points at `len` readable bytes (`data_len`, the part in page
    // fragments, is 0; if it were not, we would use only the linear part).
    // We only read them, and `bytes` does not outlive this call.
    let bytes = unsafe {
        let s = &*skb;
        let linear = s.len.saturating_sub(s.data_len) as usize;
        if s.data.is_null() || linear == 0 {
            return;
        }
        core::slice::from_raw_parts(s.data, linear)
    };
    // ANCHOR_END: input
    // SAFETY: the core's buffer is live until we return.
    let portid = unsafe { sender_portid(skb) };

    // ANCHOR: walk
    // One sendmsg may carry a batch: every message in it is handled. The
    // iterator checks each header's length against what arrived; a header
    // that cannot be trusted ends the batch, silently, as the kernel's own
    // `netlink_rcv_skb` does (nothing after it can be located).
    for message in Messages::new(bytes) {
        let Ok(message) = message else { break };
        handle(skb, portid, &message);
    }
    // ANCHOR_END: walk
}

// ANCHOR: portid
/// The port id of the socket that sent `skb`, as the kernel recorded it when
/// the buffer arrived: `NETLINK_CB(skb).portid`, kept in the buffer's
/// control block. Not the `nlmsg_pid` of a header, which the sender writes
/// (any value it likes).
///
/// # Safety
///
/// `skb` must be a live buffer that netlink delivered to our socket.
unsafe fn sender_portid(skb: *mut bindings::sk_buff) -> u32 {
    // SAFETY: the buffer is live (the caller's duty); for a netlink buffer
    // its 48-byte `cb` holds a `netlink_skb_parms`, which the core filled in
    // before delivering it. An unaligned read copies it out.
    unsafe { core::ptr::addr_of!((*skb).cb).cast::<bindings::netlink_skb_parms>().read_unaligned() }.portid
}
// ANCHOR_END: portid

// ANCHOR: handle
/// Handles one message with the kernel's rules (`netlink_rcv_skb`): only a
/// request (`NLM_F_REQUEST`) of a type of at least `NLMSG_MIN_TYPE` is
/// processed; any message is acknowledged when it asks (`NLM_F_ACK`),
/// processed or not, and an error is always answered.
fn handle(skb: *mut bindings::sk_buff, portid: u32, message: &Message<'_>) {
    let header = &message.header;
    let is_request = header.flags & nlmsg::F_REQUEST != 0 && header.ty >= nlmsg::MIN_TYPE;
    let result = match header.ty {
        _ if !is_request => Ok(()),
        proto::GREET => greet(skb, portid, message),
        // No message: the kernel's protocols send none for an unknown type.
        _ => Err((eopnotsupp(), None)),
    };
    match result {
        Ok(()) if header.flags & nlmsg::F_ACK == 0 => {}
        Ok(()) => ack(skb, message, 0, None),
        Err((err, why)) => ack(skb, message, err.to_errno(), why),
    }
}
// ANCHOR_END: handle

/// `EOPNOTSUPP`: the 6.12 `kernel` crate has no constant for it.
fn eopnotsupp() -> Error {
    Error::from_errno(-(bindings::EOPNOTSUPP as c_int))
}

/// `EMSGSIZE`, likewise.
fn emsgsize() -> Error {
    Error::from_errno(-(bindings::EMSGSIZE as c_int))
}

// ANCHOR: ack
/// Acknowledges `message` with `err` (0: success) through the kernel's
/// `netlink_ack`, which builds the `NLMSG_ERROR` reply as every netlink
/// protocol's is: the request's header (and, for an error, its payload,
/// unless the socket set `NETLINK_CAP_ACK`), and `why` as the extended-ACK
/// message when the socket set `NETLINK_EXT_ACK`.
fn ack(skb: *mut bindings::sk_buff, message: &Message<'_>, err: c_int, why: Option<&'static CStr>) {
    // The request's header inside the received buffer: 16 bytes before
    // its payload (the iterator gave us both from `bytes`).
    let nlh = message.payload.as_ptr().wrapping_sub(nlmsg::HDRLEN).cast_mut().cast::<bindings::nlmsghdr>();
    let mut extack = bindings::netlink_ext_ack::default();
    if let Some(why) = why {
        extack._msg = why.as_ptr().cast();
    }
    // SAFETY: `skb` is the live received buffer and `nlh` a whole message
    // inside it (the iterator checked its length); `netlink_ack` reads
    // both, and `extack` (whose message is a static string), while it
    // builds and unicasts the reply to `NETLINK_CB(skb).portid`.
    unsafe { bindings::netlink_ack(skb, nlh, err, &extack) };
}
// ANCHOR_END: ack

// ANCHOR: greet
/// Answers a GREET: its payload is the greeting text (UTF-8, NUL padding
/// allowed); the answer is a GREET_REPLY echoing it, to the sender's port.
fn greet(skb: *mut bindings::sk_buff, portid: u32, message: &Message<'_>) -> Result<(), (Error, Option<&'static CStr>)> {
    // Check everything about the input before using it.
    let text = trim_nuls(message.payload);
    if text.is_empty() {
        return Err((EINVAL, Some(c"the greeting is empty")));
    }
    if core::str::from_utf8(text).is_err() {
        return Err((EINVAL, Some(c"the greeting is not UTF-8")));
    }
    if text.len() > MAX_GREETING {
        return Err((emsgsize(), Some(c"greetings are at most 256 bytes")));
    }
    if ratelimit::allow() {
        pr_info!("GREET seq {} from port {}: {} bytes\n", message.header.seq, portid, text.len());
    }
    reply(skb, message, text).map_err(|e| (e, Some(c"the reply could not be sent")))
}
// ANCHOR_END: greet

// ANCHOR: reply
/// Sends the GREET_REPLY to the request `message` (in the received buffer
/// `skb`), whose greeting is `text`: the REPLY_PREFIX, the text and a NUL (C
/// programs print it), with the request's sequence number, to the sender.
fn reply(skb: *mut bindings::sk_buff, message: &Message<'_>, text: &[u8]) -> Result {
    let seq = message.header.seq;
    let payload_len = REPLY_PREFIX.len() + text.len() + 1;
    // `nlmsg_new(payload_len, GFP_KERNEL)`: a buffer with room for one
    // message of that payload, header and padding included.
    let size = nlmsg::space(payload_len).ok_or_else(emsgsize)?;
    // SAFETY: `__alloc_skb` may be called with any size from process context
    // (we run in the sender's); flags 0 ask for a plain buffer, NUMA_NO_NODE
    // for memory on any node. It returns a new buffer or null.
    let out = unsafe { bindings::__alloc_skb(size as u32, bindings::GFP_KERNEL, 0, bindings::NUMA_NO_NODE) };
    if out.is_null() {
        return Err(ENOMEM);
    }
    // EXERCISE 2.2: Find the sender's port id (the one the kernel recorded), put the GREET_REPLY header in `out` with __nlmsg_put (that port id, the request's seq, payload_len), copy REPLY_PREFIX, the text and a NUL after it, and send it with netlink_unicast to that port (MSG_DONTWAIT), in unsafe blocks whose SAFETY comments say why each call is sound. netlink_unicast frees `out` whatever happens.
    // SAFETY: `skb` is the received buffer, live while its callback runs.
    let portid = unsafe { sender_portid(skb) };
    // `nlmsg_put`: the header, and room for the payload after it.
    // SAFETY: `out` is ours and has room for the whole message (`size`
    // bytes), so `__nlmsg_put` does not run out of tailroom; it writes the
    // header, reserves `payload_len` bytes after it and zeroes the padding.
    let nlh = unsafe { bindings::__nlmsg_put(out, portid, seq, proto::GREET_REPLY.into(), payload_len as c_int, 0) };
    // `NLMSG_DATA(nlh)`: the payload starts right after the 16-byte header.
    // SAFETY: `__nlmsg_put` reserved `payload_len` bytes there, which
    // belong to `out` (ours) and overlap nothing we read from.
    unsafe {
        let data = nlh.cast::<u8>().add(nlmsg::HDRLEN);
        core::ptr::copy_nonoverlapping(REPLY_PREFIX.as_ptr(), data, REPLY_PREFIX.len());
        core::ptr::copy_nonoverlapping(text.as_ptr(), data.add(REPLY_PREFIX.len()), text.len());
        data.add(payload_len - 1).write(0);
    }
    // SAFETY: `skb->sk` is our kernel socket, live while its input callback
    // runs; `out` is a whole message we own and give away: `netlink_unicast`
    // frees it on every path, errors included, so we never touch it again.
    // `portid` is the sender's port id as the kernel recorded it.
    let sent = unsafe { bindings::netlink_unicast((*skb).sk, out, portid, bindings::MSG_DONTWAIT as c_int) };
    if sent < 0 {
        return Err(Error::from_errno(sent));
    }
    if ratelimit::allow() {
        pr_info!("greeted port {} (seq {})\n", portid, seq);
    }
    Ok(())
    // STARTER
    // let _ = (skb, text, REPLY_PREFIX, sender_portid);
    // pr_info!("TODO: reply to seq {}\n", seq);
    // // SAFETY: `out` is ours and was never sent: freeing it here is the one
    // // free it gets (`kfree_skb` in C, a static inline wrapper of this).
    // unsafe { bindings::sk_skb_reason_drop(core::ptr::null_mut(), out, bindings::skb_drop_reason_SKB_DROP_REASON_NOT_SPECIFIED) };
    // Err(eopnotsupp())
    // END
}
// ANCHOR_END: reply

/// The bytes before the first NUL (userspace may send C strings).
fn trim_nuls(bytes: &[u8]) -> &[u8] {
    match bytes.iter().position(|&b| b == 0) {
        Some(end) => &bytes[..end],
        None => bytes,
    }
}
