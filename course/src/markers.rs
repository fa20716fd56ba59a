//! The exercise markers: how one solution source becomes the student's
//! starter code.
//!
//! A marked region in a solution file looks like this (`//` in Rust, `#` in
//! Kbuild, Makefiles and TOML; the same words in both):
//!
//! ```text
//! // EXERCISE 2.1: Reply to the sender's port id.
//! ...solution lines, removed from the starter...
//! // STARTER
//! // ...starter lines, kept commented here and uncommented in the starter...
//! // END
//! ```
//!
//! In the starter, the `EXERCISE` line becomes `// TODO(exercise 2.1): <hint>`.
//! `SOLUTION` instead of `EXERCISE id: hint` marks a region that differs
//! between the two versions without being an exercise (a package name, say):
//! it leaves no TODO behind. The `STARTER` part is optional.
//!
//! The book's `ANCHOR: name` / `ANCHOR_END: name` lines (mdBook's include
//! anchors) are for the book only: [`strip_anchors`] takes them out of the
//! files written for students. The book itself includes listings from
//! renderings that keep them (`course render`, called by book/listings.py).

use anyhow::{bail, Result};

/// Which version of a marked source to render.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Version {
    /// The student's starting point: solutions removed, starter lines and hints in.
    Starter,
    /// The reference as the student's tree would hold it: exercise regions
    /// solved, but `SOLUTION` regions (package names and the like) as in the
    /// starter. What `diff` compares the student's code to, so that only the
    /// exercises differ.
    Reference,
}

/// One marker line, recognised by its words after the comment leader.
enum Marker<'a> {
    Exercise { id: &'a str, hint: &'a str },
    Solution,
    Starter,
    End,
}

/// Splits `line` into indentation, comment leader and marker, if it is one.
fn marker(line: &str) -> Option<(&str, &str, Marker<'_>)> {
    let text = line.trim_start();
    let indent = &line[..line.len() - text.len()];
    let leader = ["//", "#"].into_iter().find(|l| text.starts_with(l))?;
    let rest = text[leader.len()..].trim();
    let m = if let Some(ex) = rest.strip_prefix("EXERCISE ") {
        let (id, hint) = ex.split_once(':')?;
        Marker::Exercise { id: id.trim(), hint: hint.trim() }
    } else {
        match rest {
            "SOLUTION" => Marker::Solution,
            "STARTER" => Marker::Starter,
            "END" => Marker::End,
            _ => return None,
        }
    };
    Some((indent, leader, m))
}

/// Where the renderer is, between markers.
#[derive(PartialEq)]
enum State {
    Plain,
    /// The solution lines of a region; `exercise` tells EXERCISE from SOLUTION.
    Solution {
        exercise: bool,
    },
    /// The starter lines of a region.
    Starter {
        exercise: bool,
    },
}

/// Does `version` show the solution lines of a region (else its starter lines)?
fn shows_solution(version: Version, exercise: bool) -> bool {
    match version {
        Version::Starter => false,
        Version::Reference => exercise,
    }
}

/// Renders one version of a marked source. `name` is used in error messages.
pub fn render(name: &str, src: &str, version: Version) -> Result<String> {
    let mut out = String::with_capacity(src.len());
    let mut state = State::Plain;
    let mut leader = "";
    let mut opened_at = 0;
    for (n, line) in src.lines().enumerate() {
        let lineno = n + 1;
        match (marker(line), &state) {
            (Some((indent, l, Marker::Exercise { id, hint })), State::Plain) => {
                state = State::Solution { exercise: true };
                leader = l;
                opened_at = lineno;
                if version == Version::Starter {
                    out.push_str(&format!("{indent}{l} TODO(exercise {id}): {hint}\n"));
                }
            }
            (Some((_, l, Marker::Solution)), State::Plain) => {
                state = State::Solution { exercise: false };
                leader = l;
                opened_at = lineno;
            }
            (Some((_, _, Marker::Starter)), &State::Solution { exercise }) => state = State::Starter { exercise },
            (Some((_, _, Marker::End)), State::Solution { .. } | State::Starter { .. }) => state = State::Plain,
            (Some(_), _) => bail!(
                "{name}:{lineno}: marker out of place (a region opened at line {opened_at} is still open, or none is)"
            ),
            (None, State::Plain) => {
                out.push_str(line);
                out.push('\n');
            }
            (None, &State::Solution { exercise }) => {
                if shows_solution(version, exercise) {
                    out.push_str(line);
                    out.push('\n');
                }
            }
            (None, &State::Starter { exercise }) => {
                if !shows_solution(version, exercise) {
                    out.push_str(&uncomment(name, lineno, line, leader)?);
                    out.push('\n');
                }
            }
        }
    }
    if state != State::Plain {
        bail!("{name}:{opened_at}: region never closed with END");
    }
    Ok(out)
}

