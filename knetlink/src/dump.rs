// SPDX-License-Identifier: GPL-2.0

//! Dumps: answers too big for one buffer, sent as the reader makes room.
//!
//! A dump request (`NLM_F_DUMP`) may ask for more than any socket buffer
//! holds: 100,000 routes are megabytes. The netlink core has the machinery
//! for it, `__netlink_dump_start`: it remembers a *dump callback* for the
//! requesting socket and calls it to fill one fresh buffer (a few KiB to
//! 32 KiB); then, each time the reader's `recvmsg` has made room in its
//! receive queue, it calls it again for the next buffer. When the callback
//! says it is done, the core appends `NLMSG_DONE` itself. Nothing is queued
//! ahead of the reader, so nothing is dropped and memory stays bounded: flow
//! control for free.
//!
//! A module describes one dump as a value of a type that implements
//! [`Dump`]: it holds the position (where the next buffer starts) and
//! whatever it needs to reach the data (a reference-counted `Arc`, say).
//! [`start`] hands it to the core, which owns it until the dump ends,
//! completely or because the reader closed its socket; then it is dropped.
//!
//! ## Consistency
//!
//! Between two buffers the data may change: a dump is not a snapshot. The
//! kernel tells the reader with `NLM_F_DUMP_INTR` (`nl_dump_check_consistent`
//! in `<net/netlink.h>`): each fill reports the data's *generation* (a
//! change counter, never 0) in the callback record (`cb->seq`); the first
//! message written after it differs from the generation of the message
//! before (`cb->prev_seq`) gets the flag, and so does `NLMSG_DONE` when no
//! message came after the change (the core checks it the same way). Only
//! that one message is flagged, so a reader remembers a flag it saw
//! anywhere in the dump, and dumps again. This layer flags the first
//! message of a fill; the core flags `NLMSG_DONE`.

use super::request::Request;
use super::socket::Handled;
use crate::wire::nlmsg::{self, Messages};
use crate::wire::writer::Writer;
use core::ffi::{c_int, c_void, CStr};
use kernel::bindings;
use kernel::prelude::*;

/// Who a dump answers (put `seq` and `portid` in every message header),
/// and the generation of the data a fill wrote from.
#[derive(Debug, Clone, Copy)]
pub struct DumpContext {
    /// The sequence number of the dump request.
    pub seq: u32,
    /// The port id of the requesting socket.
    pub portid: u32,
    /// The generation of the data this fill reads (`cb->seq`): a counter of
    /// changes that never repeats and is never 0. 0 means "not tracked": no
    /// `NLM_F_DUMP_INTR`, ever.
    pub generation: u32,
    /// The extended-ACK message for an error this fill returns (set it with
    /// [`DumpContext::error_message`]): the reader gets it with the error,
    /// after `NLMSG_DONE`'s status, when it turned on `NETLINK_EXT_ACK`.
    message: Option<&'static CStr>,
}

impl DumpContext {
    /// The flags of a dump part: `NLM_F_MULTI` (this layer adds
    /// `NLM_F_DUMP_INTR` where it is due).
    pub const FLAGS: u16 = nlmsg::F_MULTI;

    /// Says what is wrong when the fill returns an error (the kernel's
    /// `NL_SET_ERR_MSG(cb->extack, ...)`). A static string: the core sends
    /// it after the fill returned.
    pub fn error_message(&mut self, text: &'static CStr) {
        self.message = Some(text);
    }

    /// The context of a new dump answering request `seq` of port `portid`.
    pub(crate) fn new(seq: u32, portid: u32) -> DumpContext {
        DumpContext { seq, portid, generation: 0, message: None }
    }
}

// ANCHOR: trait
/// One running dump: its position and what it needs to read the data.
pub trait Dump: Send + 'static {
    /// Sets `ctx.generation` to the generation of the data (read under the
    /// same lock as the data), then appends whole messages (with
    /// [`DumpContext::FLAGS`], the context's `seq` and `portid`) to `out`
    /// until the next one does not fit, and returns whether more remain:
    /// `Ok(true)` to be called again with a fresh buffer, `Ok(false)` when
    /// everything was sent. An error ends the dump: the reader gets it in
    /// `NLMSG_DONE` (or, from the first fill, as the answer to its request).
    ///
    /// A message must fit in an empty buffer (a few KiB at least): a call
    /// that returns `Ok(true)` without writing anything ends the dump with
    /// `EMSGSIZE`, rather than looping forever.
    fn fill(&mut self, ctx: &mut DumpContext, out: &mut Writer<'_>) -> Result<bool>;
}
// ANCHOR_END: trait

