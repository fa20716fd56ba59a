//! `tlv selftest`: the unit tests of exercises 3.1 and 3.2, run as a
//! program. Each case is a buffer, good or malformed, and what a correct walk
//! finds in it; the iterator and the macro are run over every case (and over
//! a few thousand generated buffers, whose contents are known because they
//! were built TLV by TLV), and each case prints one line. A panic counts as
//! a wrong answer, not a crash.

use crate::iter::{for_each_tlv, TlvIter};
use std::fmt;
use std::panic::{self, AssertUnwindSafe};
use wire::tlv::{self, TlvWriter};
use wire::Error;

/// One thing a walk finds.
#[derive(Debug, Clone, Copy)]
pub enum Want {
    /// A TLV of type `ty` whose value is the `len` bytes at offset `at`.
    Tlv { ty: u8, at: usize, len: usize },
    /// An error.
    Err(Error),
}

impl PartialEq for Want {
    fn eq(&self, other: &Want) -> bool {
        match (*self, *other) {
            // An empty value may be any empty slice: its place is no matter.
            (Want::Tlv { ty: a, len: 0, .. }, Want::Tlv { ty: b, len: 0, .. }) => a == b,
            (Want::Tlv { ty: a, at: x, len: m }, Want::Tlv { ty: b, at: y, len: n }) => (a, x, m) == (b, y, n),
            (Want::Err(a), Want::Err(b)) => a == b,
            _ => false,
        }
    }
}

impl fmt::Display for Want {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Want::Tlv { ty, at, len } if tlv::unit_size(ty).is_some() => {
                write!(f, "{}({len} bytes at {at})", tlv::type_name(ty))
            }
            Want::Tlv { ty, at, len } => write!(f, "type {ty}({len} bytes at {at})"),
            Want::Err(e) => write!(f, "{e:?}"),
        }
    }
}

/// A buffer to walk and what a correct walk finds in it.
pub struct Case {
    /// Its name, as printed.
    pub name: &'static str,
    /// What the buffer holds.
    pub about: &'static str,
    /// The buffer.
    pub bytes: Vec<u8>,
    /// What the iterator yields for it, in order.
    pub want: Vec<Want>,
}

/// The bytes of one NAME TLV holding `name` (34 bytes).
fn name(name: &str) -> Vec<u8> {
    written(|w| w.put_name(name))
}

/// The bytes of one EMPLOYEE_ID TLV holding `id` (10 bytes).
fn id(id: u64) -> Vec<u8> {
    written(|w| w.put_id(id))
}

/// What `put` writes with the shared TLV writer.
fn written(put: impl FnOnce(&mut TlvWriter<'_>) -> Result<(), Error>) -> Vec<u8> {
    let mut buf = [0u8; 256];
    let mut w = TlvWriter::new(&mut buf);
    // The callers write at most one TLV of at most 66 bytes.
    put(&mut w).expect("a test TLV fits 256 bytes");
    w.as_bytes().to_vec()
}

fn ok(ty: u8, at: usize, len: usize) -> Want {
    Want::Tlv { ty, at, len }
}

// ANCHOR: cases
/// The cases, good buffers first.
pub fn cases() -> Vec<Case> {
    use tlv::{EMPLOYEE_ID as ID, NAME, WEBSITE};
    use Want::Err as E;
    let cat = |parts: &[&[u8]]| parts.concat();
    let three = written(|w| {
        w.put_names(&["Ada", "Grace"])?;
        w.put_website("https://kernel.org")?;
        w.put_ids(&[52437, 52438, 52439])
    });
    vec![
        Case { name: "empty", about: "no bytes: no TLVs", bytes: vec![], want: vec![] },
        Case { name: "one-name", about: "a NAME TLV of one unit", bytes: name("Ada"), want: vec![ok(NAME, 2, 32)] },
        Case {
            name: "three-types",
            about: "two names, a website, three ids",
            bytes: three,
            want: vec![ok(NAME, 2, 64), ok(WEBSITE, 68, 64), ok(ID, 134, 24)],
        },
        Case {
            name: "unknown-type",
            about: "a TLV of type 9 (unknown), then an id",
            bytes: cat(&[&[9, 2, 0xca, 0xfe], &id(7)]),
            want: vec![ok(9, 2, 2), ok(ID, 6, 8)],
        },
        Case {
            name: "unknown-empty",
            about: "type 200 with length 0 (fine for an unknown type), then a name",
            bytes: cat(&[&[200, 0], &name("Ada")]),
            want: vec![ok(200, 2, 0), ok(NAME, 4, 32)],
        },
        Case {
            name: "longest-value",
            about: "type 9 with length 255, the largest a u8 says",
            bytes: cat(&[&[9, 255], &[0xee; 255]]),
            want: vec![ok(9, 2, 255)],
        },
        Case {
            name: "zero-length",
            about: "a NAME of length 0 (no unit at all), then an id",
            bytes: cat(&[&[NAME, 0], &id(7)]),
            want: vec![E(Error::BadSize), ok(ID, 4, 8)],
        },
        Case {
            name: "not-whole-units",
            about: "an EMPLOYEE_ID of length 12 (1.5 units), then a name",
            bytes: cat(&[&[ID, 12], &[1; 12], &name("Ada")]),
            want: vec![E(Error::BadSize), ok(NAME, 16, 32)],
        },
        Case {
            name: "255-not-whole",
            about: "a NAME of length 255 (7.97 units)",
            bytes: cat(&[&[NAME, 255], &[b'a'; 255]]),
            want: vec![E(Error::BadSize)],
        },
        Case {
            name: "lone-type-byte",
            about: "one byte: a type, no length",
            bytes: vec![ID],
            want: vec![E(Error::Truncated)],
        },
        Case {
            name: "truncated-header",
            about: "an id, then a type byte without its length",
            bytes: cat(&[&id(7), &[NAME]]),
            want: vec![ok(ID, 2, 8), E(Error::Truncated)],
        },
        Case {
            name: "past-the-end",
            about: "a NAME of length 32 with only 10 bytes after it",
            bytes: cat(&[&[NAME, 32], &[b'A'; 10]]),
            want: vec![E(Error::BadLength)],
        },
        Case {
            name: "past-the-end-later",
            about: "an id, then an EMPLOYEE_ID of length 16 with 8 bytes",
            bytes: cat(&[&id(7), &[ID, 16], &[2; 8]]),
            want: vec![ok(ID, 2, 8), E(Error::BadLength)],
        },
        Case {
            name: "stop-after-error",
            about: "a NAME of length 40 over a valid id: no resync",
            bytes: cat(&[&[NAME, 40], &id(7)]),
            want: vec![E(Error::BadLength)],
        },
    ]
}
// ANCHOR_END: cases

/// Which tests to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Which {
    /// The iterator, exercise 3.1.
    Iter,
    /// The macro, exercise 3.2.
    Macro,
    /// Both.
    All,
}

