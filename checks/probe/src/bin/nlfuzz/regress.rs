//! Regression cases: inputs that once made a module or the kernel fail,
//! kept in `checks/probe/regressions/PROFILE.hex` and replayed before every
//! fuzzing run. The files are built into nlfuzz, so the lab needs nothing
//! else; `course check` adds the inputs a run of a reference solution finds
//! (the console lines [`KEEP`] prints).
//!
//! Format: one case a line, its datagrams in hex separated by spaces, sent
//! in order on one socket; lines starting with `#` say where a case came
//! from. Blank lines are ignored.

/// The start of the console line that hands a failing input to the host:
/// `nlfuzz-keep PROFILE HEX [HEX...]`.
pub const KEEP: &str = "nlfuzz-keep";

/// One regression case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Case {
    /// Its line in the file (1-based), to name it.
    pub line: usize,
    /// The datagrams, in the order they are sent.
    pub datagrams: Vec<Vec<u8>>,
}

/// The cases built in for `profile` (those of `checks/probe/regressions/`).
pub fn built_in(profile: &str) -> &'static str {
    match profile {
        "greet" => include_str!("../../../regressions/greet.hex"),
        "tlv" => include_str!("../../../regressions/tlv.hex"),
        "person" => include_str!("../../../regressions/person.hex"),
        "rtm" => include_str!("../../../regressions/rtm.hex"),
        "rtm-notify" => include_str!("../../../regressions/rtm-notify.hex"),
        _ => "",
    }
}

/// Reads the cases of a regression file.
pub fn parse(text: &str) -> Result<Vec<Case>, String> {
    let mut cases = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let datagrams = line
            .split_whitespace()
            .map(|h| from_hex(h).ok_or_else(|| format!("line {}: `{h:.20}` is not hex bytes", i + 1)))
            .collect::<Result<Vec<_>, _>>()?;
        cases.push(Case { line: i + 1, datagrams });
    }
    Ok(cases)
}

/// A case as a line of the file.
pub fn format(datagrams: &[Vec<u8>]) -> String {
    datagrams.iter().map(|d| to_hex(d)).collect::<Vec<_>>().join(" ")
}

/// Lower-case hex, two digits a byte (an empty datagram is `""`, which a
/// file cannot hold: it is written as `-`).
pub fn to_hex(bytes: &[u8]) -> String {
    if bytes.is_empty() {
        return "-".into();
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The bytes of `hex` (`-`: none), or `None` if it is not hex.
pub fn from_hex(hex: &str) -> Option<Vec<u8>> {
    if hex == "-" {
        return Some(Vec::new());
    }
    if !hex.len().is_multiple_of(2) {
        return None;
    }
    (0..hex.len()).step_by(2).map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cases_round_trip() {
        let case = vec![vec![0x14, 0, 0, 0, 0xff], vec![], vec![1]];
        let line = format(&case);
        assert_eq!(line, "14000000ff - 01");
        let text = format!("# found by seed 0x1\n\n{line}\n");
        assert_eq!(parse(&text), Ok(vec![Case { line: 3, datagrams: case }]));
        assert!(parse("14 0g").unwrap_err().starts_with("line 1:"));
        assert_eq!(from_hex("abc"), None);
    }

    #[test]
    fn built_in_files_parse() {
        for p in nlprobe::profile::NAMES {
            parse(built_in(p)).unwrap_or_else(|e| panic!("regressions/{p}.hex: {e}"));
        }
    }
}
