//! Reading the guest's result lines and reporting them.
//!
//! The guest prints `PASS: name` or `FAIL: name: what it saw` for each check.
//! The host knows from `lesson.toml` which checks to expect: a check whose
//! line is missing has failed, whatever else the guest printed.

use crate::lessons::{Check, Lesson};

/// What became of one check.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The guest printed `PASS: name`.
    Passed,
    /// The guest printed `FAIL: name: detail`.
    Failed(String),
    /// The guest printed nothing for it (a crash, a hang, a broken script).
    Missing,
}

/// Signs in the console that the kernel crashed, warned, or (debug kernel)
/// reported a bug: lockdep and sleeping in atomic context ("WARNING:",
/// "BUG:"), KASAN ("BUG: KASAN:"), kmemleak ("unreferenced object"). The
/// guest's init prints every such line of the kernel log at the end of a run
/// as "LAB: kernel report: ..." (lab/guest/init), also those below the
/// console's log level.
const CRASH_SIGNS: &[&str] = &[
    "Kernel panic",
    "Oops",
    "BUG:",
    "WARNING:",
    "Call Trace:",
    "general protection fault",
    "panicked at",
    "UBSAN:",
    "unreferenced object",
    "LAB: kernel report:",
];

/// The outcome of each expected check, in the manifest's order.
pub fn outcomes<'a>(lesson: &'a Lesson, console: &[String]) -> Vec<(&'a Check, Outcome)> {
    lesson
        .manifest
        .checks
        .iter()
        .map(|check| {
            let pass = format!("PASS: {}", check.name);
            let fail = format!("FAIL: {}:", check.name);
            let outcome = console
                .iter()
                .find_map(|l| {
                    if *l == pass {
                        Some(Outcome::Passed)
                    } else {
                        l.strip_prefix(&fail).map(|d| Outcome::Failed(d.trim().to_string()))
                    }
                })
                .unwrap_or(Outcome::Missing);
            (check, outcome)
        })
        .collect()
}

/// The console lines that show a crash, if any.
pub fn crash_lines(console: &[String]) -> Vec<&str> {
    console.iter().filter(|l| CRASH_SIGNS.iter().any(|s| l.contains(s))).map(String::as_str).collect()
}

/// Did the guest script run to its end?
pub fn finished(console: &[String]) -> bool {
    console.iter().any(|l| l.starts_with("LAB: done"))
}

/// Shows the end of the console after a run that did not end normally.
pub fn print_tail(console: &[String]) {
    println!("\nThe lab run did not end normally. The last lines of the console:");
    // From a little before the first sign of a crash (the panic message and
    // registers come before the call trace), or else the last 30 lines.
    let first_crash = console.iter().position(|l| CRASH_SIGNS.iter().any(|s| l.contains(s)));
    let start = match first_crash {
        Some(i) => i.saturating_sub(5),
        None => console.len().saturating_sub(30),
    };
    for line in &console[start..] {
        println!("  | {line}");
    }
    println!("(The book's chapter \"The lab\" shows how to read a kernel crash.)");
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
            [[check]]
            name = "a"
            hint = "h"
            [[check]]
            name = "b"
            exercise = "1.1"
            hint = "h"
            [[check]]
            name = "c"
            hint = "h"
            "#,
        )
        .unwrap();
        Lesson { number: 1, slug: "01-t".into(), manifest }
    }

    #[test]
    fn pass_fail_and_missing() {
        let l = lesson();
        let console: Vec<String> = ["boot noise", "PASS: a", "FAIL: b: saw nothing", "LAB: done (exit 0)"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let got: Vec<_> = outcomes(&l, &console).into_iter().map(|(_, o)| o).collect();
        assert_eq!(got, [Outcome::Passed, Outcome::Failed("saw nothing".into()), Outcome::Missing]);
        assert!(finished(&console));
    }

    #[test]
    fn a_longer_name_is_not_a_match() {
        let l = lesson();
        let console = vec!["PASS: ab".to_string(), "PASS: a-b".to_string()];
        assert_eq!(outcomes(&l, &console)[0].1, Outcome::Missing);
    }

    #[test]
    fn crashes_are_seen() {
        let console = vec!["[ 1.0] Oops: 0000 [#1] SMP".to_string(), "fine".to_string()];
        assert_eq!(crash_lines(&console).len(), 1);
        assert!(!finished(&console));
    }

    #[test]
    fn debug_kernel_reports_are_seen() {
        let console: Vec<String> = [
            "[ 3.1] BUG: sleeping function called from invalid context at mm/slub.c:4174",
            "[ 3.2] BUG: KASAN: slab-use-after-free in _RNvCs_10mutant_uaf7request+0x5e/0x90 [mutant_uaf]",
            "LAB: kernel report: unreferenced object 0xffff888004b2c000 (size 256):",
            "LAB: kernel report: WARNING: possible circular locking dependency detected",
            "LAB: done (exit 0)",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        assert_eq!(crash_lines(&console).len(), 4);
    }
}
