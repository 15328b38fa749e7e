// config-linux.md and runtime-linux.md: namespaces, devices, masked/readonly paths, sysctl, seccomp,
// user namespace mappings, rootfs propagation, cgroups (v1 here).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { cgroupVersion, missingCgroupController, missingThrottleDevice, throttleDevice } from '@hull/testkit/host';
import { type Case, quote } from '../case';
import type { Config } from '../bundle';
import { type Context, check, eq, fail } from '../context';
import { cgroupDir } from './operations';
import { mountAt, parseMountinfo } from './config';

const L = 'config-linux.md';
/** The cgroup cases read v1 files: on a pure cgroup v2 host they are skipped, saying so. */
const V1 = cgroupVersion() === 2 ? 'needs cgroup v1 (the case reads v1 files)' : undefined;

const nsFiles: Record<string, string> = { pid: 'pid', network: 'net', mount: 'mnt', ipc: 'ipc', uts: 'uts', user: 'user', cgroup: 'cgroup' };

/** The namespace links of a container process, by spec type. */
async function containerNamespaces(t: Context, mutate: (c: Config) => void): Promise<Record<string, string>> {
  const types = Object.keys(nsFiles);
  const out = await t.sh(types.map((ty) => `readlink /proc/self/ns/${nsFiles[ty]}`).join('; '), mutate);
  const links = out.trim().split('\n');
  return Object.fromEntries(types.map((ty, i) => [ty, links[i]]));
}

function hostNs(type: string): string {
  return fs.readlinkSync(`/proc/self/ns/${nsFiles[type]}`);
}

function namespaceCase(type: string): Case {
  return {
    name: `namespaces/new-${type}`,
    spec: quote(L, 'If `path` is not specified, the runtime MUST create a new container namespace of type `type`.'),
    async run(t) {
      const ns = await containerNamespaces(t, (c) => {
        if (!c.linux.namespaces.some((n: { type: string }) => n.type === type)) c.linux.namespaces.push({ type });
        if (type === 'user') userMapped(c);
      });
      check(ns[type] !== hostNs(type), `${type} namespace ${ns[type]} is the runtime's`);
    },
  };
}

/** Maps container root to an unprivileged host range; the rootfs stays host-root-owned and world-readable. */
function userMapped(c: Config): void {
  if (!c.linux.namespaces.some((n: { type: string }) => n.type === 'user')) c.linux.namespaces.push({ type: 'user' });
  c.linux.uidMappings = [{ containerID: 0, hostID: 200000, size: 65536 }];
  c.linux.gidMappings = [{ containerID: 0, hostID: 200000, size: 65536 }];
  // sysfs and cgroupfs cannot be mounted by an unprivileged user namespace that does not own the network namespace.
  c.mounts = c.mounts.filter((m: { destination: string }) => m.destination !== '/sys/fs/cgroup');
}

/**
 * The v1 cgroup directory for `controller` of a started container. Read from the running process: a runtime may
 * move its init into the cgroup only at exec (hull does, so the cgroup is not charged for the runtime itself).
 */
async function createdCgroup(t: Context, mutate: (c: Config) => void, controller: string): Promise<string> {
  const b = await t.bundle(mutate, 'touch /ready; exec sleep 1000');
  const id = await t.create(b);
  await t.ok(['start', id]);
  await t.waitFile(path.join(b.rootfs, 'ready'));
  const pid = (await t.state(id)).pid!;
  return cgroupDir(pid, controller);
}

/**
 * Starts a container whose rootfs sits on a shared mount, mounts a tmpfs under its rootfs from the host, and
 * returns whether the container saw it ("seen") or not ("unseen").
 */
async function hostMountSeenInside(t: Context, propagation: string): Promise<string> {
  await t.shareWorkDir();
  const b = await t.bundle((c) => (c.linux.rootfsPropagation = propagation), [
    'mkdir -p /mnt/fromhost; touch /ready',
    // Until the host says it has mounted (give-up): a count of tries would run out on a loaded machine first.
    'while :; do grep -q " /mnt/fromhost " /proc/self/mountinfo && { echo seen > /result; exit 0; }; [ -e /give-up ] && break; sleep 0.1; done',
    'echo unseen > /result',
  ].join('\n'));
  const id = await t.create(b);
  await t.ok(['start', id]);
  await t.waitFile(path.join(b.rootfs, 'ready'));
  const target = path.join(b.rootfs, 'mnt/fromhost');
  execFileSync('mount', ['-t', 'tmpfs', 'hc-fromhost', target]);
  t.defer(() => {
    execFileSync('umount', ['-l', target]);
  });
  // The container checks for the mount before it checks for give-up, so once both exist its answer is final.
  fs.writeFileSync(path.join(b.rootfs, 'give-up'), '');
  return (await t.waitLine(path.join(b.rootfs, 'result'))).trim();
}

