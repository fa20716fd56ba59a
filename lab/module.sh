#!/usr/bin/env bash
# Builds an out-of-tree kernel module against a lab kernel build:
#
#   lab/module.sh KERNEL_DIR MODULE_DIR [MAKE ARGUMENTS...]
#
# is `make -C KERNEL_DIR M=MODULE_DIR LLVM=$LAB_LLVM MAKE ARGUMENTS...`
# (e.g. `modules`, `CLIPPY=1 modules`), with kbuild's compiler probes
# answered from a cache (lab/probe-cache.sh says how it stays right). The
# module is the same, byte for byte; an edit of a lesson's module builds in
# about half a second instead of one and a half. LAB_PROBE_CACHE=0 turns the
# cache off.
set -euo pipefail
source "$(dirname "$0")/common.sh"

[ $# -ge 2 ] || die "usage: lab/module.sh KERNEL_DIR MODULE_DIR [MAKE ARGUMENTS...]"
kdir=$1 mdir=$2
shift 2

cache=()
if [ "${LAB_PROBE_CACHE:-1}" != 0 ]; then
  # What the probes' answers depend on besides their command line: the
  # compiler binaries the names resolve to, down to the file. (The versions
  # are in the kernel folder's name already.)
  id=""
  for tool in "clang$LAB_LLVM" "ld.lld$LAB_LLVM" "$(rustc --print sysroot)/bin/rustc"; do
    path=$(command -v "$tool") || die "$tool not found: run lab/setup.sh"
    path=$(readlink -f "$path")
    id+="$path $(stat -c '%s %Y %i' "$path");"
  done
  export LAB_PROBE_DIR=${LAB_PROBE_DIR:-$kdir/lab-probes} LAB_PROBE_ID="$id"
  # kbuild's try-run (scripts/Makefile.compiler) takes (command, if ok, if
  # not); a definition on make's command line overrides the Makefile's, in
  # every sub-make. Each argument goes to the script single-quoted.
  q() { printf "'\$(subst ','\\\\'',%s)'" "$1"; }
  cache=("try-run=\$(shell bash '$LAB_DIR/probe-cache.sh' $(q '$(1)') $(q '$(2)') $(q '$(3)') $(q '$(TMPOUT)'))")
fi

exec make -C "$kdir" M="$mdir" LLVM="$LAB_LLVM" "${cache[@]}" "$@"
