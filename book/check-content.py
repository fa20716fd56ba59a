#!/usr/bin/env python3
"""What book/check.sh checks in the built book beyond links and includes.

1. No answer in view. Every exercise region of solutions/ (the lines between
   an `EXERCISE id: hint` marker and its STARTER or END, see
   course/src/markers.rs) is an answer. No run of three of its lines (or all
   of them, when it has fewer) may appear in a code block of a page outside a
   folded <details> block. A solutions page (a page under solutions/ in the
   book) may show them anywhere.
2. No marker in view: no code block anywhere shows an EXERCISE, SOLUTION,
   STARTER or END marker line, or an mdBook ANCHOR line.
3. Each lesson chapter (named by `chapter` in checks/NN-topic/lesson.toml)
   has a "Checks" section whose table lists exactly the lesson's checks, in
   the order of lesson.toml, each with its exercise; and a "Questions"
   section, the last of the chapter, with at least five questions, each with
   a folded answer.

Usage: check-content.py WORKSPACE (the book must be built into book/build).
Prints one line per problem and exits 1 if there is any.
"""
import html.parser
import os
import re
import sys
import tomllib

root = sys.argv[1]
build = os.path.join(root, "book", "build")
problems = []

# The marker lines of course/src/markers.rs, after a `//` or `#` leader.
EXERCISE = re.compile(r"^\s*(//|#)\s*EXERCISE\s+([^:\s]+)\s*:")
CLOSE = re.compile(r"^\s*(//|#)\s*(STARTER|END)\s*$")
ANY_MARKER = re.compile(r"^\s*(//|#)\s*(EXERCISE\s+\S+\s*:.*|SOLUTION|STARTER|END|ANCHOR(_END)?:.*)$")
RUN = 3  # how many consecutive lines of an answer make it "in view"


def significant(line):
    """A line that says something: not blank, not a lone bracket or `Ok(())`."""
    s = line.strip()
    return len(re.sub(r"[\s(){}\[\];,.]", "", s)) >= 6


# --- the answers: every exercise region of solutions/ ----------------------
regions = []  # (where, exercise id, [significant lines])
for tree in ("solutions/lessons", "solutions/kmods"):
    for d, _, files in os.walk(os.path.join(root, tree)):
        if "/target" in d:
            continue
        for f in sorted(files):
            path = os.path.join(d, f)
            try:
                lines = open(path, encoding="utf-8").read().splitlines()
            except UnicodeDecodeError:
                continue
            i = 0
            while i < len(lines):
                m = EXERCISE.match(lines[i])
                if not m:
                    i += 1
                    continue
                start, body = i + 1, []
                i += 1
                while i < len(lines) and not CLOSE.match(lines[i]):
                    body.append(lines[i])
                    i += 1
                kept = [l.strip() for l in body if significant(l) and not ANY_MARKER.match(l)]
                where = f"{os.path.relpath(path, root)}:{start}"
                if kept:
                    regions.append((where, m.group(2), kept))
                else:
                    problems.append(f"{where}: exercise {m.group(2)} has no line this check can recognise")

todo_count = 0
for tree in ("lessons", "kmods"):
    for d, _, files in os.walk(os.path.join(root, tree)):
        for f in files:
            # (Links are `make rust-analyzer`'s, to files counted where they are.)
            if os.path.islink(os.path.join(d, f)):
                continue
            try:
                todo_count += open(os.path.join(d, f), encoding="utf-8").read().count("TODO(exercise ")
            except UnicodeDecodeError:
                pass
# A handout (`course handout`) holds the solutions of released lessons only.
if len(regions) != todo_count and not os.path.exists(os.path.join(root, ".handout")):
    problems.append(f"found {len(regions)} exercise regions in solutions/ but {todo_count} "
                    "TODO(exercise ...) lines in the starters: has the marker format changed?")


# --- the built pages: code blocks, folded or not ---------------------------
class Blocks(html.parser.HTMLParser):
    """The text of every <pre> block, and whether it is inside <details>."""

    def __init__(self, text):
        super().__init__(convert_charrefs=True)
        self.details = 0
        self.pre = 0
        self.blocks = []  # (folded, text)
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        if tag == "details":
            self.details += 1
        elif tag == "pre":
            if not self.pre:
                self.blocks.append([self.details > 0, ""])
            self.pre += 1

    def handle_endtag(self, tag):
        if tag == "details" and self.details:
            self.details -= 1
        elif tag == "pre" and self.pre:
            self.pre -= 1

    def handle_data(self, data):
        if self.pre:
            self.blocks[-1][1] += data


