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
//! `timeout` its time. Its environment is not the tool's: only what a build
//! needs is passed (`Sandbox::ENV`), with `HOME` its own empty `/tmp`, so that
//! `env!("SECRET")` in a student's code reads nothing of the instructor's.

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
    /// The folder `from`, read-only, seen at `at` (covering what is there).
    ReadAt { from: PathBuf, at: PathBuf },
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
    /// The largest file it may write, in bytes, if limited.
    pub file_size: Option<u64>,
}

/// System files a sandbox never sees, though the rest of /etc is there.
const SECRETS: &[&str] = &["/etc/shadow", "/etc/gshadow", "/etc/shadow-", "/etc/gshadow-", "/etc/sudoers"];

/// Where the tool's Cargo and rustup keep their files: `CARGO_HOME` and
/// `RUSTUP_HOME`, or their defaults under `HOME`.
fn homes() -> (PathBuf, PathBuf) {
    let home = std::env::var_os("HOME").map(PathBuf::from).unwrap_or_default();
    let var = |name: &str, default: &str| std::env::var_os(name).map(PathBuf::from).unwrap_or(home.join(default));
    (var("CARGO_HOME", ".cargo"), var("RUSTUP_HOME", ".rustup"))
}

impl Sandbox {
    /// The variables of the tool's environment a sandboxed command gets
    /// (when they are set): the toolchain's choice and the language. Beside
    /// them it gets `PATH`, `HOME` (`/tmp`, its own), `CARGO_HOME` and
    /// `RUSTUP_HOME`; nothing else of the tool's environment.
    pub const ENV: &'static [&'static str] = &["RUSTUP_TOOLCHAIN", "RUSTC", "LANG", "LC_ALL"];

    /// A sandbox with `mounts`, and the limits of a student's build:
    /// `LAB_BUILD_SECONDS` (default 300) and `LAB_BUILD_MEMORY_MB` (default
    /// 4096: clang and rustc reserve more address space than they use).
    pub fn new(mounts: Vec<Mount>) -> Sandbox {
        let env = |name: &str, default: u64| std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default);
        Sandbox {
            mounts,
            time: Duration::from_secs(env("LAB_BUILD_SECONDS", 300)),
            memory: env("LAB_BUILD_MEMORY_MB", 4096) << 20,
            file_size: None,
        }
    }

    /// The Rust toolchain's folders, read-only: rustup's home, and of
    /// Cargo's only the programs (`bin`) and the downloaded crates
    /// (`registry`, `git`); not its `credentials.toml` nor its configuration.
    pub fn toolchain() -> Vec<Mount> {
        let (cargo, rustup) = homes();
        Sandbox::toolchain_in(&cargo, &rustup)
    }

    /// [`Sandbox::toolchain`] for the given Cargo and rustup homes.
    pub fn toolchain_in(cargo: &Path, rustup: &Path) -> Vec<Mount> {
        let mut mounts = vec![Mount::Read(rustup.to_path_buf())];
        mounts.extend(["bin", "registry", "git"].iter().map(|d| Mount::Read(cargo.join(d))));
        mounts
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
            match mount {
                Mount::Hide(d) => {
                    cmd.arg("--tmpfs").arg(d);
                }
                Mount::Read(d) | Mount::Write(d) if d.exists() => {
                    let flag = if matches!(mount, Mount::Read(_)) { "--ro-bind" } else { "--bind" };
                    cmd.arg(flag).arg(d).arg(d);
                }
                Mount::ReadAt { from, at } if from.exists() => {
                    cmd.arg("--ro-bind").arg(from).arg(at);
                }
                _ => {}
            }
        }
        // The folders bwrap made to hold those (`$HOME` for the toolchain's)
        // are not writable either.
        cmd.args(["--remount-ro", "/"]);
        if let Ok(cwd) = std::env::current_dir() {
            // A working folder it can see (the course, or /).
            let visible =
                self.mounts.iter().any(|m| matches!(m, Mount::Read(d) | Mount::Write(d) if cwd.starts_with(d)));
            cmd.arg("--chdir").arg(if visible { cwd } else { PathBuf::from("/") });
        }
        // Its environment: only what builds need (bwrap passes on its own).
        let (cargo, rustup) = homes();
        let path = std::env::var_os("PATH").unwrap_or_default();
        let mut dirs = vec![cargo.join("bin")];
        dirs.extend(std::env::split_paths(&path).filter(|d| d.is_absolute()));
        cmd.env_clear();
        cmd.env("PATH", std::env::join_paths(dirs).unwrap_or(path));
        cmd.env("HOME", "/tmp").env("CARGO_HOME", cargo).env("RUSTUP_HOME", rustup);
        for name in Sandbox::ENV {
            if let Some(value) = std::env::var_os(name) {
                cmd.env(name, value);
            }
        }
        cmd.arg("--").arg("prlimit").arg(format!("--as={}", self.memory));
        if let Some(size) = self.file_size {
            cmd.arg(format!("--fsize={size}"));
        }
        cmd.arg("--");
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

    #[test]
    fn keeps_none_of_the_tools_environment_but_what_builds_need() {
        // `cargo test` sets CARGO_MANIFEST_DIR in this process's environment.
        assert!(std::env::var_os("CARGO_MANIFEST_DIR").is_some());
        let out = Sandbox::new(Vec::new()).command("env").output().unwrap();
        assert!(out.status.success());
        let text = String::from_utf8_lossy(&out.stdout);
        let names: Vec<&str> = text.lines().filter_map(|l| l.split_once('=')).map(|(n, _)| n).collect();
        assert!(names.contains(&"PATH") && names.contains(&"CARGO_HOME"), "{names:?}");
        let allowed = ["PATH", "HOME", "CARGO_HOME", "RUSTUP_HOME", "PWD", "SHLVL", "_"];
        for name in &names {
            assert!(allowed.contains(name) || Sandbox::ENV.contains(name), "{name} reaches the sandbox");
        }
        assert!(text.lines().any(|l| l == "HOME=/tmp"));
    }

    #[test]
    fn sees_cargos_programs_and_crates_not_its_credentials() {
        let target = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target");
        fs::create_dir_all(&target).unwrap();
        let dir = tempfile::tempdir_in(target).unwrap();
        let (cargo, rustup) = (dir.path().join("cargo"), dir.path().join("rustup"));
        for sub in ["bin", "registry", "git"] {
            fs::create_dir_all(cargo.join(sub)).unwrap();
            fs::write(cargo.join(sub).join("file"), "x").unwrap();
        }
        fs::create_dir_all(&rustup).unwrap();
        fs::write(cargo.join("credentials.toml"), "[registry]\ntoken = \"secret\"\n").unwrap();
        fs::write(cargo.join("config.toml"), "").unwrap();
        let sandbox = Sandbox::new(Sandbox::toolchain_in(&cargo, &rustup));
        let run = |script: String| sandbox.command("sh").arg("-c").arg(script).status().unwrap().success();
        for sub in ["bin", "registry", "git"] {
            assert!(run(format!("test -f {}", cargo.join(sub).join("file").display())), "{sub}");
            assert!(!run(format!("echo y > {}", cargo.join(sub).join("new").display())), "{sub} is read-only");
        }
        assert!(!run(format!("cat {}", cargo.join("credentials.toml").display())));
        assert!(!run(format!("test -e {}", cargo.join("config.toml").display())));
    }
}
