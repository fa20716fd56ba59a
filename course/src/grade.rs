//! `course grade`: every lesson's checks on one tree of code, in one boot of
//! the lab, written as reports that people and machines read: JSON (the
//! course's own schema, documented in the book's chapter for instructors),
//! JUnit XML (GitLab CI, Jenkins) and GitHub Classroom's autograding result
//! format.
//!
//! Grading never stops at a lesson: one that does not build, crashes the
//! kernel or hangs gets failed checks that say so, and the next is graded.
//! An exercise scores a point when every check of it passes: what
//! `make check-N` shows as all `PASS` for that exercise.

use crate::builder::{self, Built, Source};
use crate::check;
use crate::jobs::{self, Ending, Run};
use crate::lab::{Lab, Lint};
use crate::lessons::Lesson;
use crate::report::{self, Outcome};
use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};
use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant, SystemTime};

/// The `schema` of the JSON report; a new number when a field changes meaning.
pub const SCHEMA: &str = "netlink-course-grade/1";

/// One grading run of one tree: the JSON report.
#[derive(Serialize, Deserialize, Debug)]
pub struct Report {
    /// Always `SCHEMA`.
    pub schema: String,
    /// The course that graded: its Git commit (`unknown` outside Git),
    /// with `-dirty` when its files differ from that commit.
    pub course: String,
    /// The lab kernel: its release, and the cache folder of its build.
    pub lab_kernel: String,
    /// When grading started, UTC, RFC 3339.
    pub date: String,
    /// Whose code, when grading a class (`--class`).
    pub student: Option<Student>,
    /// Points: one per exercise whose checks all pass.
    pub points: u32,
    pub max_points: u32,
    /// Wall-clock seconds for building and running everything.
    pub seconds: f64,
    /// How many times the lab VM booted: 1, plus one for each crash or
    /// hang that stopped it before the last lesson (0: nothing ran).
    pub lab_boots: usize,
    pub lessons: Vec<LessonReport>,
}

/// A student of a class, and what was taken from their tree.
#[derive(Serialize, Deserialize, Debug, Clone, Default)]
pub struct Student {
    /// Their name: the submission's file or folder name.
    pub name: String,
    /// The submission, as found in the class folder.
    pub submission: String,
    /// The Git commit of their tree, if it is a Git repository.
    pub commit: Option<String>,
    /// Files of their tree that differ from the handout and were not taken
    /// (only the exercises' files are), with why.
    pub ignored: Vec<String>,
    /// Why the tree was refused (nothing of it was built or run), if it was.
    pub refused: Option<String>,
}

/// One lesson's part of a report.
#[derive(Serialize, Deserialize, Debug)]
pub struct LessonReport {
    pub number: u32,
    pub slug: String,
    pub title: String,
    /// `passed` (every check), `failed` (some), `build-failed`, `crashed`,
    /// `kernel-report` (the debug kernel reported a bug: lockdep, KASAN,
    /// kmemleak), `timed-out`, `stopped` (the VM stopped without a crash
    /// report), `not-run`, `refused`.
    pub status: String,
    /// For any status but `passed` and `failed`: the compiler's errors, the
    /// kernel's crash report, or why it did not run.
    pub message: Option<String>,
    pub seconds: f64,
    /// Which boot of the lab ran it (0: none).
    pub boot: usize,
    pub points: u32,
    pub max_points: u32,
    pub exercises: Vec<ExerciseReport>,
    pub checks: Vec<CheckReport>,
    /// The lab's console during the lesson's run (not in the JSON: `write`
    /// keeps it as `console-NN.log` next to it, for a human to read).
    #[serde(skip)]
    pub console: Vec<String>,
}

/// One exercise's part of a report.
#[derive(Serialize, Deserialize, Debug)]
pub struct ExerciseReport {
    pub id: String,
    pub title: String,
    /// The file the student edits.
    pub file: String,
    /// Every check of the exercise passed.
    pub passed: bool,
    /// 1 if passed, else 0.
    pub points: u32,
    pub max_points: u32,
    /// Its checks that failed.
    pub failed_checks: Vec<String>,
    /// Why it did not pass (`null` when it did): each failed check with
    /// what it saw, or why it has no result.
    pub message: Option<String>,
    /// Seconds its checks took (the sum of their `seconds`).
    pub seconds: f64,
}

