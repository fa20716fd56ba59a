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

/// Signs in a kernel log line that the kernel crashed, warned, got stuck or
/// (debug kernel) reported a bug (the formats of kernel/panic.c,
/// arch/x86/kernel/dumpstack.c, lib/bug.c, rust/kernel/lib.rs's panic
/// handler, kernel/watchdog.c, kernel/hung_task.c; lockdep and sleeping in
/// atomic context print "WARNING:" and "BUG:", KASAN "BUG: KASAN:", UBSAN
/// "UBSAN:", kmemleak "unreferenced object").
const CRASH_SIGNS: &[&str] = &[
    "Kernel panic",
    "Oops",
    "BUG:",
    "WARNING:",
    "Call Trace:",
    "general protection fault",
    "panicked at",
    "soft lockup",
    "blocked for more than",
    "UBSAN:",
    "unreferenced object",
];

/// Kernel panic lines recognised even without a timestamp (a kernel built
/// without CONFIG_PRINTK_TIME); no program of the course prints them.
const PANIC_LINES: &[&str] = &["Kernel panic - not syncing", "---[ end Kernel panic"];

/// The guest's own relay of the kernel's reports of bugs, which the console
/// may not have shown (below its log level): after each run the guest prints
/// every such line of the kernel log with this prefix (lab/guest/init,
/// lab/guest/jobs.sh).
pub const KERNEL_REPORT: &str = "LAB: kernel report: ";
/// The message of a console line the kernel printed, if it is one: the text
/// after its `[    1.234567] ` timestamp (`[%5lu.%06lu] `, kernel/printk/
/// printk.c, CONFIG_PRINTK_TIME). The console is shared with the guest's
/// programs, and a kernel line may start in the middle of a program's line
/// that had no newline yet, so the timestamp is looked for anywhere.
/// Programs' own output is not kernel log: a program printing `BUG:` is no crash.
pub fn kernel_message(line: &str) -> Option<&str> {
    let mut rest = line;
    while let Some(i) = rest.find('[') {
        let after = &rest[i + 1..];
        let digits = after.trim_start_matches(' ');
        let secs = digits.len() - digits.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        if secs > 0 {
            if let Some(frac) = digits[secs..].strip_prefix('.') {
                let micros = frac.len() - frac.trim_start_matches(|c: char| c.is_ascii_digit()).len();
                if micros == 6 {
                    if let Some(msg) = frac[6..].strip_prefix(']') {
                        return Some(msg.strip_prefix(' ').unwrap_or(msg));
                    }
                }
            }
        }
        rest = after;
    }
    PANIC_LINES.iter().any(|p| line.starts_with(p)).then_some(line)
}

/// Is this console line the kernel reporting a crash, a warning or a lockup?
pub fn is_crash_line(line: &str) -> bool {
    line.starts_with(KERNEL_REPORT) || kernel_message(line).is_some_and(|m| CRASH_SIGNS.iter().any(|s| m.contains(s)))
}

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
    console.iter().filter(|l| is_crash_line(l)).map(String::as_str).collect()
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
    let first_crash = console.iter().position(|l| is_crash_line(l));
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
        let console = vec!["[    1.428046] Oops: invalid opcode: 0000 [#1] SMP".to_string(), "fine".to_string()];
        assert_eq!(crash_lines(&console).len(), 1);
        assert!(!finished(&console));
    }

    #[test]
    fn only_kernel_lines_count_as_crashes() {
        let lines = |l: &[&str]| l.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        // A program's output is not the kernel's, whatever it says.
        let console = lines(&["BUG: my program found a bug", "WARNING: check this", "[1.0] Oops", "x [12.3456] BUG:"]);
        assert!(crash_lines(&console).is_empty());
        // The kernel's lines: timestamped, even after a program's unfinished line.
        let console = lines(&[
            "[    2.188095] Kernel panic - not syncing: Fatal exception",
            "lab# greet send[    1.424046] rust_kernel: panicked at hello.rs:53:59:",
            "[12345.000001] BUG: kernel NULL pointer dereference, address: 0000000000000000",
            "[    3.000000] hello: Goodbye, kernel! 5 lessons to go.",
        ]);
        assert_eq!(crash_lines(&console).len(), 3);
        // A panic line of a kernel without CONFIG_PRINTK_TIME.
        assert!(is_crash_line("Kernel panic - not syncing: Fatal exception"));
        assert_eq!(kernel_message("[    1.000000] hello: hi"), Some("hello: hi"));
    }

    #[test]
    fn debug_kernel_reports_are_seen() {
        let console: Vec<String> = [
            "[    3.100000] BUG: sleeping function called from invalid context at mm/slub.c:4174",
            "[    3.200000] BUG: KASAN: slab-use-after-free in _RNvCs_10mutant_uaf7request+0x5e/0x90 [mutant_uaf]",
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
