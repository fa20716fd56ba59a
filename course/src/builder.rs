//! Building a lesson for the lab: its kernel modules and its userspace
//! programs, from any tree of sources (the student's, the reference solution,
//! a mutant of it, a student's tree being graded).
//!
//! Every result is kept in a cache under `target/lab/cache`, keyed by a
//! SHA-256 of everything it was made from (the sources, the kernel, the
//! toolchain, the lint level): code that did not change is never built twice,
//! whoever's tree it is in. The cache keeps the 500 most recently used
//! results (`LAB_BUILD_CACHE_ENTRIES`; `LAB_BUILD_CACHE` moves it).

use crate::lab::{Lab, Lint, SHARED_KERNEL_SOURCES};
use crate::lessons::Lesson;
use crate::sandbox::Sandbox;
use anyhow::{bail, Context, Result};
use sha2::{Digest, Sha256};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

/// The target the lab's static userspace programs are built for.
const USER_TARGET: &str = "x86_64-unknown-linux-gnu";

/// Static, and not position-independent: a static-pie binary relocates
/// itself at every start, which under the VM's emulated CPU costs some 60 ms
/// a process (checks start hundreds).
const USER_RUSTFLAGS: &str = "-C target-feature=+crt-static -C relocation-model=static";

/// Where one lesson's code comes from, and how to build it.
pub struct Source {
    /// The module sources (a `kmods/NN-topic` folder), if the lesson has a module.
    pub kmod: Option<PathBuf>,
    /// The userspace crate (a `lessons/NN-topic` folder), if the lesson has one.
    pub krate: Option<PathBuf>,
    /// The Cargo workspace the crate is built in.
    pub workspace: Workspace,
    /// Its binaries are named NAME-solution (the reference solution's crates,
    /// which share the course's workspace with the student's).
    pub solution_names: bool,
    /// A folder of this source's own for build copies (kbuild writes its
    /// products next to the sources, so modules are built from a copy).
    pub work: PathBuf,
    /// Run the compilers confined (code of untrusted students).
    pub sandbox: Option<Sandbox>,
}

/// The Cargo workspace a lesson's crate is built in.
pub enum Workspace {
    /// The course's own (`Cargo.toml` at the root): the student's `lessons/`
    /// and `solutions/lessons/` are members.
    Course,
    /// A tree of its own laid out like the student's (`TREE/lessons/NN-topic`),
    /// built in a workspace generated at its root (`tree::write_workspace`)
    /// from the `Cargo.toml`, `Cargo.lock` and path dependencies of `course`
    /// (the course, or a copy of just those: `class::build_course`), with
    /// `target` as Cargo's target folder.
    Tree { root: PathBuf, target: PathBuf, course: PathBuf },
}

/// What a lesson's build made, ready to stage.
#[derive(Clone, Debug, Default)]
pub struct Built {
    /// The kernel modules (`.ko` files).
    pub modules: Vec<PathBuf>,
    /// The programs: (name in the VM, binary).
    pub programs: Vec<(String, PathBuf)>,
}

/// A SHA-256 over the inputs of a build.
struct Key(Sha256);

impl Key {
    fn new(kind: &str) -> Key {
        let mut h = Sha256::new();
        h.update(kind.as_bytes());
        Key(h)
    }

    /// Adds a piece of text, length-prefixed (so that pieces cannot run into each other).
    fn text(&mut self, s: &str) {
        self.0.update((s.len() as u64).to_le_bytes());
        self.0.update(s.as_bytes());
    }

    /// Adds bytes, length-prefixed.
    fn bytes(&mut self, data: &[u8]) {
        self.0.update((data.len() as u64).to_le_bytes());
        self.0.update(data);
    }

    /// Adds every file under `dir` (names and contents), in sorted order.
    fn dir(&mut self, dir: &Path) -> Result<()> {
        for rel in source_files(dir)? {
            self.text(&rel.to_string_lossy());
            let data = fs::read(dir.join(&rel)).with_context(|| format!("reading {}", dir.join(&rel).display()))?;
            self.bytes(&data);
        }
        Ok(())
    }

    fn hex(self) -> String {
        self.0.finalize().iter().take(16).map(|b| format!("{b:02x}")).collect()
    }
}

