//! A tiny pretty-printer for decoded payloads: items flow on one line,
//! `NAME { ... }` groups stay on it while they fit, and open onto lines of
//! their own, indented, when they do not.

/// One decoded item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Doc {
    /// A word or a `NAME value` pair.
    Text(String),
    /// A named group of items: a nested attribute, a TLV record...
    Group(String, Vec<Doc>),
    /// Forces the next item onto a new line.
    Break,
}

impl Doc {
    /// A [`Doc::Text`].
    pub fn text(s: impl Into<String>) -> Doc {
        Doc::Text(s.into())
    }

    /// The item on one line.
    pub fn flat(&self) -> String {
        match self {
            Doc::Text(s) => s.clone(),
            Doc::Group(head, items) if items.is_empty() => format!("{head} {{}}"),
            Doc::Group(head, items) => {
                let inner: Vec<String> = items.iter().filter(|d| **d != Doc::Break).map(Doc::flat).collect();
                format!("{head} {{ {} }}", inner.join("  "))
            }
            Doc::Break => String::new(),
        }
    }
}

/// Lays `items` out in lines of at most `width` characters (a longer single
/// item gets a line of its own), each line starting with `indent` spaces.
pub fn layout(items: &[Doc], indent: usize, width: usize, out: &mut Vec<String>) {
    let pad = " ".repeat(indent);
    let mut line = String::new();
    let flush = |line: &mut String, out: &mut Vec<String>| {
        if !line.is_empty() {
            out.push(format!("{pad}{line}"));
            line.clear();
        }
    };
    for item in items {
        if *item == Doc::Break {
            flush(&mut line, out);
            continue;
        }
        let flat = item.flat();
        let room = width.saturating_sub(indent);
        let fits = if line.is_empty() { flat.len() <= room } else { line.len() + 2 + flat.len() <= room };
        match item {
            Doc::Group(head, children) if flat.len() > room => {
                flush(&mut line, out);
                out.push(format!("{pad}{head} {{"));
                layout(children, indent + 2, width, out);
                out.push(format!("{pad}}}"));
            }
            _ if fits && !line.is_empty() => {
                line.push_str("  ");
                line.push_str(&flat);
            }
            _ => {
                flush(&mut line, out);
                line = flat;
            }
        }
    }
    flush(&mut line, out);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Doc {
        Doc::text(s)
    }

    #[test]
    fn flows_and_wraps() {
        let mut out = Vec::new();
        layout(&[t("aaa"), t("bbb"), t("ccc")], 2, 12, &mut out);
        assert_eq!(out, ["  aaa  bbb", "  ccc"]);
        out.clear();
        layout(&[t("a"), Doc::Break, t("b")], 0, 80, &mut out);
        assert_eq!(out, ["a", "b"]);
    }

    #[test]
    fn groups_open_when_too_wide() {
        let g = Doc::Group("ADDR".into(), vec![t("STREET \"Baker Street\""), t("CITY \"London\"")]);
        assert_eq!(g.flat(), "ADDR { STREET \"Baker Street\"  CITY \"London\" }");
        let mut out = Vec::new();
        layout(&[t("NAME \"Ada\""), g.clone()], 0, 80, &mut out);
        assert_eq!(out, ["NAME \"Ada\"  ADDR { STREET \"Baker Street\"  CITY \"London\" }"]);
        out.clear();
        layout(&[t("NAME \"Ada\""), g], 0, 30, &mut out);
        assert_eq!(out, ["NAME \"Ada\"", "ADDR {", "  STREET \"Baker Street\"", "  CITY \"London\"", "}"]);
    }
}
