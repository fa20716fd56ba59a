//! `course grade --class DIR`: grades every student's submission in DIR,
//! each in one lab boot, and writes each student's reports plus a class
//! summary (`class.csv`, `checks.csv`, `class.html`).
//!
//! Per student: unpack (sandboxed), intake (refuse, or take the exercise
//! files into a clean tree), build each lesson in the sandbox (results are
//! cached by content: a file that is the same as another student's, or the
//! starter's, is not built again), run all lessons in one boot. A student's
//! crash, hang or broken build fails that student's lesson, nobody else's.

use crate::builder::Source;
use crate::grade::{self, Report, Student};
use crate::intake::{self, Submission};
use crate::lab::Lab;
use crate::lessons::Lesson;
use crate::sandbox::{Mount, Sandbox};
use anyhow::{bail, Context, Result};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Instant, SystemTime};

/// Where a class's work goes: `target/grade/work/STUDENT/` (the unpacked
/// submission, the clean tree, build folders) and the Cargo target folder
/// all students' programs share.
fn work_dir(root: &Path) -> PathBuf {
    root.join("target/grade/work")
}

/// The sandbox one student's builds run in: it sees the system, the
/// toolchain, the course (not its `target/`, where the other students are)
/// and the lab kernel, and writes only that student's folder and the shared
/// Cargo target folder. The class folder is hidden.
fn sandbox(lab: &Lab, class: &Path, student_work: &Path) -> Sandbox {
    let mut mounts = Sandbox::toolchain();
    mounts.push(Mount::Read(lab.root.clone()));
    if let Some(cache) = lab.kernel.parent() {
        mounts.push(Mount::Read(cache.to_path_buf()));
    }
    if let Ok(src) = lab.kernel.join("source").canonicalize() {
        mounts.push(Mount::Read(src));
    }
    mounts.push(Mount::Hide(lab.root.join("target")));
    if let Ok(class) = class.canonicalize() {
        mounts.push(Mount::Hide(class));
    }
    mounts.push(Mount::Write(student_work.to_path_buf()));
    mounts.push(Mount::Write(work_dir(&lab.root).join("target")));
    Sandbox::new(mounts)
}

/// A student made ready for the lab: unpacked, taken in and built.
pub struct Prepared {
    started: (SystemTime, Instant),
    student: Student,
    /// Each lesson's build, or the reason the whole submission is refused.
    inputs: Result<Vec<grade::Input>, String>,
}

/// Unpacks, takes in and builds one submission (never an error for what
/// the student did: that goes into the report).
pub fn prepare(lab: &Lab, class: &Path, lessons: &[Lesson], sub: &Submission) -> Result<Prepared> {
    let started = (SystemTime::now(), Instant::now());
    let work = work_dir(&lab.root).join(&sub.name);
    fs::create_dir_all(&work)?;
    fs::create_dir_all(work_dir(&lab.root).join("target"))?;
    let mut student =
        Student { name: sub.name.clone(), submission: sub.path.display().to_string(), ..Default::default() };
    let tree = match intake::unpack(sub, &work.join("submission")) {
        Ok(t) => t,
        Err(e) => {
            student.refused = Some(format!("{e:#}"));
            return Ok(Prepared { started, student, inputs: Err(format!("{e:#}")) });
        }
    };
    student.commit = intake::commit(&tree);
    let clean = work.join("tree");
    let taken = intake::intake(&lab.root, lessons, &tree, &clean)?;
    student.ignored = taken.ignored;
    if let Some(why) = taken.refused {
        student.refused = Some(why.clone());
        return Ok(Prepared { started, student, inputs: Err(format!("the submission is refused: {why}")) });
    }
    let sandbox = sandbox(lab, class, &work);
    let target = work_dir(&lab.root).join("target");
    let source = |l: &Lesson| -> Source {
        let mut s = l.tree_source(&clean, &target, &work.join("build"));
        s.sandbox = Some(sandbox.clone());
        s
    };
    Ok(Prepared { started, student, inputs: Ok(grade::build_inputs(lab, lessons, source)) })
}

/// Runs a prepared student's lessons in one boot of the lab: the report.
pub fn finish(lab: &Lab, lessons: &[Lesson], p: Prepared) -> Result<Report> {
    let reports = match p.inputs {
        Ok(inputs) => grade::run_inputs(lab, lessons, inputs, &format!("class-{}", p.student.name))?,
        Err(why) => lessons.iter().map(|l| grade::lesson_report(l, None, Some(("refused", why.clone())))).collect(),
    };
    Ok(grade::report(lab, Some(p.student), reports, p.started))
}

