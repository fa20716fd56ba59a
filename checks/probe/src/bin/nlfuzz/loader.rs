//! Loading and unloading the module under test while it is fuzzed: the
//! system calls behind `insmod` (`finit_module`) and `rmmod`
//! (`delete_module`), called directly, because a process per attempt costs
//! tens of milliseconds under emulation.
//!
//! An unload fails with `EWOULDBLOCK` while anything holds a reference to
//! the module: every open socket of its protocol does (`netlink_create`
//! takes one, `netlink_release` drops it), and so does a dump in progress
//! (`netlink_dump_start`). The churn retries; refused unloads are counted.

use rand::{RngExt, SeedableRng};
use rand_xorshift::XorShiftRng;
use std::ffi::CString;
use std::fs::{self, File};
use std::io;
use std::os::fd::AsRawFd;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

/// A kernel module: its name (as `/proc/modules` lists it) and its file.
pub struct Module {
    name: CString,
    path: PathBuf,
}

impl Module {
    /// The module `name`, loaded from `path`.
    pub fn new(name: &str, path: PathBuf) -> io::Result<Module> {
        Ok(Module { name: CString::new(name).map_err(io::Error::other)?, path })
    }

    /// Its name.
    pub fn name(&self) -> &str {
        self.name.to_str().unwrap_or_default()
    }

    /// Its file.
    pub fn path(&self) -> &std::path::Path {
        &self.path
    }

    /// Is it loaded (listed in `/proc/modules`)?
    pub fn loaded(&self) -> bool {
        let prefix = format!("{} ", self.name());
        fs::read_to_string("/proc/modules").is_ok_and(|m| m.lines().any(|l| l.starts_with(&prefix)))
    }

    /// Loads it (`insmod`); already loaded is fine.
    pub fn load(&self) -> io::Result<()> {
        let file = File::open(&self.path)?;
        // SAFETY: finit_module(fd, param_values, flags) reads the module from
        // the open descriptor `fd` and the NUL-terminated (empty) parameter
        // string, both alive for the call; it touches no memory of ours.
        let r = unsafe { libc::syscall(libc::SYS_finit_module, file.as_raw_fd(), c"".as_ptr(), 0) };
        if r < 0 {
            let e = io::Error::last_os_error();
            if e.raw_os_error() != Some(libc::EEXIST) {
                return Err(e);
            }
        }
        Ok(())
    }

    /// Unloads it (`rmmod`), without waiting for its references to go
    /// (`O_NONBLOCK`): `EWOULDBLOCK` while they are held.
    pub fn unload(&self) -> io::Result<()> {
        // SAFETY: delete_module(name, flags) reads the NUL-terminated name,
        // alive for the call.
        let r = unsafe { libc::syscall(libc::SYS_delete_module, self.name.as_ptr(), libc::O_NONBLOCK) };
        if r < 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(())
    }

    /// Unloads it, retrying for up to `within` while it is still referenced
    /// (sockets that are closing, a dump that is ending).
    pub fn unload_within(&self, within: Duration) -> io::Result<()> {
        let end = Instant::now() + within;
        loop {
            match self.unload() {
                Err(e) if busy(&e) && Instant::now() < end => thread::sleep(Duration::from_millis(5)),
                other => return other,
            }
        }
    }
}

/// Is `e` the refusal of an unload while the module is referenced?
fn busy(e: &io::Error) -> bool {
    matches!(e.raw_os_error(), Some(libc::EWOULDBLOCK | libc::EBUSY))
}

/// What the churn did.
#[derive(Debug, Default, Clone)]
pub struct Churn {
    /// Unloads that succeeded (each followed by a load).
    pub reloads: u32,
    /// Unloads refused because the module was in use.
    pub refused: u32,
    /// Loads or unloads that failed for another reason, with the error.
    pub errors: Vec<String>,
}

/// Unloads and loads `module` again and again until `stop` is set, with
/// pauses drawn from `seed`. Before most attempts it asks the fuzzing
/// processes `workers` to let go of their sockets for a moment (`SIGUSR1`),
/// or no unload would ever find the module unused. Leaves the module loaded.
pub fn churn(module: &Module, workers: &[libc::pid_t], stop: &AtomicBool, seed: u64) -> Churn {
    let mut rng = XorShiftRng::seed_from_u64(seed);
    let mut done = Churn::default();
    while !stop.load(Ordering::Relaxed) {
        thread::sleep(Duration::from_millis(rng.random_range(100..400)));
        if rng.random_bool(0.75) {
            for &pid in workers {
                // SAFETY: kill() with a pid of our own child and a signal
                // it handles; a child that already ended makes it ESRCH.
                unsafe { libc::kill(pid, libc::SIGUSR1) };
            }
        }
        match module.unload_within(Duration::from_millis(rng.random_range(1..60))) {
            Ok(()) => {
                done.reloads += 1;
                // Gone for a moment: sockets opened now fail (EPROTONOSUPPORT).
                thread::sleep(Duration::from_millis(rng.random_range(1..30)));
                if let Err(e) = module.load() {
                    done.errors.push(format!("insmod {} after an rmmod failed: {e}", module.name()));
                    break;
                }
            }
            Err(e) if busy(&e) => done.refused += 1,
            Err(e) => {
                done.errors.push(format!("rmmod {} failed: {e}", module.name()));
                break;
            }
        }
    }
    if !module.loaded() {
        if let Err(e) = module.load() {
            done.errors.push(format!("insmod {} failed: {e}", module.name()));
        }
    }
    done
}
