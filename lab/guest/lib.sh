# Helpers for the lab's guest scripts (checks and demos); sourced.
# A check prints exactly one result line the host reads:
#   PASS: <name>
#   FAIL: <name>: <what was seen>
# The host knows which checks to expect; a check that prints nothing has failed.

pass() { echo "PASS: $1"; }
fail() { echo "FAIL: $1: $2"; }

# What a failed check shows: the last 3 lines of OUTPUT (what the program
# printed) on one line, or, when it printed nothing (a test such as `logged`
# or `in_order`), the last lines of the kernel log.
seen() {
  if [ -n "$1" ]; then echo "$1" | tail -n 3 | tr '\n' ' '
  else echo "(no output) the kernel log ends: $(klog | tail -n 3 | tr '\n' '|')"; fi
}

# check NAME COMMAND...: passes when COMMAND succeeds; on failure shows what it printed.
check() {
  name=$1; shift
  if out=$("$@" 2>&1); then pass "$name"; else fail "$name" "$(seen "$out")"; fi
}

# check_grep NAME PATTERN COMMAND...: passes when COMMAND prints a line
# matching PATTERN (a grep pattern), whatever its exit status; on failure
# shows what it printed (instead of `COMMAND | grep -q PATTERN`, which hides it).
check_grep() {
  name=$1 pattern=$2; shift 2
  out=$("$@" 2>&1)
  if echo "$out" | grep -q -- "$pattern"; then pass "$name"; else fail "$name" "$(seen "$out")"; fi
}

# check_logged NAME PATTERN [FILE]: passes when the kernel log has a line
# matching PATTERN. On failure shows what the program printed (FILE, where
# the script saved its output) and the last lines of the kernel log.
check_logged() {
  if logged "$2"; then pass "$1"; return; fi
  detail="no kernel log line matches '$2'"
  [ -n "${3:-}" ] && detail="$detail; the program printed: $(tail -n 3 "$3" | tr '\n' ' ')"
  fail "$1" "$detail; the kernel log ends: $(klog | tail -n 3 | tr '\n' '|')"
}

# Is module $1 listed as loaded?
loaded() { grep -q "^$1 " /proc/modules; }

# The kernel log as plain messages, without timestamps.
klog() { dmesg | sed 's/^\[[ 0-9.]*\] //'; }

# Does the kernel log hold line $1 (a grep pattern) and then, later, line $2?
in_order() {
  klog | awk -v a="$1" -v b="$2" '$0 ~ a && !sa { sa = NR } $0 ~ b && sa && NR > sa { ok = 1 } END { exit !ok }'
}

# What a kernel report of a bug starts with: an oops, a warning, and on the
# debug kernel lockdep ("WARNING: possible circular locking dependency"), a
# sleep in atomic context ("BUG: sleeping function called from invalid
# context"), KASAN ("BUG: KASAN: slab-use-after-free") and kmemleak
# ("unreferenced object").
REPORT_SIGNS="Oops|BUG:|WARNING:|Call Trace|Kernel panic|RIP:|UBSAN:|unreferenced object"

# kernel_reports: prints the kernel's reports of bugs so far, nothing when
# there are none. On the debug kernel it first has kmemleak scan memory for
# allocations nothing points to any more: it waits 5 s first (kmemleak leaves
# younger objects alone), and scans twice (an object whose contents changed
# since the scan before is not reported yet: a first scan sees every object
# change).
kernel_reports() {
  if [ -w /sys/kernel/debug/kmemleak ]; then
    sleep 5
    echo scan >/sys/kernel/debug/kmemleak
    echo scan >/sys/kernel/debug/kmemleak
    touch /tmp/.lab-kmemleak-scanned
    cat /sys/kernel/debug/kmemleak
  fi
  klog | grep -E "$REPORT_SIGNS"
}

# Nothing in the kernel log may look like a crash, a warning or (debug
# kernel) a report of lockdep, KASAN or kmemleak.
no_oops() {
  ! kernel_reports | grep .
}

# Does the kernel log hold a line matching $1 (a grep pattern)?
logged() { klog | grep -q "$1"; }

# show COMMAND...: print the command as if typed at a prompt, then run it.
show() {
  line=
  for a in "$@"; do
    case "$a" in *[[:space:]]*|"") line="$line \"$a\"" ;; *) line="$line $a" ;; esac
  done
  echo; echo "lab#$line"; "$@"
}

# The kernel log lines of module $1.
klog_of() { klog | grep "^$1:"; }

# quiet_under_flood NAME [NLPROBE ARGS...]: 1,000 bad datagrams sent by the
# unprivileged user student (`nlprobe flood --count 1000 ARGS`) may add at
# most 11 lines to the kernel log: what the kernel's own rate limit lets
# through in one interval (10 lines, DEFAULT_RATELIMIT_BURST, and one saying
# how many of the previous interval were left out). The kernel's netlink
# code logs nothing about malformed input, the rest at that rate at most.
quiet_under_flood() {
  name=$1; shift
  mark="quiet-under-flood: $name $(cut -d" " -f1 /proc/uptime)"
  echo "$mark" >/dev/kmsg
  if ! sent=$(su student -c "nlprobe flood --count 1000 $*" 2>&1); then
    fail "$name" "nlprobe flood failed: $sent"
    return
  fi
  if ! klog | grep -qxF "$mark"; then
    fail "$name" "the kernel log overflowed: its mark is gone ($sent)"
    return
  fi
  new=$(klog | awk -v m="$mark" 'seen { print } $0 == m { seen = 1 }')
  n=$(printf '%s' "$new" | grep -c .)
  if [ "$n" -le 11 ]; then pass "$name"
  else fail "$name" "$n kernel log lines from 1,000 bad datagrams (at most 11), e.g. $(echo "$new" | head -n 3 | tr '\n' '|')"; fi
}

# How long each lesson's fuzz check sends, in seconds: 5 on the release
# kernel (some 20,000 to 80,000 datagrams a module under emulation), 15 on
# the debug kernel, where KASAN and lockdep make each one some 50 times
# slower (about 2,000 to 3,000 datagrams). The book's chapter "The lab" has the figures.
# Set before (a job runner's environment), it stays: 0 replays only the
# regression cases and checks the module after, for runs about other things
# (a mutant whose checks are not `fuzz`).
if [ -z "${FUZZ_SECONDS:-}" ]; then
  FUZZ_SECONDS=5
  if [ -w /sys/kernel/debug/kmemleak ]; then FUZZ_SECONDS=15; fi
fi

# fuzz_module NAME PROFILE KO [NLFUZZ ARGS...]: nlfuzz (`nlfuzz --help`)
# sends the module KO thousands of mutated requests (from its nlconform
# PROFILE) from root's and the student's processes at once for FUZZ_SECONDS,
# unloading and loading it meanwhile; then it must answer a valid request
# and unload, and the kernel must have reported nothing (REPORT_SIGNS).
# Prints PASS/FAIL NAME and a line of figures; the module ends unloaded.
# Inputs that failed a student's earlier runs (/lab/fuzz/PROFILE.hex, staged
# by the course tool) are replayed first, after those built into nlfuzz.
fuzz_module() {
  name=$1 profile=$2 ko=$3; shift 3
  [ -f "/lab/fuzz/$profile.hex" ] && set -- --regressions "/lab/fuzz/$profile.hex" "$@"
  nlfuzz --check "$name" --profile "$profile" --module "$ko" --seconds "$FUZZ_SECONDS" \
    --report-signs "$REPORT_SIGNS" "$@"
}
