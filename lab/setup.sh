#!/usr/bin/env bash
# Installs what the course needs, and does nothing for what is already there.
#   Debian packages: the kernel source, clang/lld/llvm 19, the kernel's build
#   tools, qemu and a static busybox. Rust: the rust-src component, bindgen
#   (for the kernel), mdbook and mdbook-mermaid (for the book).
#   With --browser also Debian's chromium, which book/browser-check.sh uses
#   to open the built book, and tshark, which checks `make test`'s traced
#   lesson 02 (`make test` needs both; the lessons do not).
#   With --grade also Debian's bubblewrap, the sandbox `course grade --class`
#   builds students' code in.
# Run it as often as you like: a second run takes about a second.
set -euo pipefail
source "$(dirname "$0")/common.sh"

# The book's diagram preprocessor (it works with mdBook 0.5 from 0.17 on).
: "${LAB_MDBOOK_MERMAID_VERSION:=0.17.1}"
browser=0 grade=0
for arg in "$@"; do
  case "$arg" in
    --browser) browser=1 ;;
    --grade) grade=1 ;;
    *) die "unknown argument: $arg (usage: lab/setup.sh [--browser] [--grade])" ;;
  esac
done

packages=(clang-19 lld-19 llvm-19 flex bison bc libelf-dev cpio make patch
          qemu-system-x86 busybox-static xz-utils)
# With LAB_KERNEL_SRC pointing at a kernel tree, Debian's source package is not needed.
[ -n "${LAB_KERNEL_SRC:-}" ] || packages+=("$LAB_SOURCE_PKG")
[ $browser = 0 ] || packages+=(chromium tshark)
# The debug kernel's gdb sessions (make gdb-N, lab/gdb.sh) need gdb.
[ "${LAB_DEBUG:-0}" != 1 ] || packages+=(gdb)
[ $grade = 0 ] || packages+=(bubblewrap)

missing=()
if ! command -v dpkg-query >/dev/null; then
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
  say "installing Debian packages: ${missing[*]} (about 30 s)"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || die "apt-get could not install: ${missing[*]}"
fi

command -v rustup >/dev/null || die "rustup not found: install Rust from rustup.rs first"
if [ ! -d "$(rustc --print sysroot)/lib/rustlib/src/rust/library" ]; then
  say "adding the rust-src component (the kernel builds its own core library from it)"
  rustup component add rust-src
fi

if [ "$(bindgen --version 2>/dev/null)" != "bindgen $LAB_BINDGEN_VERSION" ]; then
  say "installing bindgen-cli $LAB_BINDGEN_VERSION (about a minute)"
  cargo install --quiet --locked bindgen-cli --version "$LAB_BINDGEN_VERSION"
fi

# The book's tool.
if [ "$(mdbook --version 2>/dev/null)" != "mdbook v$LAB_MDBOOK_VERSION" ]; then
  say "installing mdbook $LAB_MDBOOK_VERSION (about 2 minutes)"
  cargo install --quiet --locked mdbook --version "$LAB_MDBOOK_VERSION"
fi
if [ "$(mdbook-mermaid --version 2>/dev/null)" != "mdbook-mermaid $LAB_MDBOOK_MERMAID_VERSION" ]; then
  say "installing mdbook-mermaid $LAB_MDBOOK_MERMAID_VERSION (a few minutes)"
  cargo install --quiet --locked mdbook-mermaid --version "$LAB_MDBOOK_MERMAID_VERSION"
fi
