//! The lab: builds a lesson's kernel modules and programs, stages them, and
//! boots the lab kernel with them. The kernel itself and the VM are the shell
//! scripts in `lab/`; this file drives them.

use crate::lessons::{Lesson, Variant};
use anyhow::{anyhow, bail, Context, Result};
use std::fs;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The target the lab's static userspace programs are built for.
const USER_TARGET: &str = "x86_64-unknown-linux-gnu";

/// Folders shared by every kernel module, copied next to each module's
/// sources as `<name>/` (so a module says `#[path = "wire/lib.rs"] mod wire;`).
pub const SHARED_KERNEL_SOURCES: &[(&str, &str)] = &[("wire/src", "wire"), ("knetlink/src", "knetlink")];

/// A lab whose kernel is built and ready.
pub struct Lab {
    root: PathBuf,
    kernel: PathBuf,
    /// The debug flavour of the kernel (`LAB_DEBUG=1`: lockdep, KASAN,
    /// kmemleak, debug information; lab/kernel-debug.config).
    debug: bool,
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

    /// Where this run's build products go (modules are built per kernel).
    fn work_dir(&self, variant: Variant) -> PathBuf {
        let flavour = if self.debug { "debug-" } else { "" };
        self.root.join("target/lab").join(format!("{flavour}{}", variant.name()))
    }

    /// Builds the lesson's kernel modules and returns the `.ko` files.
    pub fn build_modules(&self, lesson: &Lesson, variant: Variant, lint: Lint) -> Result<Vec<PathBuf>> {
        let Some(src) = lesson.kmod_dir(&self.root, variant) else {
            return Ok(Vec::new());
        };
        // 6.12 writes its build products next to the sources: build from a copy.
        let build = self.work_dir(variant).join("kmods").join(&lesson.slug);
        let mut changed = sync_dir(&src, &build)?;
        for (from, to) in SHARED_KERNEL_SOURCES {
            let from = self.root.join(from);
            if from.is_dir() {
                changed |= sync_dir(&from, &build.join(to))?;
            }
        }
        // A lesson that builds on an earlier one includes its reference code.
        for slug in &lesson.manifest.builds_on {
            let from = self.root.join("solutions/kmods").join(slug);
            if !from.is_dir() {
                bail!("lesson.toml of {} builds on {slug}, which has no {}", lesson.slug, from.display());
            }
            let to = slug.split_once('-').map_or(slug.as_str(), |(_, topic)| topic);
            changed |= sync_dir(&from, &build.join(to))?;
        }
        // Userspace files the module compiles too: the student's own code.
        for file in &lesson.manifest.module_shares {
            let crate_dir = lesson.crate_dir(&self.root, variant).context("module_shares needs a userspace crate")?;
            let from = crate_dir.join(file);
            let name = from.file_name().context("module_shares entry without a file name")?;
            let data = fs::read(&from).with_context(|| format!("reading {}", from.display()))?;
            let to = build.join(name);
            if fs::read(&to).ok().as_deref() != Some(&data[..]) {
                fs::write(&to, data)?;
                changed = true;
            }
        }
        // No source changed since the last good build against this kernel
        // with this lint: its modules stand, and make (half a second even
        // with nothing to do) is not asked.
        let stamp = build.join(".lab-built");
        let done = fs::metadata(self.kernel.join(".lab-done")).and_then(|m| m.modified()).ok();
        let wanted = format!("{} {done:?} {lint:?}\n", self.kernel.display());
        if !changed && fs::read_to_string(&stamp).is_ok_and(|s| s == wanted) {
            if let kos @ [_, ..] = &modules_in(&build)?[..] {
                return Ok(kos.to_vec());
            }
        }
        let _ = fs::remove_file(&stamp);
        let out = Command::new("bash")
            .arg(self.root.join("lab/module.sh"))
            .arg(&self.kernel)
            .arg(&build)
            .args(if lint == Lint::Fast { &["modules"][..] } else { &["CLIPPY=1", "modules"][..] })
            .output()
            .context("running lab/module.sh for the kernel module")?;
        let log = String::from_utf8_lossy(&out.stderr).into_owned() + &String::from_utf8_lossy(&out.stdout);
        let warned = log.contains("warning:");
        if !out.status.success() || warned {
            eprintln!("{log}");
        }
        if !out.status.success() {
            bail!("the kernel module in {} does not build (see above)", src.display());
        }
        if warned && lint == Lint::Strict {
            // The objects were made all the same: remove them, or the next
            // build finds them up to date and shows no warning at all.
            for entry in fs::read_dir(&build)? {
                let path = entry?.path();
                if path.extension().is_some_and(|e| e == "o" || e == "ko") {
                    fs::remove_file(path)?;
                }
            }
            bail!("the kernel module in {} builds with warnings (see above)", src.display());
        }
        fs::write(&stamp, wanted)?;
        let kos = modules_in(&build)?;
        if kos.is_empty() {
            bail!("building {} made no .ko file: does its Kbuild say obj-m := NAME.o?", src.display());
        }
        Ok(kos)
    }

