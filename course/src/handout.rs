//! `course handout DIR`: the repository an instructor gives a class. It has
//! everything a student works with (the starters, the book, the lab, the
//! checks, this tool) and no reference solution, except those of the
//! lessons released with `--solutions`.
//!
//! What changes on the way, for the lessons whose solution stays back:
//! - `solutions/kmods/NN-topic` and `solutions/lessons/NN-topic` are left out;
//!   `lessons/` and `kmods/` are the generated starters;
//! - the book includes the student's starter where it included the
//!   solution's file, and a `<details>` block (a folded answer) that included
//!   a solution says that it is not released yet;
//! - `lesson.toml` loses its `[[mutation]]` entries (they quote answers);
//! - a workspace dependency on a solution crate (lesson 06 uses lesson 05's
//!   `rtm` library) points at the student's own crate, and a lesson that
//!   builds on an unreleased lesson's module builds on the student's (the
//!   lab tool falls back to `kmods/` when `solutions/kmods/` is missing);
//! - `.ci/` stays out (its `make test` proves the course with the solutions);
//! - a `.handout` file records the course's commit and the released lessons:
//!   `make gen` and `make verify` refuse to run, `make diff-N` says when a
//!   solution is not released.

use crate::lessons::{self, Lesson};
use crate::markers::Version;
use crate::starters;
use anyhow::{bail, Context, Result};
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Component, Path, PathBuf};
use std::process::Command;

/// The file that marks a handout, at its root.
pub const MARKER: &str = ".handout";

/// The lessons whose solutions a handout at `root` holds, if it is one.
pub fn released(root: &Path) -> Option<BTreeSet<u32>> {
    let text = fs::read_to_string(root.join(MARKER)).ok()?;
    let table: toml::Table = toml::from_str(&text).ok()?;
    let list = table.get("released")?.as_array()?;
    Some(list.iter().filter_map(|v| v.as_integer()).filter_map(|n| u32::try_from(n).ok()).collect())
}

/// The lesson number of a `solutions/{kmods,lessons}/NN-topic/...` path.
fn solution_lesson(path: &Path) -> Option<u32> {
    let mut parts = path.components().filter_map(|c| match c {
        Component::Normal(s) => s.to_str(),
        _ => None,
    });
    if parts.next()? != "solutions" || !matches!(parts.next()?, "kmods" | "lessons") {
        return None;
    }
    parts.next()?.split('-').next()?.parse().ok()
}

/// The files of the course: in a Git checkout, only those Git tracks
/// (`git ls-files`: not an untracked file, not a student's submission left
/// in the folder; commit or `git add` what is to be handed out); outside
/// Git, every file but build products.
fn tracked(root: &Path) -> Result<Vec<PathBuf>> {
    let out = Command::new("git").current_dir(root).args(["ls-files", "-z", "--cached"]).output();
    match out {
        Ok(o) if o.status.success() => Ok(o
            .stdout
            .split(|&b| b == 0)
            .filter(|p| !p.is_empty())
            .map(|p| PathBuf::from(String::from_utf8_lossy(p).into_owned()))
            .filter(|p| root.join(p).is_file())
            .collect()),
        _ => crate::builder::source_files(root),
    }
}

/// Every file of the handout: path -> contents.
pub fn files(root: &Path, released: &BTreeSet<u32>) -> Result<BTreeMap<PathBuf, Vec<u8>>> {
    let lessons = lessons::all(root)?;
    let unreleased: Vec<&Lesson> = lessons.iter().filter(|l| !released.contains(&l.number)).collect();
    let mut out = BTreeMap::new();
    for rel in tracked(root)? {
        let first = rel.components().next().map(|c| c.as_os_str().to_string_lossy().into_owned()).unwrap_or_default();
        if matches!(first.as_str(), "lessons" | "kmods" | ".ci") || rel == Path::new(MARKER) {
            continue;
        }
        if solution_lesson(&rel).is_some_and(|n| !released.contains(&n)) {
            continue;
        }
        let data = fs::read(root.join(&rel)).with_context(|| format!("reading {}", rel.display()))?;
        let name = rel.to_string_lossy();
        let data = if rel == Path::new("Cargo.toml") {
            workspace_manifest(root, &String::from_utf8_lossy(&data), &unreleased)?.into_bytes()
        } else if name.starts_with("checks/") && name.ends_with("/lesson.toml") {
            let number = rel.components().nth(1).and_then(|c| c.as_os_str().to_str()?.split('-').next()?.parse().ok());
            if number.is_some_and(|n: u32| !released.contains(&n)) {
                without_mutations(&String::from_utf8_lossy(&data)).into_bytes()
            } else {
                data
            }
        } else if name.starts_with("book/src/") && name.ends_with(".md") {
            book_page(&rel, &String::from_utf8_lossy(&data), released).into_bytes()
        } else {
            data
        };
        out.insert(rel, data);
    }
    out.extend(starters::render_all(root, Version::Starter, starters::Anchors::Strip)?);
    // The book's listings of the unreleased lessons: their starters, with anchors.
    for (path, data) in starters::render_all(root, Version::Starter, starters::Anchors::Keep)? {
        if student_path(&path).is_some_and(|(_, n)| !released.contains(&n)) {
            out.insert(Path::new(LISTINGS).join(path), data);
        }
    }
    let list: Vec<String> = released.iter().map(u32::to_string).collect();
    out.insert(
        PathBuf::from(MARKER),
        format!(
            "# A handout of the netlink course (`course handout`): the lessons whose\n\
             # reference solutions it holds, and the course commit it was made from.\n\
             released = [{}]\ncourse = \"{}\"\n",
            list.join(", "),
            crate::grade::course_version(root)
        )
        .into_bytes(),
    );
    Ok(out)
}

