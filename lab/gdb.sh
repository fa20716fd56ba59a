#!/usr/bin/env bash
# gdb on the lab VM, with the debug kernel's symbols and gdb scripts.
#
#   lab/gdb.sh KERNEL_DIR STAGE RUN [GDB ARGS...]
#       boots the VM on STAGE stopped at its first instruction (its console
#       goes to STAGE.console), and runs gdb attached to it. The VM runs
#       /lab/RUN (e.g. 02-demo.sh) when you `continue`.
#   lab/gdb.sh --attach KERNEL_DIR STAGE [GDB ARGS...]
#       attaches gdb to a VM that waits already (`course shell --gdb`).
#
# gdb starts with vmlinux's symbols, the kernel's gdb commands (lx-dmesg,
# lx-lsmod, lx-ps, ...) and `lx-symbols STAGE`, which loads each module's
# symbols from STAGE when it loads: `break greet.rs:70` before `continue`
# stops in your module. Leaving gdb stops the VM. The kernel must be the
# debug one (LAB_DEBUG=1), which has debug information and the gdb scripts.
# LAB_GDB_PORT (default 1234) is the TCP port of qemu's gdb stub.
set -euo pipefail
source "$(dirname "$0")/common.sh"

attach=0
if [ "${1:-}" = --attach ]; then attach=1; shift; fi
[ $# -ge $((3 - attach)) ] || die "usage: lab/gdb.sh KERNEL_DIR STAGE RUN [GDB ARGS] | lab/gdb.sh --attach KERNEL_DIR STAGE [GDB ARGS]"
kdir=$(cd "$1" && pwd) stage=$(cd "$2" && pwd)
shift 2
if [ $attach = 0 ]; then run=$1; shift; fi
port=${LAB_GDB_PORT:-1234}
command -v gdb >/dev/null || die "gdb is not installed (Debian: apt-get install gdb)"
[ -f "$kdir/vmlinux-gdb.py" ] ||
  die "$kdir has no vmlinux-gdb.py: gdb needs the debug kernel (LAB_DEBUG=1: make gdb-N does it)"

if [ $attach = 0 ]; then
  console="$stage.console"
  # A session of its own, so that leaving gdb stops qemu and boot.sh together.
  LAB_GDB_PORT=$port setsid bash "$LAB_DIR/boot.sh" "$kdir" "$stage" "$run" </dev/null >"$console" 2>&1 &
  vm=$!
  trap 'kill -- -$vm 2>/dev/null || true' EXIT
  for _ in $(seq 100); do
    # Listening yet? (Read from /proc: a test connection would be gdb's one.)
    awk -v p="$(printf ':%04X' "$port")" '$2 ~ p"$" && $4 == "0A" { f = 1 } END { exit !f }' /proc/net/tcp && break
    kill -0 $vm 2>/dev/null || { cat "$console" >&2; die "the VM did not start"; }
    sleep 0.1
  done
  say "the VM waits for gdb on port $port; its console: $console (tail -f it in another terminal)"
fi

commands="$stage.gdb"
cat >"$commands" <<EOF
set pagination off
set confirm off
add-auto-load-safe-path $kdir
file $kdir/vmlinux
source $kdir/vmlinux-gdb.py
target remote 127.0.0.1:$port
EOF
if [ $attach = 0 ]; then
  # The VM is at its first instruction, before the kernel maps itself:
  # let it run to start_kernel (a hardware breakpoint: the kernel's code
  # cannot be written to yet), where the kernel's data can be read.
  printf 'hbreak start_kernel\ncontinue\ndelete\n' >>"$commands"
fi
cat >>"$commands" <<EOF
lx-symbols $stage
set breakpoint pending on
EOF
# lx-symbols also searches the current folder for modules: the stage's.
cd "$stage"
gdb -q -x "$commands" "$@"
