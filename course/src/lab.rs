//! The lab: builds a lesson's kernel modules and programs (`builder`),
//! stages them, and boots the lab kernel with them. The kernel itself and the
//! VM are the shell scripts in `lab/`; this file drives them.

use crate::builder::{self, Workspace};
use crate::lessons::{Lesson, Variant};
use anyhow::{bail, Context, Result};
use std::fs;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Folders shared by every kernel module, copied next to each module's
/// sources as `<name>/` (so a module says `#[path = "wire/lib.rs"] mod wire;`).
pub const SHARED_KERNEL_SOURCES: &[(&str, &str)] = &[("wire/src", "wire"), ("knetlink/src", "knetlink")];

/// The programs of `checks/probe` that every run of the checks has in /lab/bin.
const PROBE_TOOLS: &[&str] = &["nlprobe", "nlconform", "nlfuzz"];

/// A lab whose kernel is built and ready.
pub struct Lab {
    /// The course's root folder.
    pub root: PathBuf,
    /// The lab kernel's build folder (what modules build against).
    pub kernel: PathBuf,
    /// The debug flavour of the kernel (`LAB_DEBUG=1`: lockdep, KASAN,
    /// kmemleak, debug information; lab/kernel-debug.config).
    pub debug: bool,
}

/// Runs `cmd`, failing with its name when it cannot start or exits non-zero.
fn run(cmd: &mut Command) -> Result<()> {
    let status = cmd.status().with_context(|| format!("starting {cmd:?}"))?;
    if !status.success() {
        let args: Vec<_> = cmd.get_args().map(|a| a.to_string_lossy()).collect();
        bail!("`{} {}` failed ({status})", cmd.get_program().to_string_lossy(), args.join(" "));
    }
    Ok(())
}

/// How closely kernel modules are looked at when they are built.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lint {
    /// The compiler only: the quick edit loop (`run`, `shell`, `bench`).
    Fast,
    /// The compiler only, and its warnings not shown (mutants, grading).
    Quiet,
    /// With clippy (`CLIPPY=1`); warnings are shown (`check`).
    Clippy,
    /// With clippy, and any warning fails the build (the solutions, `verify`).
    Strict,
}

impl Lab {
    /// Installs what is missing and builds the lab kernel (minutes the first
    /// time, well under a second after that): the debug flavour when the
    /// environment says `LAB_DEBUG=1`, else the release one.
    pub fn prepare(root: &Path) -> Result<Lab> {
        Lab::prepare_flavour(root, std::env::var("LAB_DEBUG").is_ok_and(|v| v == "1"))
    }

    /// Like [`Lab::prepare`], with the debug kernel when `debug`.
    pub fn prepare_flavour(root: &Path, debug: bool) -> Result<Lab> {
        run(Command::new("bash").arg(root.join("lab/setup.sh")).env("LAB_DEBUG", if debug { "1" } else { "0" }))?;
        let out = Command::new("bash")
            .arg(root.join("lab/kernel.sh"))
            .env("LAB_DEBUG", if debug { "1" } else { "0" })
            .stderr(Stdio::inherit())
            .output()
            .context("running lab/kernel.sh")?;
        if !out.status.success() {
            bail!("the lab kernel could not be built (see above)");
        }
        let kernel = PathBuf::from(String::from_utf8(out.stdout)?.trim());
        Ok(Lab { root: root.to_path_buf(), kernel, debug })
    }

    /// The lab kernel's build folder (what modules build against).
    pub fn kernel_dir(&self) -> &Path {
        &self.kernel
    }