/// The course's Cargo.toml with workspace dependencies on unreleased
/// solution crates pointed at the student's crates (`rtm-cli`).
fn workspace_manifest(root: &Path, text: &str, unreleased: &[&Lesson]) -> Result<String> {
    // Cargo takes a member glob that matches nothing for a missing folder.
    let all = lessons::all(root)?;
    let any_solution_crate = all
        .iter()
        .filter(|l| !unreleased.iter().any(|u| u.number == l.number))
        .any(|l| root.join("solutions/lessons").join(&l.slug).is_dir());
    let mut out = String::new();
    for line in text.lines() {
        let mut line = line.to_string();
        if line.trim_start().starts_with("members") && !any_solution_crate {
            line = line.replace(", \"solutions/lessons/*\"", "").replace("\"solutions/lessons/*\", ", "");
        }
        for l in unreleased {
            let from = format!("\"solutions/lessons/{}\"", l.slug);
            if line.contains(&from) {
                let solution_manifest = root.join("solutions/lessons").join(&l.slug).join("Cargo.toml");
                let (solution_name, starter_name) = package_names(&solution_manifest)?;
                line = line
                    .replace(&from, &format!("\"lessons/{}\"", l.slug))
                    .replace(&format!("\"{solution_name}\""), &format!("\"{starter_name}\""));
            }
        }
        out.push_str(&line);
        out.push('\n');
    }
    Ok(out)
}

/// A solution crate's package name, and its starter's.
fn package_names(manifest: &Path) -> Result<(String, String)> {
    let text = fs::read_to_string(manifest).with_context(|| format!("reading {}", manifest.display()))?;
    let name = |src: &str| -> Result<String> {
        let table: toml::Table = toml::from_str(src)?;
        let name = table.get("package").and_then(|p| p.get("name")).and_then(|n| n.as_str());
        Ok(name.context("no package name")?.to_string())
    };
    let starter = crate::markers::render(&manifest.display().to_string(), &text, Version::Starter)?;
    Ok((name(&text)?, name(&starter)?))
}

/// `lesson.toml` without its `[[mutation]]` tables (they quote the answers),
/// and the comment lines just before the first.
pub fn without_mutations(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let mut keep = vec![true; lines.len()];
    let mut in_mutation = false;
    for (i, line) in lines.iter().enumerate() {
        let t = line.trim_start();
        if t.starts_with('[') {
            in_mutation = t.starts_with("[[mutation]]");
            if in_mutation {
                let mut j = i;
                while j > 0 && (lines[j - 1].trim_start().starts_with('#') || lines[j - 1].trim().is_empty()) {
                    j -= 1;
                    keep[j] = false;
                }
            }
        }
        if in_mutation {
            keep[i] = false;
        }
    }
    let mut out: String = lines.iter().zip(&keep).filter(|(_, k)| **k).map(|(l, _)| format!("{l}\n")).collect();
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

/// Where a handout keeps the starters of its unreleased lessons as the book
/// includes them (with their anchors: the student's files have none, and
/// `course render` cannot make them without the solutions).
pub const LISTINGS: &str = "book/listings";

/// One `{{#starter|solution|include PATH[:ANCHOR]}}` directive of a line:
/// (its start and end in the line, the file it names relative to the course
/// root, its anchor part with the colon).
fn directive<'a>(dir: &Path, line: &'a str) -> Option<(usize, usize, PathBuf, &'a str)> {
    let start = line.find("{{#")?;
    let end = start + line[start..].find("}}")? + 2;
    let inner = line[start + 3..end - 2].trim();
    let (kind, arg) = inner.split_once(char::is_whitespace)?;
    if !matches!(kind, "starter" | "solution" | "include") {
        return None;
    }
    let arg = arg.trim();
    let (path, anchor) = match arg.find(':') {
        Some(c) => (&arg[..c], &arg[c..]),
        None => (arg, ""),
    };
    Some((start, end, normalize(&dir.join(path)), anchor))
}