/// A walk's findings: the iterator's items, or the macro's visits and value.
#[derive(Debug, Clone, PartialEq)]
enum Found {
    Iter(Vec<Want>),
    Macro(Vec<Want>, Result<usize, Error>),
}

impl fmt::Display for Found {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // A walk that does not end finds a lot: show the first few.
        let list = |v: &[Want]| {
            let mut shown: Vec<String> = v.iter().take(6).map(ToString::to_string).collect();
            if v.len() > 6 {
                shown.push(format!("... {} more", v.len() - 6));
            }
            shown.join(", ")
        };
        match self {
            Found::Iter(items) => write!(f, "[{}]", list(items)),
            Found::Macro(visits, Ok(n)) => write!(f, "body ran for [{}], Ok({n} skipped)", list(visits)),
            Found::Macro(visits, Err(e)) => write!(f, "body ran for [{}], Err({e:?})", list(visits)),
        }
    }
}

/// Where `value` starts inside `buf` (`usize::MAX` if it is not in it).
fn offset(buf: &[u8], value: &[u8]) -> usize {
    let (start, at) = (buf.as_ptr() as usize, value.as_ptr() as usize);
    if at >= start && at + value.len() <= start + buf.len() {
        at - start
    } else {
        usize::MAX
    }
}

/// At most this many items for a buffer: more means the walk does not end.
fn limit(buf: &[u8]) -> usize {
    buf.len() + 2
}

/// Runs the student's iterator over `buf`.
fn walk_iter(buf: &[u8]) -> Found {
    let items = TlvIter::new(buf)
        .take(limit(buf))
        .map(|item| match item {
            Ok(t) => ok(t.ty, offset(buf, t.value), t.value.len()),
            Err(e) => Want::Err(e),
        })
        .collect();
    Found::Iter(items)
}

// ANCHOR: use_macro
/// Runs the student's macro over `buf`.
fn walk_macro(buf: &[u8]) -> Found {
    let mut visits = Vec::new();
    let result = for_each_tlv!(buf, |ty, len, value| {
        visits.push(ok(ty, offset(buf, value), len));
        if visits.len() > limit(buf) {
            break; // a walk that does not end
        }
    });
    Found::Macro(visits, result)
}
// ANCHOR_END: use_macro

/// What the macro must do, given what the iterator yields: run the body for
/// the TLVs of known types, skip unknown types and wrong sizes, stop at
/// other errors.
fn macro_wants(items: &[Want]) -> Found {
    let (mut visits, mut skipped) = (Vec::new(), 0);
    for item in items {
        match *item {
            Want::Tlv { ty, .. } if tlv::unit_size(ty).is_some() => visits.push(*item),
            Want::Tlv { .. } | Want::Err(Error::BadSize) => skipped += 1,
            Want::Err(e) => return Found::Macro(visits, Err(e)),
        }
    }
    Found::Macro(visits, Ok(skipped))
}

