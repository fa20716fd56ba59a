//! The lessons: found by their number in `checks/`, described by each
//! lesson's `checks/NN-topic/lesson.toml`.

use crate::builder::{Source, Workspace};
use anyhow::{anyhow, bail, Context, Result};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

/// Which code a lab run uses: the student's, or the reference solution.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Variant {
    /// `lessons/` and `kmods/`: the student's working copy.
    Student,
    /// `solutions/lessons/` and `solutions/kmods/`.
    Solution,
}

impl Variant {
    /// The folder name used under `target/lab/`.
    pub fn name(self) -> &'static str {
        match self {
            Variant::Student => "student",
            Variant::Solution => "solution",
        }
    }
}

/// An exercise of a lesson.
#[derive(Debug, Deserialize)]
pub struct Exercise {
    /// Its number, e.g. "2.1", as in the `EXERCISE 2.1:` marker.
    pub id: String,
    /// One line saying what to do.
    pub title: String,
    /// The file (student side) where its TODO is.
    pub file: String,
}

/// A check: one `PASS:`/`FAIL:` line the guest script prints.
#[derive(Debug, Deserialize)]
pub struct Check {
    /// The name the guest prints.
    pub name: String,
    /// The exercise this check proves, if any: it must fail on the starter.
    pub exercise: Option<String>,
    /// What to look at when it fails.
    pub hint: String,
}

/// A wrong answer to an exercise, as an edit of the reference solution
/// (`mutation` describes the format and what `verify` does with it).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mutation {
    /// Its name, unique in the lesson.
    pub name: String,
    /// The exercise it answers wrongly.
    pub exercise: String,
    /// The solution file it edits (`solutions/kmods/NN-topic/x.rs`).
    pub file: String,
    /// The exact text it replaces, found exactly once in `file`.
    pub find: String,
    /// What it puts there instead.
    pub replace: String,
    /// The wrong answer it models, in a sentence.
    pub why: String,
    /// Checks that must all fail on it (default: at least one of its exercise's).
    #[serde(default)]
    pub checks: Vec<String>,
}

/// `lesson.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// The lesson's title.
    pub title: String,
    /// Its chapter in the book.
    pub chapter: String,
    /// Userspace programs (binary names) the lab needs, from the lesson's crate.
    #[serde(default)]
    pub programs: Vec<String>,
    /// Where a program's binary has another name than in the VM
    /// (`rtm = "rtm6"`): one workspace cannot hold two binaries of one name.
    #[serde(default)]
    pub binaries: BTreeMap<String, String>,
    /// The lessons whose reference kernel code this lesson's module includes
    /// (`["05-rtm"]`): built alongside it as `rtm/`, the slug without its number.
    #[serde(default)]
    pub builds_on: Vec<String>,
    /// Files of the lesson's userspace crate that its kernel module compiles
    /// too (`["src/iter.rs"]`): copied next to the module's sources, so that
    /// the student's code runs on both sides.
    #[serde(default)]
    pub module_shares: Vec<String>,
    /// The exercises.
    #[serde(default, rename = "exercise")]
    pub exercises: Vec<Exercise>,
    /// The checks, in the order the guest prints them.
    #[serde(default, rename = "check")]
    pub checks: Vec<Check>,
    /// Wrong answers the checks must catch (`course verify`).
    #[serde(default, rename = "mutation")]
    pub mutations: Vec<Mutation>,
}

/// A lesson of the course.
#[derive(Debug)]
pub struct Lesson {
    /// Its number, 1 for `01-hello`.
    pub number: u32,
    /// Its folder name, the same in `lessons/`, `kmods/`, `solutions/` and `checks/`.
    pub slug: String,
    /// What `lesson.toml` says.
    pub manifest: Manifest,
}

impl Lesson {
    /// The lesson's files for the lab (`check.sh`, `demo.sh`, `lesson.toml`).
    pub fn checks_dir(&self, root: &Path) -> PathBuf {
        root.join("checks").join(&self.slug)
    }