/// What the core keeps for a dump between calls (`cb->data`).
struct Running<D> {
    ctx: DumpContext,
    dump: D,
}

/// Lives on the stack of [`start`] while `__netlink_dump_start` runs: the
/// start callback takes the state from here and says it did.
struct Launch<D> {
    state: *mut Running<D>,
    started: bool,
}

// ANCHOR: start
/// Starts a dump answering `request`: the core calls `dump` to fill the
/// first buffer now, and the next ones as the reader reads. Returns
/// [`Handled::Dumping`]: no ACK is due after a dump, even with `NLM_F_ACK`
/// (the core's `NLMSG_DONE` ends it).
///
/// Fails with `EBUSY` if the requesting socket is already dumping, or with
/// `ENOBUFS` when not even the first buffer could be had (the requester's
/// queue is full); `dump` is then dropped, and the handler returns the
/// error, which the requester gets as the answer to its request, as from
/// rtnetlink. An error of a fill, the first included, ends the dump with
/// that error in `NLMSG_DONE`.
pub fn start<D: Dump>(request: &Request<'_>, dump: D) -> Result<Handled> {
    let header = request.header();
    let ctx = DumpContext::new(header.seq, request.portid());
    let state = KBox::new(Running { ctx, dump }, GFP_KERNEL)?;
    let mut launch = Launch { state: KBox::into_raw(state), started: false };
    let mut control = bindings::netlink_dump_control {
        start: Some(start_cb::<D>),
        dump: Some(dump_cb::<D>),
        done: Some(done_cb::<D>),
        data: (&mut launch as *mut Launch<D>).cast::<c_void>(),
        module: crate::THIS_MODULE.as_ptr(),
        ..Default::default()
    };
    // SAFETY: the buffer and our socket are live during the input callback
    // (see `Request`); the request's header is a whole message inside that
    // buffer, which the core holds a reference on for the whole dump.
    // `control` is read during the call only. Its `data` points at
    // `launch`, which outlives the call; `start_cb` replaces it with the
    // state before the dump can run. `module` is this module: the core holds
    // a reference on it while the dump runs, so our callbacks stay loaded.
    let ret = unsafe {
        bindings::__netlink_dump_start(request.sock(), request.raw_skb(), request.raw_nlh(), &mut control)
    };
    if !launch.started {
        // The core refused before taking the state: it is still ours.
        // SAFETY: `launch.state` came from `KBox::into_raw` above and nobody
        // else has seen it (`start_cb` did not run).
        drop(unsafe { KBox::from_raw(launch.state) });
    }
    // -EINTR: started, the first buffer is on its way. Anything else is an
    // error for the requester: the socket was busy, or the first buffer
    // could not be had or filled (the core then owns and drops the state).
    match ret {
        r if r == -(bindings::EINTR as i32) => Ok(Handled::Dumping),
        0 => Ok(Handled::Dumping),
        r => Err(Error::from_errno(r.min(-1))),
    }
}
// ANCHOR_END: start

/// Called by the core once, before the first `dump_cb`: takes the state.
///
/// # Safety
///
/// Only the core calls it, with `cb->data` set from the control of
/// [`start`], i.e. pointing at the live `Launch<D>` on its stack.
unsafe extern "C" fn start_cb<D: Dump>(cb: *mut bindings::netlink_callback) -> c_int {
    // SAFETY: see the function's contract: `cb` is the core's callback
    // record, and its `data` is our `Launch<D>`, alive while `start` waits.
    unsafe {
        let launch = &mut *(*cb).data.cast::<Launch<D>>();
        launch.started = true;
        (*cb).data = launch.state.cast::<c_void>();
    }
    0
}

// ANCHOR: dump_cb
/// Called by the core for every buffer of the dump: lets the `Dump` fill
/// the buffer's free room (its *tailroom*).
///
/// # Safety
///
/// Only the core calls it, after `start_cb`, with a fresh linear buffer
/// `skb` and `cb->data` pointing at our `Running<D>`; calls for one dump
/// never overlap (the core holds the socket's dump mutex).
unsafe extern "C" fn dump_cb<D: Dump>(skb: *mut bindings::sk_buff, cb: *mut bindings::netlink_callback) -> c_int {
    // SAFETY: `cb->data` is the `Running<D>` that `start_cb` installed; only
    // this call uses it now (see the function's contract).
    let running = unsafe { &mut *(*cb).data.cast::<Running<D>>() };
    // SAFETY: see the function's contract, which is `fill_buffer`'s.
    unsafe { fill_buffer(skb, cb, &mut running.ctx, &mut running.dump) }
}