/// The files under `dir`, relative to it, sorted; build products (`target`)
/// and hidden files (editor swap files, `.git`) are not sources. Symbolic
/// links are skipped: a tree being graded must not reach outside itself.
pub fn source_files(dir: &Path) -> Result<Vec<PathBuf>> {
    fn walk(base: &Path, dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
        for entry in fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if name == "target" || name.starts_with('.') {
                continue;
            }
            let kind = entry.file_type()?;
            if kind.is_dir() {
                walk(base, &entry.path(), out)?;
            } else if kind.is_file() {
                out.push(entry.path().strip_prefix(base)?.to_path_buf());
            }
        }
        Ok(())
    }
    let mut out = Vec::new();
    if dir.is_dir() {
        walk(dir, dir, &mut out)?;
    }
    out.sort();
    Ok(out)
}

/// `rustc -vV`: the toolchain is part of every key.
fn rustc_version() -> &'static str {
    static V: OnceLock<String> = OnceLock::new();
    V.get_or_init(|| {
        Command::new("rustc")
            .arg("-vV")
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
            .unwrap_or_default()
    })
}

/// The build cache: `LAB_BUILD_CACHE`, or `target/lab/cache`.
fn cache_root(lab: &Lab) -> PathBuf {
    std::env::var_os("LAB_BUILD_CACHE").map(PathBuf::from).unwrap_or_else(|| lab.root.join("target/lab/cache"))
}

/// The cache entry for `key`: a folder that exists once complete.
fn cache_dir(lab: &Lab, key: &str) -> PathBuf {
    cache_root(lab).join(key)
}

/// How many entries the cache keeps (`LAB_BUILD_CACHE_ENTRIES`, default
/// 500: a few hundred megabytes); the least recently used go first.
fn cache_limit() -> usize {
    std::env::var("LAB_BUILD_CACHE_ENTRIES").ok().and_then(|v| v.parse().ok()).unwrap_or(500)
}

/// Marks an entry as just used (its `used` file's time), for `prune`.
fn touch(entry: &Path) {
    let _ = fs::write(entry.join("used"), b"");
}

/// Removes the least recently used entries beyond the limit.
fn prune(lab: &Lab) {
    let Ok(dir) = fs::read_dir(cache_root(lab)) else { return };
    let mut entries: Vec<(std::time::SystemTime, PathBuf)> = dir
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.join("used").is_file())
        .map(|p| (fs::metadata(p.join("used")).and_then(|m| m.modified()).unwrap_or(std::time::UNIX_EPOCH), p))
        .collect();
    let limit = cache_limit();
    if entries.len() > limit {
        entries.sort();
        for (_, old) in &entries[..entries.len() - limit] {
            let _ = fs::remove_dir_all(old);
        }
    }
}

/// Moves a finished build into the cache in one step (a rename), so that
/// an interrupted run never leaves half an entry.
fn publish(lab: &Lab, key: &str, fill: impl FnOnce(&Path) -> Result<()>) -> Result<PathBuf> {
    let done = cache_dir(lab, key);
    let tmp = done.with_extension(format!("tmp{}", std::process::id()));
    if tmp.exists() {
        fs::remove_dir_all(&tmp)?;
    }
    fs::create_dir_all(&tmp)?;
    fill(&tmp)?;
    touch(&tmp);
    if done.exists() {
        // Another run made the same entry meanwhile: the same contents.
        fs::remove_dir_all(&tmp)?;
    } else {
        fs::rename(&tmp, &done)?;
    }
    prune(lab);
    Ok(done)
}

/// Builds (or finds in the cache) everything the lesson needs from `src`:
/// its programs (cargo) while its modules build (kbuild), on the two cores.
pub fn build(lab: &Lab, lesson: &Lesson, src: &Source, lint: Lint) -> Result<Built> {
    let (programs, modules) = std::thread::scope(|s| {
        let programs = s.spawn(|| programs(lab, lesson, src, lint == Lint::Quiet));
        let modules = modules(lab, lesson, src, lint);
        (programs.join(), modules)
    });
    let programs = programs.map_err(|_| anyhow::anyhow!("the program build panicked"))?;
    Ok(Built { modules: modules?, programs: programs? })
}

