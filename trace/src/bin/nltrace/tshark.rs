//! A second opinion on a capture: Wireshark's own netlink dissector, run as
//! `tshark`, must find the same request, reply and ACK as our decoder. It
//! knows the course's protocol 31 only generically (header fields, payload as
//! data), which is all this needs: type, sequence number and port id.

use nltrace::exchange::Exchange;
use std::path::Path;
use std::process::Command;
use wire::nlmsg;

/// One frame as tshark lists it: per header it dissected (an `NLMSG_ERROR`
/// has two: its own and the request's inside it), type, seq and port id.
#[derive(Debug)]
pub struct Row {
    frame: usize,
    family: u16,
    headers: Vec<(u16, u32, u32)>,
    errors: Vec<i32>,
}

fn number(s: &str) -> Option<u64> {
    match s.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16).ok(),
        None => s.parse().ok(),
    }
}

fn list(s: &str) -> Vec<u64> {
    s.split(',').filter_map(number).collect()
}

/// Runs tshark on `file` and returns its rows.
pub fn rows(file: &Path) -> Result<Vec<Row>, String> {
    let fields =
        ["frame.number", "netlink.family", "netlink.hdr_type", "netlink.hdr_seq", "netlink.hdr_pid", "netlink.error"];
    let mut cmd = Command::new("tshark");
    cmd.arg("-r").arg(file).args(["-T", "fields", "-E", "separator=/t", "-E", "occurrence=a", "-E", "aggregator=,"]);
    for f in fields {
        cmd.args(["-e", f]);
    }
    let out = cmd.output().map_err(|e| format!("running tshark (Debian's package tshark): {e}"))?;
    if !out.status.success() {
        return Err(format!("tshark failed: {}", String::from_utf8_lossy(&out.stderr).trim()));
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let mut rows = Vec::new();
    for line in text.lines() {
        let cols: Vec<&str> = line.split('\t').collect();
        let [frame, family, types, seqs, pids, errors] = cols[..] else {
            return Err(format!("unexpected tshark line: {line}"));
        };
        let (types, seqs, pids) = (list(types), list(seqs), list(pids));
        rows.push(Row {
            frame: number(frame).unwrap_or(0) as usize,
            family: number(family).unwrap_or(u64::MAX) as u16,
            headers: types.iter().zip(&seqs).zip(&pids).map(|((t, s), p)| (*t as u16, *s as u32, *p as u32)).collect(),
            errors: errors.split(',').filter_map(|e| e.parse().ok()).collect(),
        });
    }
    Ok(rows)
}

/// Finds the exchange's three messages in tshark's rows, or says which one
/// tshark does not show.
pub fn confirm(rows: &[Row], x: &Exchange) -> Result<String, String> {
    let h = x.request.header;
    let (seq, port) = (h.seq, h.pid);
    let row = |frame: usize| {
        rows.iter()
            .find(|r| r.frame == frame && r.family == x.request.protocol)
            .ok_or(format!("frame {frame} is not a frame of protocol {} in tshark's list", x.request.protocol))
    };
    let has = |r: &Row, ty: u16| r.headers.contains(&(ty, seq, port));
    if !has(row(x.request.frame)?, h.ty) {
        return Err(format!("frame {}: no type {} seq {seq} port {port}", x.request.frame, h.ty));
    }
    if !has(row(x.reply.frame)?, x.reply.header.ty) {
        return Err(format!("frame {}: no type {} seq {seq} port {port}", x.reply.frame, x.reply.header.ty));
    }
    let ack = row(x.ack.frame)?;
    let error_then_request =
        ack.headers.windows(2).any(|w| w[0] == (nlmsg::ERROR, seq, port) && w[1] == (h.ty, seq, port));
    if !error_then_request || !ack.errors.contains(&0) {
        return Err(format!("frame {}: no NLMSG_ERROR 0 answering type {} seq {seq} port {port}", x.ack.frame, h.ty));
    }
    Ok(format!(
        "frames {}, {} and {}: type {} seq {seq} port {port}, its type {}, and an NLMSG_ERROR 0 naming it",
        x.request.frame, x.reply.frame, x.ack.frame, h.ty, x.reply.header.ty
    ))
}
