#!/bin/sh
# /init of the pure cgroup v2 test guest (built into the initramfs by vm/build-guest.sh).
#
# Stage 1 (in the initramfs, busybox only): load the virtio/9p/overlay modules, mount the host's /
# (9p tag "hostroot", read-only) under a tmpfs overlay so the guest sees the host's tree at the same
# paths and can write anywhere without touching the host, mount the control share (9p tag
# "hullctl", read-write) at /run/hull-vm/ctl, and switch_root into the overlay.
# Stage 2 (in the new root, still PID 1): set up /dev, /tmp, /run and a pure cgroup v2 hierarchy
# with every controller enabled, run /run/hull-vm/ctl/cmd (written by vm/run.sh), write its exit
# status to /run/hull-vm/ctl/status and power off through QEMU's isa-debug-exit port.

ctl=/run/hull-vm/ctl
# Both roots have it: the initramfs's own copy, and Debian's busybox-static on the host.
bb=/bin/busybox

say() { echo "guest-init: $*" >&2; }

# Power off at once: isa-debug-exit makes QEMU exit; reboot -f (QEMU runs with -no-reboot) if the
# port is absent. Never return: PID 1 exiting is a kernel panic.
halt_guest() {
  # stty sets the console with TCSADRAIN: it returns once the last bytes have left the UART.
  $bb stty -onlcr 2>/dev/null
  $bb sync
  printf '\000' | $bb dd of=/dev/port bs=1 seek=244 count=1 conv=notrunc 2>/dev/null
  $bb reboot -f
  exit 1
}

fail() {
  say "$*"
  [ -d "$ctl" ] && echo 125 > "$ctl/status"
  halt_guest
}

# Kernel command line flags: hullvm.verbose shows each step; hullvm.cache=MODE sets the 9p cache of /.
verbose=
case " $(cat /proc/cmdline 2>/dev/null) " in *" hullvm.verbose "*) verbose=1;; esac
step() { [ -z "$verbose" ] || say "$(cut -d" " -f1 /proc/uptime 2>/dev/null) $*"; }

stage1() {
  export PATH=/bin
  mount -t proc proc /proc
  mount -t sysfs sysfs /sys
  mount -t devtmpfs devtmpfs /dev
  case " $(cat /proc/cmdline) " in *" hullvm.verbose "*) verbose=1;; esac
  cache=mmap
  for arg in $(cat /proc/cmdline); do case "$arg" in hullvm.cache=*) cache=${arg#hullvm.cache=};; esac; done

  step "loading modules"
  for m in $(cat /modules/order); do
    insmod "/modules/$m.ko" || fail "insmod $m failed"
  done

  step "mounting the host's / over 9p"
  # cache=mmap: every read and stat asks the host, so files rebuilt on the host during a run (tsc
  # writing lib/) are seen as they are; hullvm.cache=loose trades that for a guest-side cache
  # (no measurable gain here).
  mount -t 9p -o trans=virtio,version=9p2000.L,ro,cache=$cache,msize=512000 hostroot /lower \
    || fail "mount 9p hostroot on /lower failed"
  mount -t tmpfs -o mode=755 guest-rw /rw || fail "mount tmpfs on /rw failed"
  mkdir -p /rw/upper /rw/work
  mount -t overlay -o lowerdir=/lower,upperdir=/rw/upper,workdir=/rw/work overlay /newroot \
    || fail "mount overlay on /newroot failed"

  mount -t tmpfs -o nosuid,nodev,mode=755 tmpfs /newroot/run || fail "mount tmpfs on /run failed"
  mkdir -p /newroot$ctl
  # cache=none: the status written here must reach the host before the guest powers off.
  mount -t 9p -o trans=virtio,version=9p2000.L,cache=none,msize=512000 hullctl /newroot$ctl \
    || fail "mount 9p hullctl on $ctl failed"
  cp /init /newroot/run/hull-vm/init

  for fs in /proc /sys /dev; do mount --move $fs /newroot$fs || fail "move $fs failed"; done
  step "switching root"
  exec switch_root /newroot /bin/busybox sh /run/hull-vm/init stage2
  fail "switch_root failed"
}

stage2() {
  export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

  step "setting up /dev, /tmp, /run"
  mkdir -p /dev/pts /dev/shm /dev/mqueue
  mount -t devpts -o newinstance,ptmxmode=0666,mode=0620,gid=5,nosuid,noexec devpts /dev/pts || fail "mount devpts failed"
  mount -t tmpfs -o nosuid,nodev,mode=1777 shm /dev/shm || fail "mount /dev/shm failed"
  mount -t mqueue -o nosuid,nodev,noexec mqueue /dev/mqueue || fail "mount mqueue failed"
  ln -sfn /proc/self/fd /dev/fd
  ln -sfn /proc/self/fd/0 /dev/stdin
  ln -sfn /proc/self/fd/1 /dev/stdout
  ln -sfn /proc/self/fd/2 /dev/stderr
  ln -sfn /proc/kcore /dev/core
  # A working directory below /tmp (a CI clone, say) would vanish under the guest's own /tmp:
  # hold it aside, mount /tmp, and put it back at the same path.
  workdir=$(cat "$ctl/workdir" 2>/dev/null)
  case "$workdir/" in /tmp/?*)
    mkdir -p /run/hull-vm/workdir && mount --bind "$workdir" /run/hull-vm/workdir || fail "hold $workdir failed";;
  esac
  mount -t tmpfs -o nosuid,nodev,mode=1777 tmpfs /tmp || fail "mount /tmp failed"
  case "$workdir/" in /tmp/?*)
    mkdir -p "$workdir" && mount --move /run/hull-vm/workdir "$workdir" || fail "restore $workdir failed";;
  esac
  mkdir -p /run/lock /run/user
  mount -t bpf -o mode=700 bpf /sys/fs/bpf 2>/dev/null

  step "mounting cgroup2"
  # The options a systemd host uses.
  mount -t cgroup2 -o nsdelegate,memory_recursiveprot cgroup2 /sys/fs/cgroup || fail "mount cgroup2 on /sys/fs/cgroup failed"
  for c in $(cat /sys/fs/cgroup/cgroup.controllers); do
    echo "+$c" > /sys/fs/cgroup/cgroup.subtree_control || say "cannot enable the $c controller"
  done
  for c in memory pids cpu cpuset io hugetlb rdma; do
    case " $(cat /sys/fs/cgroup/cgroup.subtree_control) " in *" $c "*) ;; *) fail "controller $c missing from cgroup.subtree_control";; esac
  done
  # Like systemd, keep PID 1 (and the command) out of the root cgroup, in a leaf of its own.
  mkdir /sys/fs/cgroup/init.scope && echo $$ > /sys/fs/cgroup/init.scope/cgroup.procs || fail "cannot move PID 1 into /init.scope"

  $bb hostname hull-vm
  $bb ip link set lo up 2>/dev/null
  # Output goes out as written: no CR added before each LF.
  $bb stty -onlcr 2>/dev/null

  [ -f "$ctl/cmd" ] || fail "$ctl/cmd missing"
  step "running $ctl/cmd"
  # In the background so that PID 1 sits in `wait`, which also reaps orphaned processes (a
  # container's init whose runtime has exited) as soon as they die.
  env -i PATH="$PATH" HOME=/root LANG=C.UTF-8 TERM=dumb /bin/bash "$ctl/cmd" </dev/null &
  wait $!
  status=$?
  echo "$status" > "$ctl/status"
  step "command exited with $status"
  halt_guest
}

case "${1:-}" in
  stage2) stage2 ;;
  *) stage1 ;;
esac