/// The lesson's kernel modules: the `.ko` files the build made.
pub fn modules(lab: &Lab, lesson: &Lesson, src: &Source, lint: Lint) -> Result<Vec<PathBuf>> {
    let Some(kmod) = &src.kmod else {
        return Ok(Vec::new());
    };
    // What goes into the build folder: (from, to relative to it).
    let mut inputs = vec![(kmod.clone(), PathBuf::new())];
    for (from, to) in SHARED_KERNEL_SOURCES {
        let from = lab.root.join(from);
        if from.is_dir() {
            inputs.push((from, PathBuf::from(to)));
        }
    }
    // A lesson that builds on an earlier one includes its reference code
    // (in a handout that does not have it yet: the student's own).
    for slug in &lesson.manifest.builds_on {
        let mut from = lab.root.join("solutions/kmods").join(slug);
        if !from.is_dir() {
            from = lab.root.join("kmods").join(slug);
        }
        if !from.is_dir() {
            bail!("lesson.toml of {} builds on {slug}, which has no {}", lesson.slug, from.display());
        }
        let to = slug.split_once('-').map_or(slug.as_str(), |(_, topic)| topic);
        inputs.push((from, PathBuf::from(to)));
    }
    // Userspace files the module compiles too: the student's own code
    // (`module_shares`), next to the module's sources.
    let mut shared = Vec::new();
    for file in &lesson.manifest.module_shares {
        let krate = src.krate.as_ref().context("module_shares needs a userspace crate")?;
        let from = krate.join(file);
        let name = from.file_name().context("module_shares entry without a file name")?.to_os_string();
        let data = fs::read(&from).with_context(|| format!("reading {}", from.display()))?;
        shared.push((name, data));
    }
    let llvm = std::env::var("LAB_LLVM").unwrap_or_else(|_| "-19".into());
    let mut key = Key::new("kmod");
    key.text(&lab.kernel.to_string_lossy());
    key.text(&llvm);
    key.text(rustc_version());
    let clippy = matches!(lint, Lint::Clippy | Lint::Strict);
    key.text(if clippy { "clippy" } else { "fast" });
    for (from, to) in &inputs {
        key.text(&to.to_string_lossy());
        key.dir(from)?;
    }
    for (name, data) in &shared {
        key.text(&name.to_string_lossy());
        key.bytes(data);
    }
    let key = format!("kmod-{}", key.hex());
    let cached = cache_dir(lab, &key);
    let (dir, log) = if cached.is_dir() {
        touch(&cached);
        (cached, fs::read_to_string(cached_log(&key, lab)).unwrap_or_default())
    } else {
        let build = kmod_build_dir(lab, lesson, src);
        for (from, to) in &inputs {
            sync_dir(from, &build.join(to))?;
        }
        for (name, data) in &shared {
            let to = build.join(name);
            if fs::read(&to).ok().as_deref() != Some(&data[..]) {
                fs::write(&to, data)?;
            }
        }
        // lab/module.sh: `make -C KERNEL M=BUILD`, with kbuild's compiler
        // probes answered from the kernel's cache (read-only in a sandbox).
        let mut cmd = match &src.sandbox {
            Some(sandbox) => sandbox.command("bash"),
            None => Command::new("bash"),
        };
        cmd.arg(lab.root.join("lab/module.sh")).arg(&lab.kernel).arg(&build).env("LAB_LLVM", &llvm);
        cmd.args(if clippy { &["CLIPPY=1", "modules"][..] } else { &["modules"][..] });
        let out = cmd.stdin(Stdio::null()).output().context("running make for the kernel module")?;
        let log = String::from_utf8_lossy(&out.stderr).into_owned() + &String::from_utf8_lossy(&out.stdout);
        if !out.status.success() {
            bail!("the kernel module in {} does not build:\n{}", kmod.display(), log.trim_end());
        }
        let kos = built_modules(&build)?;
        let dir = publish(lab, &key, |tmp| {
            for ko in &kos {
                fs::copy(ko, tmp.join(ko.file_name().unwrap_or_default()))?;
            }
            Ok(fs::write(tmp.join("build.log"), &log)?)
        })?;
        (dir, log)
    };
    if log.contains("warning:") && lint != Lint::Quiet {
        eprintln!("{}", log.trim_end());
        if lint == Lint::Strict {
            bail!("the kernel module in {} builds with warnings (see above)", kmod.display());
        }
    }
    let mut kos: Vec<PathBuf> = fs::read_dir(&dir)?.map(|e| e.map(|e| e.path())).collect::<Result<_, _>>()?;
    kos.retain(|p| p.extension().is_some_and(|e| e == "ko"));
    kos.sort();
    Ok(kos)
}

