//! Making the student's starter code from `solutions/`: every file under
//! `solutions/lessons/` and `solutions/kmods/` is rendered without its
//! solutions (see `markers`) into `lessons/` and `kmods/`, and without the
//! book's anchor lines.

use crate::markers::{self, Version};
use anyhow::{Context, Result};
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

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

/// Writes the starters (over the student's work: callers ask first).
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
