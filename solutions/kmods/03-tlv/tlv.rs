// SPDX-License-Identifier: GPL-2.0

//! Lesson 03: TLV records, kernel side.
//!
//! The module registers netlink protocol 31. A TLV_RECORDS message carries
//! records in the course's own TLV format (`wire::tlv`): names, websites and
//! employee ids. The module walks them with the student's own iterator and
//! macro (lessons/03-tlv/src/iter.rs, compiled in), logs the records it
//! understands, skips what it does not, and answers with a TLV_SUMMARY that
//! says how much of each kind it found.

use kernel::prelude::*;

#[allow(dead_code, unreachable_pub, unused_attributes, missing_docs)]
#[path = "wire/lib.rs"]
mod wire;

#[allow(dead_code, unreachable_pub)]
#[path = "knetlink/lib.rs"]
mod knetlink;

// ANCHOR: iter
// Your TlvIter and for_each_tlv! (exercises 3.1 and 3.2): the course tool
// copies lessons/03-tlv/src/iter.rs here, so the kernel walks TLVs with the
// code you wrote and tested in userspace.
#[allow(dead_code, unused_macros, unused_imports, unreachable_pub)]
mod iter;
// ANCHOR_END: iter

use knetlink::{ratelimit, ExtAck, Handled, Handler, Request, Socket};
use wire::errno::{EMSGSIZE, EOPNOTSUPP};
use wire::nlmsg;
use wire::proto::{self, TlvSummary};
use wire::tlv;

module! {
    type: TlvModule,
    name: "tlv",
    author: "The netlink course",
    description: "Lesson 03: TLV records over netlink protocol 31",
    license: "GPL",
}

// ANCHOR: limit
/// The largest TLV_RECORDS payload accepted, in bytes. Every unit of every
/// record is logged, so this bounds the work (and the log lines) that one
/// request can cause: at most 512 employee ids.
const MAX_RECORDS_LEN: usize = 4096;
// ANCHOR_END: limit

/// The module: while it lives, protocol 31 is served.
struct TlvModule {
    _socket: Socket<Recorder>,
}

/// The handler of protocol 31. Like lesson 02's, it keeps no state: each
/// request is summarised on its own, so concurrent senders need no lock.
struct Recorder;

impl kernel::Module for TlvModule {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        let socket = Socket::new(proto::NETLINK_COURSE, 0, KBox::pin(Recorder, GFP_KERNEL)?)?;
        pr_info!("listening on netlink protocol {}\n", proto::NETLINK_COURSE);
        Ok(TlvModule { _socket: socket })
    }
}

impl Drop for TlvModule {
    fn drop(&mut self) {
        pr_info!("protocol {} released\n", proto::NETLINK_COURSE);
    }
}

// ANCHOR: handle
impl Handler for Recorder {
    /// One request of a batch (the kernel's `netlink_rcv_skb` walks the
    /// batch, and acknowledges: see knetlink).
    fn request(&self, request: &Request<'_>, extack: &mut ExtAck<'_>) -> Result<Handled> {
        let header = request.header();
        if header.ty != proto::TLV_RECORDS {
            // No message: rtnetlink sends none for an unknown type either.
            return Err(knetlink::errno(EOPNOTSUPP));
        }
        if ratelimit::allow() {
            pr_info!("TLV_RECORDS seq {} from port {}: {} bytes\n", header.seq, request.portid(), request.payload().len());
        }
        records(request, extack)?;
        Ok(Handled::Done)
    }
}
// ANCHOR_END: handle

