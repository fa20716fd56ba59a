//! `course bench-grade`: how long grading takes, in figures (a measurement,
//! not a test; `make bench-grade`). It generates students: each exercise
//! file is the starter's or the reference's, chosen by a fixed pseudo-random
//! sequence, with a comment naming the student, so that no student's build
//! is another's (as in a real class). Then it grades one student alone, and
//! a class of them, and prints seconds per student.

use crate::class;
use crate::grade::Report;
use crate::intake;
use crate::lessons::Lesson;
use crate::markers::{self, Version};
use anyhow::{Context, Result};
use std::fs;
use std::path::Path;
use std::time::Instant;

/// Writes student `n`'s tree into `dir`.
fn generate(root: &Path, lessons: &[Lesson], n: usize, dir: &Path) -> Result<()> {
    fs::create_dir_all(dir.join("checks"))?;
    // A small linear congruential generator: the same class every time.
    let mut state = (n as u64).wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
    for file in intake::exercise_files(lessons) {
        let (kind, rest) = file.to_str().and_then(|f| f.split_once('/')).context("exercise file path")?;
        let src = root.join("solutions").join(kind).join(rest);
        let text = fs::read_to_string(&src).with_context(|| format!("reading {}", src.display()))?;
        state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        let version = if state >> 63 == 1 { Version::Reference } else { Version::Starter };
        let mut out = markers::render(&src.display().to_string(), &text, version)?;
        let leader = if file.extension().is_some_and(|e| e == "rs") { "//" } else { "#" };
        out += &format!("{leader} generated student {n:02}\n");
        let path = dir.join(&file);
        fs::create_dir_all(path.parent().context("path")?)?;
        fs::write(path, out)?;
    }
    Ok(())
}

fn stats(reports: &[Report]) -> (f64, f64, f64) {
    let secs: Vec<f64> = reports.iter().map(|r| r.seconds).collect();
    let mean = secs.iter().sum::<f64>() / secs.len().max(1) as f64;
    let min = secs.iter().copied().fold(f64::INFINITY, f64::min);
    let max = secs.iter().copied().fold(0.0, f64::max);
    (mean, min, max)
}

/// `course bench-grade`.
pub fn bench(root: &Path, lessons: &[Lesson], students: usize) -> Result<bool> {
    let base = root.join("target/grade/bench");
    if base.exists() {
        fs::remove_dir_all(&base)?;
    }
    // A build cache of its own, empty: every student's build is measured,
    // none found from an earlier run (the Cargo target folder of the class,
    // with the dependencies built once, stays warm).
    // (Set before any thread of this process reads the environment.)
    std::env::set_var("LAB_BUILD_CACHE", base.join("cache"));
    let lab_time = |r: &Report| r.lessons.iter().map(|l| l.seconds).sum::<f64>();

    let one = base.join("one");
    generate(root, lessons, 0, &one.join("student-00"))?;
    println!(
        "== bench-grade: one generated student, lessons {}",
        lessons.iter().map(|l| format!("{:02}", l.number)).collect::<Vec<_>>().join(", ")
    );
    let reports = class::grade_class(root, &one, lessons, &base.join("out-one"))?;
    let r = reports.first().context("no report")?;
    let single = (r.seconds, lab_time(r));

    let many = base.join("class");
    for n in 1..=students {
        generate(root, lessons, n, &many.join(format!("student-{n:02}")))?;
    }
    println!("== bench-grade: a class of {students} generated students");
    let t = Instant::now();
    let reports = class::grade_class(root, &many, lessons, &base.join("out-class"))?;
    let total = t.elapsed().as_secs_f64();
    let (mean, min, max) = stats(&reports);
    let lab_mean = reports.iter().map(lab_time).sum::<f64>() / reports.len().max(1) as f64;
    println!("BENCH grade one student: {:.1} s ({:.1} s of it running checks in the lab)", single.0, single.1);
    println!(
        "BENCH grade class of {students}: {total:.0} s in all, {:.1} s per student (min {min:.1}, mean {mean:.1}, max {max:.1}; {lab_mean:.1} s of each in the lab)",
        total / students.max(1) as f64
    );
    Ok(true)
}