thread_local! {
    /// What the last panic said, and where.
    static PANIC: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
}

/// Runs `walk`, turning a panic into a description of it (the panic itself
/// prints nothing: thousands of generated buffers might panic).
fn guarded(walk: impl FnOnce() -> Found) -> Result<Found, String> {
    let outcome = panic::catch_unwind(AssertUnwindSafe(walk));
    outcome.map_err(|_| {
        let what = PANIC.with(|p| p.borrow_mut().take());
        format!("panicked {}", what.unwrap_or_default())
    })
}

/// Records panics instead of printing them, while the tests run.
fn quiet_panics() {
    panic::set_hook(Box::new(|info| {
        let msg = info.payload().downcast_ref::<&str>().map(|s| s.to_string());
        let msg = msg.or_else(|| info.payload().downcast_ref::<String>().cloned()).unwrap_or_default();
        let at = info.location().map(|l| format!("at {}:{}:{}", l.file(), l.line(), l.column())).unwrap_or_default();
        PANIC.with(|p| *p.borrow_mut() = Some(format!("{at}: {msg}")));
    }));
}

/// Compares what `walk` finds with `want`; `None` when right, else why not.
fn verdict(walk: impl FnOnce() -> Found, want: &Found) -> Option<String> {
    match guarded(walk) {
        Ok(got) if got == *want => None,
        Ok(got) => Some(format!("wanted {want}, got {got}")),
        Err(panic) => Some(panic),
    }
}

/// A small deterministic generator of awkward buffers: TLVs of known and
/// unknown types, with right and wrong lengths, sometimes cut short. Each
/// buffer comes with what a correct walk finds in it, worked out while it
/// is built (the generator writes TLVs; it never reads any).
struct Gen(u64);

