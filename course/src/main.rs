//! `course`: the course's own tool. The Makefile's targets call it; you can
//! too (`cargo run -q -p course -- --help`).

mod bench_grade;
mod builder;
mod check;
mod class;
mod editor;
mod fuzz;
mod grade;
mod handout;
mod intake;
mod jobs;
mod lab;
mod lessons;
mod markers;
mod mutation;
mod report;
mod sandbox;
mod starters;
mod trace;
mod tree;
mod verify;
mod watch;

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand};
use lab::{Lab, Lint};
use lessons::{Lesson, Variant};
use std::fs;
use std::io::{IsTerminal, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

/// The netlink course's tool: runs lessons in the lab VM, checks your
/// exercises, and compares your code with the reference solution.
///
/// Each lesson pairs a Rust kernel module (kmods/NN-topic) with a userspace
/// program (lessons/NN-topic). Your code is built, put into a small VM running
/// the lab kernel (a real Linux 6.12 with Rust support), and exercised there.
///
/// A typical loop: `course run 2` to see lesson 2 work, edit the files with
/// TODO(exercise ...) in them, `course check 2` until all checks pass,
/// `course diff 2` to compare with the reference.
#[derive(Parser)]
#[command(version, about, long_about)]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Install the lab's packages and build the lab kernel (once; how long: the book's lab chapter).
    Setup,
    /// Build a lesson, boot the lab and show its demo: module loaded, programs run.
    Run {
        /// The lesson number, e.g. 1 or 01.
        lesson: String,
        /// Use the reference solution instead of your code.
        #[arg(long)]
        solution: bool,
    },
    /// Run a lesson's checks in the lab and say what passed, what failed and why.
    ///
    /// A failed check shows what the program printed and a hint. The last
    /// line names your next step: the exercise of the first failing check
    /// that belongs to an exercise, in the order the checks run. Checks go
    /// from the basic to the composite (a program's output needs the module's
    /// reply too), so the first failure is the cause and later ones may be
    /// its consequences: that exercise's code is the one to fix first,
    /// whatever the exercises' numbers.
    Check {
        /// The lesson number, e.g. 1 or 01.
        lesson: String,
        /// Check the reference solution instead of your code.
        #[arg(long)]
        solution: bool,
    },
    /// Show your code of a lesson against the reference solution.
    Diff {
        /// The lesson number, e.g. 1 or 01.
        lesson: String,
    },
    /// Boot an interactive lab VM with every lesson's modules and programs in /lab.
    Shell {
        /// Put the reference solutions into the VM instead of your code.
        #[arg(long)]
        solution: bool,
        /// Use the debug kernel, start the VM stopped and wait for gdb (it
        /// prints the command that attaches gdb from another terminal).
        #[arg(long)]
        gdb: bool,
    },
    /// Debug a lesson with gdb: boot its demo on the debug kernel, stopped
    /// at the first instruction, with gdb attached and the kernel's and the
    /// lesson's module symbols loaded. Set a breakpoint in your module (e.g.
    /// `break greet.rs:70`), then `continue`. The VM's console goes to a file
    /// (its name is printed). Leaving gdb stops the VM.
    Gdb {
        /// The lesson number, e.g. 2 or 02.
        lesson: String,
        /// Use the reference solution instead of your code.
        #[arg(long)]
        solution: bool,
    },
    /// Run a lesson's benchmark in the lab (checks/NN-topic/bench.sh) with
    /// the reference solution, and print its figures. Figures, not a test.
    Bench {
        /// The lesson number, e.g. 5 or 05.
        lesson: String,
    },
    /// Run a lesson's demo with the netlink capture on: prints every netlink
    /// message it caused, decoded, and saves them as a pcap file for
    /// Wireshark (target/trace/NN-topic.pcap).
    Trace {
        /// The lesson number, e.g. 2 or 02.
        lesson: String,
        /// Use the reference solution instead of your code.
        #[arg(long)]
        solution: bool,
    },
    /// List the lessons, their exercises and your progress.
    List,
    /// Check a lesson, then check it again each time you save one of its
    /// files: progress, the first failing check with its hint and the
    /// exercise to work on. Quit with q or Ctrl-C.
    Watch {
        /// The lesson number, e.g. 1 or 01.
        lesson: String,
    },
    /// Grade your code: every lesson's checks (in one boot of the lab), written
    /// as reports: grade.json (the course's schema, see the book's chapter
    /// for instructors), junit.xml (GitLab CI, Jenkins) and classroom.json
    /// (GitHub Classroom's autograding). One point per exercise whose
    /// checks all pass. A lesson that does not build, crashes the kernel or
    /// hangs fails its checks, and grading goes on. Exits 0 once the reports
    /// are written, whatever the score.
    ///
    /// (Instructors) With --class DIR, grade every submission in DIR (a
    /// course checkout, NAME.bundle, or NAME.tar[.gz|.xz|.bz2] per student):
    /// only the exercises' files are taken from each, into a clean copy of
    /// this course; builds run in a sandbox (bubblewrap); each student's
    /// lessons run in one lab boot, plus one more after each crash or hang
    /// that ends a boot before their last lesson; each student gets a report
    /// in OUT/students/NAME/, and the class gets class.csv, checks.csv and
    /// class.html.
    #[command(verbatim_doc_comment)]
    Grade {
        /// Only these lessons (default: all): --lessons 1,2
        #[arg(long, value_delimiter = ',')]
        lessons: Vec<String>,
        /// The folder for the reports (default: target/grade, or target/grade/class with --class).
        #[arg(long)]
        out: Option<PathBuf>,
        /// (Instructors) The folder of the class's submissions.
        #[arg(long)]
        class: Option<PathBuf>,
    },
    /// (Instructors) Write a student repository into DIR (a new Git repository):
    /// the starters, the book, the lab, the checks and this tool, without
    /// the reference solutions, or with those of the lessons given by
    /// --solutions (to release them after a deadline). In a Git checkout
    /// only the files Git tracks go in (`git ls-files`): untracked files,
    /// such as students' submissions in the folder, never do.
    Handout {
        /// The new repository's folder (must not exist, or be empty).
        dir: PathBuf,
        /// Lessons whose solutions it includes: --solutions 1,2
        #[arg(long, value_delimiter = ',')]
        solutions: Vec<u32>,
    },
    /// (Instructors) Figures, not a test: seconds to grade one student (all
    /// lessons, or --lessons), and a class of generated students (each
    /// exercise file the starter's or the solution's, made unique).
    BenchGrade {
        /// How many generated students (default 30).
        #[arg(long, default_value_t = 30)]
        students: usize,
        /// Only these lessons (default: all): --lessons 1,2
        #[arg(long, value_delimiter = ',')]
        lessons: Vec<String>,
    },
    /// Set up rust-analyzer for the kernel modules in kmods/: writes
    /// kmods/rust-project.json (the lab kernel's crates and your modules) and
    /// links the shared sources (wire/, knetlink/, ...) into each module's
    /// folder as its build sees them. Run it again after the lab kernel
    /// changes. The book's chapter "The lab" shows how to use it in an editor.
    RustAnalyzer,
    /// (Course authors) Make lessons/ and kmods/ from solutions/ by removing the marked solutions.
    Gen {
        /// Do not write: fail if the committed starters differ from what would be made.
        #[arg(long)]
        check: bool,
        /// Overwrite starter files even if you have changed them.
        #[arg(long)]
        force: bool,
    },
    /// (Course authors) Write both versions of every solution file, with the
    /// book's anchors, into DIR/starter/ and DIR/solution/ (student paths:
    /// kmods/..., lessons/...). The book includes its listings from there
    /// (book/listings.py calls this on every build).
    #[command(hide = true)]
    Render {
        /// Where to write; emptied first.
        to: PathBuf,
    },
    /// (Course authors) Prove the checks real, in one lab boot per lesson:
    /// all pass on the solution; each exercise's checks fail on the starter
    /// while the others pass; and each [[mutation]] of lesson.toml (a likely
    /// wrong answer, as an edit of the solution) fails the checks it names,
    /// or one of its exercise's.
    Verify {
        /// Only these lessons (default: all).
        lessons: Vec<String>,
    },
}

