//! `nltrace capture`: the nlmon device, the packet socket, the pcap file.

use crate::nlmon;
use crate::packet::PacketSocket;
use nix::sys::signal::{self, SaFlags, SigAction, SigHandler, SigSet, Signal};
use nltrace::cooked::Cooked;
use nltrace::listing::Listing;
use nltrace::names::{self, NETLINK_COURSE, NETLINK_ROUTE};
use nltrace::pcap::{self, Frame};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};

/// What to capture, and where to.
#[derive(clap::Args)]
pub struct Options {
    /// Write the frames into this pcap file.
    #[arg(short = 'w', long = "write")]
    file: Option<PathBuf>,
    /// Print each message decoded as it passes.
    #[arg(long)]
    print: bool,
    /// Netlink protocols to keep (repeat the option); others are counted and
    /// left out.
    #[arg(long = "protocol", default_values_t = [NETLINK_COURSE, NETLINK_ROUTE])]
    protocols: Vec<u16>,
    /// Keep every protocol the kernel's tap passes.
    #[arg(long, conflicts_with = "protocols")]
    all: bool,
    /// The name of the nlmon device to create (and delete at the end).
    #[arg(long, default_value = nltrace::route::DEVICE)]
    device: String,
    /// Create this file once capturing, for scripts that wait for it.
    #[arg(long)]
    ready: Option<PathBuf>,
    /// Do not print how the device is created.
    #[arg(long)]
    quiet: bool,
}

/// Set by SIGINT and SIGTERM: finish the capture.
static STOP: AtomicBool = AtomicBool::new(false);

extern "C" fn on_signal(_: libc::c_int) {
    STOP.store(true, Ordering::Relaxed);
}

/// Stops on SIGINT and SIGTERM, which interrupt a waiting `recvmsg` (no
/// `SA_RESTART`).
fn stop_on_signals() -> nix::Result<()> {
    let action = SigAction::new(SigHandler::Handler(on_signal), SaFlags::empty(), SigSet::empty());
    for s in [Signal::SIGINT, Signal::SIGTERM] {
        // SAFETY: the handler only stores into an atomic, which is
        // async-signal-safe, and it replaces no handler this program relies on.
        unsafe { signal::sigaction(s, &action) }?;
    }
    Ok(())
}

/// Runs a capture (see [`Options`]).
pub fn run(o: &Options) -> crate::Result<()> {
    stop_on_signals()?;
    if !o.quiet {
        println!("nltrace: creating {}: one rtnetlink request, and the kernel's ACK", o.device);
    }
    let ifindex = nlmon::create(&o.device, !o.quiet)?;
    let result = capture(o, ifindex);
    // Captured frames are all in the file by now: whatever deleting the
    // device sends through the tap is not read any more.
    let deleted = nlmon::delete(&o.device);
    result?;
    deleted.map_err(|e| format!("deleting {}: {e}", o.device))?;
    Ok(())
}

fn capture(o: &Options, ifindex: u32) -> crate::Result<()> {
    let sock = PacketSocket::open(ifindex)?;
    let mut out = match &o.file {
        Some(path) => Some(pcap::Writer::new(BufWriter::new(
            File::create(path).map_err(|e| format!("{}: {e}", path.display()))?,
        ))?),
        None => None,
    };
    let kept: Vec<String> = o.protocols.iter().map(|p| names::protocol_name(*p).into_owned()).collect();
    println!(
        "nltrace: capturing on {} ({}); stop with Ctrl-C",
        o.device,
        if o.all { "every protocol".to_string() } else { format!("protocols {}", kept.join(", ")) }
    );
    if let Some(ready) = &o.ready {
        File::create(ready)?;
    }
    let mut listing = Listing::new();
    let mut buf = vec![0u8; pcap::SNAPLEN as usize];
    let (mut frames, mut others) = (0usize, 0usize);
    let mut wait = true;
    loop {
        if STOP.load(Ordering::Relaxed) && wait {
            // Everything the demo sent is queued already (the tap delivers
            // while the sender is still in its send call): take it, then end.
            wait = false;
        }
        let Some(r) = sock.next(&mut buf, wait)? else {
            if wait {
                continue;
            }
            break;
        };
        if !o.all && !o.protocols.contains(&r.protocol) {
            others += 1;
            continue;
        }
        frames += 1;
        let data = &buf[..r.kept];
        let cooked = Cooked { pkttype: r.pkttype.into(), hatype: r.hatype, protocol: r.protocol };
        if let Some(out) = &mut out {
            out.write(r.time, cooked, data, r.len)?;
        }
        if o.print {
            let frame = Frame { time: r.time, cooked, data: data.to_vec(), len: r.len };
            for line in listing.frame(&frame) {
                println!("{line}");
            }
        }
    }
    if let Some(out) = out {
        out.into_inner().flush()?;
    }
    let (_, dropped) = sock.statistics()?;
    println!(
        "nltrace: {frames} frame(s) captured, {others} of other protocols left out, {dropped} dropped by the kernel{}",
        o.file.as_ref().map(|f| format!(", written to {}", f.display())).unwrap_or_default()
    );
    if dropped > 0 {
        return Err("frames were lost: the socket's queue overflowed".into());
    }
    Ok(())
}
