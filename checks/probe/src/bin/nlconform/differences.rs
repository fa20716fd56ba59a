//! The differences from the kernel that the course keeps on purpose, each
//! with its reason. `nlconform --list` prints this table, and the book's
//! conformance chapter says the same. A difference not listed here fails
//! the check; a listed one that is no longer seen fails it too, so that the
//! table (and the book) stay true.

use crate::shape::{Event, Shape};
use nlprobe::answer;

/// How a listed difference is handled.
#[derive(Clone, Copy)]
pub enum How {
    /// This part of every answer is taken out on both sides before they
    /// are compared.
    Ignore(fn(&mut Shape)),
    /// The case answers differently: both answers are shown, not compared.
    Expected,
}

/// One difference kept on purpose.
pub struct Difference {
    /// The profiles it applies to (`--profile` names).
    pub profiles: &'static [&'static str],
    /// The cases it applies to (empty: every case).
    pub cases: &'static [&'static str],
    /// The difference, in a line.
    pub what: &'static str,
    /// Why the course keeps it.
    pub why: &'static str,
    /// How the check treats it.
    pub how: How,
}

/// Every module profile.
const MODULES: &[&str] = &["greet", "tlv", "person", "rtm", "rtm-notify"];

// ANCHOR: table
/// The table.
pub const TABLE: &[Difference] = &[
    Difference {
        profiles: MODULES,
        cases: &[],
        what: "no NLMSGERR_ATTR_POLICY in extended ACKs",
        why: "the kernel describes the policy an attribute failed (netlink_policy_dump_write_attr); \
              the course's policies (wire::policy) are plain tables with no such description: the \
              offset of the attribute and the message say what was wrong",
        how: How::Ignore(|s| s.ext.retain(|&t| t != answer::ATTR_POLICY)),
    },
    Difference {
        profiles: &["person", "rtm", "rtm-notify"],
        cases: &["attr-len-2", "attr-past-end", "attr-unknown-type"],
        what: "attributes are checked strictly (EINVAL for bytes after the last whole attribute, and for \
               unknown types) without NETLINK_GET_STRICT_CHK too",
        why: "rtnetlink checks a GET strictly only when the socket asked (netlink_strict_get_check); \
              otherwise nlmsg_parse_deprecated skips unknown types and ignores bytes left over (with a \
              rate-limited warning), for the sake of programs older than the checks. The course's \
              protocols are new, so they parse every request strictly, as nla_parse does for every \
              new family, generic netlink included (NL_VALIDATE_STRICT; wire::policy::parse)",
        how: How::Expected,
    },
];
// ANCHOR_END: table

/// The listed differences that apply to `case` of `profile`.
pub fn applying<'a>(profile: &'a str, case: &'a str) -> impl Iterator<Item = &'static Difference> + 'a {
    TABLE.iter().filter(move |d| d.profiles.contains(&profile) && (d.cases.is_empty() || d.cases.contains(&case)))
}

/// Applies the `Ignore` entries to a transcript.
pub fn normalize(events: &mut [Event], profile: &str, case: &str) {
    for d in applying(profile, case) {
        if let How::Ignore(f) = d.how {
            for e in events.iter_mut() {
                if let Event::Msg(s) = e {
                    f(s);
                }
            }
        }
    }
}

/// Is the case listed as answering differently?
pub fn expected(profile: &str, case: &str) -> Option<&'static Difference> {
    applying(profile, case).find(|d| matches!(d.how, How::Expected) && !d.cases.is_empty())
}
