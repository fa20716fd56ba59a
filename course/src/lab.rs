//! The lab: builds a lesson's kernel modules and programs, stages them, and
//! boots the lab kernel with them. The kernel itself and the VM are the shell
//! scripts in `lab/`; this file drives them.

use crate::builder::{self, Workspace};
use crate::lessons::{Lesson, Variant};
use anyhow::{bail, Context, Result};
use std::fs;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The programs of `checks/probe` that every run of the checks has in /lab/bin.
const PROBE_TOOLS: &[&str] = &["nlprobe", "nlconform"];

/// A lab whose kernel is built and ready.
pub struct Lab {
    /// The course's root folder.
    pub root: PathBuf,
    /// The lab kernel's build folder (what modules build against).
    pub kernel: PathBuf,
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
    /// time, well under a second after that).
    pub fn prepare(root: &Path) -> Result<Lab> {
        run(Command::new("bash").arg(root.join("lab/setup.sh")))?;
        let out = Command::new("bash")
            .arg(root.join("lab/kernel.sh"))
            .stderr(Stdio::inherit())
            .output()
            .context("running lab/kernel.sh")?;
        if !out.status.success() {
            bail!("the lab kernel could not be built (see above)");
        }
        let kernel = PathBuf::from(String::from_utf8(out.stdout)?.trim());
        Ok(Lab { root: root.to_path_buf(), kernel })
    }

    /// The checks' tools, built for the VM: `nlprobe` (hand-made netlink
    /// messages) and `nlconform` (a module's answers against NETLINK_ROUTE's).
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
        let stage = self.root.join("target/lab").join(variant.name()).join("stage").join(name);
        if stage.exists() {
            fs::remove_dir_all(&stage)?;
        }
        fs::create_dir_all(stage.join("bin"))?;
        // The checks' tools (nlprobe, nlconform), in every run.
        for tool in self.probes()? {
            fs::copy(&tool, stage.join("bin").join(tool.file_name().unwrap_or_default()))?;
        }
        for lesson in lessons {
            let built = builder::build(self, lesson, &lesson.source(&self.root, variant), lint)?;
            for ko in &built.modules {
                fs::copy(ko, stage.join(ko.file_name().unwrap_or_default()))?;
            }
            for (name, path) in &built.programs {
                // With several lessons (the shell), a later lesson's program
                // may have an earlier one's name (lesson 06's `rtm`): the
                // later wins, and each stays reachable as NAME-NN (`rtm-05`).
                if lessons.len() > 1 {
                    fs::copy(path, stage.join("bin").join(format!("{name}-{:02}", lesson.number)))?;
                }
                fs::copy(path, stage.join("bin").join(name))?;
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
                started |= line.contains("LAB: running");
                if echo && started {
                    println!("{line}");
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
