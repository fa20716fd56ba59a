// SPDX-License-Identifier: GPL-2.0

//! Lesson 03: TLV records, kernel side.
//!
//! The module registers netlink protocol 31. A TLV_RECORDS message carries
//! records in the course's own TLV format (`wire::tlv`): names, websites and
//! employee ids. The module walks them with the shared decoder, logs every
//! record it understands, skips what it does not, and answers with a
//! TLV_SUMMARY that says how much of each kind it found.

use kernel::prelude::*;

#[allow(dead_code, unreachable_pub, unused_attributes, missing_docs)]
#[path = "wire/lib.rs"]
mod wire;

#[allow(dead_code, unreachable_pub)]
#[path = "knetlink/lib.rs"]
mod knetlink;

use knetlink::{Handler, Request, Socket};
use wire::errno::{EMSGSIZE, EOPNOTSUPP};
use wire::nlmsg::{self, Header, Message};
use wire::proto::{self, TlvSummary};
use wire::tlv::{self, Tlv, Tlvs};

module! {
    type: TlvModule,
    name: "tlv",
    author: "The netlink course",
    description: "Lesson 03: TLV records over netlink protocol 31",
    license: "GPL",
}

/// The largest TLV_RECORDS payload accepted, in bytes. Every unit of every
/// record is logged, so this bounds the work (and the log lines) that one
/// request can cause: at most 512 employee ids.
const MAX_RECORDS_LEN: usize = 4096;

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

impl Handler for Recorder {
    fn receive(&self, request: &Request<'_>) {
        // A batch is handled message by message, with lesson 02's loop as
        // knetlink offers it: a header that cannot be trusted ends the batch.
        for message in request.messages() {
            handle(request, &message);
        }
    }
}

/// Handles one message and sends its answers: the summary (and an ACK when
/// asked for), or an NLMSG_ERROR. A message that is not a request is ignored.
fn handle(request: &Request<'_>, message: &Message<'_>) {
    let header = &message.header;
    if header.flags & nlmsg::F_REQUEST == 0 {
        return;
    }
    let result = match header.ty {
        proto::TLV_RECORDS => {
            pr_info!(
                "TLV_RECORDS seq {} from port {}: {} bytes\n",
                header.seq,
                request.portid(),
                message.payload.len()
            );
            records(request, header, message.payload)
        }
        ty if ty < nlmsg::MIN_TYPE => return,
        _ => Err(knetlink::errno(EOPNOTSUPP)),
    };
    let answer = match result {
        Ok(()) if header.flags & nlmsg::F_ACK == 0 => return,
        Ok(()) => request.ack(header, 0),
        Err(e) => request.ack(header, e.to_errno()),
    };
    if let Err(e) = answer {
        pr_warn!("could not answer port {}: {:?}\n", request.portid(), e);
    }
}

/// Answers a TLV_RECORDS request: checks its size, summarises its TLVs, and
/// sends the summary back to the sender's port with the request's sequence
/// number.
fn records(request: &Request<'_>, header: &Header, payload: &[u8]) -> Result {
    if payload.is_empty() {
        return Err(EINVAL);
    }
    if payload.len() > MAX_RECORDS_LEN {
        return Err(knetlink::errno(EMSGSIZE));
    }
    let summary = summarize(payload)?;
    pr_info!(
        "summary for port {} (seq {}): {} names, {} websites, {} ids, {} skipped\n",
        request.portid(),
        header.seq,
        summary.names,
        summary.websites,
        summary.ids,
        summary.skipped
    );
    // 16 bytes of header and 16 of summary: a buffer on the stack will do.
    let mut buf = [0u8; nlmsg::HDRLEN + proto::TLV_SUMMARY_LEN];
    let mut w = wire::writer::Writer::new(&mut buf);
    w.message(proto::TLV_SUMMARY, 0, header.seq, request.portid(), &summary.to_bytes())
        .map_err(|_| knetlink::errno(EMSGSIZE))?;
    request.reply(w.as_bytes())
}

/// Walks the TLVs of a TLV_RECORDS payload with the shared decoder, logs the
/// records it understands, and counts them. A TLV of an unknown type, of a
/// wrong size, or with a bad string is skipped (and counted as skipped); a
/// broken framing refuses the whole request.
fn summarize(payload: &[u8]) -> Result<TlvSummary> {
    // TODO(exercise 3.3): Walk Tlvs::new(payload): count each known TLV's units (record() logs them) into names, websites or ids; skip and count an unknown type, a BadSize TLV or a bad string, and go on; on Truncated or BadLength stop and return the error's errno.
    pr_info!("TODO: walk the {} bytes of TLVs and summarize them\n", payload.len());
    let _ = (Tlvs::new(payload), record); // what you will need
    Err(knetlink::errno(EOPNOTSUPP))
}

/// Logs the units of one TLV of a known type and returns how many there
/// are. Every unit is checked before any is logged: a string unit needs a
/// NUL and UTF-8 text before it. If one fails, nothing is logged and the
/// error comes back, so a TLV counts whole or not at all.
fn record(tlv: &Tlv<'_>) -> core::result::Result<u32, wire::Error> {
    if matches!(tlv.ty, tlv::NAME | tlv::WEBSITE) {
        for unit in tlv.units() {
            tlv::unit_str(unit)?;
        }
    }
    let mut count: u32 = 0;
    for unit in tlv.units() {
        // `{:?}` quotes the text and escapes control characters: whatever a
        // sender puts in a name, it cannot forge lines in the kernel log.
        match tlv.ty {
            tlv::NAME => pr_info!("name {:?}\n", tlv::unit_str(unit)?),
            tlv::WEBSITE => pr_info!("website {:?}\n", tlv::unit_str(unit)?),
            tlv::EMPLOYEE_ID => pr_info!("employee id {}\n", tlv::unit_u64(unit)?),
            // An unknown type has no units: the loop never gets here.
            _ => {}
        }
        count = count.saturating_add(1);
    }
    Ok(count)
}
