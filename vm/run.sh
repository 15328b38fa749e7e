#!/bin/bash
# Runs CMD inside the pure cgroup v2 test guest and exits with CMD's status.
#
#   vm/run.sh [--timeout SECONDS] CMD [ARG...]
#
# The guest sees the host's / (read-only, under a tmpfs overlay: writes stay in the guest), so CMD
# runs in the current directory at the same path with the host's built tree and /usr/bin/node.
# The console (CMD's stdout and stderr) streams to stdout. Exit status: CMD's; 124 when the
# timeout (default 3600 s, or $VM_TIMEOUT) expires; 125 when the guest failed to run CMD.
#
# Env: VM_TIMEOUT seconds, VM_MEM guest memory (default 3G), VM_SMP guest CPUs (default 2),
#      VM_VERBOSE=1 shows the kernel's log and each step of the guest's init,
#      VM_PASS_ENV names of host variables to pass to CMD (CI is always passed when set).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)

timeout=${VM_TIMEOUT:-3600}
if [ "${1:-}" = --timeout ]; then timeout=${2:?--timeout needs seconds}; shift 2; fi
[ $# -gt 0 ] || { echo "usage: vm/run.sh [--timeout SECONDS] CMD [ARG...]" >&2; exit 2; }

# The guest mounts fresh filesystems on these, so a directory below them does not exist there
# (a directory below /tmp is carried over by the guest: see guest-init.sh).
case "$PWD/" in
  /run/*|/proc/*|/sys/*|/dev/*)
    echo "vm/run.sh: $PWD: the guest has its own /run, /proc, /sys and /dev; run from elsewhere" >&2; exit 2;;
esac

bash "$repo/vm/build-guest.sh"
out="$repo/build/vm"

# The control share: CMD goes in as a script, its status comes back as a file.
ctl=$(mktemp -d "$out/run.XXXXXX")
trap 'rm -rf "$ctl"' EXIT
{
  echo "cd $(printf '%q' "$PWD") || exit 125"
  for v in CI ${VM_PASS_ENV:-}; do
    if [ -n "${!v+set}" ]; then echo "export $v=$(printf '%q' "${!v}")"; fi
  done
  printf 'exec'; printf ' %q' "$@"; echo
} > "$ctl/cmd"
printf '%s\n' "$PWD" > "$ctl/workdir"

append="console=ttyS0 panic=-1 hugepages=16 ${VM_APPEND:-}"
if [ "${VM_VERBOSE:-}" = 1 ]; then append="$append loglevel=7 hullvm.verbose"; else append="$append quiet loglevel=1"; fi

qemu=(
  qemu-system-x86_64
  -accel tcg,thread=multi -cpu max -smp "${VM_SMP:-2}" -m "${VM_MEM:-3G}"
  -nodefaults -no-user-config -no-reboot -display none -monitor none
  -chardev stdio,id=console,signal=on -serial chardev:console
  -kernel "$out/vmlinux" -initrd "$out/initramfs.cpio" -append "$append"
  # multidevs=remap: the host's / spans several filesystems; keep inode numbers unique in the guest.
  -fsdev local,id=hostroot,path=/,security_model=passthrough,readonly=on,multidevs=remap
  -device virtio-9p-pci,fsdev=hostroot,mount_tag=hostroot
  -fsdev "local,id=hullctl,path=$ctl,security_model=passthrough"
  -device virtio-9p-pci,fsdev=hullctl,mount_tag=hullctl
  -device virtio-rng-pci
  # A block device (/dev/vda, reads return zeroes, nothing stored) for per-device io.* settings.
  -blockdev driver=null-co,node-name=scratch,size=67108864,read-zeroes=on
  -device virtio-blk-pci,drive=scratch
  -device isa-debug-exit,iobase=0xf4,iosize=0x04
)

set +e
timeout --foreground -k 10 "$timeout" "${qemu[@]}" </dev/null
qemu_status=$?
set -e

if [ -s "$ctl/status" ]; then exit "$(cat "$ctl/status")"; fi
if [ "$qemu_status" = 124 ]; then
  echo "vm/run.sh: timed out after ${timeout}s: $*" >&2; exit 124
fi
echo "vm/run.sh: the guest stopped without reporting a status (qemu exited with $qemu_status); rerun with VM_VERBOSE=1" >&2
exit 125
