//! What the lab's fuzzer (`nlfuzz`, checks/probe/src/bin/nlfuzz) hands the
//! host in the console: its figures (`nlfuzz: ...` lines), shown after the
//! checks, and the inputs that made a module or the kernel fail
//! (`nlfuzz-keep PROFILE HEX...`, one case a line). Those of a reference
//! solution's run become regression cases in
//! checks/probe/regressions/PROFILE.hex, built into nlfuzz and replayed
//! first by every later run; those of a student's run are written to
//! target/lab/fuzz/PROFILE.hex, which the student's later runs have as
//! /lab/fuzz/PROFILE.hex (lib.sh's `fuzz_module` replays it first).

use crate::lessons::Variant;
use anyhow::{Context, Result};
use std::fs;
use std::path::Path;

/// The start of a figures line.
const FIGURES: &str = "nlfuzz: ";
/// The start of a line with a failing input.
const KEEP: &str = "nlfuzz-keep ";

/// Prints the fuzzer's figures found in `console`, and keeps its failing
/// inputs (see the module's doc for where).
pub fn report(root: &Path, variant: Variant, console: &[String]) -> Result<()> {
    for line in console.iter().filter(|l| l.starts_with(FIGURES)) {
        println!("  {line}");
    }
    for (profile, case) in console.iter().filter_map(|l| keep(l)) {
        let file = match variant {
            Variant::Solution => root.join("checks/probe/regressions").join(format!("{profile}.hex")),
            Variant::Student => root.join("target/lab/fuzz").join(format!("{profile}.hex")),
        };
        if add_case(&file, case)? {
            println!("  nlfuzz: the failing input is kept in {} (replayed first by later fuzz runs)", file.display());
        }
    }
    Ok(())
}

/// Puts the student's kept inputs (target/lab/fuzz/) into a student's
/// `stage` as /lab/fuzz/.
pub fn stage_kept(root: &Path, variant: Variant, stage: &Path) -> Result<()> {
    let kept = root.join("target/lab/fuzz");
    if variant != Variant::Student || !kept.is_dir() {
        return Ok(());
    }
    fs::create_dir_all(stage.join("fuzz"))?;
    for entry in fs::read_dir(&kept)? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "hex") {
            fs::copy(&path, stage.join("fuzz").join(path.file_name().unwrap_or_default()))?;
        }
    }
    Ok(())
}

/// The profile and the case of an `nlfuzz-keep` line, if it is one whose
/// datagrams are all hex (a console line cut by a kernel message is not).
fn keep(line: &str) -> Option<(&str, &str)> {
    let (profile, case) = line.strip_prefix(KEEP)?.split_once(' ')?;
    let hex = |d: &str| d == "-" || (d.len().is_multiple_of(2) && d.bytes().all(|b| b.is_ascii_hexdigit()));
    let ok = !profile.is_empty() && profile.bytes().all(|b| b.is_ascii_lowercase() || b == b'-');
    (ok && !case.trim().is_empty() && case.split(' ').all(hex)).then_some((profile, case.trim()))
}

/// Appends `case` to the regression file `file` unless it holds it already.
/// Returns whether it was added.
fn add_case(file: &Path, case: &str) -> Result<bool> {
    let mut text = fs::read_to_string(file).unwrap_or_default();
    if text.lines().any(|l| l.trim() == case) {
        return Ok(false);
    }
    if let Some(dir) = file.parent() {
        fs::create_dir_all(dir)?;
    }
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    text.push_str("# kept from a failing run of nlfuzz (its FAIL line gives the seed)\n");
    text.push_str(case);
    text.push('\n');
    fs::write(file, text).with_context(|| format!("writing {}", file.display()))?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keep_lines_are_read_strictly() {
        assert_eq!(keep("nlfuzz-keep greet 1400 - ab"), Some(("greet", "1400 - ab")));
        assert_eq!(keep("nlfuzz-keep rtm-notify 00"), Some(("rtm-notify", "00")));
        assert_eq!(keep("nlfuzz-keep greet 14[  5.1] greet: x"), None);
        assert_eq!(keep("nlfuzz-keep greet 123"), None);
        assert_eq!(keep("nlfuzz-keep ../x 00"), None);
        assert_eq!(keep("nlfuzz: greet: 10 datagrams"), None);
    }

    #[test]
    fn cases_are_added_once() {
        let dir = std::env::temp_dir().join(format!("course-fuzz-test-{}", std::process::id()));
        let file = dir.join("greet.hex");
        assert!(add_case(&file, "00aa").unwrap());
        assert!(!add_case(&file, "00aa").unwrap());
        assert!(add_case(&file, "00ab 01").unwrap());
        let text = fs::read_to_string(&file).unwrap();
        assert_eq!(text.lines().filter(|l| !l.starts_with('#')).collect::<Vec<_>>(), ["00aa", "00ab 01"]);
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_students_kept_inputs_go_into_their_stage() {
        let root = std::env::temp_dir().join(format!("course-fuzz-stage-test-{}", std::process::id()));
        let stage = root.join("stage");
        fs::create_dir_all(&stage).unwrap();
        stage_kept(&root, Variant::Student, &stage).unwrap();
        assert!(!stage.join("fuzz").exists());
        add_case(&root.join("target/lab/fuzz/tlv.hex"), "00").unwrap();
        stage_kept(&root, Variant::Solution, &stage).unwrap();
        assert!(!stage.join("fuzz").exists());
        stage_kept(&root, Variant::Student, &stage).unwrap();
        assert!(fs::read_to_string(stage.join("fuzz/tlv.hex")).unwrap().ends_with("\n00\n"));
        fs::remove_dir_all(&root).unwrap();
    }
}
