//! Taking a student's submission in for grading, without trusting it.
//!
//! A submission (a folder, a Git bundle or a tarball) is unpacked in a
//! sandbox. Then the instructor's course is the authority: a clean tree is
//! made of the instructor's starters, and only the files of the exercises
//! (`file` in each `lesson.toml`) are taken from the student's tree into it.
//! Every other file that differs from the handout is listed as ignored: an
//! edited check, lab script, `wire` or `knetlink` gains nothing.
//!
//! A tree that adds a dependency, a build script or a procedural-macro crate
//! is refused as a whole, with the reason: those run code on the host at
//! build time (and a dependency would need the network).

use crate::handout;
use crate::lessons::Lesson;
use crate::markers::Version;
use crate::sandbox::{Mount, Sandbox};
use crate::starters;
use anyhow::{bail, Context, Result};
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Stdio;

/// The largest file of a student's tree that is read: an exercise file
/// bigger than this is not taken, any other is not read (it is ignored).
const MAX_FILE: u64 = 1 << 20;

/// The largest file an unpacking writes (`LAB_UNPACK_FILE_MB`, default 64).
fn max_unpacked_file() -> u64 {
    std::env::var("LAB_UNPACK_FILE_MB").ok().and_then(|v| v.parse().ok()).unwrap_or(64) << 20
}

/// Is `name` usable as a folder name as it is: not empty, not `.` or `..`
/// nor hidden, no separator, only letters, digits, `.`, `_` and `-`?
pub fn plain_name(name: &str) -> bool {
    !name.is_empty() && !name.starts_with('.') && name.chars().all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
}

/// One student's submission in the class folder.
#[derive(Debug, Clone)]
pub struct Submission {
    /// The student's name: the file or folder name without its extension,
    /// reduced to letters, digits, `.`, `_` and `-`.
    pub name: String,
    pub path: PathBuf,
    pub kind: Kind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Folder,
    Bundle,
    Tarball,
}

/// The submissions in `dir`, by name.
pub fn submissions(dir: &Path) -> Result<Vec<Submission>> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir).with_context(|| format!("reading the class folder {}", dir.display()))? {
        let entry = entry?;
        let file = entry.file_name().to_string_lossy().into_owned();
        if file.starts_with('.') {
            continue;
        }
        let kind = entry.file_type()?;
        let (stem, kind) = if kind.is_dir() {
            (file.as_str(), Kind::Folder)
        } else if let Some(stem) = file.strip_suffix(".bundle") {
            (stem, Kind::Bundle)
        } else if let Some(stem) =
            [".tar.gz", ".tgz", ".tar.xz", ".tar.bz2", ".tar"].iter().find_map(|e| file.strip_suffix(e))
        {
            (stem, Kind::Tarball)
        } else {
            continue;
        };
        let name: String =
            stem.chars().map(|c| if c.is_ascii_alphanumeric() || "._-".contains(c) { c } else { '_' }).collect();
        if !plain_name(&name) {
            eprintln!("skipping {}: `{name}` is not a plain file name for a student", entry.path().display());
            continue;
        }
        out.push(Submission { name, path: entry.path(), kind });
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    for w in out.windows(2) {
        if w[0].name == w[1].name {
            bail!(
                "two submissions are both named `{}`: {} and {}",
                w[0].name,
                w[0].path.display(),
                w[1].path.display()
            );
        }
    }
    Ok(out)
}

