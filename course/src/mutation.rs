//! Mutations: the wrong answers a student is likely to write, kept as small
//! edits of the reference solution, which `course verify` proves each
//! exercise's checks catch.
//!
//! A lesson's `lesson.toml` lists them:
//!
//! ```toml
//! [[mutation]]
//! name = "nothing-stored"                         # unique in the lesson
//! exercise = "1.2"                                # the exercise it gets wrong
//! file = "solutions/kmods/01-hello/hello.rs"      # a file of this lesson under solutions/
//! find = "ahead.push(name, GFP_KERNEL)?;"         # exact text, found exactly once
//! replace = ""                                    # what the wrong answer has instead
//! why = "logs each lesson but keeps none"         # the mistake it models
//! checks = ["lessons-kept"]                       # optional: checks that must fail
//! ```
//!
//! `verify` builds each mutant (the lesson's solution with the one edit,
//! rendered as a student's tree) and runs the lesson's checks on it, in the
//! same boot as the solution and the starter. A mutation is caught when every
//! check in `checks` fails, or, without `checks`, when at least one check of
//! its exercise fails. A mutant must build: a wrong answer that does not
//! compile is no test of the checks.

use crate::lessons::{Lesson, Mutation};
use crate::markers::{self, Version};
use anyhow::{bail, Context, Result};
use std::fs;
use std::path::{Path, PathBuf};

/// Checks that `m` is well-formed for `lesson`: its exercise and checks
/// exist, its file is one of the lesson's solution files, and its text is
/// found there exactly once.
pub fn validate(root: &Path, lesson: &Lesson, m: &Mutation) -> Result<()> {
    let at = format!("mutation `{}` of lesson {}", m.name, lesson.number);
    if !lesson.manifest.exercises.iter().any(|e| e.id == m.exercise) {
        bail!("{at}: there is no exercise {}", m.exercise);
    }
    for c in &m.checks {
        if !lesson.manifest.checks.iter().any(|k| k.name == *c) {
            bail!("{at}: there is no check `{c}`");
        }
    }
    if lesson.manifest.mutations.iter().filter(|o| o.name == m.name).count() > 1 {
        bail!("{at}: two mutations have this name");
    }
    if m.find.is_empty() {
        bail!("{at}: `find` is empty");
    }
    if m.why.trim().is_empty() {
        bail!("{at}: `why` must say which wrong answer it models");
    }
    lesson_file(lesson, &m.file).with_context(|| at.clone())?;
    let text = fs::read_to_string(root.join(&m.file)).with_context(|| format!("{at}: reading {}", m.file))?;
    match text.matches(m.find.as_str()).count() {
        1 => Ok(()),
        0 => bail!("{at}: its `find` text is not in {} (did the solution change?)", m.file),
        n => bail!("{at}: its `find` text is in {} {n} times: make it longer, so that it is found once", m.file),
    }
}

/// Splits `solutions/kmods/NN-topic/x.rs` into ("kmods", "x.rs"), if it is a
/// file of this lesson's solution.
fn lesson_file<'a>(lesson: &Lesson, file: &'a str) -> Result<(&'static str, &'a str)> {
    for kind in ["kmods", "lessons"] {
        let prefix = format!("solutions/{kind}/{}/", lesson.slug);
        if let Some(rel) = file.strip_prefix(&prefix) {
            return Ok((kind, rel));
        }
    }
    bail!("`file` must be under solutions/kmods/{0}/ or solutions/lessons/{0}/, not {file}", lesson.slug)
}

/// Writes the mutant's tree under `tree` (`tree/kmods/NN-topic`,
/// `tree/lessons/NN-topic`): the lesson's solution with the mutation applied,
/// rendered as the student's tree would hold it. Files already as they should
/// be are left alone. Returns `tree`.
pub fn write_tree(root: &Path, lesson: &Lesson, m: &Mutation, tree: &Path) -> Result<PathBuf> {
    validate(root, lesson, m)?;
    let (mutated_kind, mutated_rel) = lesson_file(lesson, &m.file)?;
    for kind in ["kmods", "lessons"] {
        let from = root.join("solutions").join(kind).join(&lesson.slug);
        let to = tree.join(kind).join(&lesson.slug);
        let files = crate::builder::source_files(&from)?;
        // Files of an earlier version of the mutant that the solution no longer has.
        for old in crate::builder::source_files(&to)? {
            if !files.contains(&old) {
                fs::remove_file(to.join(old))?;
            }
        }
        for rel in files {
            let mut text = fs::read_to_string(from.join(&rel))?;
            if kind == mutated_kind && rel == Path::new(mutated_rel) {
                text = text.replacen(&m.find, &m.replace, 1);
            }
            let name = format!("{}", from.join(&rel).display());
            let rendered = markers::render(&name, &text, Version::Reference)?;
            let dst = to.join(&rel);
            if fs::read_to_string(&dst).ok().as_deref() != Some(rendered.as_str()) {
                fs::create_dir_all(dst.parent().context("mutant path")?)?;
                fs::write(&dst, rendered)?;
            } else if kind == "lessons" {
                // The programs of every mutant build in one cargo target
                // folder, where another mutant's build of the same crate
                // may have replaced this one's since: cargo compares the
                // sources' times with its outputs', so an unchanged tree
                // must look newer, or its stale program would be checked.
                fs::File::options().append(true).open(&dst)?.set_modified(std::time::SystemTime::now())?;
            }
        }
    }
    Ok(tree.to_path_buf())
}