/// One check's part of a report.
#[derive(Serialize, Deserialize, Debug)]
pub struct CheckReport {
    pub name: String,
    /// The exercise it belongs to, if any.
    pub exercise: Option<String>,
    pub passed: bool,
    /// What a failed check saw (its `FAIL:` line's detail), or why it has
    /// no result: the lesson's status and its message (the compiler's
    /// errors, the crash report), cut to `MAX_MESSAGE` bytes.
    pub message: Option<String>,
    /// What to look at when it fails (from lesson.toml).
    pub hint: String,
    /// Seconds from the previous result line (or the lesson's start) to this one.
    pub seconds: f64,
}

/// What to grade one lesson on: its build, or why there is none.
pub enum Input {
    Built(Built),
    /// The lesson's status and message: it was not run.
    Failed(&'static str, String),
}

/// Grades `lessons` from the code `source` gives for each, all in one boot.
/// A failed build fails that lesson only.
pub fn grade_sources(
    lab: &Lab,
    lessons: &[Lesson],
    source: impl Fn(&Lesson) -> Source,
    stage: &str,
) -> Result<Vec<LessonReport>> {
    run_inputs(lab, lessons, build_inputs(lab, lessons, source), stage)
}

/// Builds every lesson from the code `source` gives for it; a lesson that
/// does not build is failed with the compiler's errors.
pub fn build_inputs(lab: &Lab, lessons: &[Lesson], source: impl Fn(&Lesson) -> Source) -> Vec<Input> {
    lessons
        .iter()
        .map(|l| match builder::build(lab, l, &source(l), Lint::Quiet) {
            Ok(b) => Input::Built(b),
            Err(e) => Input::Failed("build-failed", format!("{e:#}")),
        })
        .collect()
}

/// Runs the lessons that built, in one boot, and reports every lesson.
pub fn run_inputs(lab: &Lab, lessons: &[Lesson], inputs: Vec<Input>, stage: &str) -> Result<Vec<LessonReport>> {
    let mut jobs = Vec::new();
    for (l, input) in lessons.iter().zip(&inputs) {
        if let Input::Built(b) = input {
            jobs.push(check::check_job(&lab.root, l, format!("lesson {}", l.number), b.clone()));
        }
    }
    let mut runs = if jobs.is_empty() { Vec::new() } else { jobs::run(lab, &jobs, stage)? }.into_iter();
    let mut out = Vec::new();
    for (l, input) in lessons.iter().zip(inputs) {
        out.push(match input {
            Input::Built(_) => {
                let run = runs.next().context("the job runner lost a run")?;
                lesson_report(l, Some(&run), None)
            }
            Input::Failed(status, message) => lesson_report(l, None, Some((status, message))),
        });
    }
    Ok(out)
}

/// A lesson's report from its run, or from why it did not run.
pub fn lesson_report(lesson: &Lesson, run: Option<&Run>, failed: Option<(&str, String)>) -> LessonReport {
    let console = run.map(Run::console).unwrap_or_default();
    let outcomes = report::outcomes(lesson, &console);
    let times = run.map(check_times).unwrap_or_default();
    let (status, message) = match (run, failed) {
        (_, Some((status, message))) => (status.to_string(), Some(message)),
        (Some(run), None) => match &run.ending {
            Ending::Finished(_) if outcomes.iter().all(|(_, o)| *o == Outcome::Passed) => ("passed".into(), None),
            Ending::Finished(_) => ("failed".into(), None),
            Ending::Crashed => ("crashed".into(), run.trouble()),
            Ending::Reported => ("kernel-report".into(), run.trouble()),
            Ending::TimedOut => ("timed-out".into(), run.trouble()),
            Ending::Stopped => ("stopped".into(), run.trouble()),
            Ending::NotRun(_) => ("not-run".into(), run.trouble()),
        },
        (None, None) => ("not-run".into(), Some("not run".into())),
    };
    let checks: Vec<CheckReport> = outcomes
        .iter()
        .map(|(c, o)| CheckReport {
            name: c.name.clone(),
            exercise: c.exercise.clone(),
            passed: *o == Outcome::Passed,
            message: match o {
                Outcome::Passed => None,
                Outcome::Failed(seen) => Some(seen.clone()),
                Outcome::Missing => Some(match &message {
                    Some(m) => format!("no result ({status}): {}", excerpt(&status, m)),
                    None => "no result line: the check did not run".into(),
                }),
            },
            hint: c.hint.clone(),
            seconds: times.iter().find(|(n, _)| *n == c.name).map_or(0.0, |(_, t)| t.as_secs_f64()),
        })
        .collect();
    let exercises: Vec<ExerciseReport> = lesson
        .manifest
        .exercises
        .iter()
        .map(|e| {
            let failed_checks: Vec<String> = checks
                .iter()
                .filter(|c| c.exercise.as_deref() == Some(e.id.as_str()) && !c.passed)
                .map(|c| c.name.clone())
                .collect();
            let own = || checks.iter().filter(|c| c.exercise.as_deref() == Some(e.id.as_str()));
            let has_checks = own().next().is_some();
            let passed = has_checks && failed_checks.is_empty();
            let message = (!passed).then(|| {
                if !has_checks {
                    return "the exercise has no check".to_string();
                }
                let lines: Vec<String> = own()
                    .filter(|c| !c.passed)
                    .map(|c| format!("{}: {}", c.name, c.message.as_deref().unwrap_or_default()))
                    .collect();
                lines.join("\n")
            });
            ExerciseReport {
                id: e.id.clone(),
                title: e.title.clone(),
                file: e.file.clone(),
                passed,
                points: u32::from(passed),
                max_points: 1,
                failed_checks,
                message,
                seconds: own().map(|c| c.seconds).sum(),
            }
        })
        .collect();
    LessonReport {
        number: lesson.number,
        slug: lesson.slug.clone(),
        title: lesson.manifest.title.clone(),
        status,
        message,
        seconds: run.map_or(0.0, |r| r.time.as_secs_f64()),
        boot: run.map_or(0, |r| r.boot),
        points: exercises.iter().map(|e| e.points).sum(),
        max_points: exercises.iter().map(|e| e.max_points).sum(),
        exercises,
        checks,
        console,
    }
}

/// The most of a lesson's message each check without a result carries.
pub const MAX_MESSAGE: usize = 4096;

/// A lesson's message cut to about `MAX_MESSAGE` bytes: the beginning of
/// a build's errors (the first error is the cause), the end of a crash
/// report or console (the last lines say what happened).
fn excerpt(status: &str, message: &str) -> String {
    if message.len() <= MAX_MESSAGE {
        return message.to_string();
    }
    let cut = message.len() - MAX_MESSAGE;
    if matches!(status, "build-failed" | "refused" | "intake-failed") {
        let end = (0..=MAX_MESSAGE).rev().find(|&i| message.is_char_boundary(i)).unwrap_or(0);
        format!("{}\n[... {cut} more bytes in the lesson's message]", &message[..end])
    } else {
        let start = (cut..message.len()).find(|&i| message.is_char_boundary(i)).unwrap_or(message.len());
        format!("[... {cut} bytes before, in the lesson's message]\n{}", &message[start..])
    }
}

/// Each check's time: from the previous result line (or the job's start) to its own.
fn check_times(run: &Run) -> Vec<(String, Duration)> {
    let mut last = Duration::ZERO;
    let mut out = Vec::new();
    for (at, line) in &run.lines {
        let name =
            line.strip_prefix("PASS: ").or_else(|| line.strip_prefix("FAIL: ").and_then(|r| r.split(':').next()));
        if let Some(name) = name {
            out.push((name.trim().to_string(), at.saturating_sub(last)));
            last = *at;
        }
    }
    out
}

/// The course's version: `git describe`-like commit of `root`.
pub fn course_version(root: &Path) -> String {
    let git = |args: &[&str]| {
        Command::new("git")
            .current_dir(root)
            .args(args)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
    };
    match git(&["rev-parse", "HEAD"]) {
        Some(commit) => {
            let dirty = git(&["status", "--porcelain", "--untracked-files=no"]).is_some_and(|s| !s.is_empty());
            if dirty {
                format!("{commit}-dirty")
            } else {
                commit
            }
        }
        None => "unknown".into(),
    }
}

/// The lab kernel: "6.12.117 (kernel-1a41477549c8d461)".
pub fn kernel_version(lab: &Lab) -> String {
    let release = fs::read_to_string(lab.kernel.join("include/config/kernel.release")).unwrap_or_default();
    let build = lab.kernel.file_name().unwrap_or_default().to_string_lossy().into_owned();
    format!("{} ({build})", release.trim())
}

/// Assembles a report.
pub fn report(
    lab: &Lab,
    student: Option<Student>,
    lessons: Vec<LessonReport>,
    started: (SystemTime, Instant),
) -> Report {
    Report {
        schema: SCHEMA.into(),
        course: course_version(&lab.root),
        lab_kernel: kernel_version(lab),
        date: humantime::format_rfc3339_seconds(started.0).to_string(),
        student,
        points: lessons.iter().map(|l| l.points).sum(),
        max_points: lessons.iter().map(|l| l.max_points).sum(),
        seconds: started.1.elapsed().as_secs_f64(),
        lab_boots: lessons.iter().map(|l| l.boot).max().unwrap_or(0),
        lessons,
    }
}

/// Writes `grade.json`, `junit.xml` and `classroom.json` into `dir`.
pub fn write(report: &Report, dir: &Path) -> Result<()> {
    fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    fs::write(dir.join("grade.json"), serde_json::to_string_pretty(report)? + "\n")?;
    fs::write(dir.join("junit.xml"), junit(report))?;
    fs::write(dir.join("classroom.json"), serde_json::to_string_pretty(&classroom(report))? + "\n")?;
    for l in report.lessons.iter().filter(|l| !l.console.is_empty()) {
        fs::write(dir.join(format!("console-{:02}.log", l.number)), l.console.join("\n") + "\n")?;
    }
    Ok(())
}

/// Escapes text for XML and HTML (contents and quoted attributes). Characters
/// XML 1.0 forbids (control characters a crash report may hold) become `?`.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\n' | '\t' => out.push(c),
            c if (c as u32) < 0x20 => out.push('?'),
            c => out.push(c),
        }
    }
    out
}

