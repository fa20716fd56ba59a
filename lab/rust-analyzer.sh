#!/usr/bin/env bash
# Prints a rust-project.json for rust-analyzer: the kernel's crates (`core`,
# `kernel`, `bindings`, `macros`, ...) of a lab kernel build, and one crate
# for each module found under MODULE_TREE (a `NAME.rs` whose folder's Kbuild
# or Makefile names `NAME.o`), depending on `core` and `kernel`.
#
#   lab/rust-analyzer.sh KERNEL_DIR MODULE_TREE >rust-project.json
#
# It calls the kernel's own generator, scripts/generate_rust_analyzer.py,
# with the arguments 6.12's rust/Makefile would give it. (`make -C
# KERNEL_DIR M=MODULE_TREE rust-analyzer` does not work in 6.12 with a
# separate build folder: the external-module build looks for rust/Makefile
# in MODULE_TREE.) `course rust-analyzer` (`make rust-analyzer`) is what
# students run; it writes kmods/rust-project.json with this.
set -euo pipefail
source "$(dirname "$0")/common.sh"

[ $# = 2 ] || die "usage: lab/rust-analyzer.sh KERNEL_DIR MODULE_TREE"
kdir=$(cd "$1" && pwd) tree=$(cd "$2" && pwd)
src=$(readlink -f "$kdir/source")
script=$src/scripts/generate_rust_analyzer.py
[ -f "$script" ] || die "$script is missing: is $kdir a kernel build folder?"
[ -f "$kdir/include/generated/rustc_cfg" ] || die "$kdir has no include/generated/rustc_cfg: is it built with CONFIG_RUST?"
command -v python3 >/dev/null || die "python3 is needed to generate rust-project.json: apt-get install python3"

sysroot=$(rustc --print sysroot)
sysroot_src=$sysroot/lib/rustlib/src/rust/library
args=(--cfgs='core=--cfg no_fp_fmt_parse')
# rust/Makefile: core-edition := 2024 from rustc 1.87 on, else 2021 (only
# generators that take the argument: later 6.12 releases).
if grep -q core_edition "$script"; then
  version=$(sed -n 's/^CONFIG_RUSTC_VERSION=//p' "$kdir/.config")
  if [ "${version:-0}" -ge 108700 ]; then args+=(2024); else args+=(2021); fi
fi
# lab/rust-project.py adapts the output to a current rust-analyzer (Rust
# 1.94 on) and keeps only the real module crates (it says why).
python3 "$script" "${args[@]}" "$src" "$kdir" "$sysroot" "$sysroot_src" "$tree" |
  python3 "$LAB_DIR/rust-project.py" "$tree" "$sysroot_src"