/// The checks that must fail for `m` to be caught, and whether all of them
/// must (named checks) or one is enough (its exercise's checks).
pub fn must_fail<'a>(lesson: &'a Lesson, m: &'a Mutation) -> (Vec<&'a str>, bool) {
    if m.checks.is_empty() {
        let of_exercise = lesson
            .manifest
            .checks
            .iter()
            .filter(|c| c.exercise.as_deref() == Some(m.exercise.as_str()))
            .map(|c| c.name.as_str())
            .collect();
        (of_exercise, false)
    } else {
        (m.checks.iter().map(String::as_str).collect(), true)
    }
}

/// Is `m` caught, given which checks passed? Returns the checks that caught
/// it, or an explanation of why it is not caught.
pub fn caught(lesson: &Lesson, m: &Mutation, passed: &[(String, bool)]) -> Result<Vec<String>, String> {
    let (wanted, all) = must_fail(lesson, m);
    let failed = |name: &str| passed.iter().any(|(n, ok)| n == name && !ok);
    let caught_by: Vec<String> = wanted.iter().filter(|c| failed(c)).map(|c| c.to_string()).collect();
    let missed: Vec<&str> = wanted.iter().copied().filter(|c| !failed(c)).collect();
    if (all && missed.is_empty()) || (!all && !caught_by.is_empty()) {
        Ok(caught_by)
    } else if all {
        Err(format!("these checks passed, and must fail: {}", missed.join(", ")))
    } else {
        Err(format!("every check of exercise {} passed ({})", m.exercise, wanted.join(", ")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lessons::Manifest;

    fn lesson() -> Lesson {
        let manifest: Manifest = toml::from_str(
            r#"
            title = "t"
            chapter = "c"
            [[exercise]]
            id = "1.1"
            title = "e"
            file = "kmods/01-t/t.rs"
            [[check]]
            name = "a"
            exercise = "1.1"
            hint = "h"
            [[check]]
            name = "b"
            exercise = "1.1"
            hint = "h"
            [[mutation]]
            name = "any"
            exercise = "1.1"
            file = "solutions/kmods/01-t/t.rs"
            find = "42"
            replace = "41"
            why = "off by one"
            [[mutation]]
            name = "named"
            exercise = "1.1"
            file = "solutions/kmods/01-t/t.rs"
            find = "fn f"
            replace = "fn g"
            why = "renamed"
            checks = ["a", "b"]
            "#,
        )
        .unwrap();
        Lesson { number: 1, slug: "01-t".into(), manifest }
    }

    fn course() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let k = dir.path().join("solutions/kmods/01-t");
        fs::create_dir_all(&k).unwrap();
        fs::write(
            k.join("t.rs"),
            "fn f() -> u32 {\n    // EXERCISE 1.1: answer\n    42\n    // STARTER\n    // 0\n    // END\n}\n",
        )
        .unwrap();
        dir
    }

    #[test]
    fn a_mutant_is_the_reference_with_one_edit() {
        let dir = course();
        let l = lesson();
        let tree = dir.path().join("tree");
        write_tree(dir.path(), &l, &l.manifest.mutations[0], &tree).unwrap();
        assert_eq!(fs::read_to_string(tree.join("kmods/01-t/t.rs")).unwrap(), "fn f() -> u32 {\n    41\n}\n");
    }

    #[test]
    fn find_must_match_once_and_names_must_exist() {
        let dir = course();
        let mut l = lesson();
        l.manifest.mutations[0].find = "4".into();
        fs::write(dir.path().join("solutions/kmods/01-t/t.rs"), "44").unwrap();
        let e = validate(dir.path(), &l, &l.manifest.mutations[0]).unwrap_err();
        assert!(format!("{e:#}").contains("2 times"), "{e:#}");
        l.manifest.mutations[0].find = "nowhere".into();
        assert!(validate(dir.path(), &l, &l.manifest.mutations[0]).is_err());
        l.manifest.mutations[1].checks.push("nosuch".into());
        assert!(format!("{:#}", validate(dir.path(), &l, &l.manifest.mutations[1]).unwrap_err()).contains("nosuch"));
        l.manifest.mutations[1].file = "wire/src/lib.rs".into();
        l.manifest.mutations[1].checks.clear();
        assert!(validate(dir.path(), &l, &l.manifest.mutations[1]).is_err());
    }

    #[test]
    fn caught_by_one_exercise_check_or_by_all_named_ones() {
        let l = lesson();
        let r = |a: bool, b: bool| vec![("a".to_string(), a), ("b".to_string(), b)];
        let (any, named) = (&l.manifest.mutations[0], &l.manifest.mutations[1]);
        assert_eq!(caught(&l, any, &r(true, false)), Ok(vec!["b".to_string()]));
        assert!(caught(&l, any, &r(true, true)).is_err());
        assert!(caught(&l, named, &r(true, false)).is_err(), "named checks must all fail");
        assert_eq!(caught(&l, named, &r(false, false)).unwrap().len(), 2);
    }
}