function readCg(dir: string, file: string): string {
  return fs.readFileSync(path.join(dir, file), 'utf8').trim();
}

export const linuxCases: Case[] = [
  ...['pid', 'network', 'mount', 'ipc', 'uts', 'cgroup', 'user'].map(namespaceCase),
  {
    name: 'namespaces/inherited-when-absent',
    spec: quote(L, 'If a namespace type is not specified in the `namespaces` array, the container MUST inherit the runtime namespace of that type.'),
    async run(t) {
      const ns = await containerNamespaces(t, (c) => {
        c.linux.namespaces = c.linux.namespaces.filter((n: { type: string }) => n.type === 'mount' || n.type === 'pid');
        delete c.hostname; // setting it needs a private uts namespace
        c.mounts = c.mounts.filter((m: { destination: string }) => m.destination !== '/sys');
      });
      for (const ty of ['network', 'ipc', 'uts', 'user', 'cgroup']) eq(ns[ty], hostNs(ty), `${ty} namespace`);
    },
  },
  {
    name: 'namespaces/join-by-path',
    spec: quote(L, 'The runtime MUST place the container process in the namespace associated with that `path`.'),
    async run(t) {
      const first = await t.bundle(undefined, 'sleep 1000');
      const id = await t.create(first);
      const pid = (await t.state(id)).pid!;
      const ns = await containerNamespaces(t, (c) => {
        c.linux.namespaces = c.linux.namespaces.map((n: { type: string }) =>
          ['network', 'ipc', 'uts'].includes(n.type) ? { type: n.type, path: `/proc/${pid}/ns/${nsFiles[n.type]}` } : n,
        );
        delete c.hostname; // the uts namespace is shared: the joining container must not set it
      });
      for (const ty of ['network', 'ipc', 'uts']) eq(ns[ty], fs.readlinkSync(`/proc/${pid}/ns/${nsFiles[ty]}`), `joined ${ty} namespace`);
      check(ns.pid !== fs.readlinkSync(`/proc/${pid}/ns/pid`), 'pid namespace was shared although not joined');
    },
  },
  {
    name: 'namespaces/join-pid-by-path',
    spec: quote(L, 'The runtime MUST place the container process in the namespace associated with that `path`.'),
    async run(t) {
      const first = await t.bundle(undefined, 'sleep 1000');
      const id = await t.create(first);
      const pid = (await t.state(id)).pid!;
      const ns = await containerNamespaces(t, (c) => {
        c.linux.namespaces = c.linux.namespaces.map((n: { type: string }) => (n.type === 'pid' ? { type: 'pid', path: `/proc/${pid}/ns/pid` } : n));
      });
      eq(ns.pid, fs.readlinkSync(`/proc/${pid}/ns/pid`), 'joined pid namespace');
    },
  },
  {
    name: 'devices/default-devices',
    spec: quote('config-linux.md', 'In addition to any devices configured with this setting, the runtime MUST also supply: /dev/null /dev/zero /dev/full /dev/random /dev/urandom /dev/tty /dev/ptmx'),
    async run(t) {
      const out = await t.sh('for d in null zero full random urandom tty; do stat -c "%n %F %t:%T" /dev/$d; done; [ -e /dev/ptmx ] && echo ptmx; echo x > /dev/null && echo null-ok; head -c 4 /dev/zero | wc -c');
      const lines = out.trim().split('\n');
      const want: Record<string, string> = { null: '1:3', zero: '1:5', full: '1:7', random: '1:8', urandom: '1:9', tty: '5:0' };
      for (const [name, majmin] of Object.entries(want)) {
        const line = lines.find((l) => l.startsWith(`/dev/${name} `));
        check(line && line.includes('character special') && line.endsWith(` ${majmin.split(':').map((n) => Number(n).toString(16)).join(':')}`), `/dev/${name}: ${line ?? 'missing'}`);
      }
      check(lines.includes('ptmx'), '/dev/ptmx missing');
      check(lines.includes('null-ok'), 'writing /dev/null failed');
      eq(lines[lines.length - 1].trim(), '4', 'bytes read from /dev/zero');
    },
  },
  {
    name: 'devices/dev-symlinks',
    spec: quote('runtime-linux.md', 'While creating the container (step 2 in the lifecycle), runtimes MUST create the following symlinks if the source file exists after processing mounts: /proc/self/fd → /dev/fd, /proc/self/fd/0 → /dev/stdin, /proc/self/fd/1 → /dev/stdout, /proc/self/fd/2 → /dev/stderr'),
    async run(t) {
      const out = await t.sh('for l in fd stdin stdout stderr; do echo "$l $(readlink /dev/$l)"; done');
      eq(out.trim().split('\n'), ['fd /proc/self/fd', 'stdin /proc/self/fd/0', 'stdout /proc/self/fd/1', 'stderr /proc/self/fd/2'], '/dev symlinks');
    },
  },
  {
    name: 'devices/configured-device',
    spec: quote(L, 'devices (array of objects, OPTIONAL) lists devices that MUST be available in the container.'),
    async run(t) {
      const out = await t.sh('stat -c "%F %t:%T %a %u %g" /dev/hc-char /dev/hc-block', (c) => {
        c.linux.devices = [
          { path: '/dev/hc-char', type: 'c', major: 1, minor: 3, fileMode: 0o640, uid: 12, gid: 34 },
          { path: '/dev/hc-block', type: 'b', major: 7, minor: 200, fileMode: 0o600, uid: 0, gid: 0 },
        ];
      });
      eq(out.trim().split('\n'), ['character special file 1:3 640 12 34', 'block special file 7:c8 600 0 0'], 'stat of the configured devices');
    },
  },
  {
    name: 'devices/cgroup-deny-and-allow',
    spec: quote(L, 'devices (array of objects, OPTIONAL) configures the device allowlist. The runtime MUST apply entries in the listed order.'),
    async run(t) {
      // A loop device node made inside (mknod is allowed by the default "m" rules): b 7:0 is in no runtime's default
      // allowlist, and open() is what the devices cgroup checks.
      const probe = 'mknod /tmp/hc-loop b 7 0 && dd if=/tmp/hc-loop of=/dev/null bs=512 count=1 2>&1 | grep -q "not permitted" && echo denied || echo allowed';
      eq((await t.sh(probe)).trim(), 'denied', 'open of a device the cgroup does not allow');
      const allowed = await t.sh(probe, (c) => c.linux.resources.devices.push({ allow: true, type: 'b', major: 7, minor: 0, access: 'rw' }));
      eq(allowed.trim(), 'allowed', 'open of a device the cgroup allows');
    },
  },
  {
    name: 'maskedPaths/file-and-directory',
    spec: quote(L, 'maskedPaths (array of strings, OPTIONAL) will mask over the provided paths inside the container so that they cannot be read.'),
    async run(t) {
      const b = await t.bundle((c) => (c.linux.maskedPaths = ['/proc/kcore', '/sys/firmware', '/etc/hc-secret']), 'cat /proc/kcore 2>/dev/null | wc -c; ls -A /sys/firmware | wc -l; cat /etc/hc-secret 2>/dev/null | wc -c');
      fs.writeFileSync(path.join(b.rootfs, 'etc/hc-secret'), 'secret\n');
      const inv = await t.run(b);
      eq(inv.stdout.trim().split('\n').map((s) => s.trim()), ['0', '0', '0'], 'bytes/entries readable in /proc/kcore, /sys/firmware, /etc/hc-secret');
    },
  },
  {
    name: 'readonlyPaths',
    spec: quote(L, 'readonlyPaths (array of strings, OPTIONAL) will set the provided paths as readonly inside the container.'),
    async run(t) {
      const out = await t.sh('echo 1 > /proc/sys/kernel/hostname 2>/dev/null && echo writable || echo readonly; touch /etc/hc-ro 2>/dev/null && echo writable || echo readonly; touch /tmp/ok && echo tmp-writable', (c) => {
        c.linux.readonlyPaths = ['/proc/sys', '/etc'];
      });
      eq(out.trim().split('\n'), ['readonly', 'readonly', 'tmp-writable'], 'writes under /proc/sys, /etc, /tmp');
    },
  },
  {
    name: 'sysctl/namespaced',
    spec: quote(L, 'sysctl (object, OPTIONAL) allows kernel parameters to be modified at runtime for the container.'),
    async run(t) {
      const out = await t.sh('cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/shmmni /proc/sys/net/ipv4/ping_group_range', (c) => {
        c.linux.sysctl = { 'net.ipv4.ip_forward': '1', 'kernel.shmmni': '1234', 'net.ipv4.ping_group_range': '0 42' };
      });
      eq(out.trim().split('\n').map((l) => l.replace(/\s+/g, ' ')), ['1', '1234', '0 42'], 'sysctl values');
    },
  },
  {
    name: 'seccomp/errno-rule',
    spec: quote(L, 'Seccomp provides application sandboxing mechanism in the Linux kernel. Seccomp configuration allows one to configure actions to take for matched syscalls'),
    async run(t) {
      const out = await t.sh('grep ^Seccomp: /proc/self/status; mkdir /tmp/d 2>&1 || echo mkdir-failed; touch /tmp/f && echo touch-ok', (c) => {
        c.linux.seccomp = { defaultAction: 'SCMP_ACT_ALLOW', architectures: ['SCMP_ARCH_X86_64'], syscalls: [{ names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO', errnoRet: 1 }] };
      });
      const lines = out.trim().split('\n');
      eq(lines[0].replace(/\s+/g, ' '), 'Seccomp: 2', 'seccomp mode');
      check(lines.some((l) => /Operation not permitted/.test(l)), `mkdir did not fail with EPERM: ${out.trim()}`);
      check(lines.includes('touch-ok'), 'an allowed syscall failed');
    },
  },
  {
    name: 'seccomp/errnoRet',
    spec: quote(L, 'errnoRet (uint, OPTIONAL) - the errno return code to use. Some actions like SCMP_ACT_ERRNO and SCMP_ACT_TRACE allow to specify the errno code to return.'),
    async run(t) {
      const out = await t.sh('mkdir /tmp/d 2>&1; true', (c) => {
        c.linux.seccomp = { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO', errnoRet: 28 }] };
      });
      check(/No space left on device/.test(out), `mkdir error with errnoRet 28 (ENOSPC): ${out.trim()}`);
    },
  },
  {
    name: 'seccomp/argument-filter',
    spec: quote(L, 'args (array of objects, OPTIONAL) - the specific syscall in seccomp.'),
    async run(t) {
      // kill(pid, SIGUSR1) is refused, kill(pid, SIGUSR2) is not: only the argument differs.
      const out = await t.sh("trap 'echo got-usr2' USR2; kill -USR1 $$ 2>/dev/null && echo usr1-sent || echo usr1-refused; kill -USR2 $$ && echo usr2-sent", (c) => {
        c.linux.seccomp = { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['kill'], action: 'SCMP_ACT_ERRNO', errnoRet: 1, args: [{ index: 1, value: 10, op: 'SCMP_CMP_EQ' }] }] };
      });
      const lines = out.trim().split('\n');
      check(lines.includes('usr1-refused'), `kill -USR1 was not filtered: ${out.trim()}`);
      check(lines.includes('usr2-sent'), `kill -USR2 was filtered too: ${out.trim()}`);
    },
  },
  {
    name: 'userns/mappings',
    spec: quote(L, 'uidMappings (array of objects, OPTIONAL) describes the user namespace uid mappings from the host to the container. gidMappings (array of objects, OPTIONAL) describes the user namespace gid mappings from the host to the container.'),
    async run(t) {
      const out = await t.sh('cat /proc/self/uid_map /proc/self/gid_map; id -u', (c) => {
        userMapped(c);
        c.linux.gidMappings = [{ containerID: 0, hostID: 300000, size: 1000 }];
      });
      const lines = out.trim().split('\n').map((l) => l.trim().split(/\s+/).join(' '));
      eq(lines, ['0 200000 65536', '0 300000 1000', '0'], 'uid_map, gid_map, id -u');
    },
  },
  {
    name: 'rootfsPropagation/private',
    spec: quote(L, 'rootfsPropagation (string, OPTIONAL) sets the rootfs\'s mount propagation. Its value is either `shared`, `slave`, `private` or `unbindable`.'),
    async run(t) {
      await t.shareWorkDir();
      const m = mountAt(parseMountinfo(await t.sh('cat /proc/self/mountinfo', (c) => (c.linux.rootfsPropagation = 'private'))), '/');
      check(!m.optional.some((o) => /^(shared|master):/.test(o)), `/ with rootfsPropagation private: "${m.optional.join(' ')}"`);
    },
  },
  {
    name: 'rootfsPropagation/slave',
    deviations: { runc: 'runc 1.1 leaves the rootfs mount private here (no master: in mountinfo), so host mounts never reach it' },
    spec: quote(L, 'rootfsPropagation (string, OPTIONAL) sets the rootfs\'s mount propagation. Its value is either `shared`, `slave`, `private` or `unbindable`.'),
    async run(t) {
      eq(await hostMountSeenInside(t, 'slave'), 'seen', 'a host mount under a slave rootfs, seen from inside');
    },
  },
  {
    name: 'rootfsPropagation/private-isolates',
    spec: quote(L, 'rootfsPropagation (string, OPTIONAL) sets the rootfs\'s mount propagation. Its value is either `shared`, `slave`, `private` or `unbindable`.'),
    async run(t) {
      eq(await hostMountSeenInside(t, 'private'), 'unseen', 'a host mount under a private rootfs, seen from inside');
    },
  },
  {
    // What the sentence requires: the container's "/" has the asked propagation. Whether a mount
    // made inside must also reach the host's copy of the rootfs is not in the spec; peering the
    // rootfs with the host's mount would also push the runtime's own proc/dev/sys mounts onto the
    // host, so this case does not ask for it.
    name: 'rootfsPropagation/shared',
    spec: quote(L, 'rootfsPropagation (string, OPTIONAL) sets the rootfs\'s mount propagation. Its value is either `shared`, `slave`, `private` or `unbindable`.'),
    deviations: { runc: 'runc 1.1 makes the rootfs mount private whatever rootfsPropagation says' },
    async run(t) {
      const m = mountAt(parseMountinfo(await t.sh('cat /proc/self/mountinfo', (c) => (c.linux.rootfsPropagation = 'shared'))), '/');
      check(m.optional.some((f) => f.startsWith('shared:')), `/ with rootfsPropagation shared: "${m.optional.join(' ')}"`);
    },
  },
  {
    name: 'rootfsPropagation/unbindable',
    spec: quote(L, 'rootfsPropagation (string, OPTIONAL) sets the rootfs\'s mount propagation. Its value is either `shared`, `slave`, `private` or `unbindable`.'),
    deviations: { runc: 'runc 1.1 cannot bind the rootfs once / is unbindable and fails to create the container' },
    async run(t) {
      const m = mountAt(parseMountinfo(await t.sh('cat /proc/self/mountinfo', (c) => (c.linux.rootfsPropagation = 'unbindable'))), '/');
      check(m.optional.includes('unbindable'), `/ with rootfsPropagation unbindable: "${m.optional.join(' ')}"`);
    },
  },
  {
    name: 'cgroups/absolute-cgroupsPath',
    spec: quote(L, 'In the case of an absolute path (starting with `/`), the runtime MUST take the path to be relative to the cgroups mount point.'),
    async run(t) {
      t.needs(V1, missingCgroupController('memory'));
      const parent = `hull-conformance-${process.pid}-${Date.now()}`;
      const want = `/${parent}/leaf`;
      t.defer(() => {
        for (const h of fs.readdirSync('/sys/fs/cgroup')) {
          const dir = path.join('/sys/fs/cgroup', h, parent);
          if (fs.existsSync(dir)) fs.rmdirSync(dir);
        }
      });
      const dir = await createdCgroup(t, (c) => (c.linux.cgroupsPath = want), 'memory');
      eq(dir, path.join('/sys/fs/cgroup/memory', want), 'memory cgroup of the container');
    },
  },
  {
    name: 'cgroups/memory',
    spec: quote(L, 'limit (int64, OPTIONAL) - sets limit of memory usage in bytes'),
    async run(t) {
      t.needs(V1, missingCgroupController('memory'));
      const dir = await createdCgroup(t, (c) => (c.linux.resources.memory = { limit: 96 << 20, reservation: 48 << 20, swappiness: 10 }), 'memory');
      eq(readCg(dir, 'memory.limit_in_bytes'), String(96 << 20), 'memory.limit_in_bytes');
      eq(readCg(dir, 'memory.soft_limit_in_bytes'), String(48 << 20), 'memory.soft_limit_in_bytes');
      eq(readCg(dir, 'memory.swappiness'), '10', 'memory.swappiness');
    },
  },
  {
    name: 'cgroups/cpu',
    spec: quote(L, 'shares (uint64, OPTIONAL) - specifies a relative share of CPU time available to the tasks in a cgroup; quota (int64, OPTIONAL) ...; period (uint64, OPTIONAL)'),
    async run(t) {
      t.needs(V1, missingCgroupController('cpu'));
      const dir = await createdCgroup(t, (c) => (c.linux.resources.cpu = { shares: 256, quota: 50000, period: 100000 }), 'cpu');
      eq([readCg(dir, 'cpu.shares'), readCg(dir, 'cpu.cfs_quota_us'), readCg(dir, 'cpu.cfs_period_us')], ['256', '50000', '100000'], 'cpu.shares, cfs_quota_us, cfs_period_us');
    },
  },
  {
    name: 'cgroups/cpuset',
    spec: quote(L, 'cpus (string, OPTIONAL) - list of CPUs the container will run on. mems (string, OPTIONAL) - list of memory nodes the container will run on.'),
    async run(t) {
      t.needs(V1, missingCgroupController('cpuset'));
      const dir = await createdCgroup(t, (c) => (c.linux.resources.cpu = { cpus: '0', mems: '0' }), 'cpuset');
      eq([readCg(dir, 'cpuset.cpus'), readCg(dir, 'cpuset.mems')], ['0', '0'], 'cpuset.cpus, cpuset.mems');
    },
  },
  {
    name: 'cgroups/blkio-throttle',
    spec: quote(L, 'throttleReadBpsDevice, throttleWriteBpsDevice (array of objects, OPTIONAL) - specify the list of devices which will be bandwidth rate limited.'),
    async run(t) {
      // A whole block device that takes a throttle here (the disk under / where it can).
      t.needs(V1, missingThrottleDevice());
      const { major, minor } = throttleDevice()!;
      const dir = await createdCgroup(t, (c) => {
        c.linux.resources.blockIO = {
          throttleReadBpsDevice: [{ major, minor, rate: 1048576 }],
          throttleWriteIOPSDevice: [{ major, minor, rate: 300 }],
        };
      }, 'blkio');
      eq(readCg(dir, 'blkio.throttle.read_bps_device'), `${major}:${minor} 1048576`, 'blkio.throttle.read_bps_device');
      eq(readCg(dir, 'blkio.throttle.write_iops_device'), `${major}:${minor} 300`, 'blkio.throttle.write_iops_device');
    },
  },
  {
    name: 'cgroups/pids',
    spec: quote(L, 'limit (int64, REQUIRED) - specifies the maximum number of tasks in the cgroup'),
    async run(t) {
      t.needs(V1, missingCgroupController('pids'));
      const dir = await createdCgroup(t, (c) => (c.linux.resources.pids = { limit: 33 }), 'pids');
      eq(readCg(dir, 'pids.max'), '33', 'pids.max');
    },
  },
  {
    name: 'cgroups/pids-enforced',
    spec: quote(L, 'limit (int64, REQUIRED) - specifies the maximum number of tasks in the cgroup'),
    async run(t) {
      t.needs(missingCgroupController('pids'));
      // sh, the subshell and at most two sleeps fit under pids.max=4; the fork that exceeds it fails.
      const out = await t.sh('(for i in 1 2 3 4 5 6; do sleep 5 & echo started; done) 2>/dev/null; kill -9 -1 2>/dev/null; true', (c) => (c.linux.resources.pids = { limit: 4 }));
      const started = out.split('\n').filter((l) => l === 'started').length;
      check(started < 6 && started <= 3, `started ${started} background sleeps under pids.max=4`);
    },
  },
  {
    name: 'cgroups/process-is-in-cgroup',
    spec: quote(L, 'The `cgroupsPath` field specifies the path to the cgroups ... If the value is specified, the runtime MUST consistently attach to the same place in the cgroups hierarchy given the same value of cgroupsPath.'),
    async run(t) {
      t.needs(V1, missingCgroupController('memory'));
      const want = `/hull-conformance-${process.pid}-${Date.now()}`;
      const b = await t.bundle((c) => (c.linux.cgroupsPath = want), 'cat /proc/self/cgroup');
      const inv = await t.run(b);
      eq(inv.code, 0, 'run exit status');
      const memLine = inv.stdout.split('\n').find((l) => l.split(':')[1] === 'memory');
      check(memLine, `no memory line in /proc/self/cgroup: ${inv.stdout}`);
      // Without a cgroup namespace the process sees the host path.
      eq(memLine.split(':')[2], want, 'memory cgroup seen by the process');
    },
  },
];