/// The student path (`kmods/NN-topic/...`, `lessons/NN-topic/...`) a course
/// path shows, with its lesson number: the file itself, or the starter a
/// solution file becomes.
fn student_path(path: &Path) -> Option<(PathBuf, u32)> {
    let rel = path.strip_prefix("solutions").unwrap_or(path);
    let mut parts = rel.components();
    let kind = parts.next()?.as_os_str().to_str()?;
    let slug = parts.next()?.as_os_str().to_str()?;
    if !matches!(kind, "kmods" | "lessons") {
        return None;
    }
    Some((rel.to_path_buf(), slug.split('-').next()?.parse().ok()?))
}

/// `to` relative to the folder `from` (both relative to the same root).
fn relative(from: &Path, to: &Path) -> PathBuf {
    let (f, t): (Vec<_>, Vec<_>) = (from.components().collect(), to.components().collect());
    let common = f.iter().zip(&t).take_while(|(a, b)| a == b).count();
    let mut out = PathBuf::new();
    for _ in common..f.len() {
        out.push("..");
    }
    for c in &t[common..] {
        out.push(c);
    }
    out
}

/// A book page as the handout has it. A listing of an unreleased lesson's
/// code (a starter, a solution, or an include of either) includes the
/// starter from `LISTINGS` instead; a `<details>` block (a folded answer)
/// that held a solution of an unreleased lesson says it is not released yet.
pub fn book_page(page: &Path, text: &str, released: &BTreeSet<u32>) -> String {
    let dir = page.parent().unwrap_or(Path::new(""));
    // The unreleased lesson a line's directive shows code of, if any, and
    // whether it shows the solution.
    let unreleased = |line: &str| -> Option<(u32, bool)> {
        let (start, _, path, _) = directive(dir, line)?;
        let (_, n) = student_path(&path)?;
        let solution = line[start..].starts_with("{{#solution") || path.starts_with("solutions");
        (!released.contains(&n)).then_some((n, solution))
    };
    let lines: Vec<&str> = text.lines().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        if line.trim_start().starts_with("<details") {
            let end = (i..lines.len()).find(|&j| lines[j].contains("</details>")).unwrap_or(lines.len() - 1);
            if let Some((n, _)) = lines[i..=end].iter().filter_map(|l| unreleased(l)).find(|(_, solution)| *solution) {
                let indent = &line[..line.len() - line.trim_start().len()];
                out.push_str(&format!(
                    "{indent}<details>\n{indent}<summary>Reference solution</summary>\n\n\
                     {indent}The reference solution of lesson {n:02} is not released yet: your instructor\n\
                     {indent}releases it later (`make diff-{n}` will then compare your code with it).\n\n\
                     {indent}</details>\n"
                ));
                i = end + 1;
                continue;
            }
        }
        match (unreleased(line), directive(dir, line)) {
            (Some(_), Some((start, end, path, anchor))) => {
                let (student, _) = student_path(&path).unwrap_or_default();
                let listing = relative(dir, &Path::new(LISTINGS).join(student));
                out.push_str(&format!(
                    "{}{{{{#include {}{anchor}}}}}{}",
                    &line[..start],
                    listing.display(),
                    &line[end..]
                ));
            }
            _ => out.push_str(line),
        }
        out.push('\n');
        i += 1;
    }
    out
}

