//! `course check`: a lesson's checks on the student's code (or the
//! solution), what passed, what failed with what it saw and a hint, and the
//! one next step. Also the saved results that `course list` shows.

use crate::builder;
use crate::jobs::{self, Ending, Job};
use crate::lab::{Lab, Lint};
use crate::lessons::{self, Lesson, Variant};
use crate::report::{self, Outcome};
use anyhow::{Context, Result};
use std::fs;
use std::path::{Path, PathBuf};

/// What a check run should find.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    /// Every check passes (the student's goal; the solution's duty).
    AllPass,
    /// The starter: exercise checks fail, all others pass.
    StarterFails,
}

/// Each check's name and whether it passed, in the manifest's order.
pub type Results = Vec<(String, bool)>;

/// `course check`: builds the lesson, runs its checks in the lab, reports
/// each. Returns whether the run met `expect`, and the results.
pub fn check(root: &Path, lesson: &Lesson, variant: Variant, expect: Expect) -> Result<(bool, Results)> {
    let lab = Lab::prepare(root)?;
    let strict = expect == Expect::StarterFails || variant == Variant::Solution;
    let lint = if strict { Lint::Strict } else { Lint::Clippy };
    let built = builder::build(&lab, lesson, &lesson.source(root, variant), lint)?;
    println!("== Checking lesson {}: {} ({} code)", lesson.number, lesson.manifest.title, variant.name());
    let mut job = check_job(root, lesson, format!("lesson {} ({})", lesson.number, variant.name()), built);
    job.fuzz_kept = variant == Variant::Student;
    let run = jobs::run(&lab, &[job], &format!("{}-{}", lesson.slug, variant.name()))?.remove(0);
    let (met, results) = print_run(lesson, &run, expect);
    crate::fuzz::report(root, variant, &run.console())?;
    if variant == Variant::Student && expect == Expect::AllPass {
        save_results(root, lesson, &results)?;
    }
    Ok((met, results))
}

/// The job that runs `lesson`'s checks on `built`.
pub fn check_job(root: &Path, lesson: &Lesson, label: String, built: builder::Built) -> Job {
    Job {
        label,
        built,
        scripts: lesson.checks_dir(root),
        number: lesson.number,
        script: "check.sh",
        fuzz_kept: false,
        fuzz_seconds: None,
    }
}

/// Prints a check run: a line per check, what a failing one saw and its
/// hint, and the end of the console when the run did not end normally.
pub fn print_run(lesson: &Lesson, run: &jobs::Run, expect: Expect) -> (bool, Results) {
    let console = run.console();
    let outcomes = report::outcomes(lesson, &console);
    let (mut met, mut passed, mut failed) = (true, 0, 0);
    for (check, outcome) in &outcomes {
        let tag = check.exercise.as_deref().map(|e| format!(" [exercise {e}]")).unwrap_or_default();
        let ok = *outcome == Outcome::Passed;
        if ok {
            passed += 1;
        } else {
            failed += 1;
        }
        let wanted = match expect {
            Expect::AllPass => true,
            Expect::StarterFails => check.exercise.is_none(),
        };
        met &= ok == wanted;
        let mark = if ok { "PASS" } else { "FAIL" };
        let note = if ok && !wanted { "  <- must fail on the starter" } else { "" };
        println!("  {mark}  {}{tag}{note}", check.name);
        if !ok && wanted {
            match outcome {
                Outcome::Failed(seen) => println!("        seen: {seen}"),
                _ => println!("        seen: no result line (the check did not run: a crash, or the VM stopped early)"),
            }
            println!("        hint: {}", check.hint);
        }
    }
    match &run.ending {
        Ending::Finished(_) => {}
        Ending::TimedOut => {
            met = false;
            println!(
                "\nThe lab run was stopped after {} s: something hangs (LAB_JOB_TIMEOUT sets the limit).",
                run.time.as_secs()
            );
            report::print_tail(&console);
        }
        Ending::NotRun(why) => {
            met = false;
            println!("\nThe checks did not run: {why}");
        }
        Ending::Crashed | Ending::Reported | Ending::Stopped => {
            met = false;
            report::print_tail(&console);
        }
    }
    match expect {
        Expect::AllPass => println!("{passed} passed, {failed} failed"),
        Expect::StarterFails => println!("starter: {passed} checks pass, {failed} fail (its exercise checks must)"),
    }
    let results = outcomes.iter().map(|(c, o)| (c.name.clone(), *o == Outcome::Passed)).collect();
    (met, results)
}

/// Where `list` finds the student's last results.
fn results_file(root: &Path, lesson: &Lesson) -> PathBuf {
    root.join("target/lab/results").join(format!("{}.txt", lesson.slug))
}

pub fn save_results(root: &Path, lesson: &Lesson, results: &[(String, bool)]) -> Result<()> {
    let path = results_file(root, lesson);
    fs::create_dir_all(path.parent().context("results path")?)?;
    let text: String = results.iter().map(|(n, ok)| format!("{n} {}\n", if *ok { "pass" } else { "fail" })).collect();
    Ok(fs::write(path, text)?)
}

