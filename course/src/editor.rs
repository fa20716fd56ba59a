//! rust-analyzer for the kernel modules in `kmods/`: `course rust-analyzer`
//! writes `kmods/rust-project.json` (the kernel's crates and one crate per
//! module, made by `lab/rust-analyzer.sh`) and links into each module's
//! folder the sources its build gets besides its own (`wire/`, `knetlink/`,
//! the code of a lesson it builds on, the student's userspace files it
//! compiles too), so that the module's `#[path = "wire/lib.rs"] mod wire;`
//! resolves in the editor as in the build.

use crate::lab::{Lab, SHARED_KERNEL_SOURCES};
use crate::lessons::{self, Variant};
use anyhow::{bail, Context, Result};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The first line of the `.gitignore` written next to the links.
const IGNORE_HEADER: &str = "# Written by `make rust-analyzer` (course/src/editor.rs): its links.\n";

/// The project file's name, in `kmods/`.
pub const PROJECT_FILE: &str = "rust-project.json";

/// Writes `kmods/rust-project.json` and the links; returns the file's path.
pub fn rust_analyzer(root: &Path, lab: &Lab) -> Result<PathBuf> {
    for lesson in lessons::all(root)? {
        let Some(dir) = lesson.kmod_dir(root, Variant::Student) else {
            continue;
        };
        let mut links = Vec::new();
        for (from, name) in SHARED_KERNEL_SOURCES {
            links.push(link(&dir, name, &root.join(from))?);
        }
        for slug in &lesson.manifest.builds_on {
            let name = slug.split_once('-').map_or(slug.as_str(), |(_, topic)| topic);
            links.push(link(&dir, name, &root.join("solutions/kmods").join(slug))?);
        }
        if let Some(crate_dir) = lesson.crate_dir(root, Variant::Student) {
            for file in &lesson.manifest.module_shares {
                let from = crate_dir.join(file);
                let name = from.file_name().context("module_shares entry without a file name")?;
                links.push(link(&dir, &name.to_string_lossy(), &from)?);
            }
        }
        // The links are the editor's business: git is told to pass them
        // over by a .gitignore of their own, which passes over itself too.
        let mut ignore = String::from(IGNORE_HEADER);
        ignore.push_str("/.gitignore\n");
        for name in links.into_iter().flatten() {
            ignore.push_str(&format!("/{name}\n"));
        }
        let file = dir.join(".gitignore");
        match fs::read_to_string(&file) {
            Ok(old) if !old.starts_with(IGNORE_HEADER) => {
                eprintln!("course: note: {} is yours: left alone (git will list the links)", file.display())
            }
            _ => fs::write(&file, ignore)?,
        }
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

/// Puts into `to` the links of `from` and their `.gitignore`, as they are
/// (`course diff` compares a module folder with the reference solution's,
/// and what `rust_analyzer` added is no difference).
#[cfg(unix)]
pub fn mirror_links(from: &Path, to: &Path) -> Result<()> {
    if !from.is_dir() || !to.is_dir() {
        return Ok(());
    }
    for entry in fs::read_dir(from)? {
        let entry = entry?;
        let (src, dst) = (entry.path(), to.join(entry.file_name()));
        if entry.file_type()?.is_symlink() {
            let _ = fs::remove_file(&dst);
            std::os::unix::fs::symlink(fs::read_link(&src)?, &dst)?;
        } else if entry.file_name() == ".gitignore" && !dst.exists() {
            fs::copy(&src, &dst)?;
        }
    }
    Ok(())
}

/// Makes `dir/name` a relative symbolic link to `target` (a path under the
/// repository root), unless it is one already. Returns `name`, or `None` when
/// something else of that name is there (left alone).
#[cfg(unix)]
fn link(dir: &Path, name: &str, target: &Path) -> Result<Option<String>> {
    let path = dir.join(name);
    // kmods/NN-topic/ is two levels below the root.
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
    Ok(Some(name.to_string()))
}
