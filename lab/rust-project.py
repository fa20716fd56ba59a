#!/usr/bin/env python3
"""Adapts the rust-project.json that 6.12's scripts/generate_rust_analyzer.py
prints (on standard input) to a current rust-analyzer and to the course's
module tree, and prints the result. Used by lab/rust-analyzer.sh.

    rust-project.py MODULE_TREE SYSROOT_SRC <generated.json >rust-project.json

Two changes, both as later kernels' generator makes them:

- The sysroot crates (core, alloc, std, proc_macro) are not listed: a
  rust-analyzer from Rust 1.94 on loads them itself from "sysroot_src", and
  given its own copies as ordinary crates it finds no inherent method of a
  primitive type (`len` on a slice, `checked_add` on usize). Module crates
  say `no_std` (kbuild passes it on rustc's command line), so that
  rust-analyzer does not add std to them.
- The generator takes any NAME.rs in any folder below the tree, linked ones
  included, as a module's root when that folder's Kbuild holds the text
  "NAME.o" anywhere (so notify.rs next to "rtm_notify.o"). Kept are the
  module crates whose root is MODULE_TREE/DIR/NAME.rs with NAME.o a whole
  word of DIR/Kbuild.
"""

import json
import os
import re
import sys

SYSROOT_CRATES = {"core", "alloc", "std", "proc_macro"}


def is_module_root(tree, root):
    """Is `root` (a path under `tree`) a module's root, as kbuild sees it?"""
    folder, file = os.path.split(root)
    name = file[: -len(".rs")]
    if os.path.dirname(folder) != tree:
        return False
    try:
        with open(os.path.join(folder, "Kbuild"), encoding="utf-8") as kbuild:
            text = kbuild.read()
    except FileNotFoundError:
        return False
    return re.search(r"(?<![\w-])" + re.escape(name) + r"\.o\b", text) is not None


def main():
    tree, sysroot_src = sys.argv[1], sys.argv[2]
    project = json.load(sys.stdin)
    kept, new_index = [], {}
    for index, crate in enumerate(project["crates"]):
        root = crate["root_module"]
        if crate["display_name"] in SYSROOT_CRATES and root.startswith(sysroot_src + "/"):
            continue
        if root.startswith(tree + "/"):
            if not is_module_root(tree, root):
                continue
            crate["crate_attrs"] = ["no_std"]
        new_index[index] = len(kept)
        kept.append(crate)
    for crate in kept:
        crate["deps"] = [
            {"crate": new_index[dep["crate"]], "name": dep["name"]}
            for dep in crate["deps"]
            if dep["crate"] in new_index
        ]
    project["crates"] = kept
    project["sysroot_src"] = sysroot_src
    json.dump(project, sys.stdout, sort_keys=True, indent=4)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