    /// The kernel module folder of this variant, if the lesson has one.
    pub fn kmod_dir(&self, root: &Path, variant: Variant) -> Option<PathBuf> {
        let dir = match variant {
            Variant::Student => root.join("kmods").join(&self.slug),
            Variant::Solution => root.join("solutions/kmods").join(&self.slug),
        };
        dir.is_dir().then_some(dir)
    }

    /// The binary that is `program` in the VM, in this variant (a solution
    /// crate names its binaries NAME-solution, so that both versions live in
    /// one workspace).
    pub fn binary(&self, program: &str, solution_names: bool) -> String {
        let base = self.manifest.binaries.get(program).map_or(program, String::as_str);
        if solution_names {
            format!("{base}-solution")
        } else {
            base.to_string()
        }
    }

    /// Where this variant's code is, to build it (`builder`).
    pub fn source(&self, root: &Path, variant: Variant) -> Source {
        Source {
            kmod: self.kmod_dir(root, variant),
            krate: self.crate_dir(root, variant),
            workspace: Workspace::Course,
            solution_names: variant == Variant::Solution,
            work: root.join("target/lab").join(variant.name()),
            sandbox: None,
        }
    }

    /// The code of a tree laid out like the student's (`tree/lessons/NN-topic`,
    /// `tree/kmods/NN-topic`): a mutant, a student's code being graded;
    /// its crate builds with the workspace settings and path dependencies of
    /// `course` (see [`Workspace::Tree`]).
    pub fn tree_source(&self, tree: &Path, course: &Path, target: &Path, work: &Path) -> Source {
        let dir = |kind: &str| Some(tree.join(kind).join(&self.slug)).filter(|d| d.is_dir());
        Source {
            kmod: dir("kmods"),
            krate: dir("lessons"),
            workspace: Workspace::Tree {
                root: tree.to_path_buf(),
                target: target.to_path_buf(),
                course: course.to_path_buf(),
            },
            solution_names: false,
            work: work.to_path_buf(),
            sandbox: None,
        }
    }

    /// The userspace crate folder of this variant, if the lesson has one.
    pub fn crate_dir(&self, root: &Path, variant: Variant) -> Option<PathBuf> {
        let dir = match variant {
            Variant::Student => root.join("lessons").join(&self.slug),
            Variant::Solution => root.join("solutions/lessons").join(&self.slug),
        };
        dir.is_dir().then_some(dir)
    }
}

/// Every lesson, in order.
pub fn all(root: &Path) -> Result<Vec<Lesson>> {
    let dir = root.join("checks");
    let mut lessons = Vec::new();
    for entry in fs::read_dir(&dir).with_context(|| format!("reading {}", dir.display()))? {
        let slug = entry?.file_name().to_string_lossy().into_owned();
        let Some(number) = slug.split('-').next().and_then(|n| n.parse().ok()) else {
            continue;
        };
        let path = dir.join(&slug).join("lesson.toml");
        let text = fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
        let manifest = toml::from_str(&text).with_context(|| format!("parsing {}", path.display()))?;
        lessons.push(Lesson { number, slug, manifest });
    }
    lessons.sort_by_key(|l| l.number);
    Ok(lessons)
}

/// The lesson numbered `which` ("1", "01" or "01-hello").
pub fn find(root: &Path, which: &str) -> Result<Lesson> {
    let number: u32 = which
        .split('-')
        .next()
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| anyhow!("`{which}` is not a lesson number (try 1, or 01)"))?;
    let mut lessons = all(root)?;
    match lessons.iter().position(|l| l.number == number) {
        Some(i) => Ok(lessons.swap_remove(i)),
        None => {
            let have: Vec<_> = lessons.iter().map(|l| l.number.to_string()).collect();
            bail!("there is no lesson {number}; the lessons are {}", have.join(", "))
        }
    }
}