/// The answers of the unreleased lessons: the lines of their solutions'
/// exercise regions that no starter has (long enough to be code of the
/// answer, not a brace; a line the student's starters have elsewhere, such
/// as a `msghdr` set-up that receiving also does, gives nothing away).
pub fn answers(root: &Path, released: &BTreeSet<u32>) -> Result<Vec<(PathBuf, String)>> {
    let public: String = starters::render_all(root, Version::Starter, starters::Anchors::Strip)?
        .values()
        .map(|data| String::from_utf8_lossy(data).into_owned())
        .collect();
    let mut out = Vec::new();
    for (kind, _) in starters::TREES {
        let base = root.join(kind);
        for rel in crate::builder::source_files(&base)? {
            let path = Path::new(kind).join(&rel);
            if solution_lesson(&path).is_none_or(|n| released.contains(&n)) {
                continue;
            }
            let text = fs::read_to_string(base.join(&rel)).unwrap_or_default();
            if !crate::markers::has_markers(&text) {
                continue;
            }
            let name = path.display().to_string();
            let reference = crate::markers::render(&name, &text, Version::Reference)?;
            for line in reference.lines().map(str::trim) {
                let code = line.chars().filter(|c| c.is_alphanumeric()).count();
                if code >= 16 && !line.starts_with("//") && !line.starts_with('#') && !public.contains(line) {
                    out.push((path.clone(), line.to_string()));
                }
            }
        }
    }
    Ok(out)
}

/// Builds the book of the handout in `dir` and returns every answer line of
/// an unreleased lesson that it shows (as the reader sees the text: tags
/// removed, entities decoded).
pub fn book_leaks(root: &Path, dir: &Path, released: &BTreeSet<u32>) -> Result<Vec<String>> {
    let mdbook = std::env::var_os("HOME").map(|h| Path::new(&h).join(".cargo/bin/mdbook")).filter(|p| p.is_file());
    let out = dir.join("target/handout-book");
    let status = Command::new(mdbook.unwrap_or_else(|| PathBuf::from("mdbook")))
        .arg("build")
        .arg(dir.join("book"))
        .arg("-d")
        .arg(&out)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .context("running mdbook (lab/setup.sh installs it)")?;
    if !status.success() {
        bail!("the handout's book does not build: run `mdbook build` in {}/book", dir.display());
    }
    let mut text = String::new();
    for rel in crate::builder::source_files(&out)? {
        if rel.extension().is_some_and(|e| e == "html") && rel != Path::new("print.html") {
            text += &reader_text(&fs::read_to_string(out.join(rel)).unwrap_or_default());
        }
    }
    let _ = fs::remove_dir_all(dir.join("target"));
    Ok(answers(root, released)?
        .into_iter()
        .filter(|(_, line)| text.contains(line.as_str()))
        .map(|(path, line)| format!("{}: {line}", path.display()))
        .collect())
}

/// What a reader sees of an HTML page's text: tags removed, the entities
/// mdBook writes decoded.
fn reader_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&amp;", "&")
}

/// `a/b/../c` as `a/c` (without touching the file system).
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            c => out.push(c),
        }
    }
    out
}

