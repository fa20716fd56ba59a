#!/usr/bin/env bash
# The kernel build's compiler probes, answered from a cache.
#
# Every `make -C KDIR M=DIR` re-runs some 33 probes (`cc-option`,
# `rustc-option`, `ld-option` and friends in scripts/Makefile.compiler, about
# a second in all on 2 cores) whose answers never change for a given kernel
# build and compiler. lab/module.sh makes kbuild call this script instead of
# its `try-run` (the function behind every probe), with the same arguments:
#
#   probe-cache.sh COMMAND IF_OK IF_NOT TMPOUT
#
# It prints what kbuild's try-run would print: IF_OK when COMMAND succeeds,
# IF_NOT otherwise. COMMAND is run exactly as try-run runs it (`$TMP` is a
# scratch file under TMPOUT, removed afterwards) unless the answer is cached.
#
# Why this cannot go stale, when upstream's own probe cache did (kbuild kept
# one, .cache.mk, from 4.15 until 4.17 removed it: it was keyed by the
# command's text alone, lived in the module's folder, and after a compiler
# upgrade handed out the old compiler's answers):
#   - the cache lives in the lab kernel's build folder (LAB_PROBE_DIR), whose
#     name is a hash of the compilers' versions (lab/kernel.sh): a new rustc,
#     clang or bindgen means a new folder and an empty cache;
#   - each key also holds LAB_PROBE_ID, which lab/module.sh makes from the
#     compiler binaries themselves (resolved path, size, time, inode): a
#     compiler replaced under the same version string misses the cache too;
#   - the key holds the probe's whole command, flags included (only the
#     module folder's scratch path is taken out, so that every lesson shares
#     the answers);
#   - only a clean answer is kept: the command exited 0 (yes) or 1 (the
#     compiler said no). A missing tool (127), a crash or a signal is passed
#     on to kbuild this once and asked again next time.
# LAB_PROBE_CACHE=0 in the environment turns the cache off (lab/module.sh).
set -uo pipefail

cmd=$1 if_ok=$2 if_not=$3 tmpout=$4

# kbuild's try-run, word for word but for the exit status it keeps.
probe() {
  sh -c "set -e; TMP=$tmpout/tmp; trap \"rm -rf $tmpout\" EXIT; mkdir -p $tmpout;
    if ($cmd) >/dev/null 2>&1; then echo \"$if_ok\"; else s=\$?; echo \"$if_not\"; exit \$s; fi"
}

dir=${LAB_PROBE_DIR:-}
if [ -z "$dir" ]; then
  probe
  exit 0
fi

key=$(printf '%s\0' "${LAB_PROBE_ID:-}" "${cmd//"$tmpout"/@TMPOUT@}" "$if_ok" "$if_not" | sha256sum)
file=$dir/${key:0:32}
# (read, not cat: one process less for each of the 33 probes.)
if [ -f "$file" ] && IFS= read -r answer <"$file"; then
  printf '%s\n' "$answer"
  exit 0
fi

answer=$(probe)
status=$?
printf '%s\n' "$answer"
if [ "$status" -le 1 ]; then
  mkdir -p "$dir"
  # Written aside and renamed: builds running side by side never read half a file.
  printf '%s\n' "$answer" >"$file.$$" && mv -f "$file.$$" "$file"
fi
exit 0