/// Unpacks `sub` into `dest` (a fresh folder) inside a sandbox that can
/// write only there, and returns the root of the student's course tree in it
/// (the folder that holds `checks/`, possibly one level down). A folder
/// submission is used where it is: it is only ever read, file by file.
pub fn unpack(sub: &Submission, dest: &Path) -> Result<PathBuf> {
    let tree = match sub.kind {
        Kind::Folder => sub.path.clone(),
        Kind::Bundle | Kind::Tarball => {
            if dest.exists() {
                fs::remove_dir_all(dest)?;
            }
            fs::create_dir_all(dest)?;
            let input = sub.path.canonicalize()?;
            let dir = input.parent().context("submission folder")?.to_path_buf();
            let mut sandbox = Sandbox::new(vec![Mount::Read(dir), Mount::Write(dest.to_path_buf())]);
            sandbox.file_size = Some(max_unpacked_file());
            let mut cmd = if sub.kind == Kind::Bundle {
                let mut c = sandbox.command("git");
                c.args(["-c", "protocol.allow=never", "-c", "protocol.file.allow=always", "clone", "-q"])
                    .arg(&input)
                    .arg(dest.join("tree"));
                c
            } else {
                fs::create_dir_all(dest.join("tree"))?;
                let mut c = sandbox.command("tar");
                c.args(["--no-same-owner", "--no-same-permissions", "-xf"])
                    .arg(&input)
                    .arg("-C")
                    .arg(dest.join("tree"));
                c
            };
            let out = cmd.stdin(Stdio::null()).output().context("unpacking the submission")?;
            if !out.status.success() {
                bail!("could not unpack {}: {}", sub.path.display(), String::from_utf8_lossy(&out.stderr).trim());
            }
            dest.join("tree")
        }
    };
    // The course may sit one folder down (a tarball of `alice/...`).
    if tree.join("checks").is_dir() {
        return Ok(tree);
    }
    let mut inner = fs::read_dir(&tree)?
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()) && e.path().join("checks").is_dir());
    match (inner.next(), inner.next()) {
        (Some(one), None) => Ok(one.path()),
        _ => Ok(tree),
    }
}

/// The Git commit of a student's tree, read inside a sandbox (a tree's
/// `.git/config` can name programs for Git to run).
pub fn commit(tree: &Path) -> Option<String> {
    let sandbox = Sandbox::new(vec![Mount::Read(tree.to_path_buf())]);
    let out = sandbox
        .command("git")
        .args(["-c", "core.fsmonitor=false", "-c", "safe.directory=*", "-C"])
        .arg(tree)
        .args(["rev-parse", "HEAD"])
        .stdin(Stdio::null())
        .output()
        .ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// What intake made of a student's tree.
#[derive(Debug, Default)]
pub struct Intake {
    /// Why the tree is refused, if it is.
    pub refused: Option<String>,
    /// Files not taken, each with why ("checks/01-hello/check.sh: changed").
    pub ignored: Vec<String>,
    /// The exercise files taken from the student.
    pub taken: Vec<PathBuf>,
}

/// The files (relative paths) the students edit: every exercise's `file`.
pub fn exercise_files(lessons: &[Lesson]) -> BTreeSet<PathBuf> {
    lessons.iter().flat_map(|l| l.manifest.exercises.iter().map(|e| PathBuf::from(&e.file))).collect()
}

/// The files of a student's tree, relative, with their kind; `.git` and
/// build products (`target`) are not looked at, links are not followed.
fn student_files(tree: &Path) -> Result<Vec<(PathBuf, bool)>> {
    fn walk(base: &Path, dir: &Path, out: &mut Vec<(PathBuf, bool)>) -> Result<()> {
        for entry in fs::read_dir(dir)? {
            let entry = entry?;
            let name = entry.file_name();
            let rel = entry.path().strip_prefix(base)?.to_path_buf();
            // Git's own, build products (what the course's .gitignore names),
            // and what Cargo and `course handout` generate.
            if name == ".git" || name == "target" || rel == Path::new("book/build") {
                continue;
            }
            if rel == Path::new("Cargo.lock") || rel == Path::new(handout::MARKER) {
                continue;
            }
            // What `make rust-analyzer` writes into kmods/: a project file, and
            // in each module's folder links to the shared sources with a
            // .gitignore of their own (course/src/editor.rs).
            if rel.starts_with("kmods")
                && (rel == Path::new("kmods/rust-project.json")
                    || entry.file_type()?.is_symlink()
                    || name == ".gitignore")
            {
                continue;
            }
            let kind = entry.file_type()?;
            if kind.is_dir() {
                walk(base, &entry.path(), out)?;
            } else {
                out.push((rel, kind.is_file()));
            }
        }
        Ok(())
    }
    let mut out = Vec::new();
    walk(tree, tree, &mut out)?;
    out.sort();
    Ok(out)
}

/// A regular file's contents if it is at most `MAX_FILE` bytes (else, or
/// for another kind of file, `None`: it is not read).
fn read_small(path: &Path, regular: bool) -> Result<Option<Vec<u8>>> {
    if !regular || fs::symlink_metadata(path)?.len() > MAX_FILE {
        return Ok(None);
    }
    Ok(Some(fs::read(path)?))
}

/// Whether the file at `path` holds exactly `expected`, compared a block at
/// a time (a large file is never read whole).
fn same_contents(path: &Path, expected: &[u8]) -> Result<bool> {
    use std::io::Read;
    if fs::symlink_metadata(path)?.len() != expected.len() as u64 {
        return Ok(false);
    }
    let mut file = fs::File::open(path)?;
    let mut block = vec![0u8; 64 * 1024];
    let mut at = 0;
    loop {
        let n = file.read(&mut block)?;
        if n == 0 {
            return Ok(at == expected.len());
        }
        if expected.get(at..at + n) != Some(&block[..n]) {
            return Ok(false);
        }
        at += n;
    }
}

/// The dependency names a manifest declares, in any dependency table.
pub fn dependencies(manifest: &toml::Table) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut add = |t: Option<&toml::Value>| {
        for key in ["dependencies", "dev-dependencies", "build-dependencies"] {
            if let Some(deps) = t.and_then(|t| t.get(key)).and_then(|d| d.as_table()) {
                out.extend(deps.keys().cloned());
            }
        }
    };
    add(Some(&toml::Value::Table(manifest.clone())));
    add(manifest.get("workspace"));
    if let Some(targets) = manifest.get("target").and_then(|t| t.as_table()) {
        for t in targets.values() {
            add(Some(t));
        }
    }
    out
}