/// The report as JUnit XML: a test suite per lesson, a test case per check
/// (its class name says lesson and exercise), a failure for each failed check.
pub fn junit(r: &Report) -> String {
    let name = r.student.as_ref().map_or("netlink course".to_string(), |s| format!("netlink course: {}", s.name));
    let tests: usize = r.lessons.iter().map(|l| l.checks.len()).sum();
    let failures: usize = r.lessons.iter().map(|l| l.checks.iter().filter(|c| !c.passed).count()).sum();
    let mut x = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    x += &format!(
        "<testsuites name=\"{}\" tests=\"{tests}\" failures=\"{failures}\" time=\"{:.3}\" timestamp=\"{}\">\n",
        escape(&name),
        r.seconds,
        escape(&r.date)
    );
    for l in &r.lessons {
        let failed = l.checks.iter().filter(|c| !c.passed).count();
        x += &format!(
            "  <testsuite name=\"lesson {:02}: {}\" tests=\"{}\" failures=\"{failed}\" time=\"{:.3}\" timestamp=\"{}\">\n",
            l.number,
            escape(&l.title),
            l.checks.len(),
            l.seconds,
            escape(&r.date)
        );
        x += &format!(
            "    <properties><property name=\"status\" value=\"{}\"/><property name=\"course\" value=\"{}\"/><property name=\"lab_kernel\" value=\"{}\"/></properties>\n",
            escape(&l.status),
            escape(&r.course),
            escape(&r.lab_kernel)
        );
        for c in &l.checks {
            let class = match &c.exercise {
                Some(e) => format!("lesson{:02}.exercise-{e}", l.number),
                None => format!("lesson{:02}", l.number),
            };
            x += &format!(
                "    <testcase classname=\"{}\" name=\"{}\" time=\"{:.3}\"",
                escape(&class),
                escape(&c.name),
                c.seconds
            );
            if c.passed {
                x += "/>\n";
            } else {
                let msg = c.message.clone().unwrap_or_default();
                x += &format!(
                    ">\n      <failure message=\"{}\" type=\"{}\">{}\nhint: {}</failure>\n    </testcase>\n",
                    escape(&msg),
                    escape(&l.status),
                    escape(&msg),
                    escape(&c.hint)
                );
            }
        }
        if let Some(m) = &l.message {
            x += &format!("    <system-out>{}</system-out>\n", escape(m));
        }
        x += "  </testsuite>\n";
    }
    x + "</testsuites>\n"
}

