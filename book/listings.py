#!/usr/bin/env python3
"""The book's listings of exercise code, as book.toml's `listings` preprocessor.

The student's starter files (lessons/, kmods/) are generated from solutions/
and carry no mdBook anchors, and the solution files carry exercise markers
(EXERCISE, STARTER, END) that no reader should see. So a chapter does not
`{{#include}}` either of them at an exercise. It writes

    {{#starter ../../../kmods/01-hello/hello.rs:drop}}     the student's starting code
    {{#solution ../../../solutions/kmods/01-hello/hello.rs:drop}}   the reference

(the anchor is optional, as with `{{#include}}`). This preprocessor runs
before mdBook's own `links` preprocessor: it has the course tool render both
versions of every solution file, with anchors, into target/book-listings/
(`course render`, which uses the same code as `make gen`), and turns each
directive into an ordinary `{{#include}}` of that rendering. mdBook then
includes it as usual: the anchor's lines, without any ANCHOR line.

mdBook's preprocessor protocol: `listings.py supports RENDERER` answers by its
exit status (0: yes); otherwise the [context, book] JSON arrives on stdin and
the book, changed, goes to stdout.
"""
import json
import os
import re
import subprocess
import sys

DIRECTIVE = re.compile(r"\{\{#(starter|solution)\s+([^}:\s]+)(?::([A-Za-z0-9_-]+))?\s*\}\}")


def fail(msg):
    print(f"listings: {msg}", file=sys.stderr)
    sys.exit(1)


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "supports":
        sys.exit(0)
    context, book = json.load(sys.stdin)
    book_root = context["root"]
    src = os.path.join(book_root, context["config"]["book"].get("src", "src"))
    workspace = os.path.dirname(os.path.abspath(book_root))
    out = os.path.join(workspace, "target", "book-listings")
    rendered = False

    def replace(chapter_dir, m):
        nonlocal rendered
        kind, path, anchor = m.group(1), m.group(2), m.group(3)
        rel = os.path.relpath(os.path.normpath(os.path.join(chapter_dir, path)), workspace)
        if kind == "starter":
            if not rel.startswith(("lessons/", "kmods/")):
                fail(f"{{{{#starter {path}}}}}: not a file of lessons/ or kmods/")
            student = rel
        else:
            if not rel.startswith(("solutions/lessons/", "solutions/kmods/")):
                fail(f"{{{{#solution {path}}}}}: not a file of solutions/lessons/ or solutions/kmods/")
            student = rel[len("solutions/"):]
        if not rendered:
            # One rendering per build: `course render` writes every file.
            r = subprocess.run(["cargo", "run", "-q", "-p", "course", "--", "render", out],
                               cwd=workspace, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            if r.returncode != 0:
                fail(f"`course render` failed:\n{r.stdout}{r.stderr}")
            rendered = True
        target = os.path.join(out, kind, student)
        if not os.path.isfile(target):
            fail(f"{{{{#{kind} {path}}}}}: no such file in solutions/")
        return "{{#include " + target + (f":{anchor}" if anchor else "") + "}}"

    def walk(items):
        for item in items:
            if not isinstance(item, dict) or "Chapter" not in item:
                continue
            chapter = item["Chapter"]
            source = chapter.get("source_path") or chapter.get("path") or ""
            chapter_dir = os.path.dirname(os.path.join(src, source))
            chapter["content"] = DIRECTIVE.sub(lambda m: replace(chapter_dir, m), chapter["content"])
            walk(chapter.get("sub_items", []))

    walk(book.get("items", book.get("sections", [])))
    json.dump(book, sys.stdout)


main()