/// Lets `dump` fill the free room (the *tailroom*) of the dump buffer `skb`,
/// flags the first message `NLM_F_DUMP_INTR` when the data changed, and
/// returns what the core wants from a dump callback: the bytes written
/// (more to come), 0 (done) or a negative errno. Shared by [`start`]'s dumps
/// and generic netlink's (`super::genl`).
///
/// # Safety
///
/// Called from a dump callback of the core only, with its fresh linear
/// buffer `skb` and its live callback record `cb`; calls for one dump never
/// overlap (the core holds the socket's dump mutex).
pub(crate) unsafe fn fill_buffer(
    skb: *mut bindings::sk_buff,
    cb: *mut bindings::netlink_callback,
    ctx: &mut DumpContext,
    dump: &mut dyn Dump,
) -> c_int {
    // SAFETY: `skb` is a live buffer the core just allocated for us. Its
    // free room runs from `head + tail` to `head + end` (both offsets on
    // 64-bit kernels) and belongs to nobody yet; a buffer with paged data
    // (`data_len`) has none we may use. We zero the room before making a
    // slice of it, so that the slice holds only initialised bytes.
    let room = unsafe {
        let s = &*skb;
        if s.data_len != 0 || s.end < s.tail {
            return -(crate::wire::errno::EMSGSIZE);
        }
        let len = (s.end - s.tail) as usize;
        let at = s.head.add(s.tail as usize);
        core::ptr::write_bytes(at, 0, len);
        core::slice::from_raw_parts_mut(at, len)
    };
    let mut out = Writer::new(room);
    ctx.message = None;
    let result = dump.fill(ctx, &mut out);
    let written = out.len();
    if written > 0 {
        // SAFETY: `cb` is the core's live callback record (see the function's
        // contract); only this call uses it now.
        let cb = unsafe { &mut *cb };
        cb.seq = ctx.generation;
        // `nl_dump_check_consistent`, for the messages just written: only
        // the first can differ from the message before it.
        if cb.prev_seq != 0 && cb.seq != cb.prev_seq {
            mark_interrupted(out.as_bytes_mut());
        }
        cb.prev_seq = cb.seq;
        // SAFETY: `written` bytes of the tailroom were filled in; `skb_put`
        // makes them part of the buffer (it fits: `written` ≤ tailroom).
        unsafe { bindings::skb_put(skb, written as u32) };
    } else {
        // Nothing written: the generation still counts for NLMSG_DONE,
        // which the core checks against the last message's.
        // SAFETY: as above.
        unsafe { (*cb).seq = ctx.generation };
    }
    if let (Err(_), Some(text)) = (&result, ctx.message) {
        // SAFETY: `cb` is live (see above); `cb->extack`, when the core
        // set it, points at its extended-ACK record for this fill, which
        // it reads after we return (for NLMSG_DONE). The text is static.
        unsafe {
            let extack = (*cb).extack;
            if !extack.is_null() {
                (*extack)._msg = text.as_ptr().cast();
            }
        }
    }
    match result {
        Ok(true) if written > 0 => written as c_int,
        Ok(true) => -(crate::wire::errno::EMSGSIZE),
        Ok(false) => 0,
        Err(e) => e.to_errno(),
    }
}
// ANCHOR_END: dump_cb

/// Sets `NLM_F_DUMP_INTR` in the first message of `bytes` (whole messages
/// this layer's dump just wrote): the one `nl_dump_check_consistent` flags,
/// the first written after the generation changed.
fn mark_interrupted(bytes: &mut [u8]) {
    let Some(Ok(first)) = Messages::new(bytes).next() else { return };
    let mut header = first.header;
    header.flags |= nlmsg::F_DUMP_INTR;
    // Cannot fail: the header was just read from there.
    let _ = header.write_to(bytes);
}

/// Called by the core once, when the dump ends (done, failed, or the reader
/// closed its socket): drops the state.
///
/// # Safety
///
/// Only the core calls it, once, after `start_cb`, with `cb->data` pointing
/// at our `Running<D>`.
unsafe extern "C" fn done_cb<D: Dump>(cb: *mut bindings::netlink_callback) -> c_int {
    // SAFETY: the state came from `KBox::into_raw` in `start`, the core
    // owned it since `start_cb`, and no callback of this dump runs again.
    unsafe {
        let state = (*cb).data.cast::<Running<D>>();
        (*cb).data = core::ptr::null_mut();
        if !state.is_null() {
            drop(KBox::from_raw(state));
        }
    }
    0
}