impl Gen {
    fn next(&mut self) -> u64 {
        // xorshift64
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> usize {
        (self.next() % n) as usize
    }

    /// A buffer and what the iterator must yield for it.
    fn case(&mut self) -> (Vec<u8>, Vec<Want>) {
        let mut buf = Vec::new();
        // Where each TLV starts and how long its value says it is.
        let mut tlvs = Vec::new();
        for _ in 0..self.below(6) {
            let ty = [0, tlv::NAME, tlv::WEBSITE, tlv::EMPLOYEE_ID, 9, 255][self.below(6)];
            let len = match (tlv::unit_size(ty), self.below(3)) {
                (Some(unit), 0 | 1) => (unit * self.below(5)).min(255),
                _ => self.below(256),
            };
            tlvs.push((buf.len(), ty, len));
            buf.push(ty);
            buf.push(len as u8);
            buf.extend((0..len).map(|_| self.next() as u8));
        }
        match self.below(8) {
            // Cut anywhere.
            0 | 1 => {
                let keep = self.below(buf.len() as u64 + 1);
                buf.truncate(keep);
            }
            // A lone type byte at the end.
            2 => {
                tlvs.push((buf.len(), 0, 0));
                buf.push(self.next() as u8);
            }
            _ => {}
        }
        let mut want = Vec::new();
        for (at, ty, len) in tlvs {
            if at >= buf.len() {
                break; // cut off before this TLV began
            }
            if at + 2 > buf.len() {
                want.push(Want::Err(Error::Truncated));
                break;
            }
            if at + 2 + len > buf.len() {
                want.push(Want::Err(Error::BadLength));
                break;
            }
            match tlv::unit_size(ty) {
                Some(unit) if len == 0 || len % unit != 0 => want.push(Want::Err(Error::BadSize)),
                _ => want.push(ok(ty, at + 2, len)),
            }
        }
        (buf, want)
    }
}

/// How many generated buffers to compare.
const GENERATED: usize = 3000;

/// Runs the generated buffers through `check` (with what a correct walk
/// finds in each); of the wrong ones, the shortest is reported with its bytes.
fn generated(mut check: impl FnMut(&[u8], &[Want]) -> Option<String>) -> Option<String> {
    let mut gen = Gen(0x5eed_0003_7e57_0001);
    let wrong: Vec<(Vec<u8>, String)> =
        (0..GENERATED).map(|_| gen.case()).filter_map(|(buf, want)| check(&buf, &want).map(|why| (buf, why))).collect();
    let count = wrong.len();
    let (buf, why) = wrong.into_iter().min_by_key(|(buf, _)| buf.len())?;
    Some(format!("{count} wrong; the shortest: bytes {}: {why}", hex(&buf)))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Prints one line per case for `what` ("iter" or "macro"); true if all right.
fn report(what: &str, results: Vec<(String, String, Option<String>)>) -> bool {
    let total = results.len();
    let mut right = 0;
    for (name, about, wrong) in results {
        match wrong {
            None => {
                right += 1;
                println!("{what:<6} ok    {name:<20} {about}");
            }
            Some(why) => println!("{what:<6} FAIL  {name:<20} {about}: {why}"),
        }
    }
    println!("selftest {what}: {right} of {total} cases right");
    right == total
}

/// The iterator's results: every case, then the generated buffers.
fn iter_results() -> Vec<(String, String, Option<String>)> {
    let mut out: Vec<_> = cases()
        .into_iter()
        .map(|c| {
            let wrong = verdict(|| walk_iter(&c.bytes), &Found::Iter(c.want));
            (c.name.to_string(), c.about.to_string(), wrong)
        })
        .collect();
    let wrong = generated(|buf, want| verdict(|| walk_iter(buf), &Found::Iter(want.to_vec())));
    out.push(("generated".into(), format!("{GENERATED} generated buffers"), wrong));
    out
}

/// The macro's results: every case, then the generated buffers.
fn macro_results() -> Vec<(String, String, Option<String>)> {
    let mut out: Vec<_> = cases()
        .into_iter()
        .map(|c| {
            let wrong = verdict(|| walk_macro(&c.bytes), &macro_wants(&c.want));
            (c.name.to_string(), c.about.to_string(), wrong)
        })
        .collect();
    let wrong = generated(|buf, want| verdict(|| walk_macro(buf), &macro_wants(want)));
    out.push(("generated".into(), format!("{GENERATED} generated buffers"), wrong));
    out
}

/// Runs the tests of `which`; true when every case is right.
pub fn run(which: Which) -> bool {
    quiet_panics();
    let mut all_right = true;
    if which != Which::Macro {
        all_right &= report("iter", iter_results());
    }
    if which != Which::Iter {
        all_right &= report("macro", macro_results());
    }
    all_right
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A generated buffer's expectations, worked out by hand for a few
    /// shapes the generator makes.
    #[test]
    fn generator_expectations() {
        let mut gen = Gen(7);
        for _ in 0..200 {
            let (buf, want) = gen.case();
            // Every TLV found lies inside the buffer; an error ends the list.
            for (i, w) in want.iter().enumerate() {
                match *w {
                    Want::Tlv { at, len, .. } => assert!(at >= 2 && at + len <= buf.len()),
                    Want::Err(Error::BadSize) => {}
                    Want::Err(_) => assert_eq!(i, want.len() - 1),
                }
            }
        }
    }

    /// The table covers every rule: each error, an unknown type, and a walk
    /// that goes on after a wrong size.
    #[test]
    fn cases_cover_every_rule() {
        let all: Vec<Want> = cases().into_iter().flat_map(|c| c.want).collect();
        for e in [Error::Truncated, Error::BadLength, Error::BadSize] {
            assert!(all.contains(&Want::Err(e)), "{e:?}");
        }
        assert!(all.iter().any(|w| matches!(w, Want::Tlv { ty, .. } if tlv::unit_size(*ty).is_none())));
        let names: Vec<_> = cases().iter().map(|c| c.name).collect();
        let mut unique = names.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(names.len(), unique.len(), "case names must differ");
    }

    /// What the macro must do, on a case with a skip and a stop.
    #[test]
    fn macro_expectations() {
        let items = [ok(9, 2, 2), Want::Err(Error::BadSize), ok(tlv::NAME, 6, 32), Want::Err(Error::Truncated)];
        assert_eq!(macro_wants(&items), Found::Macro(vec![ok(tlv::NAME, 6, 32)], Err(Error::Truncated)));
        assert_eq!(macro_wants(&items[..3]), Found::Macro(vec![ok(tlv::NAME, 6, 32)], Ok(2)));
    }

    /// The generator makes every kind of case, and never the same buffer
    /// over and over.
    #[test]
    fn generated_buffers_are_varied() {
        let mut gen = Gen(0x5eed_0003_7e57_0001);
        let found: Vec<Vec<Want>> = (0..GENERATED).map(|_| gen.case().1).collect();
        let flat: Vec<&Want> = found.iter().flatten().collect();
        for e in [Error::Truncated, Error::BadLength, Error::BadSize] {
            assert!(flat.iter().filter(|w| ***w == Want::Err(e)).count() > 50, "{e:?}");
        }
        for ty in [tlv::NAME, tlv::WEBSITE, tlv::EMPLOYEE_ID, 9] {
            assert!(flat.iter().filter(|w| matches!(w, Want::Tlv { ty: t, .. } if *t == ty)).count() > 50, "{ty}");
        }
    }
}
