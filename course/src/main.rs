//! `course`: the course's own tool. The Makefile's targets call it; you can
//! too (`cargo run -q -p course -- --help`).

mod editor;
mod fuzz;
mod lab;
mod lessons;
mod markers;
mod report;
mod starters;
mod trace;

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand};
use lab::{Lab, Lint};
use lessons::{Lesson, Variant};
use report::Outcome;
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
    /// (Course authors) Prove the checks real: all pass on the solution, and
    /// each exercise's checks fail on the starter while the others pass.
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
            let (ok, _) = check(&root, &lesson, variant(solution), Expect::AllPass)?;
            if !solution {
                next_step(&root, &lesson)?;
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
        Cmd::List => list(&root),
        Cmd::RustAnalyzer => {
            let file = editor::rust_analyzer(&root, &Lab::prepare(&root)?)?;
            println!("Wrote {}: point rust-analyzer at it (the book's chapter \"The lab\" says how).", file.display());
            Ok(true)
        }
        Cmd::Gen { check, force } => gen(&root, check, force),
        Cmd::Render { to } => render(&root, &to),
        Cmd::Verify { lessons: which } => verify(&root, &which),
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

/// What a check run should find.
#[derive(Clone, Copy, PartialEq)]
enum Expect {
    /// Every check passes (the student's goal; the solution's duty).
    AllPass,
    /// The starter: exercise checks fail, all others pass.
    StarterFails,
}

/// `course check`: boot with the check script, then report each check.
/// Returns whether the run met `expect`, and the outcomes by name.
fn check(root: &Path, lesson: &Lesson, variant: Variant, expect: Expect) -> Result<(bool, Vec<(String, bool)>)> {
    let lab = Lab::prepare(root)?;
    let strict = expect == Expect::StarterFails || variant == Variant::Solution;
    let stage = lab.stage(&[lesson], variant, if strict { Lint::Strict } else { Lint::Clippy })?;
    println!("== Checking lesson {}: {} ({} code)", lesson.number, lesson.manifest.title, variant.name());
    let console = lab.boot(&stage, &format!("{:02}-check.sh", lesson.number), false)?;
    let crashed = report::crash_lines(&console);
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
        let note = if ok == wanted {
            ""
        } else if ok {
            "  <- must fail on the starter"
        } else {
            ""
        };
        println!("  {mark}  {}{tag}{note}", check.name);
        if !ok && wanted {
            match outcome {
                Outcome::Failed(seen) => println!("        seen: {seen}"),
                _ => println!("        seen: no result line (the check did not run: a crash, or the VM stopped early)"),
            }
            println!("        hint: {}", check.hint);
        }
    }
    fuzz::report(root, variant, &console)?;
    if !crashed.is_empty() || !report::finished(&console) {
        met = false;
        report::print_tail(&console);
    }
    match expect {
        Expect::AllPass => println!("{passed} passed, {failed} failed"),
        Expect::StarterFails => {
            println!("starter: {passed} checks pass, {failed} fail (its exercise checks must)")
        }
    }
    let results: Vec<_> = outcomes.iter().map(|(c, o)| (c.name.clone(), *o == Outcome::Passed)).collect();
    if variant == Variant::Student && expect == Expect::AllPass {
        save_results(root, lesson, &results)?;
    }
    Ok((met, results))
}

/// Where `list` finds the student's last results.
fn results_file(root: &Path, lesson: &Lesson) -> PathBuf {
    root.join("target/lab/results").join(format!("{}.txt", lesson.slug))
}

fn save_results(root: &Path, lesson: &Lesson, results: &[(String, bool)]) -> Result<()> {
    let path = results_file(root, lesson);
    fs::create_dir_all(path.parent().context("results path")?)?;
    let text: String = results.iter().map(|(n, ok)| format!("{n} {}\n", if *ok { "pass" } else { "fail" })).collect();
    Ok(fs::write(path, text)?)
}

fn load_results(root: &Path, lesson: &Lesson) -> Option<Vec<(String, bool)>> {
    let text = fs::read_to_string(results_file(root, lesson)).ok()?;
    Some(text.lines().filter_map(|l| l.split_once(' ')).map(|(n, r)| (n.to_string(), r == "pass")).collect())
}

