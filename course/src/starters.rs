//! Making the student's starter code from `solutions/`: every file under
//! `solutions/lessons/` and `solutions/kmods/` is rendered without its
//! solutions (see `markers`) into `lessons/` and `kmods/`, and without the
//! book's anchor lines.

use crate::markers::{self, Version};
use anyhow::{Context, Result};
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The trees the starters are made of: (solution folder, student folder).
pub const TREES: &[(&str, &str)] = &[("solutions/lessons", "lessons"), ("solutions/kmods", "kmods")];

/// Files of a tree, relative to it; build products, symbolic links and the
/// rust-analyzer project file are skipped.
fn files(dir: &Path) -> Result<Vec<PathBuf>> {
    fn walk(base: &Path, dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
        if !dir.is_dir() {
            return Ok(());
        }
        for entry in fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
            let entry = entry?;
            let path = entry.path();
            let name = path.file_name().unwrap_or_default().to_string_lossy();
            // Neither are the course's: links, and the project file
            // `course rust-analyzer` writes into kmods/ with them.
            if name == "target"
                || name.starts_with('.')
                || name == crate::editor::PROJECT_FILE
                || entry.file_type()?.is_symlink()
            {
                continue;
            }
            if path.is_dir() {
                walk(base, &path, out)?;
            } else {
                out.push(path.strip_prefix(base)?.to_path_buf());
            }
        }
        Ok(())
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out)?;
    out.sort();
    Ok(out)
}

/// Keep the book's `ANCHOR` lines in a rendering (for the book), or strip
/// them (for the student's files and the diff against the reference)?
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Anchors {
    Keep,
    Strip,
}

/// Renders every solution file in `version`: student path -> contents.
pub fn render_all(root: &Path, version: Version, anchors: Anchors) -> Result<BTreeMap<PathBuf, Vec<u8>>> {
    let mut out = BTreeMap::new();
    for (solutions, student) in TREES {
        let base = root.join(solutions);
        for rel in files(&base)? {
            let data = fs::read(base.join(&rel))?;
            let rendered = match String::from_utf8(data) {
                Ok(text) if markers::has_markers(&text) => {
                    markers::render(&format!("{solutions}/{}", rel.display()), &text, version)?.into_bytes()
                }
                Ok(text) => text.into_bytes(),
                Err(e) => e.into_bytes(),
            };
            let rendered = match (anchors, String::from_utf8(rendered)) {
                (Anchors::Strip, Ok(text)) => markers::strip_anchors(&text).into_bytes(),
                (_, Ok(text)) => text.into_bytes(),
                (_, Err(e)) => e.into_bytes(),
            };
            out.insert(Path::new(student).join(rel), rendered);
        }
    }
    Ok(out)
}

/// What differs between the committed starters and freshly made ones.
pub struct Drift {
    /// Files whose contents differ, or that are missing.
    pub changed: Vec<PathBuf>,
    /// Files in the student trees that no solution makes.
    pub extra: Vec<PathBuf>,
}

/// Compares the student trees with freshly rendered starters.
pub fn drift(root: &Path) -> Result<Drift> {
    let wanted = render_all(root, Version::Starter, Anchors::Strip)?;
    let changed = wanted
        .iter()
        .filter(|(path, data)| fs::read(root.join(path)).ok().as_ref() != Some(*data))
        .map(|(path, _)| path.clone())
        .collect();
    let mut extra = Vec::new();
    for (_, student) in TREES {
        for rel in files(&root.join(student))? {
            let path = Path::new(student).join(rel);
            if !wanted.contains_key(&path) {
                extra.push(path);
            }
        }
    }
    Ok(Drift { changed, extra })
}

