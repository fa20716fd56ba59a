# Shared settings of the lab scripts; sourced, never run.
# Every setting can be overridden from the environment, e.g. LAB_JOBS=1 make test.

# Where built kernels, unpacked sources and tools are cached: outside the
# repository, so a fresh clone reuses them and `git clean` never loses them.
: "${LAB_CACHE:=${XDG_CACHE_HOME:-$HOME/.cache}/netlink-course}"
# The suffix of Debian's LLVM tools (clang-19, ld.lld-19, ...), passed as LLVM=-19.
: "${LAB_LLVM:=-19}"
# Parallel jobs for the kernel build.
: "${LAB_JOBS:=$(( $(nproc) + 1 ))}"
# The Debian package that holds the kernel source, and its tarball.
: "${LAB_SOURCE_PKG:=linux-source-6.12}"
: "${LAB_SOURCE_TARBALL:=/usr/src/linux-source-6.12.tar.xz}"
# bindgen version the setup installs (the kernel needs >= 0.65.1).
: "${LAB_BINDGEN_VERSION:=0.72.1}"
# mdBook version for the book.
: "${LAB_MDBOOK_VERSION:=0.5.4}"

LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export PATH="$HOME/.cargo/bin:$PATH"

say() { printf 'lab: %s\n' "$*" >&2; }
die() { printf 'lab: error: %s\n' "$*" >&2; exit 1; }

# Run as root: directly when we are root, through sudo otherwise.
as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif command -v sudo >/dev/null; then sudo "$@"
  else die "need root for: $* (no sudo found)"; fi
}
