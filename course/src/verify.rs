//! `course verify`: the test suite's proof that each lesson's checks are
//! real. In one boot of the lab per lesson: the reference solution passes
//! every check; the starter fails exactly its exercise checks; and every
//! mutation of `lesson.toml` (a likely wrong answer, see `mutation`) is
//! caught by the checks it names or by one of its exercise's.

use crate::builder::{self, Built};
use crate::check::{self, Expect, Results};
use crate::jobs::{self, Ending};
use crate::lab::{Lab, Lint};
use crate::lessons::{self, Lesson, Variant};
use crate::mutation;
use crate::report::{self, Outcome};
use crate::starters;
use anyhow::{bail, Result};
use std::path::Path;
use std::time::Instant;

/// `course verify [LESSON...]`.
pub fn verify(root: &Path, which: &[String]) -> Result<bool> {
    let lessons = if which.is_empty() {
        lessons::all(root)?
    } else {
        which.iter().map(|w| lessons::find(root, w)).collect::<Result<_>>()?
    };
    let drift = starters::drift(root)?;
    if !drift.changed.is_empty() || !drift.extra.is_empty() {
        bail!("lessons/ and kmods/ are not the generated starters (`course gen --check` says which): verify needs them pristine");
    }
    let lab = Lab::prepare(root)?;
    let (mut verified, mut wrong) = (0, 0);
    for lesson in &lessons {
        if verify_lesson(&lab, lesson)? {
            verified += 1;
        } else {
            wrong += 1;
        }
    }
    println!("verify: {verified} passed, {wrong} failed");
    Ok(wrong == 0)
}

/// What a mutant came to before it ran.
enum Mutant<'a> {
    Built(&'a lessons::Mutation, Built),
    /// The wrong answer does not compile.
    Broken(&'a lessons::Mutation, String),
    /// The `[[mutation]]` entry itself is wrong (its text is not found once...).
    Invalid(&'a lessons::Mutation, String),
}

fn verify_lesson(lab: &Lab, lesson: &Lesson) -> Result<bool> {
    let root = &lab.root;
    let start = Instant::now();
    let mut ok = true;
    for ex in &lesson.manifest.exercises {
        if !lesson.manifest.checks.iter().any(|c| c.exercise.as_deref() == Some(ex.id.as_str())) {
            println!("exercise {} of lesson {} has no check", ex.id, lesson.number);
            ok = false;
        }
    }
    let solution = builder::build(lab, lesson, &lesson.source(root, Variant::Solution), Lint::Strict)?;
    let starter = builder::build(lab, lesson, &lesson.source(root, Variant::Student), Lint::Strict)?;
    let mut mutants = Vec::new();
    for m in &lesson.manifest.mutations {
        if let Err(e) = mutation::validate(root, lesson, m) {
            mutants.push(Mutant::Invalid(m, format!("{e:#}")));
            continue;
        }
        let base = root.join("target/lab/mutants").join(&lesson.slug).join(&m.name);
        let built = mutation::write_tree(root, lesson, m, &base.join("tree")).and_then(|tree| {
            // Cargo target folder shared with the course's own builds: dependencies built once.
            let src = lesson.tree_source(&tree, root, &root.join("target/lab/user"), &base.join("work"));
            builder::build(lab, lesson, &src, Lint::Quiet)
        });
        mutants.push(match built {
            Ok(b) => Mutant::Built(m, b),
            Err(e) => Mutant::Broken(m, format!("{e:#}")),
        });
    }

    let mut jobs = vec![
        check::check_job(root, lesson, "solution".into(), solution),
        check::check_job(root, lesson, "starter".into(), starter),
    ];
    for m in &mutants {
        if let Mutant::Built(m, b) = m {
            let mut job = check::check_job(root, lesson, format!("mutant {}", m.name), b.clone());
            // Five seconds of fuzzing per mutant only where the fuzzer is what must catch it.
            if !mutation::must_fail(lesson, m).0.contains(&"fuzz") {
                job.fuzz_seconds = Some(0);
            }
            jobs.push(job);
        }
    }
    let n = jobs.len();
    println!(
        "== Verifying lesson {}: {} (solution, starter and {} mutant(s), in one lab boot)",
        lesson.number,
        lesson.manifest.title,
        lesson.manifest.mutations.len()
    );
    let mut runs = jobs::run(lab, &jobs, &format!("{}-verify", lesson.slug))?.into_iter();
    let (sol_run, starter_run) = (runs.next(), runs.next());
    let (Some(sol_run), Some(starter_run)) = (sol_run, starter_run) else { bail!("the job runner lost a run") };
    println!("-- reference solution");
    let (sol_ok, _) = check::print_run(lesson, &sol_run, Expect::AllPass);
    crate::fuzz::report(root, Variant::Solution, &sol_run.console())?;
    println!("-- starter");
    let (starter_ok, _) = check::print_run(lesson, &starter_run, Expect::StarterFails);
    let (mut caught, mut missed) = (0, 0);
    for m in &mutants {
        let line = match m {
            Mutant::Invalid(m, e) => {
                missed += 1;
                format!("  INVALID mutant {} [exercise {}]: {e}", m.name, m.exercise)
            }
            Mutant::Broken(m, e) => {
                missed += 1;
                format!(
                    "  BROKEN  mutant {} [exercise {}]: does not build (a wrong answer must compile):\n{e}",
                    m.name, m.exercise
                )
            }
            Mutant::Built(m, _) => {
                let run = runs.next().ok_or_else(|| anyhow::anyhow!("the job runner lost a run"))?;
                let results = results_of(lesson, &run);
                let verdict = match &run.ending {
                    Ending::NotRun(why) => Err(format!("it did not run: {why}")),
                    _ => mutation::caught(lesson, m, &results),
                };
                match verdict {
                    Ok(by) => {
                        caught += 1;
                        let how = match &run.ending {
                            Ending::Finished(_) => String::new(),
                            other => format!(" ({})", ending_word(other)),
                        };
                        format!("  CAUGHT  mutant {} [exercise {}] by {}{how}", m.name, m.exercise, by.join(", "))
                    }
                    Err(why) => {
                        missed += 1;
                        format!(
                            "  MISSED  mutant {} [exercise {}]: {why}\n          the wrong answer it models: {}",
                            m.name, m.exercise, m.why
                        )
                    }
                }
            }
        };
        println!("{line}");
    }
    ok &= sol_ok && starter_ok && missed == 0;
    println!(
        "verify lesson {}: solution {}, starter {}, mutants {caught} caught, {missed} not ({n} runs, {:.0} s)",
        lesson.number,
        if sol_ok { "passes every check" } else { "FAILS" },
        if starter_ok { "fails exactly its exercise checks" } else { "WRONG (see above)" },
        start.elapsed().as_secs_f64()
    );
    Ok(ok)
}

/// Which checks passed in a run (a missing result line is a failure).
fn results_of(lesson: &Lesson, run: &jobs::Run) -> Results {
    report::outcomes(lesson, &run.console()).into_iter().map(|(c, o)| (c.name.clone(), o == Outcome::Passed)).collect()
}

fn ending_word(e: &Ending) -> &'static str {
    match e {
        Ending::Finished(_) => "finished",
        Ending::Crashed => "the kernel crashed",
        Ending::Reported => "the kernel reported a bug",
        Ending::TimedOut => "it hung",
        Ending::Stopped => "the VM stopped",
        Ending::NotRun(_) => "not run",
    }
}
