#!/usr/bin/env python3
"""Checks checks/08-genetlink/rtm.yaml, family "rtm" in the kernel's netlink
spec language (YNL), two ways:

1. The kernel's own way: loaded by the kernel's YNL library
   (tools/net/ynl/lib, `SpecFamily`), which validates it against the
   kernel's schema Documentation/netlink/genetlink.yaml (jsonschema) and
   resolves it (attribute and operation values, references).
2. Against the course's one definition of the family: the commands, group
   names and family name of wire/src/rtm_genl.rs, the attributes and policy
   of wire/src/rtm.rs, the operations (do, dump, admin-perm) of the module
   (solutions/kmods/08-genetlink/family.rs).

The kernel source is the lab's: LAB_KERNEL_SRC, or Debian's linux-source
unpacked by lab/kernel.sh into the lab cache; or the path given as the first
argument. Needs python3-yaml and python3-jsonschema (lab/setup.sh --browser
installs them with the test tools).

Usage: python3 checks/08-genetlink/spec.py [KERNEL_SOURCE]
Prints what it compared and exits 1 at the first difference.
"""
import glob
import os
import re
import subprocess
import sys

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(os.path.dirname(here))
spec_path = os.path.join(here, "rtm.yaml")


def kernel_source():
    if len(sys.argv) > 1:
        return sys.argv[1]
    if os.environ.get("LAB_KERNEL_SRC"):
        return os.environ["LAB_KERNEL_SRC"]
    cache = os.environ.get("LAB_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "netlink-course")
    pkg = os.environ.get("LAB_SOURCE_PKG", "linux-source-6.12")
    try:
        version = subprocess.run(["dpkg-query", "-W", "-f=${Version}", pkg], capture_output=True,
                                 text=True, check=True).stdout.strip()
        src = os.path.join(cache, "src-" + version)
        if os.path.isfile(os.path.join(src, ".lab-unpacked")):
            return src
    except (OSError, subprocess.CalledProcessError):
        pass
    found = sorted(p for p in glob.glob(os.path.join(cache, "src-6.12*"))
                   if os.path.isfile(os.path.join(p, ".lab-unpacked")))
    if not found:
        sys.exit("spec.py: no kernel source: run `make setup` (lab/kernel.sh unpacks it) or set LAB_KERNEL_SRC")
    return found[0]


def fail(what):
    sys.exit(f"spec.py: rtm.yaml and the course differ: {what}")


src = kernel_source()
schema = os.path.join(src, "Documentation/netlink/genetlink.yaml")
sys.path.insert(0, os.path.join(src, "tools/net/ynl"))
from lib import SpecFamily  # noqa: E402  (the kernel's YNL library)

family = SpecFamily(spec_path, schema)
print(f"spec.py: rtm.yaml is valid against {os.path.relpath(schema, src)} of {src} (the kernel's YNL loader)")


def read(path):
    with open(os.path.join(root, path), encoding="utf-8") as f:
        return f.read()


def kebab(name):
    return name.lower().replace("_", "-")


rtm_genl = read("wire/src/rtm_genl.rs")
rtm = read("wire/src/rtm.rs")
module_ops = read("solutions/kmods/08-genetlink/family.rs")

# The family's name and groups.
name = re.search(r'pub const FAMILY_NAME: &str = "([^"]+)";', rtm_genl).group(1)
if family.name != name:
    fail(f"family name {family.name!r}, wire::rtm_genl says {name!r}")
groups = re.search(r"pub const GROUPS: \[[^\]]*\] = \[([^\]]*)\];", rtm_genl).group(1)
groups = re.findall(r'c"([^"]+)"', groups)
spec_groups = [g["name"] for g in family.yaml["mcast-groups"]["list"]]
if spec_groups != groups:
    fail(f"groups {spec_groups}, wire::rtm_genl::GROUPS {groups}")

# Commands: names and values.
commands = {kebab(n): int(v) for n, v in re.findall(r"pub const CMD_(\w+): u8 = (\d+);", rtm_genl) if n != "MAX"}
spec_ops = {op.name: op.value for op in family.ops.values()}
if spec_ops != commands:
    fail(f"operations {spec_ops}, wire::rtm_genl's commands {commands}")

# The module's operations: do, dump, admin-perm.
for cmd, calls in re.findall(r"Op::new\(CMD_(\w+)\)((?:\.\w+\([^)]*\))*)", module_ops):
    op = family.ops[kebab(cmd)]
    has = {"do": ".doit(" in calls, "dump": ".dump(" in calls, "admin-perm": ".admin()" in calls}
    spec = {"do": "do" in op.yaml, "dump": "dump" in op.yaml, "admin-perm": "admin-perm" in op.yaml.get("flags", [])}
    if has != spec:
        fail(f"operation {op.name}: the module has {has}, the spec {spec}")
listed = {kebab(c) for c in re.findall(r"Op::new\(CMD_(\w+)\)", module_ops)}
if listed != set(commands):
    fail(f"the module has operations {sorted(listed)}, the spec {sorted(commands)}")

# Attributes: names, values, and the policy the kernel applies.
attrs = {kebab(n): int(v) for n, v in re.findall(r"pub const ATTR_(\w+): u16 = (\d+);", rtm) if n != "MAX"}
attr_set = family.attr_sets["rtm"]
spec_attrs = {a.name: a.value for a in attr_set.attrs.values()}
if spec_attrs != attrs:
    fail(f"attributes {spec_attrs}, wire::rtm's {attrs}")
consts = {n: int(v) for n, v in re.findall(r"pub const (\w+): usize = (\d+);", rtm)}
policy = dict((kebab(a), p) for p, a in re.findall(r"Policy::(\w+(?:\([^)]*\))?),\s*// ATTR_(\w+)", rtm))


def expected(p):
    """What rtm.yaml should say of a wire::policy entry: type and checks."""
    m = re.fullmatch(r"string\((\w+)\)", p)
    if m:
        return "string", {"max-len": consts[m.group(1)]}
    m = re.fullmatch(r"binary\((\d+), (\d+)\)", p)
    if m:
        lo, hi = int(m.group(1)), int(m.group(2))
        return "binary", ({"exact-len": lo} if lo == hi else {"min-len": lo, "max-len": hi})
    return {"U8": "u8", "U16": "u16", "U32": "u32", "U64": "u64", "FLAG": "flag"}[p], {}


for a in attr_set.attrs.values():
    want = expected(policy[a.name])
    got = (a.type, a.yaml.get("checks", {}))
    if got != want:
        fail(f"attribute {a.name}: the spec says {got}, wire::rtm::POLICY {want}")

print(f"spec.py: rtm.yaml agrees with the course: family {name}, {len(commands)} operations, "
      f"{len(attrs)} attributes with their policy, groups {', '.join(groups)}")
