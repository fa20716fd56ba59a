#!/usr/bin/env bash
# The lab's own tests: what the lab kernel promises, tried in the VM with the
# small modules of checks/debug/ (each run prints PASS/FAIL lines, then the
# verdict here).
#
#   lab/selftest.sh            release kernel: the generic netlink bindings
#                              (lab/patches/0002) work, nlmon sees protocol 31
#                              (0001), and the three buggy modules pass
#                              unnoticed (what the debug kernel is for)
#   LAB_DEBUG=1 lab/selftest.sh
#                              debug kernel: the correct module and the genl
#                              family raise no report, and each buggy module
#                              is caught: sleeping under a spinlock, a leak
#                              per request, a read of freed memory
#
# About 30 s on the release kernel and 2 minutes on the debug one (2 cores,
# kernels built); `make test` runs both. Arguments name cases to run alone.
set -euo pipefail
source "$(dirname "$0")/common.sh"
repo=$(cd "$LAB_DIR/.." && pwd)

flavour=release
[ "${LAB_DEBUG:-0}" = 1 ] && flavour=debug
bash "$LAB_DIR/setup.sh"
kdir=$(bash "$LAB_DIR/kernel.sh")
work="$repo/target/lab/selftest-$flavour"
mkdir -p "$work/kmods"

say "selftest ($flavour kernel): building checks/debug/ and nlprobe"
cp -u "$repo"/checks/debug/{Kbuild,*.rs} "$work/kmods/"
make -s -C "$kdir" M="$work/kmods" LLVM="$LAB_LLVM" modules >"$work/build.log" 2>&1 ||
  { cat "$work/build.log" >&2; die "the self-test modules do not build against $kdir"; }
# Static and not position-independent, as course/src/lab.rs builds the lab's programs.
RUSTFLAGS="-C target-feature=+crt-static -C relocation-model=static" \
  cargo build --quiet --bins --profile lab --target x86_64-unknown-linux-gnu \
  --manifest-path "$repo/checks/probe/Cargo.toml" --target-dir "$repo/target/lab/user"
nlprobe="$repo/target/lab/user/x86_64-unknown-linux-gnu/lab/nlprobe"

failed=0
# Only the cases named on the command line, if any (e.g. `leak-per-request gdb`).
only=("$@")
wanted() { [ ${#only[@]} -eq 0 ] || [[ " ${only[*]} " == *" $1 "* ]]; }
# run CASE EXPECT SCRIPT MODULES...: boots with MODULES and the guest script
# checks/debug/SCRIPT. EXPECT is `pass` (every check line PASS, no kernel
# report) or a text the console must show (the debug kernel's report).
run() {
  local case=$1 expect=$2 script=$3 stage="$work/stage-$1" console="$work/$1.console" m
  shift 3
  wanted "$case" || return 0
  rm -rf "$stage" && mkdir -p "$stage/bin"
  cp "$nlprobe" "$stage/bin/"
  cp "$repo/checks/debug/$script" "$stage/"
  for m in "$@"; do cp "$work/kmods/$m.ko" "$stage/"; done
  printf 'set -- %s\n. /lab/%s\n' "$*" "$script" >"$stage/run.sh"
  bash "$LAB_DIR/boot.sh" "$kdir" "$stage" run.sh >"$console" 2>&1 || true
  tr -d '\r' <"$console" >"$console.txt"
  if [ "$expect" = pass ]; then
    if grep -q '^LAB: done' "$console.txt" && ! grep -q '^FAIL' "$console.txt" &&
       ! grep -qE 'Kernel panic|Oops|BUG:|WARNING:|Call Trace:|unreferenced object|LAB: kernel report:' "$console.txt"; then
      echo "PASS: $flavour/$case ($(grep -c '^PASS' "$console.txt") checks, no kernel report)"
      return
    fi
    echo "FAIL: $flavour/$case: expected every check to pass and no kernel report; console: $console.txt"
  else
    if grep -qF "$expect" "$console.txt"; then
      echo "PASS: $flavour/$case (caught: $(grep -F -m1 "$expect" "$console.txt" | sed 's/^.*\] //; s/^LAB: kernel report: //'))"
      return
    fi
    echo "FAIL: $flavour/$case: the kernel did not report \"$expect\"; console: $console.txt"
  fi
  sed 's/^/  | /' "$console.txt" | tail -n 30
  failed=1
}

# gdb_case: lab/gdb.sh on the debug kernel stops at a breakpoint in a
# module's request function (the module's symbols are loaded as it loads).
gdb_case() {
  local stage="$work/stage-gdb" out line
  wanted gdb || return 0
  rm -rf "$stage" && mkdir -p "$stage/bin"
  cp "$nlprobe" "$stage/bin/" && cp "$repo/checks/debug/requests.sh" "$work/kmods/clean.ko" "$stage/"
  printf 'set -- clean\n. /lab/requests.sh\n' >"$stage/run.sh"
  # A line of the request function (the compiler inlines the function into
  # the input callback: its lines can be named, its name cannot).
  line=$(grep -n 'let mut buf = KVec' "$repo/checks/debug/clean.rs" | cut -d: -f1)
  out=$(timeout 300 bash "$LAB_DIR/gdb.sh" "$kdir" "$stage" run.sh -batch \
    -ex "break clean.rs:$line" -ex continue -ex 'bt 3' -ex 'print *counter' -ex kill 2>&1) || true
  echo "$out" >"$work/gdb.txt"
  if grep -q "hit Breakpoint [0-9.]*, clean::request" <<<"$out"; then
    echo "PASS: $flavour/gdb (stopped in clean::request: $work/gdb.txt)"
  else
    echo "FAIL: $flavour/gdb: no stop at the breakpoint in clean::request"
    sed 's/^/  | /' <<<"$out" | tail -n 30
    failed=1
  fi
}

if [ $flavour = release ]; then
  run genl pass genl.sh genl_smoke
  run nlmon pass nlmon.sh clean
  # The release kernel does not see these bugs: each run passes.
  run unseen-sleep pass requests.sh mutant_sleep
  run unseen-leak pass requests.sh mutant_leak
  run unseen-uaf pass requests.sh mutant_uaf
else
  run clean pass requests.sh clean
  run genl pass genl.sh genl_smoke
  run sleep-under-spinlock "BUG: sleeping function called from invalid context" requests.sh mutant_sleep
  run leak-per-request "unreferenced object" requests.sh mutant_leak
  run use-after-free "BUG: KASAN: slab-use-after-free" requests.sh mutant_uaf
  gdb_case
fi
[ $failed = 0 ] || die "selftest on the $flavour kernel failed (see above)"
say "selftest on the $flavour kernel: all passed"