/// The report in the result format of GitHub Classroom's autograding
/// (what `autograding-grading-reporter` reads, version 3): a test per
/// exercise, scored 1 when all its checks pass, and the maximum score.
pub fn classroom(r: &Report) -> serde_json::Value {
    let mut tests = Vec::new();
    for l in &r.lessons {
        for e in &l.exercises {
            let message = if e.passed {
                format!("all checks of exercise {} pass", e.id)
            } else {
                let mut m = format!("failing checks: {}", e.failed_checks.join(", "));
                for c in l.checks.iter().filter(|c| e.failed_checks.contains(&c.name)) {
                    m += &format!("\n{}: {} (hint: {})", c.name, c.message.as_deref().unwrap_or(""), c.hint);
                }
                m
            };
            let seconds = e.seconds;
            tests.push(serde_json::json!({
                "name": format!("lesson {:02}, exercise {}: {}", l.number, e.id, e.title),
                "status": if e.passed { "pass" } else { "fail" },
                "score": e.points,
                "max_score": e.max_points,
                "message": message,
                "filename": e.file,
                "line_no": 0,
                "execution_time": format!("{seconds:.2}s"),
            }));
        }
    }
    serde_json::json!({
        "version": 3,
        "status": if r.points == r.max_points { "pass" } else { "fail" },
        "max_score": r.max_points,
        "tests": tests,
    })
}

