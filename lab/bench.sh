#!/usr/bin/env bash
# Prints the lab's speed figures: a measurement, never a test. Each figure
# is the median of BENCH_RUNS runs (default 5) with its minimum and maximum,
# or one run where a run takes minutes. The goals on 2 cores are printed
# beside the figures; nothing is asserted.
#
#   fresh   a fresh machine to lesson 01 passing (goal under 10 min), in parts
#           measured one after the other and added up:
#             bindgen   `cargo install bindgen-cli` into an empty CARGO_HOME
#                       (its crates downloaded and compiled)
#             kernel    lab/kernel.sh with an empty LAB_CACHE (unpack,
#                       configure, compile)
#             lesson    `course check 1 --solution` in a fresh clone on that
#                       kernel (the course tool, the module and the programs
#                       compiled, the VM booted, the checks run)
#           Not measured, as they are installed here and removing them would
#           break this machine: apt's packages and the rust-src component,
#           added as BENCH_APT_S seconds (default 30, a fresh machine's figure).
#   edit    the warm edit loop: a line added to lesson 01's module, then
#           `make lesson-1` (goal under 2 s)
#   shell   `make shell` to its prompt, in a pseudo-terminal (goal under 5 s)
#   test    `make test` on a warm machine (goal under 6 min): a second run in
#           the clone, the first one warming it up (also printed)
#   rtm     lesson 05's routes per second into the rtm module and into the
#           kernel's own routing table (checks/05-rtm/bench.sh, in the VM)
#
# BENCH_ONLY="edit shell" measures only those (the default is all of them,
# about 35 minutes on 2 cores; fresh and test are the long ones).
# Everything runs in a fresh clone of the repository's committed state, so
# your lessons/ and kmods/ are never touched.
set -euo pipefail
source "$(dirname "$0")/common.sh"
repo=$(cd "$LAB_DIR/.." && pwd)
only=${BENCH_ONLY:-fresh edit shell test rtm}
runs=${BENCH_RUNS:-5}
wanted() { [[ " $only " == *" $1 "* ]]; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
git clone -q "$repo" "$work/clone"
cd "$work/clone"

now() { date +%s.%N; }
since() { echo "$(now) - $1" | bc; }
# stats NAME GOAL SECONDS...: one line with the median, min and max.
stats() {
  local name=$1 goal=$2
  shift 2
  local sorted
  sorted=$(printf '%s\n' "$@" | sort -g)
  printf '  %-34s median %7.2f s  (min %.2f, max %.2f; %d runs; goal %s)\n' "$name" \
    "$(sed -n "$(( ($# + 1) / 2 ))p" <<<"$sorted")" "$(head -n 1 <<<"$sorted")" "$(tail -n 1 <<<"$sorted")" $# "$goal"
}
# report TEXT: shows a figure now, and again in the summary at the end.
results=()
report() { results+=("$1"); printf '%s\n' "$1" >&2; }

if wanted fresh; then
  say "fresh: bindgen into an empty CARGO_HOME (about a minute)"
  t=$(now)
  CARGO_HOME="$work/cargo-home" cargo install --quiet --locked bindgen-cli \
    --version "$LAB_BINDGEN_VERSION" --root "$work/tools" >"$work/bindgen.log" 2>&1 ||
    { tail -n 20 "$work/bindgen.log"; die "cargo install bindgen-cli failed"; }
  bindgen_s=$(since "$t")
  rm -rf "$work/cargo-home" "$work/tools"
  say "fresh: the lab kernel with an empty LAB_CACHE (minutes)"
  t=$(now)
  LAB_CACHE="$work/cache" bash lab/kernel.sh >/dev/null
  kernel_s=$(since "$t")
  say "fresh: lesson 01's checks in a fresh clone on that kernel"
  t=$(now)
  LAB_CACHE="$work/cache" cargo run -q -p course -- check 1 --solution >"$work/fresh.log" 2>&1 ||
    { tail -n 30 "$work/fresh.log"; die "lesson 01's checks failed on a fresh kernel"; }
  lesson_s=$(since "$t")
  rm -rf "$work/cache" target
  apt_s=${BENCH_APT_S:-30}
  total=$(echo "$apt_s + $bindgen_s + $kernel_s + $lesson_s" | bc)
  report "$(printf '  %-34s %7.0f s = %.1f min  (goal under 10 min)\n    = packages %s s (not measured) + bindgen %.0f s + kernel %.0f s + lesson 01 %.0f s' \
    "fresh machine to lesson 01 passing" "$total" "$(echo "$total / 60" | bc -l)" \
    "$apt_s" "$bindgen_s" "$kernel_s" "$lesson_s")"
fi

if wanted edit; then
  say "edit: $runs edits of lesson 01's module, each followed by make lesson-1"
  make -s lesson-1 >/dev/null 2>&1 || die "make lesson-1 failed in the clone"
  times=()
  for i in $(seq "$runs"); do
    echo "// edit $i" >>kmods/01-hello/hello.rs
    t=$(now)
    make -s lesson-1 >/dev/null 2>&1 || die "make lesson-1 failed after edit $i"
    times+=("$(since "$t")")
  done
  git checkout -q kmods/01-hello/hello.rs
  report "$(stats "warm edit loop, make lesson-1" "under 2 s" "${times[@]}")"
fi

if wanted shell; then
  say "shell: $runs runs of make shell to its prompt, in a pseudo-terminal"
  echo exit | make -s shell >/dev/null 2>&1 || die "make shell failed in the clone"
  times=()
  for i in $(seq "$runs"); do
    # The time until the prompt appears; then `exit` ends the VM.
    times+=("$(python3 - <<'EOF'
import os, pty, select, sys, time
start = time.monotonic()
pid, fd = pty.fork()
if pid == 0:
    os.execvp("make", ["make", "-s", "shell"])
seen, prompt = b"", None
while True:
    ready, _, _ = select.select([fd], [], [], 120)
    if not ready:
        break
    try:
        data = os.read(fd, 4096)
    except OSError:
        break
    if not data:
        break
    seen += data
    if prompt is None and b"/lab # " in seen:
        prompt = time.monotonic() - start
        os.write(fd, b"exit\n")
os.waitpid(pid, 0)
if prompt is None:
    sys.exit("no prompt")
print(f"{prompt:.3f}")
EOF
)")
  done
  report "$(stats "make shell to its prompt" "under 5 s" "${times[@]}")"
fi

if wanted test; then
  say "test: make test twice in the clone (the first warms it up; many minutes each)"
  t=$(now)
  make test >"$work/test1.log" 2>&1 || { tail -n 30 "$work/test1.log"; die "make test failed"; }
  first=$(since "$t")
  t=$(now)
  make test >"$work/test2.log" 2>&1 || { tail -n 30 "$work/test2.log"; die "make test failed"; }
  second=$(since "$t")
  report "$(printf '  %-34s %7.0f s = %.1f min  (goal under 6 min; the first run, from a fresh clone: %.1f min)' \
    "make test, warm" "$second" "$(echo "$second / 60" | bc -l)" "$(echo "$first / 60" | bc -l)")"
fi

if wanted rtm; then
  say "rtm: lesson 05's routes per second in the lab (minutes: the lab's CPU is emulated)"
  LAB_TIMEOUT=${LAB_TIMEOUT:-900} cargo run -q -p course -- bench 5 | grep -E 'BENCH|routes/s' >"$work/rtm" ||
    die "the lesson 05 benchmark failed"
  report "$(sed 's/^/  /' "$work/rtm")"
fi

echo "lab figures on $(nproc) cores, $(date -u +%Y-%m-%d), load average $(cut -d' ' -f1-3 /proc/loadavg):"
printf '%s\n' "${results[@]}"