/// Files of the student trees that Git does not hold as they are: untracked,
/// ignored, or changed since the last commit (staged or not). `None` when
/// `root` is not a Git checkout (a handout unpacked from a tarball): then
/// nothing is known to be safe.
fn uncommitted(root: &Path) -> Option<BTreeSet<PathBuf>> {
    let git = |args: &[&str]| {
        let out = Command::new("git").current_dir(root).args(args).output().ok()?;
        out.status.success().then_some(out.stdout)
    };
    // Porcelain paths are relative to the repository's top, which may be above `root`.
    let prefix = String::from_utf8(git(&["rev-parse", "--show-prefix"])?).ok()?;
    let mut args =
        vec!["status", "--porcelain=v1", "-z", "--no-renames", "--untracked-files=all", "--ignored=matching"];
    args.push("--");
    args.extend(TREES.iter().map(|(_, student)| *student));
    let out = git(&args)?;
    // Entries are "XY path", NUL-terminated; every listed path is not clean.
    Some(
        out.split(|&b| b == 0)
            .filter(|e| e.len() > 3)
            .filter_map(|e| {
                let path = String::from_utf8_lossy(&e[3..]).into_owned();
                path.strip_prefix(prefix.trim_end_matches('\n')).map(PathBuf::from)
            })
            .collect(),
    )
}

/// The files `write_all` would overwrite or delete that hold work Git does
/// not have (untracked, or changed since the last commit): the student's,
/// which `course gen` must not destroy.
pub fn at_risk(root: &Path) -> Result<Vec<PathBuf>> {
    let Drift { changed, extra } = drift(root)?;
    let dirty = uncommitted(root);
    Ok(changed
        .into_iter()
        .chain(extra)
        .filter(|p| root.join(p).exists())
        .filter(|p| dirty.as_ref().is_none_or(|d| d.contains(p)))
        .collect())
}

/// Writes the starters (over the student's work: callers check `at_risk` first).
pub fn write_all(root: &Path) -> Result<usize> {
    let wanted = render_all(root, Version::Starter, Anchors::Strip)?;
    let Drift { changed, extra } = drift(root)?;
    for path in &changed {
        let full = root.join(path);
        if let Some(parent) = full.parent() {
            fs::create_dir_all(parent)?;
        }
        fs::write(&full, &wanted[path])?;
    }
    for path in &extra {
        fs::remove_file(root.join(path))?;
    }
    Ok(changed.len() + extra.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn git(dir: &Path, args: &[&str]) {
        let ok = Command::new("git")
            .current_dir(dir)
            .args(["-c", "user.name=t", "-c", "user.email=t@t", "-c", "init.defaultBranch=main"])
            .args(args)
            .output()
            .unwrap()
            .status
            .success();
        assert!(ok, "git {args:?}");
    }

    /// A course tree with one marked solution file, its starter generated and committed.
    fn course() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::create_dir_all(root.join("solutions/kmods/01-x")).unwrap();
        fs::write(root.join("solutions/kmods/01-x/x.rs"), "// EXERCISE 1.1: do it\nfn a() {}\n// END\n").unwrap();
        write_all(root).unwrap();
        git(root, &["init", "-q"]);
        git(root, &["add", "."]);
        git(root, &["commit", "-q", "-m", "starters"]);
        dir
    }

    #[test]
    fn untracked_and_changed_files_are_at_risk_committed_ones_not() {
        let dir = course();
        let root = dir.path();
        assert!(at_risk(root).unwrap().is_empty(), "a fresh checkout");
        // The student's own new file: gen would delete it.
        fs::write(root.join("kmods/01-x/helper.rs"), "// mine\n").unwrap();
        // The student's edit of a starter: gen would overwrite it.
        fs::write(root.join("kmods/01-x/x.rs"), "fn a() { /* mine */ }\n").unwrap();
        let risk = at_risk(root).unwrap();
        assert_eq!(risk, [PathBuf::from("kmods/01-x/x.rs"), PathBuf::from("kmods/01-x/helper.rs")]);
        // Once committed, Git has them: gen may replace them.
        git(root, &["add", "."]);
        git(root, &["commit", "-q", "-m", "work"]);
        assert!(at_risk(root).unwrap().is_empty());
    }

    #[test]
    fn outside_git_every_file_gen_would_change_is_at_risk() {
        let dir = course();
        fs::remove_dir_all(dir.path().join(".git")).unwrap();
        fs::write(dir.path().join("kmods/01-x/helper.rs"), "// mine\n").unwrap();
        assert_eq!(at_risk(dir.path()).unwrap(), [PathBuf::from("kmods/01-x/helper.rs")]);
    }
}