/// The student's last results of `lesson`, if it was checked.
pub fn load_results(root: &Path, lesson: &Lesson) -> Option<Results> {
    let text = fs::read_to_string(results_file(root, lesson)).ok()?;
    Some(text.lines().filter_map(|l| l.split_once(' ')).map(|(n, r)| (n.to_string(), r == "pass")).collect())
}

/// The exercise to work on next: that of the first failing check that
/// belongs to an exercise, in the order the checks run. The checks go from
/// the basic to the composite (a program's output needs both its own
/// exercise and the module's), so an early failure is a cause and a later
/// one may be its consequence: the first failing check's exercise is the
/// code that is wrong, whatever the exercises' numbers.
pub fn next_exercise<'a>(lesson: &'a Lesson, results: &Results) -> Option<&'a lessons::Exercise> {
    let passed = |name: &str| results.iter().any(|(n, ok)| n == name && *ok);
    let check = lesson.manifest.checks.iter().find(|c| c.exercise.is_some() && !passed(&c.name))?;
    let id = check.exercise.as_deref()?;
    lesson.manifest.exercises.iter().find(|e| e.id == id)
}

/// The one-line next step after a student's check run.
pub fn next_step(root: &Path, lesson: &Lesson) -> Result<()> {
    let results = load_results(root, lesson).unwrap_or_default();
    if let Some(ex) = next_exercise(lesson, &results) {
        println!(
            "Next: exercise {} ({}) in {}: look for TODO(exercise {}), then `make check-{}`.",
            ex.id, ex.title, ex.file, ex.id, lesson.number
        );
    } else if results.iter().all(|(_, ok)| *ok) {
        println!("{}", lesson_done(&lessons::all(root)?, lesson));
    } else {
        println!("Next: fix the failing checks above (their hints say where), then `make check-{}`.", lesson.number);
    }
    Ok(())
}

/// What to do after `lesson` is done: the next lesson of `all`, or
/// nothing, when it was the last.
pub fn lesson_done(all: &[Lesson], lesson: &Lesson) -> String {
    match all.iter().find(|l| l.number > lesson.number) {
        Some(l) => format!("Lesson {} done. Next: `make lesson-{}` ({}).", lesson.number, l.number, l.manifest.title),
        None => format!("Lesson {} done, and with it the course.", lesson.number),
    }
}

/// `course list`: every lesson with its exercises and the last check result.
pub fn list(root: &Path) -> Result<bool> {
    let lessons = lessons::all(root)?;
    let width = lessons.iter().map(|l| l.manifest.title.chars().count()).max().unwrap_or(0);
    for lesson in lessons {
        let status = match load_results(root, &lesson) {
            None => "not checked yet".to_string(),
            Some(r) => format!("{}/{} checks passed", r.iter().filter(|(_, ok)| *ok).count(), r.len()),
        };
        println!("{:>2}  {:<width$}  {status}", lesson.number, lesson.manifest.title);
        println!("      chapter: {}", lesson.manifest.chapter);
        for ex in &lesson.manifest.exercises {
            println!("      exercise {:<5} {} ({})", ex.id, ex.title, ex.file);
        }
    }
    println!("Run a lesson: `make lesson-N`; check your exercises: `make check-N`.");
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lessons::Manifest;

    #[test]
    fn next_is_the_exercise_of_the_first_failing_check_in_check_order() {
        // Lesson 02's shape: a check of 2.1, one of 2.2, then one of 2.1 that needs both.
        let manifest: Manifest = toml::from_str(
            r#"
            title = "t"
            chapter = "c"
            [[exercise]]
            id = "2.1"
            title = "send"
            file = "a"
            [[exercise]]
            id = "2.2"
            title = "reply"
            file = "b"
            [[check]]
            name = "loads"
            hint = "h"
            [[check]]
            name = "sent"
            exercise = "2.1"
            hint = "h"
            [[check]]
            name = "reply"
            exercise = "2.2"
            hint = "h"
            [[check]]
            name = "program"
            exercise = "2.1"
            hint = "h"
            "#,
        )
        .unwrap();
        let lesson = Lesson { number: 2, slug: "02-t".into(), manifest };
        let r = |v: [bool; 4]| {
            ["loads", "sent", "reply", "program"].iter().zip(v).map(|(n, ok)| (n.to_string(), ok)).collect::<Results>()
        };
        // A 2.2 bug fails `reply` and, through it, 2.1's `program`: the answer is 2.2.
        assert_eq!(next_exercise(&lesson, &r([true, true, false, false])).unwrap().id, "2.2");
        assert_eq!(next_exercise(&lesson, &r([true, false, false, false])).unwrap().id, "2.1");
        // A failing check without an exercise names none.
        assert!(next_exercise(&lesson, &r([false, true, true, true])).is_none());
    }
}
