//! rust-analyzer for the kernel modules in `kmods/`: `course rust-analyzer`
//! writes `kmods/rust-project.json` (the kernel's crates and one crate per
//! module, made by `lab/rust-analyzer.sh`) and links into each module's
//! folder the shared sources its build gets (`wire/`, `knetlink/`, and the
//! code of a lesson it builds on), so that the module's
//! `#[path = "wire/lib.rs"] mod wire;` resolves in the editor as in the build.

use crate::lab::{Lab, SHARED_KERNEL_SOURCES};
use crate::lessons::{self, Variant};
use anyhow::{bail, Context, Result};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The project file's name, in `kmods/`.
pub const PROJECT_FILE: &str = "rust-project.json";

/// Writes `kmods/rust-project.json` and the links; returns the file's path.
pub fn rust_analyzer(root: &Path, lab: &Lab) -> Result<PathBuf> {
    let mut links = Vec::new();
    for lesson in lessons::all(root)? {
        let Some(dir) = lesson.kmod_dir(root, Variant::Student) else {
            continue;
        };
        for (from, name) in SHARED_KERNEL_SOURCES {
            links.push(link(&dir, name, &root.join(from))?);
        }
        for slug in &lesson.manifest.builds_on {
            let name = slug.split_once('-').map_or(slug.as_str(), |(_, topic)| topic);
            links.push(link(&dir, name, &root.join("solutions/kmods").join(slug))?);
        }
    }
    // The links are the editor's business, not the course's: git must not list them.
    let shown = Command::new("git")
        .current_dir(root)
        .args(["ls-files", "--others", "--exclude-standard", "--"])
        .args(links.iter().flatten())
        .output()
        .context("running git ls-files")?;
    if !shown.stdout.is_empty() {
        eprintln!(
            "course: note: git does not ignore these links; add them to .gitignore:\n{}",
            String::from_utf8_lossy(&shown.stdout)
        );
    }

    let out = Command::new("bash")
        .arg(root.join("lab/rust-analyzer.sh"))
        .arg(lab.kernel_dir())
        .arg(root.join("kmods"))
        .stderr(Stdio::inherit())
        .output()
        .context("running lab/rust-analyzer.sh")?;
    if !out.status.success() {
        bail!("lab/rust-analyzer.sh failed (see above)");
    }
    let file = root.join("kmods").join(PROJECT_FILE);
    fs::write(&file, &out.stdout).with_context(|| format!("writing {}", file.display()))?;
    Ok(file)
}

/// Makes `dir/name` a relative symbolic link to `target`, unless it is one
/// already. Returns the link's path relative to the repository root (for
/// git), or `None` when something else of that name is there (left alone).
#[cfg(unix)]
fn link(dir: &Path, name: &str, target: &Path) -> Result<Option<PathBuf>> {
    let path = dir.join(name);
    // kmods/NN-topic/ is two levels below the root, like every target's root.
    let root = dir.parent().and_then(Path::parent).context("kmods folder")?;
    let relative = Path::new("../..").join(target.strip_prefix(root)?);
    match fs::symlink_metadata(&path) {
        Ok(meta) if meta.file_type().is_symlink() => {
            if fs::read_link(&path)? != relative {
                fs::remove_file(&path)?;
                std::os::unix::fs::symlink(&relative, &path)?;
            }
        }
        Ok(_) => {
            eprintln!("course: note: {} exists and is not a link: left alone", path.display());
            return Ok(None);
        }
        Err(_) => std::os::unix::fs::symlink(&relative, &path)?,
    }
    Ok(Some(path.strip_prefix(root)?.to_path_buf()))
}