/// The folder a lesson's module is built in (from a copy of its sources):
/// one per kernel (the debug one too), so that kbuild's own records of what
/// it built stay right, and switching does not rebuild.
pub fn kmod_build_dir(lab: &Lab, lesson: &Lesson, src: &Source) -> PathBuf {
    let kernel = lab.kernel.file_name().unwrap_or_default();
    src.work.join("kmods").join(kernel).join(&lesson.slug)
}

fn cached_log(key: &str, lab: &Lab) -> PathBuf {
    cache_dir(lab, key).join("build.log")
}

/// The `.ko` files this build made: those listed in its `modules.order`
/// (what kbuild writes for the `obj-m` of the Kbuild file, as `NAME.o`),
/// not whatever an earlier build left in the folder.
fn built_modules(build: &Path) -> Result<Vec<PathBuf>> {
    let order = build.join("modules.order");
    let text = fs::read_to_string(&order).with_context(|| format!("reading {}", order.display()))?;
    let mut kos = Vec::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let stem = line.strip_suffix(".o").or_else(|| line.strip_suffix(".ko")).unwrap_or(line);
        let ko = build.join(format!("{stem}.ko"));
        if !ko.is_file() {
            bail!("modules.order lists {line}, but {} is missing", ko.display());
        }
        kos.push(ko);
    }
    if kos.is_empty() {
        bail!("building {} made no .ko file: does its Kbuild say obj-m := NAME.o?", build.display());
    }
    Ok(kos)
}

/// The lesson's programs: (name in the VM, binary).
pub fn programs(lab: &Lab, lesson: &Lesson, src: &Source, quiet: bool) -> Result<Vec<(String, PathBuf)>> {
    let Some(krate) = &src.krate else {
        return Ok(Vec::new());
    };
    if lesson.manifest.programs.is_empty() {
        return Ok(Vec::new());
    }
    let files: Vec<String> = lesson.manifest.programs.iter().map(|p| lesson.binary(p, src.solution_names)).collect();
    let dir = static_binaries(lab, krate, &src.workspace, src.sandbox.as_ref(), &files, quiet)?;
    Ok(lesson.manifest.programs.iter().zip(&files).map(|(name, file)| (name.clone(), dir.join(file))).collect())
}

/// Builds the binaries `files` of the crate in `krate` statically linked,
/// for the VM, and returns the cache folder that holds them.
pub fn static_binaries(
    lab: &Lab,
    krate: &Path,
    workspace: &Workspace,
    sandbox: Option<&Sandbox>,
    files: &[String],
    quiet: bool,
) -> Result<PathBuf> {
    let mut key = Key::new("programs");
    key.text(rustc_version());
    key.text(USER_RUSTFLAGS);
    key.text(&files.join(","));
    for file in ["Cargo.toml", "Cargo.lock"] {
        key.text(&fs::read_to_string(lab.root.join(file)).unwrap_or_default());
    }
    // The crates a lesson's crate may use from the course (wire, rtm-cli).
    for dep in crate::tree::path_dependencies(&lab.root)? {
        key.dir(&dep)?;
    }
    key.dir(krate)?;
    let key = format!("prog-{}", key.hex());
    let cached = cache_dir(lab, &key);
    if cached.is_dir() {
        touch(&cached);
        return Ok(cached);
    }

    let target = match workspace {
        Workspace::Course => lab.root.join("target/lab/user"),
        Workspace::Tree { root, target, course } => {
            krate.strip_prefix(root).context("the crate is not inside its tree")?;
            crate::tree::write_workspace(course, root)?;
            target.clone()
        }
    };
    let mut cmd = match sandbox {
        Some(sandbox) => sandbox.command(env!("CARGO")),
        None => Command::new(env!("CARGO")),
    };
    cmd.args(["build", "--quiet", "--bins", "--profile", "lab", "--target", USER_TARGET]);
    cmd.args(["--message-format", "json-render-diagnostics", "--manifest-path"]);
    cmd.arg(krate.join("Cargo.toml")).arg("--target-dir").arg(&target);
    if matches!(workspace, Workspace::Tree { .. }) {
        // Everything it needs is in the course's Cargo.lock, and fetched.
        cmd.arg("--offline");
    }
    cmd.env("RUSTFLAGS", USER_RUSTFLAGS);
    let out = cmd.stdin(Stdio::null()).output().context("running cargo build")?;
    let diagnostics = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        bail!("the programs in {} do not build:\n{}", krate.display(), diagnostics.trim_end());
    }
    if !diagnostics.trim().is_empty() && !quiet {
        eprintln!("{}", diagnostics.trim_end());
    }
    // The binaries this build made, from Cargo's own account of it.
    let mut made = Vec::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let Ok(msg) = serde_json::from_str::<serde_json::Value>(line) else { continue };
        if msg["reason"] == "compiler-artifact" {
            if let (Some(name), Some(exe)) = (msg["target"]["name"].as_str(), msg["executable"].as_str()) {
                made.push((name.to_string(), PathBuf::from(exe)));
            }
        }
    }
    publish(lab, &key, |tmp| {
        for file in files {
            let Some((_, exe)) = made.iter().find(|(name, _)| name == file) else {
                bail!("{} has no binary `{file}` (its lesson.toml lists it)", krate.display());
            };
            fs::copy(exe, tmp.join(file))?;
        }
        Ok(())
    })
}