/// Why a student's `Cargo.toml` is refused, compared with the handout's
/// (`None` for a file the handout does not have).
fn manifest_refusal(path: &Path, student: &[u8], handout: Option<&[u8]>) -> Option<String> {
    let parse = |b: &[u8]| std::str::from_utf8(b).ok().and_then(|s| toml::from_str::<toml::Table>(s).ok());
    let Some(mine) = parse(student) else {
        return None; // Not a manifest Cargo can read: it is ignored anyway.
    };
    let theirs = handout.and_then(parse).unwrap_or_default();
    let added: Vec<String> = dependencies(&mine).difference(&dependencies(&theirs)).cloned().collect();
    if !added.is_empty() {
        return Some(format!("{} adds the dependency {}", path.display(), added.join(", ")));
    }
    let build = |t: &toml::Table| t.get("package").and_then(|p| p.get("build")).map(|b| b.to_string());
    if build(&mine).is_some() && build(&mine) != build(&theirs) {
        return Some(format!("{} adds a build script (package.build)", path.display()));
    }
    let proc_macro = |t: &toml::Table| {
        let lib = t.get("lib");
        ["proc-macro", "proc_macro"].iter().any(|k| lib.and_then(|l| l.get(k)).and_then(|v| v.as_bool()) == Some(true))
    };
    if proc_macro(&mine) && !proc_macro(&theirs) {
        return Some(format!("{} makes a procedural-macro crate", path.display()));
    }
    None
}