    /// The value of `LAB_DEBUG` for the lab's scripts.
    pub fn debug_env(&self) -> &'static str {
        if self.debug {
            "1"
        } else {
            "0"
        }
    }

    /// The checks' tools, built for the VM: `nlprobe` (hand-made netlink
    /// messages), `nlconform` (a module's answers against NETLINK_ROUTE's)
    /// and `nlfuzz` (the fuzzer of the `fuzz` checks).
    pub fn probes(&self) -> Result<Vec<PathBuf>> {
        let files: Vec<String> = PROBE_TOOLS.iter().map(|t| t.to_string()).collect();
        let dir =
            builder::static_binaries(self, &self.root.join("checks/probe"), &Workspace::Course, None, &files, false)?;
        Ok(files.iter().map(|f| dir.join(f)).collect())
    }

    /// Builds the given lessons and lays out what the guest sees as /lab:
    /// modules and scripts at the top (scripts of each lesson as
    /// `NN-check.sh`, `NN-demo.sh`, `NN-bench.sh`), programs in /lab/bin.
    pub fn stage(&self, lessons: &[&Lesson], variant: Variant, lint: Lint) -> Result<PathBuf> {
        // One stage per set of lessons, so that runs of different lessons can overlap.
        let name = match lessons {
            [one] => one.slug.clone(),
            _ => "all".to_string(),
        };
        let flavour = if self.debug { "debug-" } else { "" };
        let stage = self.root.join("target/lab").join(format!("{flavour}{}", variant.name())).join("stage").join(name);
        if stage.exists() {
            fs::remove_dir_all(&stage)?;
        }
        fs::create_dir_all(stage.join("bin"))?;
        // The checks' tools (nlprobe, nlconform, nlfuzz), in every run, and
        // the fuzzer's kept inputs.
        for tool in self.probes()? {
            fs::copy(&tool, stage.join("bin").join(tool.file_name().unwrap_or_default()))?;
        }
        crate::fuzz::stage_kept(&self.root, variant, &stage)?;
        for lesson in lessons {
            let built = builder::build(self, lesson, &lesson.source(&self.root, variant), lint)?;
            for ko in &built.modules {
                fs::copy(ko, stage.join(ko.file_name().unwrap_or_default()))?;
            }
            for (name, path) in &built.programs {
                // With several lessons (the shell), a later lesson's program
                // may have an earlier one's name (lesson 06's `rtm`): the
                // later wins, and each stays reachable as NAME-NN (`rtm-05`).
                // The two names are one file (a hard link, which the
                // initramfs keeps): the VM unpacks each program once.
                let plain = stage.join("bin").join(name);
                if lessons.len() > 1 {
                    let numbered = stage.join("bin").join(format!("{name}-{:02}", lesson.number));
                    fs::copy(path, &numbered)?;
                    let _ = fs::remove_file(&plain);
                    fs::hard_link(&numbered, &plain)?;
                } else {
                    fs::copy(path, &plain)?;
                }
            }
            for script in ["check.sh", "demo.sh", "bench.sh"] {
                let from = lesson.checks_dir(&self.root).join(script);
                if from.is_file() {
                    fs::copy(&from, stage.join(format!("{:02}-{script}", lesson.number)))?;
                }
            }
        }
        Ok(stage)
    }

    /// Boots the VM on `stage` running `/lab/<script>` (or `shell`), and
    /// returns the console output. With `echo`, the guest's output is shown as
    /// it comes, from the start of the script on (firmware and boot noise is not).
    pub fn boot(&self, stage: &Path, script: &str, echo: bool) -> Result<Vec<String>> {
        self.boot_with(stage, script, echo, None)
    }

    /// Like [`Lab::boot`], and with `serial2` the guest's second serial
    /// port, `/dev/ttyS1`, writes into that host file (`LAB_SERIAL2`).
    pub fn boot_with(&self, stage: &Path, script: &str, echo: bool, serial2: Option<&Path>) -> Result<Vec<String>> {
        let mut cmd = Command::new("bash");
        cmd.arg(self.root.join("lab/boot.sh")).arg(&self.kernel).arg(stage).arg(script);
        cmd.env("LAB_DEBUG", if self.debug { "1" } else { "0" });
        if let Some(file) = serial2 {
            cmd.env("LAB_SERIAL2", file);
        }
        if script == "shell" {
            run(&mut cmd)?;
            return Ok(Vec::new());
        }
        let mut child = cmd.stdout(Stdio::piped()).spawn().context("starting lab/boot.sh")?;
        let mut lines = Vec::new();
        let mut started = false;
        if let Some(out) = child.stdout.take() {
            for line in BufReader::new(out).split(b'\n') {
                let line = strip_escapes(String::from_utf8_lossy(&line?).trim_end_matches('\r'));
                let from = line.find("LAB: running");
                started |= from.is_some();
                if echo && started {
                    // (The firmware's last words can share the line.)
                    println!("{}", &line[from.unwrap_or(0)..]);
                }
                started &= !line.starts_with("LAB: done");
                lines.push(line);
            }
        }
        let status = child.wait()?;
        if status.code() == Some(124) {
            lines.push("LAB: the VM did not finish in time (LAB_TIMEOUT) and was stopped".into());
        }
        Ok(lines)
    }
}

impl Lab {
    /// Boots the VM on `stage` stopped at its first instruction and runs gdb
    /// attached to it, with the kernel's and the staged modules' symbols
    /// (lab/gdb.sh); the VM runs `/lab/<script>` when gdb continues.
    pub fn gdb(&self, stage: &Path, script: &str) -> Result<()> {
        run(Command::new("bash").arg(self.root.join("lab/gdb.sh")).arg(&self.kernel).arg(stage).arg(script))
    }

    /// The interactive shell, waiting for gdb (`lab/gdb.sh --attach`, whose
    /// command line this prints first).
    pub fn shell_for_gdb(&self, stage: &Path) -> Result<()> {
        let port = std::env::var("LAB_GDB_PORT").unwrap_or_else(|_| "1234".into());
        println!("The VM starts stopped, waiting for gdb on port {port}. In another terminal, run:");
        println!("  bash lab/gdb.sh --attach {} {}", self.kernel.display(), stage.display());
        println!("and type `continue` there: this terminal then shows the VM's shell.");
        run(Command::new("bash")
            .arg(self.root.join("lab/boot.sh"))
            .arg(&self.kernel)
            .arg(stage)
            .arg("shell")
            .env("LAB_DEBUG", if self.debug { "1" } else { "0" })
            .env("LAB_GDB_PORT", port))
    }
}

/// Removes the terminal escape sequences the firmware prints (ESC c, ESC [ ... letter).
pub fn strip_escapes(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\x1b' {
            out.push(c);
        } else if chars.next_if_eq(&'[').is_some() {
            while chars.next().is_some_and(|c| !c.is_ascii_alphabetic()) {}
        } else {
            chars.next();
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn escapes_are_stripped() {
        assert_eq!(super::strip_escapes("\x1bc\x1b[?7l\x1b[2JLAB: running x"), "LAB: running x");
        assert_eq!(super::strip_escapes("plain [1.0] text"), "plain [1.0] text");
    }
}
