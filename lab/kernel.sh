#!/usr/bin/env bash
# Builds the lab kernel once and prints the directory that holds it.
#
# The kernel is Debian's linux-source-6.12 (or the tree in LAB_KERNEL_SRC)
# with the lab's patches (lab/patches/*.patch) applied to a copy of it,
# configured as `tinyconfig` plus lab/kernel.config, built with clang 19 and
# the machine's Rust. With LAB_DEBUG=1 it builds the debug flavour instead:
# the same, with lab/kernel-debug.config merged on top. Each build is cached
# under $LAB_CACHE, keyed by everything it was made from: a repeat finds the
# key and returns at once.
#
# Output: the build directory (it holds arch/x86/boot/bzImage, and is what
# out-of-tree modules build against with `make -C DIR M=...`).
set -euo pipefail
source "$(dirname "$0")/common.sh"

fragments=("$LAB_DIR/kernel.config")
flavour=release
if [ "${LAB_DEBUG:-0}" = 1 ]; then
  fragments+=("$LAB_DIR/kernel-debug.config")
  flavour=debug
fi
shopt -s nullglob
patches=("$LAB_DIR"/patches/*.patch)
shopt -u nullglob
# The patches' names and contents, as one short id: part of the kernel's key
# and the name of the patched copy of the source.
patch_id=$(for p in "${patches[@]}"; do echo "== ${p##*/}"; cat "$p"; done | sha256sum | cut -c1-12)

if [ -n "${LAB_KERNEL_SRC:-}" ]; then
  [ -f "$LAB_KERNEL_SRC/Makefile" ] || die "LAB_KERNEL_SRC=$LAB_KERNEL_SRC is not a kernel source tree"
  tree=$(cd "$LAB_KERNEL_SRC" && pwd)
  src_id="tree:$tree:$(make -s -C "$tree" kernelversion 2>/dev/null)"
else
  [ -f "$LAB_SOURCE_TARBALL" ] || die "$LAB_SOURCE_TARBALL is missing: run lab/setup.sh"
  src_id="deb:$(dpkg-query -W -f='${Version}' "$LAB_SOURCE_PKG")"
fi

key=$( {
  echo "$src_id"
  echo "patches:$patch_id"
  cat "${fragments[@]}"
  rustc --version
  "clang$LAB_LLVM" --version | head -n 1
  bindgen --version
} | sha256sum | cut -c1-16)
if [ $flavour = debug ]; then out="$LAB_CACHE/kernel-debug-$key"; else out="$LAB_CACHE/kernel-$key"; fi

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
say "building the $flavour lab kernel (first time only: about 9 minutes on 2 cores, 3 on a fast machine)"
say "  cache: $out"

# patched_copy FROM TO: makes TO a copy of the source tree FROM with the
# lab's patches applied, leaving FROM as it was. The copy is made of hard
# links (seconds, little disk), and each file a patch changes is first made a
# file of its own, so that patching never writes through a link into FROM.
# A patch that FROM already carries (it applies in reverse) is skipped.
patched_copy() {
  local from=$1 to=$2 tmp="$2.tmp" p f
  rm -rf "$tmp"
  if ! cp -al "$from" "$tmp" 2>/dev/null; then
    say "  (hard links are not possible from $from to $LAB_CACHE: copying the whole tree, about a minute)"
    rm -rf "$tmp" && cp -a "$from" "$tmp"
  fi
  for p in "${patches[@]}"; do
    if patch -d "$tmp" -p1 -R --dry-run --force --silent <"$p" >/dev/null 2>&1; then
      say "  ${p##*/}: already in the source tree, skipped"
      continue
    fi
    patch -d "$tmp" -p1 --dry-run --force --silent <"$p" >/dev/null 2>&1 ||
      die "lab/patches/${p##*/} does not apply to $from. Its header says what it changes and why: make that change in your tree by hand (the lab then finds it applied and skips it), or use Debian's linux-source-6.12 (unset LAB_KERNEL_SRC)."
    for f in $(sed -n 's|^+++ b/\([^[:space:]]*\).*|\1|p' "$p"); do
      if [ -f "$tmp/$f" ]; then cp "$tmp/$f" "$tmp/$f.lab-unlink" && mv -f "$tmp/$f.lab-unlink" "$tmp/$f"; fi
    done
    patch -d "$tmp" -p1 --force --silent --no-backup-if-mismatch <"$p" >/dev/null
    say "  applied ${p##*/}"
  done
  touch "$tmp/.lab-patched"
  rm -rf "$to" && mv "$tmp" "$to"
}

if [ -n "${LAB_KERNEL_SRC:-}" ]; then
  # Your tree is never written to: the patches go into a copy in the cache,
  # made afresh for each build of a new key.
  src="$LAB_CACHE/src-tree-$key"
  say "copying $tree to $src and applying lab/patches (your tree stays as it is)"
  patched_copy "$tree" "$src"
else
  version=$(dpkg-query -W -f='${Version}' "$LAB_SOURCE_PKG")
  pristine="$LAB_CACHE/src-$version"
  if [ ! -f "$pristine/.lab-unpacked" ]; then
    say "unpacking $LAB_SOURCE_TARBALL (about 15 s)"
    rm -rf "$pristine" && mkdir -p "$pristine"
    tar -xf "$LAB_SOURCE_TARBALL" -C "$pristine" --strip-components=1
    touch "$pristine/.lab-unpacked"
  fi
  # Shared by both flavours and by every build with the same patches.
  src="$LAB_CACHE/src-$version-p$patch_id"
  if [ ! -f "$src/.lab-patched" ]; then
    say "applying lab/patches to a copy of the source: $src"
    patched_copy "$pristine" "$src"
  fi
fi

rm -rf "$out" && mkdir -p "$out"
# (9>&-: the lock stays with this script, not with the make processes.)
kmake() { make -s -C "$src" O="$out" LLVM="$LAB_LLVM" "$@" 9>&-; }

kmake rustavailable >/dev/null || die "the kernel says Rust is not available: run lab/setup.sh"
say "configuring: tinyconfig + ${fragments[*]##*/}"
kmake tinyconfig >/dev/null
(cd "$out" && "$src/scripts/kconfig/merge_config.sh" -m -O "$out" .config "${fragments[@]}" >/dev/null)
kmake olddefconfig >/dev/null

# Every fragment line must have survived: olddefconfig drops options whose
# dependencies are off, without a word. (A later fragment may override an
# earlier one's line: only the last word on each option counts.)
lost=0
declare -A want=()
while IFS= read -r line; do
  case "$line" in
    CONFIG_*=*) want[${line%%=*}]=$line ;;
    "# CONFIG_"*" is not set") name=${line#\# } name=${name%% *}; want[$name]=$line ;;
  esac
done < <(cat "${fragments[@]}")
for name in "${!want[@]}"; do
  line=${want[$name]}
  case "$line" in
    CONFIG_*=*) grep -qxF "$line" "$out/.config" || { say "config lost: $line"; lost=1; } ;;
    *) ! grep -q "^$name=" "$out/.config" || { say "config turned back on: $name"; lost=1; } ;;
  esac
done
[ $lost = 0 ] || die "lines of ${fragments[*]##*/} did not survive olddefconfig (see above)"

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
# The kernel's gdb scripts, where the configuration asks for them (debug).
if grep -q '^CONFIG_GDB_SCRIPTS=y' "$out/.config"; then
  kmake scripts_gdb >>"$log" 2>&1 || die "making the kernel's gdb scripts failed; see $log"
fi
touch "$out/.lab-done"
say "$flavour lab kernel ready in $((SECONDS - start)) s"
echo "$out"
