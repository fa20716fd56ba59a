//! `rtm bench`: how fast do routes go in? Into the module, and into the
//! kernel's own routing table through rtnetlink, one request per `sendmsg`
//! and in batches. It prints figures and asserts nothing.

use crate::session;
use nlsock::Socket;
use std::io;
use std::time::{Duration, Instant};
use wire::nlmsg;
use wire::writer::Writer;
use wire::{proto, rtm};

/// Messages per sendmsg in the batched runs.
const CHUNK: u32 = 256;

/// Which kernel side receives the routes.
#[derive(Clone, Copy)]
enum Target {
    /// Our module, table `bench-N`.
    Module,
    /// The kernel's main routing table, routes via `lo` (rtnetlink).
    Kernel,
}

/// Appends the request adding route number `i` of a run to `w`.
fn put_request(w: &mut Writer<'_>, target: Target, base: u32, i: u32, seq: u32) -> Result<(), wire::Error> {
    let flags = nlmsg::F_REQUEST | nlmsg::F_ACK | nlmsg::F_CREATE | nlmsg::F_EXCL;
    let addr = base.wrapping_add(i).to_be_bytes();
    match target {
        Target::Module => {
            let m = w.start(rtm::ROUTE_NEW, flags, seq, 0)?;
            let route = rtm::Route { dst: rtm::Prefix { addr, len: 32 }, gateway: [10, 255, 0, 1], oif: "eth0" };
            rtm::put_route(w, "bench", &route)?;
            w.finish(m).map(|_| ())
        }
        Target::Kernel => {
            // RTM_NEWROUTE: struct rtmsg, then RTA_DST and RTA_OIF.
            let m = w.start(libc::RTM_NEWROUTE, flags, seq, 0)?;
            let rtmsg = [
                libc::AF_INET as u8, // rtm_family
                32,                  // rtm_dst_len
                0,                   // rtm_src_len
                0,                   // rtm_tos
                libc::RT_TABLE_MAIN, // rtm_table
                libc::RTPROT_STATIC, // rtm_protocol
                libc::RT_SCOPE_LINK, // rtm_scope
                libc::RTN_UNICAST,   // rtm_type
            ];
            w.put_payload(&rtmsg)?;
            w.put_payload(&0u32.to_ne_bytes())?; // rtm_flags
            w.put_attr(libc::RTA_DST, &addr)?;
            w.put_u32(libc::RTA_OIF, 1)?; // lo is interface 1
            w.finish(m).map(|_| ())
        }
    }
}

/// Adds `count` routes, `per_send` messages per sendmsg, waiting for the
/// ACKs of each sendmsg before the next. Returns the time and the failures.
fn add(sock: &Socket, target: Target, base: u32, count: u32, per_send: u32) -> io::Result<(Duration, u32, i32)> {
    let mut buf = vec![0u8; per_send as usize * 128];
    let mut rbuf = vec![0u8; session::RECV_BUF];
    let (mut failed, mut first_error) = (0, 0);
    let start = Instant::now();
    let mut i = 0;
    while i < count {
        let n = per_send.min(count - i);
        let mut w = Writer::new(&mut buf);
        for k in 0..n {
            put_request(&mut w, target, base, i + k, i + k + 1).map_err(io::Error::other)?;
        }
        sock.send(w.as_bytes())?;
        let mut answered = 0;
        while answered < n {
            let datagram = sock.recv(&mut rbuf)?;
            for m in datagram.messages() {
                let m = m.map_err(io::Error::other)?;
                if let Some(Ok(e)) = m.error_payload() {
                    let e = e.errno();
                    answered += 1;
                    if e != 0 {
                        failed += 1;
                        if first_error == 0 {
                            first_error = e;
                        }
                    }
                }
            }
        }
        i += n;
    }
    Ok((start.elapsed(), failed, first_error))
}

fn report(what: &str, count: u32, (time, failed, first): (Duration, u32, i32)) {
    let rate = f64::from(count) / time.as_secs_f64().max(1e-9);
    print!("{what:<44} {count:>7} routes in {:>8.3} s = {rate:>9.0} routes/s", time.as_secs_f64());
    if failed > 0 {
        print!("  ({failed} failed, first: {})", wire::errno::name(first));
    }
    println!();
}

// ANCHOR: run
/// Runs the four measurements.
pub fn run(count: u32) -> Result<(), String> {
    let count = count.min(1 << 18);
    let e = |e: io::Error| e.to_string();
    let module = Socket::open(proto::NETLINK_COURSE).map_err(e)?;
    let kernel = Socket::open(libc::NETLINK_ROUTE).map_err(e)?;
    for s in [&module, &kernel] {
        // Room for the ACKs of a whole chunk.
        s.set_recv_buffer(1 << 20).map_err(e)?;
        s.set_recv_timeout(Some(Duration::from_secs(5))).map_err(e)?;
    }
    // A fresh table "bench" in the module.
    let mut s = crate::session::Session::open().map_err(e)?;
    let _ = s.request(rtm::TABLE_DEL, 0, |w| rtm::put_table(w, "bench", None));
    s.request(rtm::TABLE_NEW, nlmsg::F_CREATE, |w| rtm::put_table(w, "bench", None)).map_err(|f| f.to_string())?;
    // Four disjoint ranges of /32 prefixes.
    let base = |second: u32| u32::from_be_bytes([10, 0, 0, 0]) + (second << 18);
    report("module, 1 route per sendmsg", count, add(&module, Target::Module, base(0), count, 1).map_err(e)?);
    report(
        &format!("module, {CHUNK} routes per sendmsg"),
        count,
        add(&module, Target::Module, base(1), count, CHUNK).map_err(e)?,
    );
    report(
        "rtnetlink (main table), 1 route per sendmsg",
        count,
        add(&kernel, Target::Kernel, base(2), count, 1).map_err(e)?,
    );
    report(
        &format!("rtnetlink (main table), {CHUNK} per sendmsg"),
        count,
        add(&kernel, Target::Kernel, base(3), count, CHUNK).map_err(e)?,
    );
    Ok(())
}
// ANCHOR_END: run
