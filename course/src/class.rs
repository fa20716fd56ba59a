//! `course grade --class DIR`: grades every student's submission in DIR,
//! each in one lab boot, and writes each student's reports plus a class
//! summary (`class.csv`, `checks.csv`, `class.html`).
//!
//! Per student: unpack (sandboxed), intake (refuse, or take the exercise
//! files into a clean tree), build each lesson in the sandbox (results are
//! cached by content: a file that is the same as another student's, or the
//! starter's, is not built again), run all lessons in one boot. A student's
//! crash, hang or broken build fails that student's lesson, nobody else's.

use crate::builder::{self, Source};
use crate::grade::{self, Report, Student};
use crate::intake::{self, Submission};
use crate::lab::Lab;
use crate::lessons::Lesson;
use crate::sandbox::{Mount, Sandbox};
use anyhow::{bail, Context, Result};
use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Instant, SystemTime};

/// Where a class's work goes: `target/grade/work/`, with `students/NAME/`
/// (the unpacked submission, the clean tree, build folders), `target/` (the
/// Cargo target folder all students' programs share), `course/` (what of
/// the course the builds see) and `stubs/`.
fn work_dir(root: &Path) -> PathBuf {
    root.join("target/grade/work")
}

/// One student's work folder: under `students/`, so that no name (not even
/// `target` or `course`) meets the class's shared folders.
fn student_dir(root: &Path, name: &str) -> Result<PathBuf> {
    if !intake::plain_name(name) {
        bail!("`{name}` is not a plain file name");
    }
    Ok(work_dir(root).join("students").join(name))
}

/// Copies what of the course a student's build reads into `dest`, and
/// nothing else: its `Cargo.toml` and `Cargo.lock` and the source files of
/// its path dependencies (`wire`, `nlsock`, lesson 05's `rtm-cli`). Not
/// `.git`, not the checks, not the solutions (but for the crate of one that
/// a later lesson builds on). Then writes into `stubs` the same crates with
/// every `.rs` file empty: what a lesson that does not use such a solution
/// crate sees in its place (Cargo reads every workspace member's manifest).
pub fn build_course(root: &Path, dest: &Path, stubs: &Path) -> Result<()> {
    fs::create_dir_all(dest)?;
    for file in ["Cargo.toml", "Cargo.lock"] {
        let data = fs::read(root.join(file)).with_context(|| format!("reading {file} of the course"))?;
        if fs::read(dest.join(file)).ok() != Some(data.clone()) {
            fs::write(dest.join(file), data)?;
        }
    }
    for (_, rel) in crate::tree::named_path_dependencies(root)? {
        builder::sync_dir(&root.join(&rel), &dest.join(&rel))?;
        if rel.starts_with("solutions") {
            let stub = stubs.join(&rel);
            if stub.exists() {
                fs::remove_dir_all(&stub)?;
            }
            for file in builder::source_files(&root.join(&rel))? {
                let data = if file == Path::new("Cargo.toml") {
                    fs::read(root.join(&rel).join(&file))?
                } else if file.extension().is_some_and(|e| e == "rs") {
                    Vec::new()
                } else {
                    continue;
                };
                let to = stub.join(&file);
                fs::create_dir_all(to.parent().context("stub path")?)?;
                fs::write(to, data)?;
            }
        }
    }
    Ok(())
}

/// The course's path dependencies that are solutions (`rtm-cli`), which
/// `lesson`'s crate in `tree` does not depend on: its build sees their stubs.
fn unused_solution_crates(root: &Path, tree: &Path, lesson: &Lesson) -> Result<Vec<PathBuf>> {
    let manifest = tree.join("lessons").join(&lesson.slug).join("Cargo.toml");
    let uses: BTreeSet<String> = match fs::read_to_string(&manifest) {
        Ok(text) => intake::dependencies(&toml::from_str(&text).unwrap_or_default()),
        Err(_) => BTreeSet::new(),
    };
    Ok(crate::tree::named_path_dependencies(root)?
        .into_iter()
        .filter(|(name, rel)| rel.starts_with("solutions") && !uses.contains(name))
        .map(|(_, rel)| rel)
        .collect())
}

