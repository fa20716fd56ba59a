//! The kernel log, read as it grows (`/dev/kmsg`, one record per `read`;
//! `Documentation/ABI/testing/dev-kmsg`), and the lines in it that report a
//! bug.

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom};
use std::os::unix::fs::OpenOptionsExt;

/// What a kernel report of a bug holds: `REPORT_SIGNS` of
/// lab/guest/lib.sh (the lab's checks pass theirs with `--report-signs`)
/// and the course tool's crash signs (course/src/report.rs): an oops, a
/// warning, a Rust panic, and on the debug kernel lockdep, sleeping in
/// atomic context, KASAN, UBSAN and kmemleak.
pub const REPORT_SIGNS: &str =
    "Oops|BUG:|WARNING:|Call Trace|Kernel panic|RIP:|UBSAN:|unreferenced object|general protection fault|panicked at";

/// The kernel log from the moment it was opened on.
pub struct Kmsg {
    file: File,
}

impl Kmsg {
    /// Opens the log at its end: only records written from now on are read.
    /// Needs root (or `CAP_SYSLOG` where `dmesg_restrict` is set).
    pub fn open() -> io::Result<Kmsg> {
        let mut file = OpenOptions::new().read(true).custom_flags(libc::O_NONBLOCK).open("/dev/kmsg")?;
        file.seek(SeekFrom::End(0))?;
        Ok(Kmsg { file })
    }

    /// The messages logged since the last call (the text of each record,
    /// without its prefix of level, sequence number and time).
    pub fn lines(&mut self) -> Vec<String> {
        let mut lines = Vec::new();
        let mut buf = vec![0u8; 8192];
        loop {
            match self.file.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => {
                    let record = String::from_utf8_lossy(&buf[..n]);
                    // "6,1234,5678,-;text\n" then continuation lines " KEY=value".
                    let first = record.lines().next().unwrap_or_default();
                    lines.push(first.split_once(';').map_or(first, |(_, text)| text).to_string());
                }
                // Records were overwritten before we read them: go on with the next.
                Err(e) if e.raw_os_error() == Some(libc::EPIPE) => continue,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(_) => break,
            }
        }
        lines
    }
}

/// The lines of `lines` that report a bug: those holding one of the `signs`
/// (`|`-separated, plain text).
pub fn reports<'a>(lines: &'a [String], signs: &str) -> Vec<&'a str> {
    let signs: Vec<&str> = signs.split('|').filter(|s| !s.is_empty()).collect();
    lines.iter().filter(|l| signs.iter().any(|s| l.contains(s))).map(String::as_str).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_reports_by_their_signs() {
        let lines: Vec<String> = [
            "greet: listening on netlink protocol 31",
            "skbuff: skb_over_panic: text:ffffffffa0000b1e len:200 put:200",
            "kernel BUG at net/core/skbuff.c:206!",
            "Oops: invalid opcode: 0000 [#1] PREEMPT SMP",
            "BUG: KASAN: slab-out-of-bounds in greet_input+0x5e/0x90 [greet]",
            "rust_kernel: panicked at greet.rs:10:5:",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let found = reports(&lines, REPORT_SIGNS);
        // BUG() says "kernel BUG at", without the colon: its oops line is
        // what is found.
        assert_eq!(found.len(), 3, "{found:?}");
        assert!(found[0].starts_with("Oops:"));
        assert_eq!(reports(&lines, "skb_over_panic"), vec![lines[1].as_str()]);
        assert!(reports(&lines, "").is_empty());
    }
}
