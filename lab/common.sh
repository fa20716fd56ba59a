# Shared settings of the lab scripts; sourced, never run.
# Every setting can be overridden from the environment, e.g. LAB_JOBS=1 make test.

# Where built kernels, unpacked sources and tools are cached: outside the
# repository, so a fresh clone reuses them and `git clean` never loses them.
: "${LAB_CACHE:=${XDG_CACHE_HOME:-$HOME/.cache}/netlink-course}"
# The suffix of Debian's LLVM tools (clang-19, ld.lld-19, ...), passed as LLVM=-19.
: "${LAB_LLVM:=-19}"
# Parallel jobs for the kernel build.
: "${LAB_JOBS:=$(( $(nproc) + 1 ))}"
# The Debian package that holds the kernel source, and its tarball.
: "${LAB_SOURCE_PKG:=linux-source-6.12}"
: "${LAB_SOURCE_TARBALL:=/usr/src/linux-source-6.12.tar.xz}"
# bindgen version the setup installs (the kernel needs >= 0.65.1).
: "${LAB_BINDGEN_VERSION:=0.72.1}"
# mdBook version for the book.
: "${LAB_MDBOOK_VERSION:=0.5.4}"

LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export PATH="$HOME/.cargo/bin:$PATH"

say() { printf 'lab: %s\n' "$*" >&2; }
die() { printf 'lab: error: %s\n' "$*" >&2; exit 1; }

# Run as root: directly when we are root, through sudo otherwise.
as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif command -v sudo >/dev/null; then sudo "$@"
  else die "need root for: $* (no sudo found)"; fi
}

# A long step's progress, told as it goes: `progress_start WHAT DIR COUNTS`
# prints every LAB_PROGRESS_EVERY seconds (default 30) how many object files
# (*.o) DIR holds, against the count the last such step ended with (kept in
# the file COUNTS; the first time LAB_PROGRESS_GUESS, default 860, what the
# lab kernel had in November 2026), and how long is left at the pace so far.
# `progress_stop` ends the printing and records the final count in COUNTS
# for the next time. Counting files, not log lines, works with a silent make.
progress_start() {
  local what=$1 dir=$2 counts=$3
  local total
  total=$(cat "$counts" 2>/dev/null || echo "${LAB_PROGRESS_GUESS:-860}")
  PROGRESS_DIR=$dir PROGRESS_COUNTS=$counts
  (
    start=$SECONDS nap=
    # Killed while asleep, it takes its sleep along (nothing left holding
    # the caller's output open).
    trap 'kill $nap 2>/dev/null; exit 0' TERM
    while :; do
      sleep "${LAB_PROGRESS_EVERY:-30}" & nap=$!
      wait $nap
      n=$(find "$dir" -name '*.o' 2>/dev/null | wc -l)
      elapsed=$((SECONDS - start))
      if [ "$n" -ge "$total" ]; then
        say "  $what: $n objects so far (as many as last time), $((elapsed / 60)) min $((elapsed % 60)) s in: nearly done"
      elif [ "$n" -gt $((total / 20)) ]; then
        left=$(( elapsed * (total - n) / n ))
        say "  $what: $n of about $total objects ($((100 * n / total))%), about $(( (left + 59) / 60 )) min left"
      else
        say "  $what: $n of about $total objects, $elapsed s in"
      fi
    done
  ) 9>&- >&2 &
  PROGRESS_PID=$!
}
progress_stop() {
  [ -n "${PROGRESS_PID:-}" ] || return 0
  kill "$PROGRESS_PID" 2>/dev/null || true
  wait "$PROGRESS_PID" 2>/dev/null || true
  PROGRESS_PID=
  find "$PROGRESS_DIR" -name '*.o' | wc -l >"$PROGRESS_COUNTS.$$" && mv -f "$PROGRESS_COUNTS.$$" "$PROGRESS_COUNTS"
}