pages = sorted(os.path.relpath(os.path.join(d, f), build)
               for d, _, files in os.walk(build) for f in files
               if f.endswith(".html") and f not in ("print.html", "404.html", "toc.html"))
for page in pages:
    with open(os.path.join(build, page), encoding="utf-8") as fh:
        blocks = Blocks(fh.read()).blocks
    solutions_page = page.startswith("solutions" + os.sep)
    for folded, text in blocks:
        lines = [l.strip() for l in text.splitlines()]
        for l in lines:
            if ANY_MARKER.match(l):
                problems.append(f"{page}: a marker line is in view: {l}")
        if folded or solutions_page:
            continue
        shown = [l for l in lines if significant(l)]
        joined = "\n".join(shown)
        for where, ex, kept in regions:
            n = min(RUN, len(kept))
            for k in range(len(kept) - n + 1):
                run = "\n".join(kept[k:k + n])
                if ("\n" + run + "\n") in ("\n" + joined + "\n"):
                    problems.append(f"{page}: the answer to exercise {ex} ({where}) is in view, "
                                    f"outside a <details> fold: {kept[k]}")
                    break

# --- each lesson chapter: its checks table, its questions ------------------
checks_dir = os.path.join(root, "checks")
for lesson in sorted(os.listdir(checks_dir)):
    toml_path = os.path.join(checks_dir, lesson, "lesson.toml")
    if not os.path.isfile(toml_path):
        continue
    with open(toml_path, "rb") as fh:
        manifest = tomllib.load(fh)
    chapter = manifest.get("chapter")
    if not chapter:
        continue
    md = open(os.path.join(root, chapter), encoding="utf-8").read()
    # Sections of level 2, outside code blocks.
    sections, fence = [], False
    for line in md.splitlines():
        if line.startswith("```"):
            fence = not fence
        if not fence and line.startswith("## "):
            sections.append([line[3:].strip(), []])
        elif sections:
            sections[-1][1].append(line)
    names = [s[0] for s in sections]
    if "Checks" not in names:
        problems.append(f"{chapter}: no section \"## Checks\" with the table of the lesson's checks")
    else:
        body = sections[names.index("Checks")][1]
        rows = [l for l in body if l.startswith("|")]
        # header, separator, then one row per check: | `name` | exercise | what it proves |
        table = []
        for row in rows[2:]:
            cells = [c.strip() for c in re.split(r"(?<!\\)\|", row.strip().strip("|"))]
            m = re.fullmatch(r"`([^`]+)`", cells[0])
            if not m or len(cells) < 3 or not cells[2]:
                problems.append(f"{chapter}: checks table row is not | `name` | exercise | what it proves |: {row}")
                continue
            table.append((m.group(1), cells[1]))
        wanted = [(c["name"], c.get("exercise", "")) for c in manifest.get("check", [])]
        if table != wanted:
            have = dict(table)
            for name, ex in wanted:
                if name not in have:
                    problems.append(f"{chapter}: check `{name}` of lesson.toml is missing from the Checks table")
                elif have[name] != ex:
                    problems.append(f"{chapter}: check `{name}`: the table says exercise '{have[name]}', "
                                    f"lesson.toml '{ex}'")
            for name, _ in table:
                if name not in dict(wanted):
                    problems.append(f"{chapter}: the Checks table lists `{name}`, which lesson.toml does not")
            if [n for n, _ in table if n in dict(wanted)] != [n for n, _ in wanted if n in have]:
                problems.append(f"{chapter}: the Checks table is not in the order of lesson.toml")
    if not names or names[-1] != "Questions":
        problems.append(f"{chapter}: the last section must be \"## Questions\"")
    else:
        body = "\n".join(sections[-1][1])
        questions = re.findall(r"^\d+\. ", body, re.M)
        answers = body.count("<details>")
        if len(questions) < 5 or answers < len(questions):
            problems.append(f"{chapter}: {len(questions)} questions with {answers} folded answers "
                            "(at least five, each with its <details> answer)")

for p in problems:
    print("book:", p, file=sys.stderr)
if problems:
    sys.exit(1)
print(f"book: no answer in view ({len(regions)} exercise regions, {len(pages)} pages), "
      "no marker, check tables and questions in step")