/// `course handout DIR`: writes the handout as a new Git repository with
/// one commit.
pub fn write(root: &Path, dir: &Path, released: &BTreeSet<u32>) -> Result<usize> {
    if dir.exists() && fs::read_dir(dir)?.next().is_some() {
        bail!("{} exists and is not empty: give a new folder", dir.display());
    }
    let all = lessons::all(root)?;
    for n in released {
        if !all.iter().any(|l| l.number == *n) {
            bail!("there is no lesson {n} to release");
        }
    }
    let files = files(root, released)?;
    for (rel, data) in &files {
        let path = dir.join(rel);
        fs::create_dir_all(path.parent().context("handout path")?)?;
        fs::write(&path, data)?;
        // Scripts stay executable.
        if let Ok(meta) = fs::metadata(root.join(rel)) {
            fs::set_permissions(&path, meta.permissions())?;
        }
    }
    let git = |args: &[&str]| -> Result<()> {
        let status = Command::new("git")
            .current_dir(dir)
            .args(["-c", "user.name=The netlink course", "-c", "user.email=course@localhost"])
            .args(["-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false"])
            .args(args)
            .status()
            .context("running git")?;
        if !status.success() {
            bail!("git {} failed in {}", args.join(" "), dir.display());
        }
        Ok(())
    };
    // A Cargo.lock for this workspace (the course's lists the solution crates too).
    let _ = Command::new(env!("CARGO"))
        .args(["update", "--workspace", "--offline", "--quiet", "--manifest-path"])
        .arg(dir.join("Cargo.toml"))
        .status();
    // The book's tools, to build the handout's book (once; seconds after that).
    let _ = Command::new("bash").arg(root.join("lab/setup.sh")).arg("--book").status();
    let leaks = book_leaks(root, dir, released)?;
    if !leaks.is_empty() {
        bail!(
            "the handout's book shows lines of unreleased answers (fix the chapter, or this tool):\n  {}",
            leaks.join("\n  ")
        );
    }
    git(&["init", "-q"])?;
    git(&["add", "-A"])?;
    let what = if released.is_empty() {
        "no solutions released".to_string()
    } else {
        format!("solutions of lesson(s) {}", released.iter().map(u32::to_string).collect::<Vec<_>>().join(", "))
    };
    git(&["commit", "-q", "-m", &format!("The netlink course, handout ({what})")])?;
    Ok(files.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mutations_are_cut_out_of_lesson_toml() {
        let toml = "title = \"t\"\n\n[[check]]\nname = \"a\"\n\n# Wrong answers:\n[[mutation]]\nname = \"m\"\nfind = \"x\"\n\n[[mutation]]\nname = \"n\"\n";
        assert_eq!(without_mutations(toml), "title = \"t\"\n\n[[check]]\nname = \"a\"\n");
        let parsed: toml::Table = toml::from_str(&without_mutations(toml)).unwrap();
        assert!(parsed.get("mutation").is_none());
    }

    #[test]
    fn the_book_shows_starters_and_no_unreleased_answer() {
        let page = Path::new("book/src/lessons/01-hello.md");
        let text = "Intro\n{{#solution ../../../solutions/kmods/01-hello/hello.rs:module}}\n\
                    {{#starter ../../../kmods/01-hello/hello.rs:init}}\n\
                    <details>\n<summary>Reference solution</summary>\n\n```rust\n\
                    {{#solution ../../../solutions/kmods/01-hello/hello.rs:drop}}\n```\n</details>\n\
                    {{#include ../../../wire/src/nlmsg.rs:x}}\n{{#include ../../../solutions/kmods/02-greet/greet.rs}}\n";
        let none = book_page(page, text, &BTreeSet::new());
        assert!(none.contains("{{#include ../../listings/kmods/01-hello/hello.rs:module}}"));
        assert!(none.contains("{{#include ../../listings/kmods/01-hello/hello.rs:init}}"));
        assert!(!none.contains("hello.rs:drop"), "the folded answer is gone");
        assert!(none.contains("not released yet"));
        assert!(none.contains("{{#include ../../../wire/src/nlmsg.rs:x}}"));
        assert!(none.contains("{{#include ../../listings/kmods/02-greet/greet.rs}}"));
        assert!(!none.contains("solutions/") && !none.contains("{{#starter") && !none.contains("{{#solution"));
        let one = book_page(page, text, &BTreeSet::from([1]));
        assert!(one.contains("{{#solution ../../../solutions/kmods/01-hello/hello.rs:drop}}"));
        assert!(one.contains("{{#starter ../../../kmods/01-hello/hello.rs:init}}"));
        assert!(one.contains("{{#include ../../listings/kmods/02-greet/greet.rs}}"));
        assert_eq!(
            relative(Path::new("book/src/lessons"), Path::new("book/listings/kmods/x.rs")),
            Path::new("../../listings/kmods/x.rs")
        );
    }

    #[test]
    fn answers_are_found_and_html_read_as_a_reader_sees_it() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
        let lines = answers(root, &BTreeSet::new()).unwrap();
        // Exercise 1.2's answer, which no starter has.
        assert!(lines.iter().any(|(p, l)| p.ends_with("01-hello/hello.rs") && l == "ahead.push(name, GFP_KERNEL)?;"));
        assert!(answers(root, &BTreeSet::from([1])).unwrap().iter().all(|(p, _)| !p.ends_with("01-hello/hello.rs")));
        let html = "<pre><code><span class=\"x\">ahead.push(name, GFP_KERNEL)?;</span> a &lt;b&gt; &amp;c</code></pre>";
        assert_eq!(reader_text(html), "ahead.push(name, GFP_KERNEL)?; a <b> &c");
    }

    #[test]
    fn solution_paths_are_recognised() {
        assert_eq!(solution_lesson(Path::new("solutions/kmods/05-rtm/rtm.rs")), Some(5));
        assert_eq!(solution_lesson(Path::new("solutions/lessons/02-greet/src/main.rs")), Some(2));
        assert_eq!(solution_lesson(Path::new("kmods/05-rtm/rtm.rs")), None);
        assert_eq!(normalize(Path::new("book/src/lessons/../../../solutions/x")), Path::new("solutions/x"));
    }

    #[test]
    fn only_files_git_tracks_are_handed_out() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let git = |args: &[&str]| assert!(Command::new("git").current_dir(d).args(args).status().unwrap().success());
        git(&["init", "-q"]);
        fs::write(d.join("tracked.rs"), "x").unwrap();
        fs::write(d.join("alice.tar.gz"), "a submission").unwrap();
        git(&["add", "tracked.rs"]);
        assert_eq!(tracked(d).unwrap(), [PathBuf::from("tracked.rs")]);
    }
}
