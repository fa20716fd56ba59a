#!/usr/bin/env bash
# The proof that the fuzz check finds bugs the other checks miss. Lesson
# 02's module with one likely wrong answer of exercise 2.2 (the reply's
# buffer allocated without room for its header: `nlmsg::align` where
# `nlmsg::space` belongs; the greetings the other checks send still fit in
# the slack of the allocation) must fail nlfuzz: at once, through the
# regression cases that earlier runs kept (checks/probe/regressions/greet.hex),
# and without them (--fresh), by fuzzing; the input it keeps must fail that
# module again when replayed alone as a regression case; and the reference
# module must answer that input and the kept cases without a fault.
#
#   bash checks/fuzz/proof.sh            (LAB_DEBUG=1: on the debug kernel)
#
# About 25 s on 2 cores with the kernel built; `make test` runs it.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
source "$repo/lab/common.sh"

bash "$LAB_DIR/setup.sh"
kdir=$(bash "$LAB_DIR/kernel.sh")
work="$repo/target/lab/fuzz-proof"
mkdir -p "$work"

# module NAME [FIND REPLACE]: builds lesson 02's reference module in
# $work/NAME, with FIND (exact text, found exactly once) replaced if given,
# as course/src/lab.rs builds a module: its folder, wire/ and knetlink/.
module() {
  local dir="$work/$1" file
  mkdir -p "$dir"
  cp -u "$repo"/solutions/kmods/02-greet/* "$dir/"
  mkdir -p "$dir/wire" "$dir/knetlink"
  cp -u "$repo"/wire/src/* "$dir/wire/" && cp -u "$repo"/knetlink/src/* "$dir/knetlink/"
  if [ $# = 3 ]; then
    file="$dir/greet.rs"
    python3 - "$repo/solutions/kmods/02-greet/greet.rs" "$file" "$2" "$3" <<'PY'
import sys
source, path, find, replace = sys.argv[1:]
text = open(source).read()
n = text.count(find)
if n != 1:
    sys.exit(f"{source}: the text to mutate is there {n} times, not once (did the solution change?): {find}")
open(path + ".new", "w").write(text.replace(find, replace))
PY
    # Rewritten only when it changed, so that make rebuilds only then.
    if cmp -s "$file.new" "$file"; then rm "$file.new"; else mv "$file.new" "$file"; fi
  fi
  make -s -C "$kdir" M="$dir" LLVM="$LAB_LLVM" modules >"$dir/build.log" 2>&1 ||
    { cat "$dir/build.log" >&2; die "$1 does not build"; }
}

say "fuzz proof: building lesson 02's module, a mutant of it, and nlfuzz"
module reference
module mutant \
  "let size = nlmsg::space(payload_len).ok_or_else(emsgsize)?;" \
  "let size = nlmsg::align(payload_len).ok_or_else(emsgsize)?;"
# Static and not position-independent, as course/src/lab.rs builds the lab's programs.
RUSTFLAGS="-C target-feature=+crt-static -C relocation-model=static" \
  cargo build --quiet --bins --profile lab --target x86_64-unknown-linux-gnu \
  --manifest-path "$repo/checks/probe/Cargo.toml" --target-dir "$repo/target/lab/user"

stage="$work/stage"
rm -rf "$stage" && mkdir -p "$stage/bin"
cp "$repo/target/lab/user/x86_64-unknown-linux-gnu/lab/nlfuzz" "$stage/bin/"
cp "$work/reference/greet.ko" "$stage/greet.ko"
cp "$work/mutant/greet.ko" "$stage/greet-mutant.ko"
cp "$here/proof.guest.sh" "$stage/"
console="$work/console.txt"
say "fuzz proof: booting the lab (the guest prints what it checks)"
bash "$LAB_DIR/boot.sh" "$kdir" "$stage" proof.guest.sh 2>&1 | tr -d '\r' >"$console" || true
grep -E '^(PASS|FAIL|nlfuzz:)' "$console" | cut -c1-400
want="regressions-catch-it finds-the-bug replays-the-input reference-answers-it"
for name in $want; do
  grep -qx "PASS: $name" "$console" || { tail -n 40 "$console" >&2; die "fuzz proof: $name did not pass (console: $console)"; }
done
say "fuzz proof: the regression cases and the fuzz each caught the mutant, the input kept fails it again, the reference module answers it"