// ANCHOR: records
/// Answers a TLV_RECORDS request: checks its size, summarises its TLVs, and
/// sends the summary back to the sender's port with the request's sequence
/// number.
fn records(request: &Request<'_>, extack: &mut ExtAck<'_>) -> Result {
    let (header, payload) = (request.header(), request.payload());
    if payload.is_empty() {
        extack.message(c"no TLV records");
        return Err(EINVAL);
    }
    if payload.len() > MAX_RECORDS_LEN {
        extack.message(c"more than 4096 bytes of TLV records");
        return Err(knetlink::errno(EMSGSIZE));
    }
    let summary = summarize(payload).inspect_err(|_| extack.message(c"broken TLV framing"))?;
    if ratelimit::allow() {
        pr_info!(
            "summary for port {} (seq {}): {} names, {} websites, {} ids, {} skipped\n",
            request.portid(),
            header.seq,
            summary.names,
            summary.websites,
            summary.ids,
            summary.skipped
        );
    }
    // 16 bytes of header and 16 of summary: a buffer on the stack will do.
    let mut buf = [0u8; nlmsg::HDRLEN + proto::TLV_SUMMARY_LEN];
    let mut w = wire::writer::Writer::new(&mut buf);
    w.message(proto::TLV_SUMMARY, 0, header.seq, request.portid(), &summary.to_bytes())
        .map_err(|_| knetlink::errno(EMSGSIZE))?;
    request.reply(w.as_bytes())
}
// ANCHOR_END: records

// ANCHOR: summarize
/// Walks the TLVs of a TLV_RECORDS payload with your `for_each_tlv!`, logs
/// the records it understands, and counts them. A TLV of an unknown type or
/// a wrong size (the macro skips those), or with a bad string, is skipped
/// and counted as skipped; a broken framing refuses the whole request.
fn summarize(payload: &[u8]) -> Result<TlvSummary> {
    // EXERCISE 3.3: Walk the payload with iter::for_each_tlv!: count each known TLV's units (record() logs them) into names, websites or ids, count a TLV whose record() fails as skipped, add the TLVs the macro skipped; if the walk stopped at an error (Truncated, BadLength), return that error's errno.
    let mut summary = TlvSummary::default();
    let mut bad_strings: u32 = 0;
    let walked = iter::for_each_tlv!(payload, |ty, _len, value| {
        let counter = match ty {
            tlv::NAME => &mut summary.names,
            tlv::WEBSITE => &mut summary.websites,
            _ => &mut summary.ids,
        };
        match record(ty, value) {
            Ok(units) => *counter = counter.saturating_add(units),
            Err(_) => bad_strings = bad_strings.saturating_add(1),
        }
    });
    // A cut header or a value past the end: nobody knows where the next
    // TLV would start, so the request is refused.
    let skipped = walked.map_err(|e| knetlink::errno(e.errno()))?;
    summary.skipped = u32::try_from(skipped).unwrap_or(u32::MAX).saturating_add(bad_strings);
    Ok(summary)
    // STARTER
    // pr_info!("TODO: walk the {} bytes of TLVs and summarize them\n", payload.len());
    // let _ = record; // what you will need, with for_each_tlv!
    // Err(knetlink::errno(EOPNOTSUPP))
    // END
}
// ANCHOR_END: summarize

// ANCHOR: record
/// Logs the units of one TLV of a known type `ty` (its `value` a whole
/// number of units) and returns how many there are. Every unit is checked
/// before any is logged: a string unit needs a NUL and UTF-8 text before it.
/// If one fails, nothing is logged and the error comes back, so a TLV counts
/// whole or not at all. Lines are rate-limited (see knetlink's ratelimit).
fn record(ty: u8, value: &[u8]) -> core::result::Result<u32, wire::Error> {
    let tlv = tlv::Tlv { ty, value };
    if matches!(ty, tlv::NAME | tlv::WEBSITE) {
        for unit in tlv.units() {
            tlv::unit_str(unit)?;
        }
    }
    let mut count: u32 = 0;
    for unit in tlv.units() {
        // `{:?}` quotes the text and escapes control characters: whatever a
        // sender puts in a name, it cannot forge lines in the kernel log.
        if ratelimit::allow() {
            match ty {
                tlv::NAME => pr_info!("name {:?}\n", tlv::unit_str(unit)?),
                tlv::WEBSITE => pr_info!("website {:?}\n", tlv::unit_str(unit)?),
                _ => pr_info!("employee id {}\n", tlv::unit_u64(unit)?),
            }
        }
        count = count.saturating_add(1);
    }
    Ok(count)
}
// ANCHOR_END: record
