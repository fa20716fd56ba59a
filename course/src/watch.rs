//! `course watch N` (`make watch-N`): the lesson's checks, run again each
//! time one of its files is saved, with the progress and the one thing to do
//! next (rustlings' habit). Quits on `q` or Ctrl-C.
//!
//! Files are watched with the `notify` crate: only changes count (a file
//! written, created, removed or renamed; not a file read, which the build
//! itself does), and the events of one save are checked once. Keys are read
//! from the terminal without waiting for Enter (`stty -icanon`).

use crate::builder;
use crate::check::{self, Results};
use crate::jobs::{self, Ending};
use crate::lab::{Lab, Lint};
use crate::lessons::{Lesson, Variant};
use crate::report::{self, Outcome};
use anyhow::{Context, Result};
use notify::event::{EventKind, ModifyKind};
use notify::{RecursiveMode, Watcher};
use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::{mpsc, Mutex};
use std::time::{Duration, Instant};

/// The terminal's settings before watch changed them (`stty -g`), to restore.
static SAVED_TTY: Mutex<Option<String>> = Mutex::new(None);

/// Puts the terminal back as it was (also on Ctrl-C: `main` calls this).
pub fn restore_terminal() {
    if let Some(saved) = SAVED_TTY.lock().unwrap_or_else(|e| e.into_inner()).take() {
        let _ = stty(&[&saved]);
    }
}

/// The terminal in watch's mode (keys at once, not echoed) while this
/// lives: dropping it, on every way out of `watch` (an error too), puts
/// the terminal back.
struct KeysAtOnce;

impl KeysAtOnce {
    /// Switches the terminal, if there is one.
    fn start() -> KeysAtOnce {
        if let Some(saved) = stty(&["-g"]) {
            *SAVED_TTY.lock().unwrap_or_else(|e| e.into_inner()) = Some(saved);
            let _ = stty(&["-icanon", "-echo", "min", "1"]);
        }
        KeysAtOnce
    }
}

impl Drop for KeysAtOnce {
    fn drop(&mut self) {
        restore_terminal();
    }
}