    /// The lesson's userspace programs in `bin_dir` (see `build_static`):
    /// (name in the VM, path of the binary).
    fn programs(&self, lesson: &Lesson, variant: Variant, bin_dir: &Path) -> Result<Vec<(String, PathBuf)>> {
        let Some(dir) = lesson.crate_dir(&self.root, variant) else {
            return Ok(Vec::new());
        };
        let mut bins = Vec::new();
        for name in &lesson.manifest.programs {
            let file = lesson.binary(name, variant);
            let path = bin_dir.join(&file);
            if !path.is_file() {
                bail!("{} has no binary `{file}` (lesson.toml lists program `{name}`)", dir.display());
            }
            bins.push((name.clone(), path));
        }
        Ok(bins)
    }

    /// Builds the binaries of the crates in `dirs` (workspace members)
    /// statically linked, for the VM, in one cargo run (each run costs a
    /// fifth of a second even with nothing to do), and returns the folder
    /// they are in.
    pub(crate) fn build_static(&self, dirs: &[PathBuf]) -> Result<PathBuf> {
        let target_dir = self.root.join("target/lab/user");
        let mut cmd = Command::new(env!("CARGO"));
        cmd.args(["build", "--quiet", "--bins", "--profile", "lab", "--target", USER_TARGET, "--manifest-path"])
            .arg(self.root.join("Cargo.toml"))
            .arg("--target-dir")
            .arg(&target_dir)
            // Static, and not position-independent: a static-pie binary
            // relocates itself at every start, which under the VM's emulated
            // CPU costs some 60 ms a process (checks start hundreds).
            .env("RUSTFLAGS", "-C target-feature=+crt-static -C relocation-model=static");
        for dir in dirs {
            cmd.arg("-p").arg(package_name(dir)?);
        }
        run(&mut cmd).with_context(|| format!("building the programs of {}", dirs_list(dirs)))?;
        Ok(target_dir.join(USER_TARGET).join("lab"))
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
        let stage = self.work_dir(variant).join("stage").join(name);
        if stage.exists() {
            fs::remove_dir_all(&stage)?;
        }
        fs::create_dir_all(stage.join("bin"))?;
        // The programs (the checks' raw netlink prober, the conformance
        // tool and the fuzzer, in every run, and the lessons') in one cargo
        // run, while the modules build beside it.
        let mut crates = vec![self.root.join("checks/probe")];
        for lesson in lessons {
            if !lesson.manifest.programs.is_empty() {
                crates.extend(lesson.crate_dir(&self.root, variant));
            }
        }
        let (bin_dir, modules) = std::thread::scope(|s| {
            let bins = s.spawn(|| self.build_static(&crates));
            let modules: Result<Vec<_>> = lessons.iter().map(|l| self.build_modules(l, variant, lint)).collect();
            (bins.join(), modules)
        });
        let bin_dir = bin_dir.map_err(|_| anyhow!("the program build panicked"))??;
        let modules = modules?;
        for tool in ["nlprobe", "nlconform", "nlfuzz"] {
            fs::copy(bin_dir.join(tool), stage.join("bin").join(tool))?;
        }
        crate::fuzz::stage_kept(&self.root, variant, &stage)?;
        for (lesson, kos) in lessons.iter().zip(modules) {
            for ko in kos {
                fs::copy(&ko, stage.join(ko.file_name().unwrap_or_default()))?;
            }
            for (name, path) in self.programs(lesson, variant, &bin_dir)? {
                // With several lessons (the shell), a later lesson's program
                // may have an earlier one's name (lesson 06's `rtm`): the
                // later wins, and each stays reachable as NAME-NN (`rtm-05`).
                // The two names are one file (a hard link, which the
                // initramfs keeps): the VM unpacks each program once.
                let plain = stage.join("bin").join(&name);
                if lessons.len() > 1 {
                    let numbered = stage.join("bin").join(format!("{name}-{:02}", lesson.number));
                    fs::copy(&path, &numbered)?;
                    let _ = fs::remove_file(&plain);
                    fs::hard_link(&numbered, &plain)?;
                } else {
                    fs::copy(&path, &plain)?;
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
fn strip_escapes(line: &str) -> String {
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

/// Makes `to` a copy of `from`, rewriting only files whose contents changed,
/// so that make rebuilds only what was edited. Leaves build products alone,
/// and skips symbolic links (`course rust-analyzer` links the shared sources
/// into `kmods/`; the build gets its own copies).
/// Returns whether it wrote anything.
fn sync_dir(from: &Path, to: &Path) -> Result<bool> {
    let mut changed = false;
    fs::create_dir_all(to)?;
    for entry in fs::read_dir(from).with_context(|| format!("reading {}", from.display()))? {
        let entry = entry?;
        let (src, dst) = (entry.path(), to.join(entry.file_name()));
        let kind = entry.file_type()?;
        if kind.is_symlink() {
            continue;
        }
        if kind.is_dir() {
            changed |= sync_dir(&src, &dst)?;
        } else {
            let data = fs::read(&src)?;
            if fs::read(&dst).ok().as_deref() != Some(&data[..]) {
                fs::write(&dst, data)?;
                changed = true;
            }
        }
    }
    Ok(changed)
}

/// The package name in the `Cargo.toml` of the crate in `dir`.
fn package_name(dir: &Path) -> Result<String> {
    let path = dir.join("Cargo.toml");
    let text = fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let manifest: toml::Table = toml::from_str(&text).with_context(|| format!("parsing {}", path.display()))?;
    match manifest.get("package").and_then(|p| p.get("name")).and_then(|n| n.as_str()) {
        Some(name) => Ok(name.to_string()),
        None => bail!("{} has no [package] name", path.display()),
    }
}

/// The folders' paths, comma-separated, for messages.
fn dirs_list(dirs: &[PathBuf]) -> String {
    dirs.iter().map(|d| d.display().to_string()).collect::<Vec<_>>().join(", ")
}

/// The kernel modules (`.ko` files) in a module build folder.
fn modules_in(build: &Path) -> Result<Vec<PathBuf>> {
    let mut kos = Vec::new();
    for entry in fs::read_dir(build)? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "ko") {
            kos.push(path);
        }
    }
    Ok(kos)
}

#[cfg(test)]
mod tests {
    #[test]
    fn escapes_are_stripped() {
        assert_eq!(super::strip_escapes("\x1bc\x1b[?7l\x1b[2JLAB: running x"), "LAB: running x");
        assert_eq!(super::strip_escapes("plain [1.0] text"), "plain [1.0] text");
    }
}