/// Makes `to` a copy of `from`, rewriting only files whose contents changed,
/// so that make rebuilds only what was edited. Leaves build products alone,
/// but removes the files an earlier sync copied whose source is gone (they
/// are listed in `to/.lab-synced`).
pub fn sync_dir(from: &Path, to: &Path) -> Result<()> {
    fs::create_dir_all(to)?;
    let list = to.join(".lab-synced");
    let files = source_files(from)?;
    let before = fs::read_to_string(&list).unwrap_or_default();
    for old in before.lines().map(Path::new) {
        if !files.iter().any(|f| f == old) {
            let _ = fs::remove_file(to.join(old));
        }
    }
    for rel in &files {
        let (src, dst) = (from.join(rel), to.join(rel));
        let data = fs::read(&src)?;
        if fs::read(&dst).ok().as_deref() != Some(&data[..]) {
            if let Some(parent) = dst.parent() {
                fs::create_dir_all(parent)?;
            }
            fs::write(&dst, data)?;
        }
    }
    let now: String = files.iter().map(|f| format!("{}\n", f.display())).collect();
    Ok(fs::write(list, now)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sync_removes_what_it_copied_before_and_keeps_build_products() {
        let dir = tempfile::tempdir().unwrap();
        let (from, to) = (dir.path().join("from"), dir.path().join("to"));
        fs::create_dir_all(from.join("sub")).unwrap();
        fs::write(from.join("a.rs"), "a").unwrap();
        fs::write(from.join("sub/b.rs"), "b").unwrap();
        sync_dir(&from, &to).unwrap();
        fs::write(to.join("a.o"), "product").unwrap();
        fs::remove_file(from.join("sub/b.rs")).unwrap();
        sync_dir(&from, &to).unwrap();
        assert!(to.join("a.rs").is_file() && to.join("a.o").is_file());
        assert!(!to.join("sub/b.rs").exists(), "a source file removed from the tree is removed from the copy");
    }

    #[test]
    fn modules_order_says_which_modules_were_built() {
        let dir = tempfile::tempdir().unwrap();
        let b = dir.path();
        fs::write(b.join("old.ko"), "stale").unwrap();
        fs::write(b.join("hello.ko"), "new").unwrap();
        fs::write(b.join("modules.order"), format!("{}/hello.o\n", b.display())).unwrap();
        assert_eq!(built_modules(b).unwrap(), [b.join("hello.ko")]);
        fs::write(b.join("modules.order"), "hello.o\n").unwrap();
        assert_eq!(built_modules(b).unwrap(), [b.join("hello.ko")]);
    }

    #[test]
    fn keys_change_with_contents_and_names() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("a"), "1").unwrap();
        let key = |text: &str| {
            let mut k = Key::new("t");
            k.text(text);
            k.dir(dir.path()).unwrap();
            k.hex()
        };
        let first = key("x");
        assert_eq!(first, key("x"));
        assert_ne!(first, key("y"));
        fs::write(dir.path().join("a"), "2").unwrap();
        assert_ne!(first, key("x"));
    }
}
