#!/bin/bash
# Proves the guest is a working pure cgroup v2 host: the controllers, the devices and filesystems a
# container runtime expects, node, limits that bite (OOM kill, pids.max, freeze), and runc running a
# busybox container with limits. Run it inside the guest: `vm/run.sh bash vm/smoke.sh`.
set -uo pipefail
cd "$(dirname "$0")/.."

if [ "$(stat -fc %T /sys/fs/cgroup)" != cgroup2fs ]; then
  echo "smoke: /sys/fs/cgroup is not cgroup2: this is not the pure cgroup v2 guest (run it through vm/run.sh)" >&2
  exit 2
fi

cg=/sys/fs/cgroup
id=hull-smoke-$$
tmp=$(mktemp -d /tmp/$id.XXXXXX)
passed=0 failed=0

cleanup() {
  runc delete -f "$id" >/dev/null 2>&1
  for d in "$cg/$id"-*; do
    [ -d "$d" ] || continue
    echo 1 > "$d/cgroup.kill" 2>/dev/null
    while [ -s "$d/cgroup.procs" ]; do sleep 0.1; done
    rmdir "$d"
  done
  rm -rf "$tmp"
}
trap cleanup EXIT

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
check() { # name command...
  local name=$1 t0 rc; shift
  t0=$(now_ms)
  "$@"; rc=$?
  if [ $rc = 0 ]; then passed=$((passed + 1)); echo "ok - $name ($(( $(now_ms) - t0 )) ms)"
  else failed=$((failed + 1)); echo "not ok - $name"; fi
}
expect() { # what actual wanted
  [ "$2" = "$3" ] || { echo "  $1: got '$2', want '$3'" >&2; return 1; }
}

controllers() {
  local c
  for c in memory pids cpu cpuset io hugetlb rdma; do
    grep -qw "$c" $cg/cgroup.controllers || { echo "  $c missing from cgroup.controllers" >&2; return 1; }
    grep -qw "$c" $cg/cgroup.subtree_control || { echo "  $c missing from cgroup.subtree_control" >&2; return 1; }
  done
  # Nothing of the hybrid layout: no v1 hierarchy mounted anywhere.
  ! awk '$3 == "cgroup" { found = 1 } END { exit !found }' /proc/mounts || { echo "  a cgroup v1 hierarchy is mounted" >&2; return 1; }
}

devices() {
  local d
  for d in null zero full random urandom tty ptmx; do
    [ -c /dev/$d ] || { echo "  /dev/$d is not a character device" >&2; return 1; }
  done
  echo x > /dev/null && [ "$(head -c 3 /dev/zero | od -An -tx1 | tr -d ' ')" = 000000 ] || return 1
  [ -e /dev/fd/0 ] && [ -L /dev/stdout ] || { echo "  /dev/fd or /dev/stdout missing" >&2; return 1; }
}

mounts() {
  local want m
  for want in /proc:proc /sys:sysfs /dev:devtmpfs /dev/pts:devpts /dev/shm:tmpfs /dev/mqueue:mqueue \
              /tmp:tmpfs /run:tmpfs /sys/fs/cgroup:cgroup2 /:overlay; do
    m=$(awk -v p="${want%%:*}" '$2 == p { t = $3 } END { print t }' /proc/mounts)
    expect "fs type of ${want%%:*}" "$m" "${want#*:}" || return 1
  done
  # Writes land in the guest's overlay, never on the host.
  touch "$PWD/.smoke-write-$$" && rm "$PWD/.smoke-write-$$"
}

node_runs() {
  local v
  v=$(node -e 'process.stdout.write(process.versions.node)') || return 1
  case "$v" in 2[0-9].*) ;; *) echo "  node printed '$v'" >&2; return 1;; esac
}

# A process over memory.max is OOM-killed, and memory.events counts it.
oom_kill() {
  local d=$cg/$id-oom rc
  mkdir "$d" && echo 16M > "$d/memory.max" && echo 0 > "$d/memory.swap.max" || return 1
  # The shell that moved itself in reports dd's status (and the job message goes to /dev/null);
  # the OOM killer picks dd, by far the larger.
  rc=$(bash -c 'echo $$ > "$1/cgroup.procs" && { dd if=/dev/zero of=/dev/null bs=64M count=1 2>/dev/null; echo $?; }' _ "$d" 2>/dev/null)
  expect "exit status of dd in 16M" "$rc" 137 || return 1
  expect "memory.events oom_kill" "$(awk '$1 == "oom_kill" { print $2 }' "$d/memory.events")" 1
}

