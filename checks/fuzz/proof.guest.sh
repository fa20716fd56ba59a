# Guest script of checks/fuzz/proof.sh: nlfuzz against a mutant of lesson
# 02's module (greet-mutant.ko) and the reference (greet.ko).
. /lab/lib.sh

# 0. The regression cases built into nlfuzz (checks/probe/regressions/)
# hold inputs that fail this mutant: they catch it before any fuzzing.
out=$(nlfuzz --profile greet --module /lab/greet-mutant.ko --seconds 0 --report-signs "$REPORT_SIGNS" 2>&1)
if echo "$out" | grep -q '^FAIL: fuzz: regression case of regressions/greet.hex line [0-9]* fails again'; then
  pass regressions-catch-it
else fail regressions-catch-it "$(echo "$out" | grep -E '^(PASS|FAIL)' | cut -c1-300)"; fi
rmmod greet 2>/dev/null

# 1. Without them (--fresh), the fuzz finds the bug, and prints the input
# that does it.
out=$(nlfuzz --profile greet --module /lab/greet-mutant.ko --fresh --seconds 30 --report-signs "$REPORT_SIGNS" 2>&1)
echo "$out" | grep '^nlfuzz:'
keep=$(echo "$out" | grep -m 1 '^nlfuzz-keep greet ' | cut -d ' ' -f 3-)
if echo "$out" | grep -q '^FAIL: fuzz: ' && [ -n "$keep" ]; then pass finds-the-bug
else fail finds-the-bug "no failure with an input kept: $(echo "$out" | grep -E '^(PASS|FAIL)' | cut -c1-300)"; fi
echo "$keep" >/tmp/kept.hex

# 2. That input alone, replayed as a regression case before any fuzzing,
# fails the mutant again.
rmmod greet 2>/dev/null
out=$(nlfuzz --profile greet --module /lab/greet-mutant.ko --fresh --seconds 0 --regressions /tmp/kept.hex \
  --report-signs "$REPORT_SIGNS" 2>&1)
if echo "$out" | grep -q '^FAIL: fuzz: regression case of /tmp/kept.hex line 1 fails again'; then pass replays-the-input
else fail replays-the-input "$(echo "$out" | grep -E '^(PASS|FAIL)' | cut -c1-300)"; fi

# 3. The reference module answers it, and the built-in cases (the mutant's
# bug, not a kernel's).
rmmod greet 2>/dev/null
out=$(nlfuzz --profile greet --module /lab/greet.ko --seconds 0 --regressions /tmp/kept.hex \
  --report-signs "$REPORT_SIGNS" 2>&1)
if echo "$out" | grep -qx 'PASS: fuzz'; then pass reference-answers-it
else fail reference-answers-it "$(echo "$out" | grep -E '^(PASS|FAIL)' | cut -c1-300)"; fi
