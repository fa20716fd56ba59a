#!/usr/bin/env bash
# The lab's own tests, run by `make test` (they need the lab kernel):
#
#   probe-cache-NN   lesson NN's reference module built with kbuild's probe
#                    cache (lab/module.sh; first with an empty cache, then
#                    with a filled one) is the module built without it, byte
#                    for byte, and every compiler command line kbuild
#                    recorded (the .*.cmd files) is the same; the filled
#                    cache answered every probe (no answer was written)
#   rust-project     `course rust-analyzer` writes kmods/rust-project.json:
#                    it parses, lists the kernel crate and every module of
#                    kmods/ (each NAME.o of a Kbuild's obj-m) depending on it
#   rust-analyzer    rust-analyzer (when installed: `rustup component add
#                    rust-analyzer`) reports no error in kmods/ with it:
#                    `kernel`, `wire`, `knetlink` and a lesson's module
#                    code all resolve
#
# Prints PASS/FAIL lines and a closing "N passed, N failed".
set -uo pipefail
source "$(dirname "$0")/common.sh"
repo=$(cd "$LAB_DIR/.." && pwd)
cd "$repo"

passed=0 failed=0
pass() { echo "PASS: $1"; passed=$((passed + 1)); }
fail() { echo "FAIL: $1: $2"; failed=$((failed + 1)); }

kdir=$(bash lab/kernel.sh) || { echo "FAIL: lab-kernel: lab/kernel.sh failed"; echo "0 passed, 1 failed"; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# fresh_copy LESSON DIR: the lesson's reference module with the shared
# sources, laid out as the course tool lays out a build (course/src/lab.rs).
fresh_copy() {
  rm -rf "$2" && cp -r "solutions/kmods/$1" "$2" &&
    cp -r wire/src "$2/wire" && cp -r knetlink/src "$2/knetlink"
}

# build_into LESSON NAME [ENV...]: builds LESSON in $work/build (always the
# same path: kbuild records it) and keeps the modules and the .cmd files in
# $work/NAME.
build_into() {
  local lesson=$1 name=$2
  shift 2
  fresh_copy "$lesson" "$work/build" || return 1
  env "$@" bash lab/module.sh "$kdir" "$work/build" -s modules >"$work/$name.log" 2>&1 || {
    cat "$work/$name.log"
    return 1
  }
  mkdir -p "$work/$name"
  (cd "$work/build" && cp *.ko .*.cmd "$work/$name/")
}

for lesson in 01-hello 02-greet; do
  name=probe-cache-${lesson%%-*}
  probes="$work/probes-$lesson"
  if ! build_into "$lesson" plain LAB_PROBE_CACHE=0 ||
     ! build_into "$lesson" cold LAB_PROBE_DIR="$probes" ||
     ! { ls -l --time-style=+%s.%N "$probes" >"$work/probes-before"; build_into "$lesson" warm LAB_PROBE_DIR="$probes"; }; then
    fail "$name" "a module build failed (its output is above)"
    continue
  fi
  ls -l --time-style=+%s.%N "$probes" >"$work/probes-after"
  n=$(ls "$probes" | wc -l)
  if [ "$n" -lt 10 ]; then
    fail "$name" "the cached build kept $n probe answers (kbuild asks about 30)"
  elif ! cmp -s "$work/probes-before" "$work/probes-after"; then
    fail "$name" "the build with a filled cache still ran probes (answers were written)"
  elif ! diff -r "$work/plain" "$work/cold" >"$work/diff" || ! diff -r "$work/plain" "$work/warm" >>"$work/diff"; then
    fail "$name" "modules or command lines differ with the cache: $(head -c 300 "$work/diff" | tr '\n' ' ')"
  else
    pass "$name"
  fi
  rm -rf "$work/plain" "$work/cold" "$work/warm"
done

# The modules of kmods/, as kbuild sees them: NAME for each NAME.o of obj-m.
expected=$(sed -n 's/^obj-m *[:+]\?= *//p' kmods/*/Kbuild | tr ' ' '\n' | sed -n 's/\.o$//p' | sort)
if ! cargo run -q -p course -- rust-analyzer >"$work/ra.log" 2>&1; then
  fail rust-project "course rust-analyzer failed: $(tail -n 3 "$work/ra.log" | tr '\n' ' ')"
elif ! check=$(python3 - kmods/rust-project.json "$kdir" $expected <<'EOF'
import json, os, sys
path, kdir, expected = sys.argv[1], sys.argv[2], sys.argv[3:]
crates = json.load(open(path))["crates"]
by_name = {c["display_name"]: i for i, c in enumerate(crates)}
kernel = by_name.get("kernel")
if kernel is None or not crates[kernel]["root_module"].endswith("/rust/kernel/lib.rs"):
    sys.exit("no kernel crate at rust/kernel/lib.rs")
kmods = os.path.realpath("kmods")
for name in expected:
    i = by_name.get(name)
    if i is None:
        sys.exit(f"module {name} is missing")
    crate = crates[i]
    if not crate["root_module"].startswith(kmods + "/"):
        sys.exit(f"module {name} is at {crate['root_module']}, not in kmods/")
    if kernel not in [d["crate"] for d in crate["deps"]]:
        sys.exit(f"module {name} does not depend on kernel")
print(f"{len(crates)} crates, modules: {' '.join(expected)}")
EOF
); then
  fail rust-project "${check:-kmods/rust-project.json does not parse}"
else
  pass rust-project
  echo "  ($check)"
fi

if ! rust-analyzer --version >/dev/null 2>&1; then
  fail rust-analyzer "rust-analyzer is not installed (rustup component add rust-analyzer)"
else
  timeout 600 rust-analyzer diagnostics kmods/rust-project.json >"$work/diagnostics" 2>/dev/null
  errors=$(grep "file $repo/kmods/.*: Error" "$work/diagnostics" | sed 's/.*at crate/at crate/')
  if ! grep -q "diagnostic scan complete" "$work/diagnostics"; then
    fail rust-analyzer "the scan did not complete: $(tail -c 300 "$work/diagnostics")"
  elif [ -n "$errors" ]; then
    fail rust-analyzer "$(wc -l <<<"$errors") errors in kmods/, the first: $(head -n 1 <<<"$errors" | cut -c1-300)"
  else
    pass rust-analyzer
  fi
fi

echo "lab: $passed passed, $failed failed"
[ "$failed" = 0 ]