/// `course grade --class DIR`: every student, then the class summary in
/// `out`. While one student's lessons run in the lab, the next student's
/// code is built (a pipeline: the VM and the compilers keep both cores busy).
pub fn grade_class(root: &Path, class: &Path, lessons: &[Lesson], out: &Path) -> Result<Vec<Report>> {
    // The sandbox: Debian's bubblewrap (installed once, like the lab's packages).
    let _ = std::process::Command::new("bash").arg(root.join("lab/setup.sh")).arg("--grade").status();
    if !crate::sandbox::Sandbox::available() {
        bail!("bubblewrap (bwrap) is missing or does not work: `bash lab/setup.sh --grade` installs it; students' code is built only inside it");
    }
    let subs = intake::submissions(class)?;
    if subs.is_empty() {
        bail!("{} holds no submission (folders, NAME.bundle, NAME.tar[.gz|.xz|.bz2])", class.display());
    }
    let lab = Lab::prepare(root)?;
    println!("== Grading {} student(s) of {}: lessons {}", subs.len(), class.display(), numbers(lessons));
    let mut reports = Vec::new();
    std::thread::scope(|scope| -> Result<()> {
        // At most one student built ahead of the one in the lab.
        let (tx, rx) = mpsc::sync_channel(0);
        let (lab, subs_ref) = (&lab, &subs);
        scope.spawn(move || {
            for sub in subs_ref {
                let prepared = prepare(lab, class, lessons, sub).with_context(|| format!("taking in {}", sub.name));
                if tx.send(prepared).is_err() {
                    break;
                }
            }
        });
        for (sub, prepared) in subs.iter().zip(rx) {
            let r = finish(lab, lessons, prepared?).with_context(|| format!("grading {}", sub.name))?;
            let dir = out.join("students").join(&sub.name);
            grade::write(&r, &dir)?;
            let note = match &r.student {
                Some(Student { refused: Some(why), .. }) => format!("  REFUSED: {why}"),
                Some(s) if !s.ignored.is_empty() => format!("  ({} file(s) ignored)", s.ignored.len()),
                _ => String::new(),
            };
            println!("  {:<20} {:>2}/{} points  {:>4.0} s{note}", sub.name, r.points, r.max_points, r.seconds);
            reports.push(r);
        }
        Ok(())
    })?;
    fs::write(out.join("class.csv"), class_csv(lessons, &reports))?;
    fs::write(out.join("checks.csv"), checks_csv(lessons, &reports))?;
    fs::write(out.join("class.html"), class_html(lessons, &reports))?;
    println!("class reports: {0}/class.html, {0}/class.csv, {0}/checks.csv, {0}/students/NAME/", out.display());
    Ok(reports)
}

fn numbers(lessons: &[Lesson]) -> String {
    lessons.iter().map(|l| format!("{:02}", l.number)).collect::<Vec<_>>().join(", ")
}

/// (lesson, exercise id) of every exercise, in order.
fn exercises(lessons: &[Lesson]) -> Vec<(u32, String)> {
    lessons.iter().flat_map(|l| l.manifest.exercises.iter().map(|e| (l.number, e.id.clone()))).collect()
}

fn passed(r: &Report, lesson: u32, id: &str) -> bool {
    r.lessons.iter().filter(|l| l.number == lesson).flat_map(|l| &l.exercises).any(|e| e.id == id && e.passed)
}