/// Takes the student's tree `student` in: checks it, and writes `clean`,
/// the instructor's starters with the student's exercise files (those of
/// `lessons`, the lessons graded).
pub fn intake(root: &Path, lessons: &[Lesson], student: &Path, clean: &Path) -> Result<Intake> {
    let released = handout::released(student).unwrap_or_default();
    let expected = handout::files(root, &released)?;
    let exercises = exercise_files(lessons);
    // The other lessons' exercise files: not graded in this run.
    let all = crate::lessons::all(root)?;
    let ungraded: BTreeMap<PathBuf, u32> = all
        .iter()
        .filter(|l| !lessons.iter().any(|g| g.number == l.number))
        .flat_map(|l| l.manifest.exercises.iter().map(|e| (PathBuf::from(&e.file), l.number)))
        .collect();
    let mut intake = Intake::default();
    let mut taken: BTreeMap<PathBuf, Vec<u8>> = BTreeMap::new();
    for (rel, regular) in student_files(student)? {
        let path = student.join(&rel);
        if let Some(n) = ungraded.get(&rel).filter(|_| !exercises.contains(&rel)) {
            if expected.get(&rel).map(Vec::as_slice) != read_small(&path, regular)?.as_deref() {
                intake
                    .ignored
                    .push(format!("{}: an exercise of lesson {n:02}, which this run does not grade", rel.display()));
            }
            continue;
        }
        if exercises.contains(&rel) {
            let size = fs::symlink_metadata(&path)?.len();
            if !regular {
                intake
                    .ignored
                    .push(format!("{}: an exercise file, but not a regular file (a link?): not taken", rel.display()));
            } else if size > MAX_FILE {
                intake.ignored.push(format!(
                    "{}: an exercise file of {size} bytes, more than {MAX_FILE}: not taken",
                    rel.display()
                ));
            } else {
                taken.insert(rel, fs::read(&path)?);
            }
            continue;
        }
        let size = fs::symlink_metadata(&path)?.len();
        if regular && size > MAX_FILE && expected.get(&rel).is_some_and(|k| same_contents(&path, k).unwrap_or(false)) {
            continue; // the course's own large file (the book's mermaid.min.js), unchanged
        }
        if regular && size > MAX_FILE {
            // Not read: whatever it is, the course's own (if any) is used.
            let why = if expected.contains_key(&rel) { "the course's own is used" } else { "not used" };
            intake.ignored.push(format!("{}: {size} bytes, more than {MAX_FILE}: not read, {why}", rel.display()));
            if intake.refused.is_none() && rel.file_name().is_some_and(|n| n == "build.rs") {
                intake.refused = Some(format!("{} adds a build script", rel.display()));
            }
            continue;
        }
        let data = if regular { fs::read(&path).ok() } else { None };
        let known = expected.get(&rel);
        if intake.refused.is_none() {
            let name = rel.file_name().unwrap_or_default();
            if name == "build.rs" && data.as_deref() != known.map(Vec::as_slice) {
                intake.refused = Some(format!("{} adds a build script", rel.display()));
            } else if name == "Cargo.toml" {
                if let Some(data) = &data {
                    intake.refused = manifest_refusal(&rel, data, known.map(Vec::as_slice));
                }
            }
        }
        match (known, &data) {
            (Some(k), Some(d)) if k == d => {}
            (Some(_), Some(_)) => intake.ignored.push(format!("{}: changed: the course's own is used", rel.display())),
            (Some(_), None) => {
                intake.ignored.push(format!("{}: not a regular file: the course's own is used", rel.display()))
            }
            (None, _) => intake.ignored.push(format!("{}: not part of the course: not used", rel.display())),
        }
    }
    if intake.refused.is_some() {
        return Ok(intake);
    }
    // The clean tree: the starters of every lesson, then the student's exercise files.
    let mut files = starters::render_all(root, Version::Starter, starters::Anchors::Strip)?;
    for (rel, data) in taken {
        intake.taken.push(rel.clone());
        files.insert(rel, data);
    }
    for (rel, data) in &files {
        let path = clean.join(rel);
        if fs::read(&path).ok().as_deref() != Some(data.as_slice()) {
            fs::create_dir_all(path.parent().context("tree path")?)?;
            fs::write(&path, data)?;
        }
    }
    // Files of an earlier intake that this one does not have.
    for kind in ["lessons", "kmods"] {
        for old in crate::builder::source_files(&clean.join(kind))? {
            let rel = Path::new(kind).join(&old);
            if !files.contains_key(&rel) {
                fs::remove_file(clean.join(rel))?;
            }
        }
    }
    Ok(intake)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn added_dependencies_build_scripts_and_proc_macros_are_refused() {
        let base = b"[package]\nname = \"greet\"\n[dependencies]\nlibc.workspace = true\n";
        let p = Path::new("lessons/02-greet/Cargo.toml");
        assert_eq!(manifest_refusal(p, base, Some(base)), None);
        let dep = b"[package]\nname = \"greet\"\n[dependencies]\nlibc.workspace = true\nserde = \"1\"\n";
        assert!(manifest_refusal(p, dep, Some(base)).unwrap().contains("dependency serde"));
        let target = b"[package]\nname = \"greet\"\n[target.'cfg(unix)'.build-dependencies]\ncc = \"1\"\n";
        assert!(manifest_refusal(p, target, Some(base)).unwrap().contains("cc"));
        let build = b"[package]\nname = \"greet\"\nbuild = \"gen.rs\"\n";
        assert!(manifest_refusal(p, build, Some(base)).unwrap().contains("build script"));
        let pm = b"[package]\nname = \"x\"\n[lib]\nproc-macro = true\n";
        assert!(manifest_refusal(Path::new("x/Cargo.toml"), pm, None).unwrap().contains("procedural-macro"));
    }

    #[test]
    fn names_are_made_safe_and_kinds_known() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir(dir.path().join("al ice")).unwrap();
        fs::write(dir.path().join("bob.bundle"), "").unwrap();
        fs::write(dir.path().join("<eve>.tar.gz"), "").unwrap();
        fs::write(dir.path().join("notes.txt"), "").unwrap();
        let subs = submissions(dir.path()).unwrap();
        let got: Vec<_> = subs.iter().map(|s| (s.name.as_str(), s.kind)).collect();
        assert_eq!(got, [("_eve_", Kind::Tarball), ("al_ice", Kind::Folder), ("bob", Kind::Bundle)]);
    }

    #[test]
    fn a_large_file_is_compared_a_block_at_a_time() {
        let dir = tempfile::tempdir().unwrap();
        let expected: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        let path = dir.path().join("mermaid.min.js");
        fs::write(&path, &expected).unwrap();
        assert!(same_contents(&path, &expected).unwrap());
        let mut changed = expected.clone();
        changed[150_000] ^= 1; // in the third block
        fs::write(&path, &changed).unwrap();
        assert!(!same_contents(&path, &expected).unwrap());
        fs::write(&path, &expected[..expected.len() - 1]).unwrap();
        assert!(!same_contents(&path, &expected).unwrap());
    }

    #[test]
    fn big_files_are_not_read_and_other_lessons_are_said_ungraded() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
        let (one, rest): (Vec<Lesson>, Vec<Lesson>) =
            crate::lessons::all(root).unwrap().into_iter().partition(|l| l.number == 1);
        let other = &rest.iter().find(|l| l.number == 2).unwrap().manifest.exercises[0].file;
        let dir = tempfile::tempdir().unwrap();
        let (student, clean) = (dir.path().join("student"), dir.path().join("clean"));
        for (rel, data) in handout::files(root, &BTreeSet::new()).unwrap() {
            fs::create_dir_all(student.join(&rel).parent().unwrap()).unwrap();
            fs::write(student.join(rel), data).unwrap();
        }
        // Not read: a sparse file of 1 TiB (reading it would take the memory).
        let big = fs::File::create(student.join("book/huge.bin")).unwrap();
        big.set_len(1 << 40).unwrap();
        fs::write(student.join(other), "// my lesson 02 work\n").unwrap();
        let taken = intake(root, &one, &student, &clean).unwrap();
        assert!(taken.refused.is_none(), "{:?}", taken.refused);
        let huge = taken.ignored.iter().find(|i| i.starts_with("book/huge.bin")).unwrap();
        assert!(huge.contains("not read"), "{huge}");
        let two = taken.ignored.iter().find(|i| i.starts_with(other.as_str())).unwrap();
        assert!(two.contains("lesson 02, which this run does not grade"), "{two}");
        assert!(!taken.ignored.iter().any(|i| i.contains("changed")), "{:?}", taken.ignored);
    }
}