/// Removes the comment leader (and one space after it) from a starter line,
/// keeping its indentation.
fn uncomment(name: &str, lineno: usize, line: &str, leader: &str) -> Result<String> {
    let text = line.trim_start();
    let indent = &line[..line.len() - text.len()];
    let Some(rest) = text.strip_prefix(leader) else {
        bail!("{name}:{lineno}: a starter line must be commented out with `{leader}`");
    };
    Ok(format!("{indent}{}", rest.strip_prefix(' ').unwrap_or(rest)))
}

/// Is this line one of mdBook's anchor markers (`// ANCHOR: name`,
/// `# ANCHOR_END: name`)? mdBook recognises the words anywhere in a line;
/// here they must follow the comment leader, as they do in our sources.
fn is_anchor(line: &str) -> bool {
    let text = line.trim_start();
    let Some(leader) = ["//", "#"].into_iter().find(|l| text.starts_with(l)) else {
        return false;
    };
    let rest = text[leader.len()..].trim_start();
    rest.starts_with("ANCHOR:") || rest.starts_with("ANCHOR_END:")
}

/// `src` without its mdBook anchor lines: what the student's files hold.
pub fn strip_anchors(src: &str) -> String {
    let mut out = String::with_capacity(src.len());
    for line in src.split_inclusive('\n').filter(|l| !is_anchor(l)) {
        out.push_str(line);
    }
    out
}

/// Does this source hold any marker at all?
pub fn has_markers(src: &str) -> bool {
    src.lines().any(|l| marker(l).is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    const RUST: &str = "fn f() -> u32 {
    // EXERCISE 1.1: Return the answer.
    42
    // STARTER
    // 0
    // END
}
";

    #[test]
    fn starter_keeps_hint_and_starter_lines() {
        let s = render("t.rs", RUST, Version::Starter).unwrap();
        assert_eq!(s, "fn f() -> u32 {\n    // TODO(exercise 1.1): Return the answer.\n    0\n}\n");
    }

    #[test]
    fn solution_drops_markers_and_starter_lines() {
        let s = render("t.rs", RUST, Version::Reference).unwrap();
        assert_eq!(s, "fn f() -> u32 {\n    42\n}\n");
    }

    #[test]
    fn hash_leader_and_solution_regions() {
        let toml = "[package]\n# SOLUTION\nname = \"greet-solution\"\n# STARTER\n# name = \"greet\"\n# END\n";
        assert_eq!(render("Cargo.toml", toml, Version::Starter).unwrap(), "[package]\nname = \"greet\"\n");
        // The reference the student's code is compared with: no package-name noise.
        assert_eq!(render("Cargo.toml", toml, Version::Reference).unwrap(), "[package]\nname = \"greet\"\n");
        assert_eq!(render("t.rs", RUST, Version::Reference).unwrap(), "fn f() -> u32 {\n    42\n}\n");
    }

    #[test]
    fn region_without_starter_leaves_only_the_hint() {
        let src = "# EXERCISE 2: Build hello.o.\nobj-m := hello.o\n# END\n";
        assert_eq!(render("Kbuild", src, Version::Starter).unwrap(), "# TODO(exercise 2): Build hello.o.\n");
    }

    #[test]
    fn unclosed_and_stray_markers_are_errors() {
        assert!(render("a", "// EXERCISE 1: x\nfoo\n", Version::Starter).is_err());
        assert!(render("a", "// END\n", Version::Starter).is_err());
        assert!(render("a", "// STARTER\n", Version::Starter).is_err());
        assert!(render("a", "// SOLUTION\n// SOLUTION\n// END\n", Version::Starter).is_err());
    }

    #[test]
    fn starter_lines_must_be_comments() {
        let src = "// SOLUTION\na\n// STARTER\nb\n// END\n";
        assert!(render("a", src, Version::Starter).is_err());
    }

    #[test]
    fn anchors_are_stripped_and_nothing_else() {
        let src = "// ANCHOR: drop\nfn f() {}\n    # ANCHOR_END: drop\n// the ANCHOR: of a boat\nlast";
        assert_eq!(strip_anchors(src), "fn f() {}\n// the ANCHOR: of a boat\nlast");
    }

    #[test]
    fn words_inside_comments_are_not_markers() {
        let src = "// the END of the story\n# EXERCISE without a colon\n";
        assert!(!has_markers(src));
        assert_eq!(render("a", src, Version::Starter).unwrap(), src);
    }
}