# pids.max makes fork fail, and pids.events counts it.
pids_max() {
  local d=$cg/$id-pids
  mkdir "$d" && echo 4 > "$d/pids.max" || return 1
  /bin/busybox sh -c 'echo $$ > "$1/cgroup.procs"; for i in 1 2 3 4 5 6; do /bin/busybox sleep 30 & done; wait' _ "$d" 2>/dev/null
  expect "processes left in the cgroup" "$(wc -l < "$d/cgroup.procs")" 3 || return 1
  [ "$(awk '$1 == "max" { print $2 }' "$d/pids.events")" -ge 1 ] || { echo "  pids.events max is 0" >&2; return 1; }
  echo 1 > "$d/cgroup.kill"
}

# cgroup.freeze stops a busy process: cgroup.events says frozen and it gains no CPU time.
freeze() {
  local d=$cg/$id-freeze pid t1 t2
  mkdir "$d" || return 1
  sh -c 'echo $$ > "$1/cgroup.procs" && exec /bin/busybox sh -c "while :; do :; done"' _ "$d" &
  pid=$!
  while ! grep -qx "$pid" "$d/cgroup.procs"; do sleep 0.1; done
  echo 1 > "$d/cgroup.freeze"
  while ! grep -qx 'frozen 1' "$d/cgroup.events"; do sleep 0.1; done
  cputime() { awk '{ print $14 + $15 }' /proc/$pid/stat; }
  t1=$(cputime); sleep 0.5; t2=$(cputime)
  expect "CPU ticks of the frozen loop" "$t2" "$t1" || return 1
  echo 0 > "$d/cgroup.freeze"
  while ! grep -qx 'frozen 0' "$d/cgroup.events"; do sleep 0.1; done
  kill $pid; wait $pid 2>/dev/null
  true
}

# io.max and io.weight act on the guest's block device (/dev/vda).
io_device() {
  local d=$cg/$id-io dev
  [ -b /dev/vda ] || { echo "  /dev/vda is not a block device" >&2; return 1; }
  dev=$(cat /sys/block/vda/dev)
  mkdir "$d" && echo "$dev rbps=1048576 wiops=100" > "$d/io.max" || return 1
  expect "io.max" "$(cat "$d/io.max")" "$dev rbps=1048576 wbps=max riops=max wiops=100" || return 1
  echo "default 300" > "$d/io.weight" || return 1
  expect "io.weight" "$(head -1 "$d/io.weight")" "default 300"
}

# runc (1.1, the reference runtime) runs a busybox container with limits on this host.
runc_run() {
  local b=$tmp/bundle out rootfs=$PWD/build/rootfs
  mkdir -p "$b" || return 1
  # `make rootfs` on the host made it (building it here takes half a minute of emulated forks).
  [ -x "$rootfs/bin/busybox" ] || { rootfs=$tmp/rootfs; bash scripts/make-rootfs.sh "$rootfs" || return 1; }
  (cd "$b" && runc spec) || return 1
  node -e '
    const fs = require("node:fs"); const f = process.argv[1]; const c = JSON.parse(fs.readFileSync(f, "utf8"));
    c.process.terminal = false;
    c.root = { path: process.argv[3], readonly: true };
    c.process.args = ["sh", "-c", "cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/pids.max; hostname"];
    c.linux.cgroupsPath = "/" + process.argv[2];
    c.linux.resources = { ...c.linux.resources, memory: { limit: 33554432 }, pids: { limit: 20 } };
    fs.writeFileSync(f, JSON.stringify(c));' "$b/config.json" "$id-runc" "$rootfs" || return 1
  out=$(runc run --bundle "$b" "$id" </dev/null 2>&1) || { echo "  runc run failed: $out" >&2; return 1; }
  expect "runc container output" "$(echo $out)" "33554432 20 runc" || return 1
  [ ! -e "$cg/$id-runc" ] || { echo "  runc left $cg/$id-runc behind" >&2; return 1; }
}

check "cgroup2 with memory pids cpu cpuset io hugetlb rdma enabled" controllers
check "device nodes" devices
check "filesystems" mounts
check "node runs" node_runs
check "memory.max OOM-kills" oom_kill
check "pids.max stops fork" pids_max
check "cgroup.freeze freezes" freeze
check "io.max on a block device" io_device
check "runc runs a container with limits" runc_run
echo "smoke: $passed passed, $failed failed"
[ "$failed" = 0 ]
