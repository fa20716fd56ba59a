#!/usr/bin/env bash
# Builds the lab kernel once and prints the directory that holds it.
#
# The kernel is Debian's linux-source-6.12 (or the tree in LAB_KERNEL_SRC),
# configured as `tinyconfig` plus lab/kernel.config, built with clang 19 and
# the machine's Rust. The build is cached under $LAB_CACHE, keyed by everything
# it was made from: a repeat finds the key and returns at once.
#
# Output: the build directory (it holds arch/x86/boot/bzImage, and is what
# out-of-tree modules build against with `make -C DIR M=...`).
set -euo pipefail
source "$(dirname "$0")/common.sh"

fragment="$LAB_DIR/kernel.config"

if [ -n "${LAB_KERNEL_SRC:-}" ]; then
  [ -f "$LAB_KERNEL_SRC/Makefile" ] || die "LAB_KERNEL_SRC=$LAB_KERNEL_SRC is not a kernel source tree"
  src_id="tree:$(cd "$LAB_KERNEL_SRC" && pwd):$(make -s -C "$LAB_KERNEL_SRC" kernelversion 2>/dev/null)"
else
  [ -f "$LAB_SOURCE_TARBALL" ] || die "$LAB_SOURCE_TARBALL is missing: run lab/setup.sh"
  src_id="deb:$(dpkg-query -W -f='${Version}' "$LAB_SOURCE_PKG")"
fi

key=$( {
  echo "$src_id"
  cat "$fragment"
  rustc --version
  "clang$LAB_LLVM" --version | head -n 1
  bindgen --version
} | sha256sum | cut -c1-16)
out="$LAB_CACHE/kernel-$key"

if [ -f "$out/.lab-done" ]; then
  echo "$out"
  exit 0
fi

mkdir -p "$LAB_CACHE"
exec 9>"$LAB_CACHE/kernel.lock"
if ! flock -n 9; then
  say "another lab kernel build is running; waiting for it"
  flock 9
  [ -f "$out/.lab-done" ] && { echo "$out"; exit 0; }
fi

start=$SECONDS
say "building the lab kernel (first time only: 3 to 10 minutes on 2 cores, depending on the machine)"
say "  cache: $out"

if [ -n "${LAB_KERNEL_SRC:-}" ]; then
  src="$LAB_KERNEL_SRC"
else
  src="$LAB_CACHE/src-$(dpkg-query -W -f='${Version}' "$LAB_SOURCE_PKG")"
  if [ ! -f "$src/.lab-unpacked" ]; then
    say "unpacking $LAB_SOURCE_TARBALL (about 10 s)"
    rm -rf "$src" && mkdir -p "$src"
    tar -xf "$LAB_SOURCE_TARBALL" -C "$src" --strip-components=1
    touch "$src/.lab-unpacked"
  fi
fi

rm -rf "$out" && mkdir -p "$out"
# (9>&-: the lock stays with this script, not with the make processes.)
kmake() { make -s -C "$src" O="$out" LLVM="$LAB_LLVM" "$@" 9>&-; }

kmake rustavailable >/dev/null || die "the kernel says Rust is not available: run lab/setup.sh"
say "configuring: tinyconfig + lab/kernel.config"
kmake tinyconfig >/dev/null
(cd "$out" && "$src/scripts/kconfig/merge_config.sh" -m -O "$out" .config "$fragment" >/dev/null)
kmake olddefconfig >/dev/null

# Every fragment line must have survived: olddefconfig drops options whose
# dependencies are off, without a word.
lost=0
while IFS= read -r line; do
  case "$line" in
    CONFIG_*=*) grep -qxF "$line" "$out/.config" || { say "config lost: $line"; lost=1; } ;;
    "# CONFIG_"*" is not set")
      name=${line#\# } name=${name%% *}
      ! grep -q "^$name=" "$out/.config" || { say "config turned back on: $name"; lost=1; } ;;
  esac
done <"$fragment"
[ $lost = 0 ] || die "lab/kernel.config lines did not survive olddefconfig (see above)"

say "compiling with $LAB_JOBS jobs (the long part: about 3 minutes on a fast machine, 8 on a slow one)"
log="$out/build.log"
# (The object count of the last build of this flavour: kernel.objects, ...)
progress_start compiling "$out" "${out%-*}.objects"
if ! kmake -j"$LAB_JOBS" bzImage modules >"$log" 2>&1; then
  progress_stop
  tail -n 40 "$log" >&2
  die "kernel build failed; full log: $log"
fi
progress_stop
touch "$out/.lab-done"
say "lab kernel ready in $((SECONDS - start)) s"
echo "$out"