/// A CSV field, quoted when it must be (RFC 4180).
fn csv(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// One row per student (points, then 1 or 0 per exercise), then the pass
/// rate of each exercise.
pub fn class_csv(lessons: &[Lesson], reports: &[Report]) -> String {
    let ex = exercises(lessons);
    let mut out = String::from("student,points,max_points,refused");
    for (_, id) in &ex {
        out += &format!(",exercise {id}");
    }
    out.push('\n');
    for r in reports {
        let s = r.student.clone().unwrap_or_default();
        out += &format!("{},{},{},{}", csv(&s.name), r.points, r.max_points, csv(s.refused.as_deref().unwrap_or("")));
        for (l, id) in &ex {
            out += if passed(r, *l, id) { ",1" } else { ",0" };
        }
        out.push('\n');
    }
    out += "pass rate,,,";
    for (l, id) in &ex {
        let n = reports.iter().filter(|r| passed(r, *l, id)).count();
        out += &format!(",{:.2}", rate(n, reports.len()));
    }
    out + "\n"
}

fn rate(n: usize, of: usize) -> f64 {
    if of == 0 {
        0.0
    } else {
        n as f64 / of as f64
    }
}

/// How many students pass each check.
fn check_rates(lessons: &[Lesson], reports: &[Report]) -> Vec<(u32, String, Option<String>, usize)> {
    let mut out = Vec::new();
    for l in lessons {
        for c in &l.manifest.checks {
            let n = reports
                .iter()
                .filter(|r| {
                    r.lessons
                        .iter()
                        .filter(|x| x.number == l.number)
                        .flat_map(|x| &x.checks)
                        .any(|x| x.name == c.name && x.passed)
                })
                .count();
            out.push((l.number, c.name.clone(), c.exercise.clone(), n));
        }
    }
    out
}

/// The pass rate of every check.
pub fn checks_csv(lessons: &[Lesson], reports: &[Report]) -> String {
    let mut out = String::from("lesson,check,exercise,passed,students,pass_rate\n");
    for (l, name, ex, n) in check_rates(lessons, reports) {
        out += &format!(
            "{l},{},{},{n},{},{:.2}\n",
            csv(&name),
            ex.unwrap_or_default(),
            reports.len(),
            rate(n, reports.len())
        );
    }
    out
}

/// The class as one HTML page, without scripts: a table of students and
/// exercises (a cell's tooltip says what failed), the pass rate of each
/// exercise under it, then the pass rate of every check.
pub fn class_html(lessons: &[Lesson], reports: &[Report]) -> String {
    let e = grade::escape;
    let ex = exercises(lessons);
    let mut h = String::from(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Class results: the netlink course</title>\n<style>\n\
         body { font-family: sans-serif; margin: 2em; }\n\
         table { border-collapse: collapse; margin-bottom: 2em; }\n\
         th, td { border: 1px solid #999; padding: 0.3em 0.6em; text-align: center; }\n\
         td.name, th.name { text-align: left; }\n\
         td.pass { background: #c8f0c8; } td.fail { background: #f4c8c8; } td.refused { background: #ddd; }\n\
         tr.rates td { font-weight: bold; }\n</style>\n</head>\n<body>\n",
    );
    let first = reports.first();
    h += &format!(
        "<h1>Class results</h1>\n<p>{} student(s); course {}; lab kernel {}; graded {}.</p>\n",
        reports.len(),
        e(first.map_or("", |r| r.course.as_str())),
        e(first.map_or("", |r| r.lab_kernel.as_str())),
        e(first.map_or("", |r| r.date.as_str()))
    );
    h += "<table id=\"students\">\n<thead><tr><th class=\"name\">student</th><th>points</th>";
    for (l, id) in &ex {
        let title = lessons
            .iter()
            .find(|x| x.number == *l)
            .and_then(|x| x.manifest.exercises.iter().find(|y| y.id == *id))
            .map_or("", |y| y.title.as_str());
        h += &format!("<th class=\"exercise\" title=\"{}\">{}</th>", e(title), e(id));
    }
    h += "</tr></thead>\n<tbody>\n";
    for r in reports {
        let s = r.student.clone().unwrap_or_default();
        h += &format!(
            "<tr class=\"student\"><td class=\"name\">{}</td><td>{}/{}</td>",
            e(&s.name),
            r.points,
            r.max_points
        );
        for (l, id) in &ex {
            if let Some(why) = &s.refused {
                h += &format!("<td class=\"refused\" title=\"refused: {}\">refused</td>", e(why));
                continue;
            }
            let lesson = r.lessons.iter().find(|x| x.number == *l);
            let exercise = lesson.and_then(|x| x.exercises.iter().find(|y| y.id == *id));
            match exercise {
                Some(x) if x.passed => h += "<td class=\"pass\">&#10003;</td>",
                Some(x) => {
                    let why = match lesson.map(|x| x.status.as_str()) {
                        Some("failed") | None => format!("failing: {}", x.failed_checks.join(", ")),
                        Some(status) => status.to_string(),
                    };
                    h += &format!("<td class=\"fail\" title=\"{}\">&#10007;</td>", e(&why));
                }
                None => h += "<td class=\"fail\">?</td>",
            }
        }
        h += "</tr>\n";
    }
    h += "</tbody>\n<tfoot><tr class=\"rates\"><td class=\"name\">pass rate</td><td></td>";
    for (l, id) in &ex {
        let n = reports.iter().filter(|r| passed(r, *l, id)).count();
        h += &format!("<td>{:.0}%</td>", 100.0 * rate(n, reports.len()));
    }
    h += "</tr></tfoot>\n</table>\n<h2>Checks</h2>\n<table id=\"checks\">\n<thead><tr><th>lesson</th><th class=\"name\">check</th><th>exercise</th><th>passed</th><th>pass rate</th></tr></thead>\n<tbody>\n";
    for (l, name, exercise, n) in check_rates(lessons, reports) {
        h += &format!(
            "<tr class=\"check\"><td>{l:02}</td><td class=\"name\">{}</td><td>{}</td><td>{n}/{}</td><td>{:.0}%</td></tr>\n",
            e(&name),
            e(exercise.as_deref().unwrap_or("")),
            reports.len(),
            100.0 * rate(n, reports.len())
        );
    }
    h + "</tbody>\n</table>\n</body>\n</html>\n"
}
