//! Finding exchanges in a capture: a request, the reply the kernel sent to
//! the requester's port with the request's sequence number, and the ACK of
//! that request. What lesson 02 promises, checked on the real traffic.

use super::direction::Direction;
use super::pcap::Frame;
use wire::nlmsg::{self, ErrorPayload, Header, Messages};

/// One message of a capture, with where it was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Msg {
    /// The frame's number, from 1, as in the listing.
    pub frame: usize,
    /// Which way the frame went.
    pub direction: Direction,
    /// The netlink protocol.
    pub protocol: u16,
    /// The message header.
    pub header: Header,
    /// The payload.
    pub payload: Vec<u8>,
}

/// Every well-formed message of `frames`, in order.
pub fn messages(frames: &[Frame]) -> Vec<Msg> {
    let mut out = Vec::new();
    for (i, f) in frames.iter().enumerate() {
        let direction = Direction::of(&f.data);
        for m in Messages::new(&f.data).map_while(Result::ok) {
            out.push(Msg {
                frame: i + 1,
                direction,
                protocol: f.cooked.protocol,
                header: m.header,
                payload: m.payload.to_vec(),
            });
        }
    }
    out
}

/// A request with `NLM_F_ACK`, its reply and its ACK.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exchange {
    /// The request, to the kernel.
    pub request: Msg,
    /// The reply: from the kernel, same sequence number, to the request's port.
    pub reply: Msg,
    /// The ACK: `NLMSG_ERROR` with error 0 naming the request's type,
    /// sequence number and port, sent to that port.
    pub ack: Msg,
}

/// For every request of type `request` on `protocol` that asks for an ACK,
/// its exchange, or what is missing from it. A reply or ACK counts only if it
/// comes after the request and, the ACK, after the reply.
pub fn find(frames: &[Frame], protocol: u16, request: u16, reply: u16) -> Vec<Result<Exchange, String>> {
    let all = messages(frames);
    let mut out = Vec::new();
    for (i, req) in all.iter().enumerate() {
        let h = req.header;
        if req.protocol != protocol || req.direction != Direction::ToKernel || h.ty != request || !h.has(nlmsg::F_ACK) {
            continue;
        }
        let (seq, port) = (h.seq, h.pid);
        // From the kernel, to the requester's port, with the request's seq.
        let answers = |m: &&Msg| {
            m.protocol == protocol
                && m.direction == Direction::FromKernel
                && m.header.seq == seq
                && m.header.pid == port
        };
        let Some((j, rep)) =
            all.iter().enumerate().skip(i + 1).filter(|(_, m)| answers(m)).find(|(_, m)| m.header.ty == reply)
        else {
            out.push(Err(format!("no reply to the request of frame {} (seq {seq}, port {port})", req.frame)));
            continue;
        };
        let acks = |m: &&Msg| {
            m.header.ty == nlmsg::ERROR
                && ErrorPayload::parse(&m.payload).is_ok_and(|e| {
                    e.is_ack() && e.request.ty == request && e.request.seq == seq && e.request.pid == port
                })
        };
        match all[j + 1..].iter().filter(answers).find(acks) {
            Some(ack) => out.push(Ok(Exchange { request: req.clone(), reply: rep.clone(), ack: ack.clone() })),
            None => out.push(Err(format!("no ACK after the reply of frame {} (seq {seq}, port {port})", rep.frame))),
        }
    }
    out
}