/// The one-line next step after a student's check run.
fn next_step(root: &Path, lesson: &Lesson) -> Result<()> {
    let results = load_results(root, lesson).unwrap_or_default();
    let failing = |ex: &str| {
        lesson
            .manifest
            .checks
            .iter()
            .any(|c| c.exercise.as_deref() == Some(ex) && !results.iter().any(|(n, ok)| *n == c.name && *ok))
    };
    if let Some(ex) = lesson.manifest.exercises.iter().find(|e| failing(&e.id)) {
        println!(
            "Next: exercise {} ({}) in {}: look for TODO(exercise {}), then `make check-{}`.",
            ex.id, ex.title, ex.file, ex.id, lesson.number
        );
    } else if results.iter().all(|(_, ok)| *ok) {
        let later = lessons::all(root)?.into_iter().find(|l| l.number > lesson.number);
        match later {
            Some(l) => {
                println!("Lesson {} done. Next: `make lesson-{}` ({}).", lesson.number, l.number, l.manifest.title)
            }
            None => println!("Lesson {} done, and with it the course.", lesson.number),
        }
    } else {
        println!("Next: fix the failing checks above (their hints say where), then `make check-{}`.", lesson.number);
    }
    Ok(())
}

/// `course list`: every lesson with its exercises and the last check result.
fn list(root: &Path) -> Result<bool> {
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

/// `course diff`: the student's files against the clean reference.
fn diff(root: &Path, lesson: &Lesson) -> Result<bool> {
    let view = root.join("target/solution-view");
    if view.exists() {
        fs::remove_dir_all(&view)?;
    }
    for (path, data) in starters::render_all(root, markers::Version::Solution, starters::Anchors::Strip)? {
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
    if !force
        && Command::new("git").current_dir(root).args(["diff", "--quiet", "--", "lessons", "kmods"]).status()?.code()
            == Some(1)
    {
        bail!("lessons/ or kmods/ hold uncommitted changes (your work?): commit or stash them, or pass --force");
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
    for (dir, version) in [("starter", markers::Version::Starter), ("solution", markers::Version::Solution)] {
        for (path, data) in starters::render_all(root, version, starters::Anchors::Keep)? {
            let full = to.join(dir).join(&path);
            fs::create_dir_all(full.parent().context("rendered path")?)?;
            fs::write(full, data)?;
        }
    }
    Ok(true)
}

/// `course verify`: the test suite's proof that the checks are real.
fn verify(root: &Path, which: &[String]) -> Result<bool> {
    let lessons = if which.is_empty() {
        lessons::all(root)?
    } else {
        which.iter().map(|w| lessons::find(root, w)).collect::<Result<_>>()?
    };
    let drift = starters::drift(root)?;
    if !drift.changed.is_empty() || !drift.extra.is_empty() {
        bail!("lessons/ and kmods/ are not the generated starters (`course gen --check` says which): verify needs them pristine");
    }
    let (mut verified, mut wrong) = (0, 0);
    for lesson in &lessons {
        let (sol_ok, _) = check(root, lesson, Variant::Solution, Expect::AllPass)?;
        let (starter_ok, _) = check(root, lesson, Variant::Student, Expect::StarterFails)?;
        let mut all_have_checks = true;
        for ex in &lesson.manifest.exercises {
            if !lesson.manifest.checks.iter().any(|c| c.exercise.as_deref() == Some(ex.id.as_str())) {
                println!("exercise {} of lesson {} has no check", ex.id, lesson.number);
                all_have_checks = false;
            }
        }
        println!(
            "verify lesson {}: solution {}, starter {}",
            lesson.number,
            if sol_ok { "passes every check" } else { "FAILS" },
            if starter_ok { "fails exactly its exercise checks" } else { "WRONG (see above)" }
        );
        let ok = sol_ok && starter_ok && all_have_checks;
        if ok {
            verified += 1;
        } else {
            wrong += 1;
        }
    }
    println!("verify: {verified} passed, {wrong} failed");
    Ok(wrong == 0)
}