/// Where one lesson's build of one student may look and write.
pub struct Place<'a> {
    /// The lab scripts (`lab/`, for `lab/module.sh`), the kernel's build
    /// folder and its source.
    pub lab: &'a Path,
    pub kernel: &'a Path,
    /// The copy of the course (`build_course`) and its stubs.
    pub course: &'a Path,
    pub stubs: &'a Path,
    /// Solution crates the lesson does not use, relative to `course`.
    pub unused: &'a [PathBuf],
    /// Hidden: the class folder.
    pub class: &'a Path,
    /// Writable: the student's clean tree, the lesson's module build
    /// folder, the shared Cargo target folder.
    pub write: &'a [PathBuf],
}

/// The sandbox of one lesson's build of one student: the system, the
/// toolchain, the lab scripts and kernel, the copy of the course (with
/// stubs for solution crates the lesson does not use); writable only its
/// own folders. Not the instructor's course (solutions, `.git`), not the
/// class folder, not the other lessons' build folders nor other students'.
pub fn sandbox(p: &Place) -> Sandbox {
    let mut mounts = Sandbox::toolchain();
    mounts.push(Mount::Read(p.lab.to_path_buf()));
    if let Some(cache) = p.kernel.parent() {
        mounts.push(Mount::Read(cache.to_path_buf()));
    }
    if let Ok(src) = p.kernel.join("source").canonicalize() {
        mounts.push(Mount::Read(src));
    }
    mounts.push(Mount::Read(p.course.to_path_buf()));
    for rel in p.unused {
        mounts.push(Mount::ReadAt { from: p.stubs.join(rel), at: p.course.join(rel) });
    }
    if let Ok(class) = p.class.canonicalize() {
        mounts.push(Mount::Hide(class));
    }
    mounts.extend(p.write.iter().cloned().map(Mount::Write));
    Sandbox::new(mounts)
}

/// A student made ready for the lab: unpacked, taken in and built.
pub struct Prepared {
    started: (SystemTime, Instant),
    student: Student,
    /// Each lesson's build, or the status and message of every lesson when
    /// the submission is refused or could not be taken in.
    inputs: Inputs,
}

/// Unpacks, takes in and builds one submission. Never an error: what went
/// wrong with it (even an I/O error on a hostile tree) goes into that
/// student's report, as `intake-failed`.
pub fn prepare(lab: &Lab, class: &Path, lessons: &[Lesson], sub: &Submission) -> Prepared {
    let started = (SystemTime::now(), Instant::now());
    let mut student =
        Student { name: sub.name.clone(), submission: sub.path.display().to_string(), ..Default::default() };
    let inputs = match take_in(lab, class, lessons, sub, &mut student) {
        Ok(inputs) => inputs,
        Err(e) => Err(("intake-failed", format!("the submission could not be taken in: {e:#}"))),
    };
    Prepared { started, student, inputs }
}

