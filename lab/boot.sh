#!/usr/bin/env bash
# Boots the lab kernel under qemu with an initramfs holding busybox and the
# files of STAGE (they appear in the guest as /lab), runs /lab/RUN there, and
# powers off. The guest's console is this script's standard output.
#
#   lab/boot.sh KERNEL_DIR STAGE RUN      run a guest script, e.g. check.sh
#   lab/boot.sh KERNEL_DIR STAGE shell    an interactive shell (leave with exit)
#
# Any oops, panic or kernel warning ends the run at once (oops=panic,
# panic_on_warn=1, panic=-1 with -no-reboot). A hard limit of LAB_TIMEOUT
# seconds (default 300, 900 on the debug kernel) stops a guest that hangs.
# LAB_KVM=1 uses KVM.
# LAB_DEBUG=1 says KERNEL_DIR is the debug kernel (more memory for KASAN's
# shadow and kmemleak). LAB_GDB_PORT=N starts the VM stopped, waiting for
# gdb on TCP port N (lab/gdb.sh attaches it); the time limit is then off.
# LAB_SERIAL2=FILE gives the guest a second serial port, /dev/ttyS1, whose
# bytes land unchanged in FILE on the host: how `course trace` carries a
# capture out of the VM (the console stays text).
set -euo pipefail
source "$(dirname "$0")/common.sh"

[ $# = 3 ] || die "usage: lab/boot.sh KERNEL_DIR STAGE RUN|shell"
kdir=$1 stage=$2 run=$3
bzimage="$kdir/arch/x86/boot/bzImage"
[ -f "$bzimage" ] || die "no kernel at $bzimage: run lab/kernel.sh"
busybox=$(command -v busybox) || die "busybox not found: run lab/setup.sh"

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,dev,proc,sys,tmp,etc,root,home/student,lab}
# mktemp made the root 0700: make it 0755, or no user but root can reach /bin.
chmod 755 "$root"
cp "$busybox" "$root/bin/busybox"
install -m 755 "$LAB_DIR/guest/init" "$root/init"
cp "$LAB_DIR/guest/lib.sh" "$root/lab/lib.sh"
printf 'root:x:0:0:root:/root:/bin/sh\nstudent:x:1000:1000:student:/home/student:/bin/sh\n' >"$root/etc/passwd"
printf 'root:x:0:\nstudent:x:1000:\n' >"$root/etc/group"
chown 1000:1000 "$root/home/student" 2>/dev/null || true
# -a keeps hard links: a file staged for several jobs is one file in the VM.
cp -a "$stage"/. "$root/lab/"
(cd "$root" && find . | cpio -o -H newc --quiet) >"$root.cpio"
trap 'rm -rf "$root" "$root.cpio"' EXIT

append="console=ttyS0 panic=-1 oops=panic panic_on_warn=1 lab.run=$run"
# Faster boots under emulation: the console is the serial port, so skip
# probing the PS/2 mouse and keyboard (half a second), and make none of the
# 256 legacy BSD ptys nobody uses (a third of a second).
append+=" i8042.noaux i8042.nokbd pty.legacy_count=0"
# Checks read the kernel log with dmesg; keep the console for results and
# crashes (and on the debug kernel for whole reports: their call traces and
# lockdep's are printed as warnings, level 4). The boot's own messages would
# cost the shell a second and a half on the emulated serial port: its init
# turns the console up after boot.
if [ "${LAB_DEBUG:-0}" = 1 ]; then append+=" quiet loglevel=5"; else append+=" quiet loglevel=4"; fi
# The guest's scripts see LAB_DEBUG=1 on the debug kernel (to size their loads).
[ "${LAB_DEBUG:-0}" != 1 ] || append+=" lab.debug=1"
accel=(-accel tcg)
if [ "${LAB_KVM:-0}" = 1 ]; then
  [ -r /dev/kvm ] && [ -w /dev/kvm ] ||
    die "LAB_KVM=1 but /dev/kvm is missing or not usable by $(id -un): unset LAB_KVM to use emulation"
  accel=(-accel kvm -cpu host)
fi

# The second serial port (LAB_SERIAL2): qemu writes what the guest sends to it
# into the file, byte for byte (about 40 KB/s under emulation). Naming one
# serial port turns off -nographic's default, so the console's is named too.
serial2=()
[ -z "${LAB_SERIAL2:-}" ] ||
  serial2=(-serial mon:stdio -serial "file:$LAB_SERIAL2")

# Two CPUs as two sockets: the kernel has no ACPI and finds CPUs in the BIOS's
# MP table, which lists one per socket (with -smp 2 alone it sees one).
memory=256M
[ "${LAB_DEBUG:-0}" = 1 ] && memory=512M
qemu=(qemu-system-x86_64 "${accel[@]}" -smp 2,sockets=2 -m "$memory" -nographic -no-reboot
      -nic none  # no network card: the lab needs only loopback, and its ROM is slow
      "${serial2[@]}"
      -kernel "$bzimage" -initrd "$root.cpio" -append "$append")
if [ -n "${LAB_GDB_PORT:-}" ]; then
  qemu+=(-gdb "tcp:127.0.0.1:$LAB_GDB_PORT" -S)
fi
if [ "$run" = shell ] || [ -n "${LAB_GDB_PORT:-}" ]; then
  "${qemu[@]}"
else
  # The debug kernel runs checks several times slower: a longer default.
  limit=300
  [ "${LAB_DEBUG:-0}" = 1 ] && limit=900
  timeout "${LAB_TIMEOUT:-$limit}" "${qemu[@]}" </dev/null
fi
