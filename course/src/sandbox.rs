//! Confining what runs on the host for untrusted code: the compilers that
//! build a student's tree being graded, and the unpacking of a submission.
//!
//! The course refuses build scripts and procedural macros of students
//! (`intake`), so a build runs no code of theirs; the sandbox is the second
//! wall. It is Debian's bubblewrap (`bwrap`): the process sees only the
//! system's programs and libraries (`/usr`, `/etc` without its secrets),
//! and read-only the folders it is given (the toolchain, the course, the lab
//! kernel); it can write only to its own folders; it has no network, no
//! capabilities (even when the tool runs as root), its own process and IPC
//! namespaces, and dies with the tool. `prlimit` caps its address space and
//! `timeout` its time.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// One folder's place in the sandbox, applied in order (a later one covers
/// an earlier one).
#[derive(Clone, Debug)]
pub enum Mount {
    /// Visible, read-only.
    Read(PathBuf),
    /// Covered by an empty folder: what it held is invisible.
    Hide(PathBuf),
    /// Visible and writable: the sandbox's own folders.
    Write(PathBuf),
}

/// How one confined command may run.
#[derive(Clone, Debug)]
pub struct Sandbox {
    /// The folders it sees, beyond the system's programs and libraries.
    pub mounts: Vec<Mount>,
    /// Wall-clock limit of one command.
    pub time: Duration,
    /// Address-space limit of each of its processes, in bytes.
    pub memory: u64,
}

/// System files a sandbox never sees, though the rest of /etc is there.
const SECRETS: &[&str] = &["/etc/shadow", "/etc/gshadow", "/etc/shadow-", "/etc/gshadow-", "/etc/sudoers"];

impl Sandbox {
    /// A sandbox with `mounts`, and the limits of a student's build:
    /// `LAB_BUILD_SECONDS` (default 300) and `LAB_BUILD_MEMORY_MB` (default
    /// 4096: clang and rustc reserve more address space than they use).
    pub fn new(mounts: Vec<Mount>) -> Sandbox {
        let env = |name: &str, default: u64| std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default);
        Sandbox {
            mounts,
            time: Duration::from_secs(env("LAB_BUILD_SECONDS", 300)),
            memory: env("LAB_BUILD_MEMORY_MB", 4096) << 20,
        }
    }

    /// The Rust toolchain's folders (rustup's and Cargo's homes), read-only.
    pub fn toolchain() -> Vec<Mount> {
        let home = std::env::var_os("HOME").map(PathBuf::from).unwrap_or_default();
        let var = |name: &str, default: &str| std::env::var_os(name).map(PathBuf::from).unwrap_or(home.join(default));
        vec![Mount::Read(var("RUSTUP_HOME", ".rustup")), Mount::Read(var("CARGO_HOME", ".cargo"))]
    }

    /// `program`, to be run in the sandbox (add arguments, environment and
    /// standard streams to the returned command as usual).
    pub fn command(&self, program: &str) -> Command {
        let mut cmd = Command::new("bwrap");
        cmd.args(["--ro-bind", "/usr", "/usr", "--ro-bind", "/etc", "/etc"]);
        for secret in SECRETS.iter().filter(|s| Path::new(s).exists()) {
            cmd.args(["--ro-bind", "/dev/null", secret]);
        }
        // /bin, /lib... are links into /usr on Debian (merged /usr), folders elsewhere.
        for top in ["/bin", "/sbin", "/lib", "/lib32", "/lib64"] {
            let path = Path::new(top);
            match std::fs::read_link(path) {
                Ok(target) => {
                    cmd.arg("--symlink").arg(target).arg(top);
                }
                Err(_) if path.is_dir() => {
                    cmd.args(["--ro-bind", top, top]);
                }
                Err(_) => {}
            }
        }
        cmd.args(["--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp"]);
        cmd.args(["--unshare-all", "--cap-drop", "ALL", "--die-with-parent", "--new-session"]);
        for mount in &self.mounts {
            let (flag, dir) = match mount {
                Mount::Read(d) => ("--ro-bind", d),
                Mount::Hide(d) => ("--tmpfs", d),
                Mount::Write(d) => ("--bind", d),
            };
            if matches!(mount, Mount::Hide(_)) {
                cmd.arg(flag).arg(dir);
            } else if dir.exists() {
                cmd.arg(flag).arg(dir).arg(dir);
            }
        }
        if let Ok(cwd) = std::env::current_dir() {
            // A working folder it can see (the course, or /).
            let visible =
                self.mounts.iter().any(|m| matches!(m, Mount::Read(d) | Mount::Write(d) if cwd.starts_with(d)));
            cmd.arg("--chdir").arg(if visible { cwd } else { PathBuf::from("/") });
        }
        cmd.arg("--").arg("prlimit").arg(format!("--as={}", self.memory)).arg("--");
        cmd.args(["timeout", "-s", "KILL"]).arg(self.time.as_secs().to_string()).arg(program);
        cmd
    }

    /// Is bubblewrap there and working (`lab/setup.sh --grade` installs it)?
    pub fn available() -> bool {
        Sandbox::new(Vec::new()).command("true").output().is_ok_and(|o| o.status.success())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    #[test]
    fn sees_writes_and_reaches_only_what_it_is_given() {
        assert!(Sandbox::available(), "bwrap is missing or does not work: run lab/setup.sh --grade");
        // Not under /tmp: the sandbox has a /tmp of its own.
        let target = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target");
        fs::create_dir_all(&target).unwrap();
        let dir = tempfile::tempdir_in(target).unwrap();
        let d = dir.path();
        for sub in ["hidden", "rw", "ro", "unlisted"] {
            fs::create_dir(d.join(sub)).unwrap();
            fs::write(d.join(sub).join("file"), "x").unwrap();
        }
        let sandbox = Sandbox::new(vec![
            Mount::Read(d.to_path_buf()),
            Mount::Hide(d.join("hidden")),
            Mount::Hide(d.join("unlisted")),
            Mount::Read(d.join("ro")),
            Mount::Write(d.join("rw")),
        ]);
        let run = |script: String| sandbox.command("sh").arg("-c").arg(script).status().unwrap().success();
        let p = |s: &str| d.join(s).display().to_string();
        assert!(run(format!("echo y > {}", p("rw/out"))));
        assert!(d.join("rw/out").is_file());
        assert!(run(format!("cat {}", p("ro/file"))), "read-only folders are readable");
        assert!(!run(format!("echo y > {}", p("ro/out"))));
        assert!(!d.join("ro/out").exists());
        assert!(!run(format!("cat {}", p("hidden/file"))));
        // The rest of the machine: not the home folder, not /etc/shadow.
        assert!(!run(format!("test -d {}", std::env::var("HOME").unwrap())));
        assert!(!run("test -s /etc/shadow".into()));
        // A network namespace of its own: loopback only (two header lines, then `lo`).
        assert!(run("test $(grep -c : /proc/net/dev) = 1 && grep -q 'lo:' /proc/net/dev".into()));
        // No capabilities, even for root: the read-only file systems stay read-only.
        assert!(!run(format!("mount -o remount,rw {} 2>/dev/null", p("ro"))));
    }
}