type Inputs = Result<Vec<grade::Input>, (&'static str, String)>;

fn take_in(lab: &Lab, class: &Path, lessons: &[Lesson], sub: &Submission, student: &mut Student) -> Result<Inputs> {
    let work = student_dir(&lab.root, &sub.name)?;
    let target = work_dir(&lab.root).join("target");
    let (course, stubs) = (work_dir(&lab.root).join("course"), work_dir(&lab.root).join("stubs"));
    fs::create_dir_all(&work)?;
    fs::create_dir_all(&target)?;
    let tree = match intake::unpack(sub, &work.join("submission")) {
        Ok(t) => t,
        Err(e) => {
            student.refused = Some(format!("{e:#}"));
            return Ok(Err(("refused", format!("{e:#}"))));
        }
    };
    student.commit = intake::commit(&tree);
    let clean = work.join("tree");
    let taken = intake::intake(&lab.root, lessons, &tree, &clean)?;
    student.ignored = taken.ignored;
    if let Some(why) = taken.refused {
        student.refused = Some(why.clone());
        return Ok(Err(("refused", format!("the submission is refused: {why}"))));
    }
    build_course(&lab.root, &course, &stubs)?;
    let lab_dir = lab.root.join("lab");
    let source = |l: &Lesson| -> Source {
        let mut s = l.tree_source(&clean, &course, &target, &work.join("build"));
        let unused = unused_solution_crates(&lab.root, &clean, l).unwrap_or_default();
        let write = [clean.clone(), builder::kmod_build_dir(lab, l, &s), target.clone()];
        let place = Place {
            lab: &lab_dir,
            kernel: &lab.kernel,
            course: &course,
            stubs: &stubs,
            unused: &unused,
            class,
            write: &write,
        };
        s.sandbox = Some(sandbox(&place));
        s
    };
    Ok(Ok(grade::build_inputs(lab, lessons, source)))
}

/// Runs a prepared student's lessons in one boot of the lab: the report.
/// When the lab itself fails, every lesson of the student that did not run
/// says so (`not-run`) and the class goes on.
pub fn finish(lab: &Lab, lessons: &[Lesson], p: Prepared) -> Report {
    let failed = |status: &str, why: &str| -> Vec<grade::LessonReport> {
        lessons.iter().map(|l| grade::lesson_report(l, None, Some((status, why.to_string())))).collect()
    };
    let reports = match p.inputs {
        Ok(inputs) => match grade::run_inputs(lab, lessons, inputs, &format!("class-{}", p.student.name)) {
            Ok(r) => r,
            Err(e) => failed("not-run", &format!("the lab could not run this student's lessons: {e:#}")),
        },
        Err((status, why)) => failed(status, &why),
    };
    grade::report(lab, Some(p.student), reports, p.started)
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
                if tx.send(prepare(lab, class, lessons, sub)).is_err() {
                    break;
                }
            }
        });
        for (sub, prepared) in subs.iter().zip(rx) {
            let r = finish(lab, lessons, prepared);
            let dir = out.join("students").join(&sub.name);
            grade::write(&r, &dir)?;
            let note = match &r.student {
                Some(Student { refused: Some(why), .. }) => format!("  REFUSED: {why}"),
                _ if r.lessons.iter().any(|l| l.status == "intake-failed") => {
                    format!("  INTAKE FAILED: {}", r.lessons[0].message.as_deref().unwrap_or_default())
                }
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::Stdio;

    fn root() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
    }

    /// A scratch folder under target/ (the sandbox has a /tmp of its own).
    fn scratch() -> tempfile::TempDir {
        let target = root().join("target");
        fs::create_dir_all(&target).unwrap();
        tempfile::tempdir_in(target).unwrap()
    }

    #[test]
    fn student_folders_never_meet_the_shared_ones() {
        let r = root();
        for shared in ["target", "course", "stubs", "students"] {
            let dir = student_dir(&r, shared).unwrap();
            assert_ne!(dir, work_dir(&r).join(shared));
            assert!(dir.starts_with(work_dir(&r).join("students")));
        }
        for bad in ["", ".", "..", "../x", "a/b", ".hidden"] {
            assert!(student_dir(&r, bad).is_err(), "`{bad}` is refused");
        }
    }

    #[test]
    fn builds_see_the_crates_they_use_and_no_other_solution() {
        assert!(Sandbox::available(), "bwrap is missing or does not work: run lab/setup.sh --grade");
        let r = root();
        let dir = scratch();
        let (course, stubs, class) = (dir.path().join("course"), dir.path().join("stubs"), dir.path().join("class"));
        fs::create_dir_all(&class).unwrap();
        build_course(&r, &course, &stubs).unwrap();
        let rtm = Path::new("solutions/lessons/05-rtm");
        let session = rtm.join("src/session.rs");
        assert_eq!(fs::read(course.join(&session)).unwrap(), fs::read(r.join(&session)).unwrap());
        assert!(course.join("wire/src").is_dir() && course.join("Cargo.lock").is_file());
        for absent in [".git", "checks", "lab", "solutions/kmods", "solutions/lessons/02-greet", "lessons"] {
            assert!(!course.join(absent).exists(), "{absent} is not copied");
        }
        // Lesson 06 uses rtm-cli, lesson 05 does not (it writes it).
        let lessons = crate::lessons::all(&r).unwrap();
        let lesson = |n: u32| lessons.iter().find(|l| l.number == n).unwrap();
        assert!(unused_solution_crates(&r, &r, lesson(6)).unwrap().is_empty());
        assert_eq!(unused_solution_crates(&r, &r, lesson(5)).unwrap(), [rtm.to_path_buf()]);
        let sees = |unused: &[PathBuf], script: String| {
            let place = Place {
                lab: &r.join("lab"),
                kernel: &dir.path().join("kernel/k"),
                course: &course,
                stubs: &stubs,
                unused,
                class: &class,
                write: &[],
            };
            sandbox(&place).command("sh").arg("-c").arg(script).stderr(Stdio::null()).status().unwrap().success()
        };
        let file = course.join(&session).display().to_string();
        assert!(sees(&[], format!("test -s {file}")), "a lesson that uses rtm-cli sees it");
        assert!(sees(&[rtm.to_path_buf()], format!("test -f {file} && ! test -s {file}")), "others see a stub");
        // The instructor's course itself: not its solutions, not its .git.
        for hidden in ["solutions/kmods/05-rtm", "solutions/lessons/05-rtm/src/session.rs", ".git", "checks"] {
            assert!(!sees(&[], format!("test -e {}", r.join(hidden).display())), "{hidden} is invisible");
        }
        assert!(sees(&[], format!("test -f {}", r.join("lab/module.sh").display())));
    }

    /// Builds, with Cargo, in the sandbox of a student's lesson, a crate
    /// whose build script runs `script` (the body of its `main`); returns
    /// the lines the script wrote into its crate's folder.
    fn build_script_says(script: &str) -> Vec<String> {
        assert!(Sandbox::available(), "bwrap is missing or does not work: run lab/setup.sh --grade");
        let dir = scratch();
        let d = dir.path();
        let krate = d.join("students/alice/tree/lessons/01-x");
        let target = d.join("target");
        for f in [&krate.join("src"), &target, &d.join("students/bob"), &d.join("course"), &d.join("class")] {
            fs::create_dir_all(f).unwrap();
        }
        fs::write(
            krate.join("Cargo.toml"),
            "[package]\nname = \"x\"\nversion = \"0.1.0\"\nedition = \"2021\"\nbuild = \"build.rs\"\n[workspace]\n",
        )
        .unwrap();
        fs::write(krate.join("src/main.rs"), "fn main() {}\n").unwrap();
        let build = format!(
            "use std::fmt::Write as _;\nfn main() {{\n    let mut said = String::new();\n{script}\n    \
             let out = std::env::var(\"CARGO_MANIFEST_DIR\").unwrap() + \"/said\";\n    \
             std::fs::write(out, said).unwrap();\n}}\n"
        );
        fs::write(krate.join("build.rs"), build).unwrap();
        let write = [d.join("students/alice/tree"), target.clone()];
        let place = Place {
            lab: &root().join("lab"),
            kernel: &d.join("kernel/k"),
            course: &d.join("course"),
            stubs: &d.join("stubs"),
            unused: &[],
            class: &d.join("class"),
            write: &write,
        };
        let out = sandbox(&place)
            .command(env!("CARGO"))
            .args(["build", "--offline", "--manifest-path"])
            .arg(krate.join("Cargo.toml"))
            .arg("--target-dir")
            .arg(&target)
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert!(out.status.success(), "the crate builds in the sandbox: {}", String::from_utf8_lossy(&out.stderr));
        let said = fs::read_to_string(krate.join("said")).expect("the build script ran");
        said.lines().map(str::to_string).collect()
    }

    #[test]
    fn a_build_script_cannot_write_outside_its_build_folders() {
        let home = PathBuf::from(std::env::var("HOME").unwrap());
        let unique = format!("escaped-{}-{:?}", std::process::id(), std::thread::current().id());
        let dir = scratch();
        // Where it tries to write: the course, the home folder, another
        // student's folder (made by build_script_says next to its own).
        let outside = [root().join("lab").join(&unique), home.join(&unique), dir.path().join(&unique)];
        let mut script = String::new();
        for path in &outside {
            script += &format!(
                "    let ok = std::fs::write({p:?}, \"x\").is_ok();\n    writeln!(said, \"{{}}\", ok).unwrap();\n",
                p = path.display().to_string()
            );
        }
        script += "    let ok = std::fs::write(\"../../../bob/escaped\", \"x\").is_ok();\n    \
                   writeln!(said, \"{}\", ok).unwrap();\n";
        let said = build_script_says(&script);
        for path in &outside {
            let existed = path.exists();
            let _ = fs::remove_file(path);
            assert!(!existed, "{} was written", path.display());
        }
        assert_eq!(said, ["false", "false", "false", "false"], "every write outside failed");
    }

    #[test]
    fn a_build_script_has_no_network() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        // Reachable from here (the test would prove nothing otherwise)...
        assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_ok());
        // ...and not from the build script.
        let script = format!(
            "    let addr: std::net::SocketAddr = \"127.0.0.1:{port}\".parse().unwrap();\n    \
             let ok = std::net::TcpStream::connect_timeout(&addr, std::time::Duration::from_secs(5)).is_ok();\n    \
             writeln!(said, \"{{}}\", ok).unwrap();\n    \
             let dns = std::net::ToSocketAddrs::to_socket_addrs(&(\"deb.debian.org\", 80)).is_ok();\n    \
             writeln!(said, \"{{}}\", dns).unwrap();\n"
        );
        assert_eq!(build_script_says(&script), ["false", "false"]);
    }

    #[test]
    fn a_students_tree_loads_in_its_sandbox_with_only_the_copy_of_the_course() {
        assert!(Sandbox::available(), "bwrap is missing or does not work: run lab/setup.sh --grade");
        let r = root();
        let dir = scratch();
        let d = dir.path();
        let (course, stubs, tree) = (d.join("course"), d.join("stubs"), d.join("students/alice/tree"));
        build_course(&r, &course, &stubs).unwrap();
        let starters =
            crate::starters::render_all(&r, crate::markers::Version::Starter, crate::starters::Anchors::Strip);
        for (rel, data) in starters.unwrap() {
            fs::create_dir_all(tree.join(&rel).parent().unwrap()).unwrap();
            fs::write(tree.join(rel), data).unwrap();
        }
        crate::tree::write_workspace(&course, &tree).unwrap();
        let lessons = crate::lessons::all(&r).unwrap();
        for n in [5, 6] {
            let l = lessons.iter().find(|l| l.number == n).unwrap();
            let unused = unused_solution_crates(&r, &tree, l).unwrap();
            let write = [tree.clone()];
            let place = Place {
                lab: &r.join("lab"),
                kernel: &d.join("kernel/k"),
                course: &course,
                stubs: &stubs,
                unused: &unused,
                class: &d.join("class"),
                write: &write,
            };
            // Cargo reads every member and dependency of the workspace.
            let out = sandbox(&place)
                .command(env!("CARGO"))
                .args(["metadata", "--offline", "--format-version", "1", "--manifest-path"])
                .arg(tree.join("lessons").join(&l.slug).join("Cargo.toml"))
                .stdin(Stdio::null())
                .output()
                .unwrap();
            assert!(out.status.success(), "lesson {n}: {}", String::from_utf8_lossy(&out.stderr));
        }
    }

    /// A folder whose path is longer than Linux takes (PATH_MAX, 4096
    /// bytes): reading it fails, even as root.
    fn too_deep(dir: &Path) {
        let name = "d".repeat(200);
        let script =
            format!("cd '{}' && for i in $(seq 25); do mkdir {name} && cd -P {name} || exit 1; done", dir.display());
        assert!(std::process::Command::new("bash").arg("-c").arg(script).status().unwrap().success());
    }

    #[test]
    fn a_tree_that_cannot_be_read_fails_its_student_only() {
        let r = root();
        let dir = scratch();
        let class = dir.path().join("class");
        let tree = class.join("mallory");
        fs::create_dir_all(tree.join("checks")).unwrap();
        too_deep(&tree);
        let lab = Lab { root: r.clone(), kernel: dir.path().join("kernel/k"), debug: false };
        let lessons: Vec<Lesson> = crate::lessons::all(&r).unwrap().into_iter().filter(|l| l.number == 1).collect();
        let sub = Submission { name: "mallory".into(), path: tree, kind: intake::Kind::Folder };
        let p = prepare(&lab, &class, &lessons, &sub);
        let report = finish(&lab, &lessons, p);
        let l = &report.lessons[0];
        assert_eq!(l.status, "intake-failed");
        assert!(l.message.as_deref().unwrap().contains("could not be taken in"), "{:?}", l.message);
        assert!(l.checks.iter().all(|c| !c.passed && c.message.as_deref().unwrap().contains("intake-failed")));
        assert_eq!((report.points, report.lab_boots), (0, 0));
        let _ = fs::remove_dir_all(student_dir(&r, "mallory").unwrap());
    }
}
