//! The last inputs of a fuzzing process, written to a file before each is
//! sent. When the process dies in the kernel (an oops kills the task that
//! caused it), or the kernel reports a bug while it runs, the supervisor
//! reads what it sent last from here: the file outlives the process. In the
//! lab it lives in `/tmp`, which is RAM.
//!
//! Layout: the number of inputs recorded so far (`u64`, host order), then
//! [`SLOTS`] slots of a `u32` length and up to [`MAX_DATAGRAM`] bytes; input
//! `n` is in slot `n % SLOTS`.

use crate::gen::MAX_DATAGRAM;
use std::fs::{File, OpenOptions};
use std::io;
use std::os::unix::fs::FileExt;
use std::path::Path;

/// How many of the last inputs are kept.
pub const SLOTS: u64 = 64;
/// Bytes a slot takes: the length, then the input.
const SLOT: u64 = 4 + MAX_DATAGRAM as u64;
/// Bytes before the first slot: the count.
const HEAD: u64 = 8;

/// The writing end, in a fuzzing process.
pub struct Ring {
    file: File,
    count: u64,
}

impl Ring {
    /// Opens the ring at `path` for writing (the supervisor made it, empty).
    pub fn open(path: &Path) -> io::Result<Ring> {
        Ok(Ring { file: OpenOptions::new().write(true).open(path)?, count: 0 })
    }

    /// Records `input` as the newest, before it is sent. Inputs longer than
    /// [`MAX_DATAGRAM`] are not made.
    pub fn record(&mut self, input: &[u8]) -> io::Result<()> {
        let slot = HEAD + (self.count % SLOTS) * SLOT;
        let mut bytes = (input.len() as u32).to_ne_bytes().to_vec();
        bytes.extend_from_slice(&input[..input.len().min(MAX_DATAGRAM)]);
        self.file.write_all_at(&bytes, slot)?;
        self.count += 1;
        self.file.write_all_at(&self.count.to_ne_bytes(), 0)
    }
}

/// How many inputs were recorded in the ring at `path` (0 if it is missing).
pub fn count(path: &Path) -> u64 {
    let mut head = [0u8; 8];
    match File::open(path) {
        Ok(f) if f.read_exact_at(&mut head, 0).is_ok() => u64::from_ne_bytes(head),
        _ => 0,
    }
}

/// The inputs recorded in the ring at `path`, newest first (at most
/// [`SLOTS`]). An empty or missing ring has none.
pub fn read(path: &Path) -> io::Result<Vec<Vec<u8>>> {
    let file = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let count = count(path);
    let mut inputs = Vec::new();
    for n in (count.saturating_sub(SLOTS)..count).rev() {
        let slot = HEAD + (n % SLOTS) * SLOT;
        let mut len = [0u8; 4];
        file.read_exact_at(&mut len, slot)?;
        let len = (u32::from_ne_bytes(len) as usize).min(MAX_DATAGRAM);
        let mut input = vec![0u8; len];
        file.read_exact_at(&mut input, slot + 4)?;
        inputs.push(input);
    }
    Ok(inputs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_last_inputs_newest_first() {
        let path = std::env::temp_dir().join(format!("nlfuzz-ring-test-{}", std::process::id()));
        File::create(&path).unwrap();
        assert!(read(&path).unwrap().is_empty());
        let mut ring = Ring::open(&path).unwrap();
        for i in 0..100u32 {
            ring.record(&vec![i as u8; i as usize % 7]).unwrap();
        }
        let got = read(&path).unwrap();
        assert_eq!(count(&path), 100);
        assert_eq!(got.len(), SLOTS as usize);
        assert_eq!(got[0], vec![99u8; 99 % 7]);
        assert_eq!(got[63], vec![36u8; 36 % 7]);
        std::fs::remove_file(&path).unwrap();
        assert!(read(&path).unwrap().is_empty());
    }
}