fn stty(args: &[&str]) -> Option<String> {
    let tty = std::fs::File::open("/dev/tty").ok()?;
    let out = Command::new("stty").args(args).stdin(tty).stderr(Stdio::null()).output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// What wakes the loop up.
enum Event {
    Saved(String),
    Quit,
}

/// Is this event a change of contents or names (not a read, not a change
/// of times or permissions alone)?
pub fn is_change(kind: &EventKind) -> bool {
    match kind {
        EventKind::Create(_) | EventKind::Remove(_) => true,
        EventKind::Modify(ModifyKind::Metadata(_)) => false,
        EventKind::Modify(_) => true,
        EventKind::Access(_) | EventKind::Any | EventKind::Other => false,
    }
}

/// Is a changed path (relative to the course) one of the lesson's sources
/// (not an editor's swap or backup file, not a build product)?
pub fn is_source(path: &Path) -> bool {
    let hidden = path.components().any(|c| {
        let s = c.as_os_str().to_string_lossy();
        s.starts_with('.') && s != "." && s != ".." || s == "target"
    });
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    !hidden && !name.ends_with('~') && !name.ends_with(".swp") && name != "4913"
}

/// `course watch`.
pub fn watch(root: &Path, lesson: &Lesson) -> Result<bool> {
    let dirs: Vec<_> = [lesson.kmod_dir(root, Variant::Student), lesson.crate_dir(root, Variant::Student)]
        .into_iter()
        .flatten()
        .collect();
    let (tx, rx) = mpsc::channel();
    let files = tx.clone();
    let base = root.to_path_buf();
    let mut watcher = notify::recommended_watcher(move |res: notify::Result<notify::Event>| {
        let Ok(event) = res else { return };
        if is_change(&event.kind) {
            // Judged by the path inside the course (which may itself sit in a `target/`).
            if let Some(path) = event.paths.iter().find(|p| is_source(p.strip_prefix(&base).unwrap_or(p))) {
                let _ = files.send(Event::Saved(path.display().to_string()));
            }
        }
    })
    .context("starting the file watcher")?;
    for dir in &dirs {
        watcher.watch(dir, RecursiveMode::Recursive).with_context(|| format!("watching {}", dir.display()))?;
    }
    // Keys at once, without Enter, when there is a terminal; as it was again
    // however this function ends.
    let _keys = KeysAtOnce::start();
    std::thread::spawn(move || {
        let mut byte = [0u8; 1];
        let mut stdin = std::io::stdin();
        while stdin.read(&mut byte).is_ok_and(|n| n == 1) {
            if byte[0] == b'q' || byte[0] == b'Q' {
                // A check may be running: stop its VM, and leave.
                jobs::stop_running();
                restore_terminal();
                println!("\nwatch: quit.");
                std::process::exit(0);
            }
        }
        let _ = tx.send(Event::Quit);
    });

    let lab = Lab::prepare(root)?;
    let all = crate::lessons::all(root)?;
    let watched: Vec<String> =
        dirs.iter().filter_map(|d| d.strip_prefix(root).ok()).map(|d| d.display().to_string()).collect();
    let mut why = "first check".to_string();
    loop {
        print!("\x1b[2J\x1b[H");
        println!("== make watch-{}: lesson {:02}, {} ({why})", lesson.number, lesson.number, lesson.manifest.title);
        let _ = std::io::stdout().flush();
        round(root, &lab, &all, lesson)?;
        println!("\nWatching {}: save a file to check again; q quits.", watched.join(" and "));
        // Wait for a save; saves made during the check count (they came after it started).
        match rx.recv() {
            Ok(Event::Saved(path)) => {
                why = format!("{} saved", Path::new(&path).file_name().unwrap_or_default().to_string_lossy());
                // One save is several events (an editor writes, renames, sets times): take them all.
                std::thread::sleep(Duration::from_millis(300));
                while let Ok(e) = rx.try_recv() {
                    if matches!(e, Event::Quit) {
                        return Ok(true);
                    }
                }
            }
            Ok(Event::Quit) | Err(_) => break,
        }
    }
    Ok(true)
}

/// One check of the lesson, shown compactly.
fn round(root: &Path, lab: &Lab, all: &[Lesson], lesson: &Lesson) -> Result<()> {
    let start = Instant::now();
    let built = match builder::build(lab, lesson, &lesson.source(root, Variant::Student), Lint::Quiet) {
        Ok(b) => b,
        Err(e) => {
            let text = format!("{e:#}");
            let lines: Vec<&str> = text.lines().collect();
            println!("\nYour code does not build:\n");
            for l in lines.iter().take(40) {
                println!("  {l}");
            }
            if lines.len() > 40 {
                println!("  ... ({} more lines: `make check-{}` shows them all)", lines.len() - 40, lesson.number);
            }
            return Ok(());
        }
    };
    let mut job = check::check_job(root, lesson, format!("lesson {}", lesson.number), built);
    job.fuzz_kept = true;
    let run = jobs::run(lab, &[job], &format!("{}-watch", lesson.slug))?.remove(0);
    let console = run.console();
    crate::fuzz::report(root, Variant::Student, &console)?;
    let outcomes = report::outcomes(lesson, &console);
    let results: Results = outcomes.iter().map(|(c, o)| (c.name.clone(), *o == Outcome::Passed)).collect();
    check::save_results(root, lesson, &results)?;
    println!("\n{}   ({:.0} s)", progress(&results), start.elapsed().as_secs_f64());
    if let Some((c, outcome)) = outcomes.iter().find(|(_, o)| *o != Outcome::Passed) {
        let tag = c.exercise.as_deref().map(|e| format!(" [exercise {e}]")).unwrap_or_default();
        println!("\nFirst failing check: {}{tag}", c.name);
        match outcome {
            Outcome::Failed(seen) => println!("  seen: {seen}"),
            _ => println!("  seen: no result line (the check did not run)"),
        }
        println!("  hint: {}", c.hint);
        if let Some(ex) = check::next_exercise(lesson, &results) {
            println!("Work on: exercise {} ({}) in {}", ex.id, ex.title, ex.file);
        }
    } else {
        println!("\nAll checks pass. {}", check::lesson_done(all, lesson));
        println!("`make diff-{}` compares your code with the reference solution.", lesson.number);
    }
    if let Some(trouble) = run.trouble() {
        let lines: Vec<&str> = trouble.lines().collect();
        println!();
        for l in lines.iter().take(25) {
            println!("  | {l}");
        }
        if matches!(run.ending, Ending::Crashed) {
            println!("(The book's chapter \"The lab\" shows how to read a kernel crash.)");
        }
    }
    Ok(())
}

/// `[########........] 8/16 checks pass`.
pub fn progress(results: &Results) -> String {
    let (n, total) = (results.iter().filter(|(_, ok)| *ok).count(), results.len());
    let width = 30;
    let filled = (n * width).checked_div(total).unwrap_or(0);
    format!("[{}{}] {n}/{total} checks pass", "#".repeat(filled), ".".repeat(width - filled))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn editors_files_are_not_sources() {
        assert!(is_source(Path::new("kmods/02-greet/greet.rs")));
        assert!(is_source(Path::new("lessons/02-greet/src/send.rs")));
        assert!(!is_source(Path::new("kmods/02-greet/.greet.rs.swp")));
        assert!(!is_source(Path::new("kmods/02-greet/greet.rs~")));
        assert!(!is_source(Path::new("lessons/02-greet/target/debug/x")));
        assert!(!is_source(Path::new("kmods/02-greet/4913")));
    }

    #[test]
    fn reading_a_file_is_no_change() {
        use notify::event::{AccessKind, CreateKind, DataChange, MetadataKind};
        assert!(is_change(&EventKind::Modify(ModifyKind::Data(DataChange::Any))));
        assert!(is_change(&EventKind::Create(CreateKind::File)));
        assert!(!is_change(&EventKind::Access(AccessKind::Read)));
        assert!(!is_change(&EventKind::Modify(ModifyKind::Metadata(MetadataKind::AccessTime))));
    }

    #[test]
    fn the_terminal_is_put_back_on_every_way_out() {
        fn fails() -> Result<()> {
            let _keys = KeysAtOnce::start();
            *SAVED_TTY.lock().unwrap() = Some(stty(&["-g"]).unwrap_or_else(|| "sane".into()));
            anyhow::bail!("the lab could not start")
        }
        assert!(fails().is_err());
        assert!(SAVED_TTY.lock().unwrap().is_none(), "restored when the error returned");
    }

    #[test]
    fn after_the_last_lesson_no_next_one_is_named() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
        let all = crate::lessons::all(root).unwrap();
        let (first, last) = (&all[0], all.last().unwrap());
        assert!(check::lesson_done(&all, first).contains(&format!("make lesson-{}", all[1].number)));
        let end = check::lesson_done(&all, last);
        assert!(!end.contains("make lesson-") && end.contains("the course"), "{end}");
    }

    #[test]
    fn progress_shows_the_share_that_passes() {
        let r = |v: &[bool]| v.iter().enumerate().map(|(i, ok)| (i.to_string(), *ok)).collect::<Results>();
        assert_eq!(progress(&r(&[true, false])), format!("[{}{}] 1/2 checks pass", "#".repeat(15), ".".repeat(15)));
        assert!(progress(&r(&[])).ends_with("0/0 checks pass"));
    }
}
