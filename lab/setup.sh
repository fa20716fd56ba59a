#!/usr/bin/env bash
# Installs what the course needs, and does nothing for what is already there.
#
#   lab/setup.sh            the lab, for the lessons: Debian packages (the
#                           kernel source, clang/lld/llvm 19, the kernel's
#                           build tools, qemu, a static busybox; gdb with
#                           LAB_DEBUG=1, for the debug kernel's sessions),
#                           Rust's rust-src component and bindgen (for the
#                           kernel)
#   lab/setup.sh --book     the book's tools: mdbook and mdbook-mermaid,
#                           compiled from source by cargo (minutes, once)
#   lab/setup.sh --browser  Debian's chromium, which book/browser-check.sh
#                           opens the built book in, and tshark, which checks
#                           `make test`'s traced lesson 02
#   lab/setup.sh --editor   Rust's rust-analyzer component (`make
#                           rust-analyzer`; lab/test.sh runs it on kmods/)
#   lab/setup.sh --grade    Debian's bubblewrap, the sandbox `course grade
#                           --class` builds students' code in
#
# Options combine (`make test` asks for all five);
# with none, it is --lab. The lessons never need the book's tools: `make
# lesson-N` does not wait for them, `make book`, `make serve` and `make test`
# install them. Run it as often as you like: a second run takes well under a
# second.
set -euo pipefail
source "$(dirname "$0")/common.sh"

# The book's diagram preprocessor (it works with mdBook 0.5 from 0.17 on).
: "${LAB_MDBOOK_MERMAID_VERSION:=0.17.1}"
lab=0 book=0 browser=0 editor=0 grade=0
for arg in "$@"; do
  case "$arg" in
    --lab) lab=1 ;;
    --book) book=1 ;;
    --browser) browser=1 ;;
    --editor) editor=1 ;;
    --grade) grade=1 ;;
    *) die "unknown argument: $arg (usage: lab/setup.sh [--lab] [--book] [--browser] [--editor] [--grade])" ;;
  esac
done
[ $# -gt 0 ] || lab=1

packages=()
if [ $lab = 1 ]; then
  packages+=(clang-19 lld-19 llvm-19 flex bison bc libelf-dev cpio make patch
             qemu-system-x86 busybox-static xz-utils)
  # With LAB_KERNEL_SRC pointing at a kernel tree, Debian's source package is not needed.
  [ -n "${LAB_KERNEL_SRC:-}" ] || packages+=("$LAB_SOURCE_PKG")
  # The debug kernel's gdb sessions (make gdb-N, lab/gdb.sh) need gdb.
  [ "${LAB_DEBUG:-0}" != 1 ] || packages+=(gdb)
fi
[ $browser = 0 ] || packages+=(chromium tshark)
# The test tools also check lesson 08's YNL spec with the kernel's loader
# (checks/08-genetlink/spec.py), which needs these.
[ $browser = 0 ] || packages+=(python3-yaml python3-jsonschema)
[ $grade = 0 ] || packages+=(bubblewrap)

missing=()
if [ ${#packages[@]} -gt 0 ] && ! command -v dpkg-query >/dev/null; then
  say "not a Debian system: not checking packages. You need the equivalents of: ${packages[*]}"
  packages=()
fi
# One dpkg-query for all of them: this script runs before every lab run.
if [ ${#packages[@]} -gt 0 ]; then
  # dpkg-query exits non-zero when it has never heard of a package: that just means missing.
  installed=$(dpkg-query -W -f='${Package} ${Status}\n' "${packages[@]}" 2>/dev/null || true)
  installed=$(awk '/ok installed/ { print $1 }' <<<"$installed")
  for p in "${packages[@]}"; do
    grep -qx "$p" <<<"$installed" || missing+=("$p")
  done
fi
if [ ${#missing[@]} -gt 0 ]; then
  if ! command -v apt-get >/dev/null; then
    die "missing packages: ${missing[*]}. This is not a Debian system: install their equivalents, and see LAB_KERNEL_SRC in README.md."
  fi
  say "installing Debian packages: ${missing[*]} (about half a minute)"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || die "apt-get could not install: ${missing[*]}"
fi

if [ $lab = 1 ] || [ $book = 1 ] || [ $editor = 1 ]; then
  command -v rustup >/dev/null || die "rustup not found: install Rust from rustup.rs first"
fi

# cargo_tool NAME CRATE VERSION WHAT: installs CRATE at VERSION with cargo
# unless `NAME --version` already says it is that version.
cargo_tool() {
  local name=$1 crate=$2 version=$3 what=$4
  case "$("$name" --version 2>/dev/null)" in
    "$name $version" | "$name v$version") return 0 ;;
  esac
  say "installing $crate $version with cargo: $what"
  local start=$SECONDS
  cargo install --quiet --locked "$crate" --version "$version"
  say "  $crate installed in $((SECONDS - start)) s"
}

if [ $lab = 1 ]; then
  if [ ! -d "$(rustc --print sysroot)/lib/rustlib/src/rust/library" ]; then
    say "adding the rust-src component (the kernel builds its own core library from it)"
    rustup component add rust-src
  fi
  cargo_tool bindgen bindgen-cli "$LAB_BINDGEN_VERSION" \
    "the kernel's Rust bindings generator (compiled from source: about a minute on 2 cores)"
fi

if [ $book = 1 ]; then
  cargo_tool mdbook mdbook "$LAB_MDBOOK_VERSION" \
    "the book's builder (compiled from source: about 2 minutes on 2 cores)"
  cargo_tool mdbook-mermaid mdbook-mermaid "$LAB_MDBOOK_MERMAID_VERSION" \
    "the book's diagram preprocessor (compiled from source: a few minutes on 2 cores)"
fi

if [ $editor = 1 ] && ! rust-analyzer --version >/dev/null 2>&1; then
  say "adding the rust-analyzer component (the editor's language server, about 10 s)"
  rustup component add rust-analyzer
fi