/// The workspace root: the course tool lives in `<root>/course`.
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap_or(Path::new(".")).to_path_buf()
}

fn main() -> ExitCode {
    // Ctrl-C stops the lab VM too: qemu is out of reach of the terminal's signal.
    let _ = ctrlc::set_handler(|| {
        jobs::stop_running();
        watch::restore_terminal();
        std::process::exit(130);
    });
    match run(Cli::parse()) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("course: error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn variant(solution: bool) -> Variant {
    if solution {
        Variant::Solution
    } else {
        Variant::Student
    }
}

fn run(cli: Cli) -> Result<bool> {
    let root = root();
    match cli.command {
        Cmd::Setup => {
            Lab::prepare(&root)?;
            println!("The lab is ready. Next: `make lesson-1`.");
            Ok(true)
        }
        Cmd::Run { lesson, solution } => demo(&root, &lessons::find(&root, &lesson)?, variant(solution)),
        Cmd::Check { lesson, solution } => {
            let lesson = lessons::find(&root, &lesson)?;
            let (ok, _) = check::check(&root, &lesson, variant(solution), check::Expect::AllPass)?;
            if !solution {
                check::next_step(&root, &lesson)?;
            }
            Ok(ok)
        }
        Cmd::Diff { lesson } => diff(&root, &lessons::find(&root, &lesson)?),
        Cmd::Shell { solution, gdb } => shell(&root, variant(solution), gdb),
        Cmd::Gdb { lesson, solution } => {
            let lesson = lessons::find(&root, &lesson)?;
            let lab = Lab::prepare_flavour(&root, true)?;
            let stage = lab.stage(&[&lesson], variant(solution), Lint::Fast)?;
            lab.gdb(&stage, &format!("{:02}-demo.sh", lesson.number))?;
            Ok(true)
        }
        Cmd::Bench { lesson } => bench(&root, &lessons::find(&root, &lesson)?),
        Cmd::Trace { lesson, solution } => trace::trace(&root, &lessons::find(&root, &lesson)?, variant(solution)),
        Cmd::List => check::list(&root),
        Cmd::RustAnalyzer => {
            let file = editor::rust_analyzer(&root, &Lab::prepare(&root)?)?;
            println!("Wrote {}: point rust-analyzer at it (the book's chapter \"The lab\" says how).", file.display());
            Ok(true)
        }
        Cmd::Gen { check, force } => {
            not_in_handout(&root, "gen")?;
            gen(&root, check, force)
        }
        Cmd::Render { to } => render(&root, &to),
        Cmd::Verify { lessons: which } => {
            not_in_handout(&root, "verify")?;
            verify::verify(&root, &which)
        }
        Cmd::Watch { lesson } => watch::watch(&root, &lessons::find(&root, &lesson)?),
        Cmd::Grade { lessons: which, out, class: None } => {
            let lessons = select(&root, &which)?;
            let out = out.unwrap_or_else(|| root.join("target/grade"));
            grade_tree(&root, &lessons, &out)
        }
        Cmd::Grade { lessons: which, out, class: Some(dir) } => {
            let lessons = select(&root, &which)?;
            let out = out.unwrap_or_else(|| root.join("target/grade/class"));
            class::grade_class(&root, &dir, &lessons, &out)?;
            Ok(true)
        }
        Cmd::Handout { dir, solutions } => {
            not_in_handout(&root, "handout")?;
            let n = handout::write(&root, &dir, &solutions.into_iter().collect())?;
            println!("handout: {n} files in {}, one Git commit; students start with `make lesson-1`.", dir.display());
            Ok(true)
        }
        Cmd::BenchGrade { students, lessons: which } => bench_grade::bench(&root, &select(&root, &which)?, students),
    }
}

/// `course run`: boot with the lesson's demo script, showing everything.
fn demo(root: &Path, lesson: &Lesson, variant: Variant) -> Result<bool> {
    let lab = Lab::prepare(root)?;
    let stage = lab.stage(&[lesson], variant, Lint::Fast)?;
    println!("== Lesson {}: {} ({} code), in the lab VM", lesson.number, lesson.manifest.title, variant.name());
    let console = lab.boot(&stage, &format!("{:02}-demo.sh", lesson.number), true)?;
    if !report::crash_lines(&console).is_empty() || !report::finished(&console) {
        report::print_tail(&console);
        return Ok(false);
    }
    println!("\nThat was lesson {}. Your exercises: `make check-{}`.", lesson.number, lesson.number);
    Ok(true)
}

/// `course shell`: every lesson's modules and programs in /lab, and a shell.
/// With its input not a terminal (`echo 'insmod /lab/greet.ko; dmesg' | make
/// shell`), the input is run as a script in the VM instead: its output is
/// shown, and the VM stops at its end.
fn shell(root: &Path, variant: Variant, gdb: bool) -> Result<bool> {
    let all = lessons::all(root)?;
    eprintln!(
        "course: building every lesson's modules and programs for /lab (the first time about a minute, then seconds)"
    );
    let lab = if gdb { Lab::prepare_flavour(root, true)? } else { Lab::prepare(root)? };
    let stage = lab.stage(&all.iter().collect::<Vec<_>>(), variant, Lint::Fast)?;
    trace::add_to_stage(&lab, root, &stage)?;
    if gdb {
        lab.shell_for_gdb(&stage)?;
        return Ok(true);
    }
    if std::io::stdin().is_terminal() {
        lab.boot(&stage, "shell", true)?;
        return Ok(true);
    }
    let mut script = String::new();
    std::io::stdin().read_to_string(&mut script).context("reading the commands from standard input")?;
    fs::write(stage.join("stdin.sh"), script)?;
    let console = lab.boot(&stage, "stdin.sh", true)?;
    let ok = report::crash_lines(&console).is_empty() && report::finished(&console);
    if !ok {
        report::print_tail(&console);
    }
    Ok(ok)
}

/// `course bench`: boot with the lesson's benchmark script, showing everything.
fn bench(root: &Path, lesson: &Lesson) -> Result<bool> {
    if !lesson.checks_dir(root).join("bench.sh").is_file() {
        bail!("lesson {} has no benchmark (checks/{}/bench.sh)", lesson.number, lesson.slug);
    }
    let lab = Lab::prepare(root)?;
    let stage = lab.stage(&[lesson], Variant::Solution, Lint::Fast)?;
    println!("== Lesson {} benchmark, reference solution, in the lab VM (minutes)", lesson.number);
    let console = lab.boot(&stage, &format!("{:02}-bench.sh", lesson.number), true)?;
    let ok = report::crash_lines(&console).is_empty() && report::finished(&console);
    if !ok {
        report::print_tail(&console);
    }
    Ok(ok)
}

/// Refuses what a handout cannot do (it has no solutions to work from).
fn not_in_handout(root: &Path, what: &str) -> Result<()> {
    if handout::released(root).is_some() {
        bail!("`course {what}` is for the course's authors, and this is a handout of the course (without the reference solutions)");
    }
    Ok(())
}

/// The lessons named (all if none).
fn select(root: &Path, which: &[String]) -> Result<Vec<Lesson>> {
    if which.is_empty() {
        lessons::all(root)
    } else {
        which.iter().map(|w| lessons::find(root, w)).collect()
    }
}

/// `course grade` on this tree.
fn grade_tree(root: &Path, lessons: &[Lesson], out: &Path) -> Result<bool> {
    let started = (std::time::SystemTime::now(), std::time::Instant::now());
    let lab = Lab::prepare(root)?;
    println!(
        "== Grading your code: lessons {} (one lab boot)",
        lessons.iter().map(|l| format!("{:02}", l.number)).collect::<Vec<_>>().join(", ")
    );
    let reports = grade::grade_sources(&lab, lessons, |l| l.source(root, Variant::Student), "grade")?;
    let report = grade::report(&lab, None, reports, started);
    grade::write(&report, out)?;
    grade::print_summary(&report);
    println!("reports: {0}/grade.json, {0}/junit.xml, {0}/classroom.json", out.display());
    Ok(true)
}

/// `course diff`: the student's files against the clean reference.
fn diff(root: &Path, lesson: &Lesson) -> Result<bool> {
    if lesson.kmod_dir(root, Variant::Solution).is_none() && lesson.crate_dir(root, Variant::Solution).is_none() {
        println!(
            "The reference solution of lesson {} is not released yet: your instructor releases it later. \
             Until then, `make check-{}` tells you what works.",
            lesson.number, lesson.number
        );
        return Ok(true);
    }
    let view = root.join("target/solution-view");
    if view.exists() {
        fs::remove_dir_all(&view)?;
    }
    for (path, data) in starters::render_all(root, markers::Version::Reference, starters::Anchors::Strip)? {
        let full = view.join(&path);
        fs::create_dir_all(full.parent().context("solution path")?)?;
        fs::write(full, data)?;
    }
    let mut same = true;
    for (_, student) in starters::TREES {
        let mine = Path::new(student).join(&lesson.slug);
        if !root.join(&mine).exists() {
            continue;
        }
        let reference = Path::new("target/solution-view").join(&mine);
        // What `make rust-analyzer` adds to a module folder is no difference.
        editor::mirror_links(&root.join(&mine), &root.join(&reference))?;
        println!("== {} (yours) against the reference solution", mine.display());
        let status = Command::new("git")
            .current_dir(root)
            .args(["diff", "--no-index", "--color=auto", "--"])
            .arg(&reference)
            .arg(&mine)
            .status()
            .context("running git diff")?;
        same &= status.success();
    }
    if same {
        println!("Your code matches the reference solution.");
    }
    Ok(true)
}

/// `course gen`.
fn gen(root: &Path, check: bool, force: bool) -> Result<bool> {
    let drift = starters::drift(root)?;
    if check {
        for p in &drift.changed {
            println!("differs from its generated starter: {}", p.display());
        }
        for p in &drift.extra {
            println!("made by no solution file: {}", p.display());
        }
        let ok = drift.changed.is_empty() && drift.extra.is_empty();
        println!(
            "{}",
            if ok {
                "starters: up to date with solutions/"
            } else {
                "starters: out of date: run `make gen` and commit"
            }
        );
        return Ok(ok);
    }
    if !force {
        let risk = starters::at_risk(root)?;
        if !risk.is_empty() {
            let list: String = risk.iter().map(|p| format!("\n  {}", p.display())).collect();
            bail!(
                "course gen would overwrite or delete these files, which hold work Git does not have \
                 (untracked, or changed since the last commit):{list}\n\
                 Nothing was written. Commit them, or put them aside with `git stash -u`, or pass --force to lose them."
            );
        }
    }
    let n = starters::write_all(root)?;
    println!("starters: {n} file(s) written or removed");
    Ok(true)
}

/// `course render`: the book's view of the starters and the solutions.
fn render(root: &Path, to: &Path) -> Result<bool> {
    if to.exists() {
        fs::remove_dir_all(to).with_context(|| format!("emptying {}", to.display()))?;
    }
    for (dir, version) in [("starter", markers::Version::Starter), ("solution", markers::Version::Reference)] {
        for (path, data) in starters::render_all(root, version, starters::Anchors::Keep)? {
            let full = to.join(dir).join(&path);
            fs::create_dir_all(full.parent().context("rendered path")?)?;
            fs::write(full, data)?;
        }
    }
    Ok(true)
}