/// Prints a report's summary: a line per lesson and exercise, the total.
pub fn print_summary(r: &Report) {
    for l in &r.lessons {
        println!(
            "  lesson {:02} {:<40} {:>2}/{} points  {} ({:.0} s)",
            l.number, l.title, l.points, l.max_points, l.status, l.seconds
        );
        for e in &l.exercises {
            let mark = if e.passed { "done" } else { "todo" };
            println!("      {mark}  exercise {:<5} {}", e.id, e.title);
        }
    }
    println!(
        "score: {}/{} points (one per exercise whose checks all pass), {:.0} s",
        r.points, r.max_points, r.seconds
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lessons::Manifest;

    fn lesson() -> Lesson {
        let manifest: Manifest = toml::from_str(
            r#"
            title = "Hello <b>"
            chapter = "c"
            [[exercise]]
            id = "1.1"
            title = "one"
            file = "kmods/01-t/t.rs"
            [[exercise]]
            id = "1.2"
            title = "two"
            file = "kmods/01-t/t.rs"
            [[check]]
            name = "loads"
            hint = "h"
            [[check]]
            name = "a"
            exercise = "1.1"
            hint = "h"
            [[check]]
            name = "b"
            exercise = "1.2"
            hint = "look & see"
            "#,
        )
        .unwrap();
        Lesson { number: 1, slug: "01-t".into(), manifest }
    }

    fn run(lines: &[&str], ending: Ending) -> Run {
        Run {
            ending,
            lines: lines.iter().enumerate().map(|(i, l)| (Duration::from_secs(i as u64 + 1), l.to_string())).collect(),
            time: Duration::from_secs(9),
            boot: 1,
        }
    }

    #[test]
    fn an_exercise_scores_when_all_its_checks_pass() {
        let l = lesson();
        let r =
            lesson_report(&l, Some(&run(&["PASS: loads", "PASS: a", "FAIL: b: saw <x>"], Ending::Finished(0))), None);
        assert_eq!(r.status, "failed");
        assert_eq!((r.points, r.max_points), (1, 2));
        assert_eq!(r.exercises[1].failed_checks, ["b"]);
        assert_eq!(r.checks[2].message.as_deref(), Some("saw <x>"));
        assert_eq!(r.checks[1].seconds, 1.0);
    }

    #[test]
    fn a_crash_fails_the_missing_checks_with_its_report() {
        let l = lesson();
        let crash = ["PASS: loads", "[    1.000000] Oops: invalid opcode: 0000 [#1] SMP"];
        let r = lesson_report(&l, Some(&run(&crash, Ending::Crashed)), None);
        assert_eq!(r.status, "crashed");
        assert!(r.message.as_deref().unwrap().contains("Oops"));
        assert!(r.checks[1].message.as_deref().unwrap().starts_with("no result (crashed)"));
        assert_eq!(r.points, 0);
        let b = lesson_report(&l, None, Some(("build-failed", "error[E0425]".into())));
        assert_eq!((b.status.as_str(), b.points), ("build-failed", 0));
        assert!(b.checks.iter().all(|c| !c.passed));
    }

    #[test]
    fn checks_without_a_result_carry_the_lessons_whole_message() {
        let l = lesson();
        let crash = [
            "PASS: loads",
            "[    1.000000] Oops: invalid opcode: 0000 [#1] SMP",
            "[    1.000001] RIP: 0010:greet_doit+0x12/0x40 [greet]",
            "[    1.000002] Kernel panic - not syncing: Fatal exception",
        ];
        let r = lesson_report(&l, Some(&run(&crash, Ending::Crashed)), None);
        let m = r.checks[1].message.as_deref().unwrap();
        assert!(m.contains("greet_doit") && m.contains("Kernel panic"), "{m}");
        assert!(r.exercises[0].message.as_deref().unwrap().contains("greet_doit"));
        let errors =
            "error[E0425]: cannot find value `x`\n --> kmods/01-t/t.rs:3:5\nerror: aborting due to 1 previous error";
        let b = lesson_report(&l, None, Some(("build-failed", errors.into())));
        assert!(b.checks[2].message.as_deref().unwrap().contains("t.rs:3:5"));
        // A long message: a build's first errors, a crash's last lines.
        let long = format!("first\n{}\nlast", "x".repeat(3 * MAX_MESSAGE));
        let head = excerpt("build-failed", &long);
        let tail = excerpt("crashed", &long);
        assert!(head.starts_with("first") && !head.contains("last") && head.len() < MAX_MESSAGE + 100);
        assert!(tail.ends_with("last") && !tail.contains("first") && tail.len() < MAX_MESSAGE + 100);
    }

    #[test]
    fn junit_and_classroom_say_the_same_and_escape() {
        let l = lesson();
        let lr =
            lesson_report(&l, Some(&run(&["PASS: loads", "PASS: a", "FAIL: b: saw <x>"], Ending::Finished(0))), None);
        let r = Report {
            schema: SCHEMA.into(),
            course: "c".into(),
            lab_kernel: "k".into(),
            date: "d".into(),
            student: None,
            points: lr.points,
            max_points: lr.max_points,
            seconds: 1.0,
            lab_boots: 1,
            lessons: vec![lr],
        };
        let x = junit(&r);
        assert!(x.contains("tests=\"3\" failures=\"1\""));
        assert!(x.contains("<failure message=\"saw &lt;x&gt;\""));
        assert!(x.contains("Hello &lt;b&gt;") && x.contains("look &amp; see"));
        let c = classroom(&r);
        assert_eq!(c["max_score"], 2);
        assert_eq!(c["tests"][0]["status"], "pass");
        assert_eq!(c["tests"][1]["score"], 0);
        assert!(c["tests"][1]["message"].as_str().unwrap().contains("saw <x>"));
        let e = &r.lessons[0].exercises;
        assert_eq!((e[0].message.as_deref(), e[0].seconds), (None, 1.0));
        assert_eq!((e[1].message.as_deref(), e[1].seconds), (Some("b: saw <x>"), 1.0));
        assert_eq!(c["version"], 3);
        let dir = tempfile::tempdir().unwrap();
        write(&r, dir.path()).unwrap();
        let console = fs::read_to_string(dir.path().join("console-01.log")).unwrap();
        assert!(console.contains("FAIL: b: saw <x>"), "the console is kept for a human to read");
    }
}
