// config.md: root, mounts, process, hostname, domainname — checked from inside the container.
import fs from 'node:fs';
import path from 'node:path';
import { missingRlimit } from '@hull/testkit/host';
import { type Case, quote } from '../case';
import type { Config } from '../bundle';
import { type Context, check, eq, fail } from '../context';

const C = 'config.md';

/** One /proc/self/mountinfo line, the fields a case needs. */
export interface MountInfo {
  mountPoint: string;
  options: string[];
  optional: string[];
  fsType: string;
  superOptions: string[];
}

export function parseMountinfo(text: string): MountInfo[] {
  return text
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [left, right] = line.split(' - ');
      const f = left.split(' ');
      const r = (right ?? '').split(' ');
      return { mountPoint: f[4], options: f[5].split(','), optional: f.slice(6), fsType: r[0], superOptions: (r[2] ?? '').split(',') };
    });
}

/** The last mount at `point` (the one a process sees). */
export function mountAt(mounts: MountInfo[], point: string): MountInfo {
  const m = mounts.filter((x) => x.mountPoint === point).pop();
  if (!m) fail(`nothing mounted at ${point} (mounts: ${mounts.map((x) => x.mountPoint).join(' ')})`);
  return m;
}

async function mountsIn(t: Context, mutate: (c: Config) => void): Promise<MountInfo[]> {
  return parseMountinfo(await t.sh('cat /proc/self/mountinfo', mutate));
}

/** Cases checking that a tmpfs mounted with `option` shows `token` in its per-mount or superblock options. */
function mountOptionCase(option: string, token: string, absent?: string): Case {
  return {
    name: `mounts/option-${option}`,
    spec: quote(C, `Runtimes MUST/SHOULD/MAY implement the following option strings for Linux: \`${option}\` MUST`),
    async run(t) {
      const mounts = await mountsIn(t, (c) => c.mounts.push({ destination: '/mnt/opt', type: 'tmpfs', source: 'tmpfs', options: [option] }));
      const m = mountAt(mounts, '/mnt/opt');
      const all = [...m.options, ...m.superOptions];
      check(all.includes(token), `/mnt/opt mounted with ${option}: options ${m.options.join(',')} / ${m.superOptions.join(',')} lack ${token}`);
      if (absent) check(!all.includes(absent), `/mnt/opt mounted with ${option} still shows ${absent}`);
    },
  };
}

const capNumbers: Record<string, number> = {
  CAP_CHOWN: 0, CAP_DAC_OVERRIDE: 1, CAP_DAC_READ_SEARCH: 2, CAP_FOWNER: 3, CAP_FSETID: 4, CAP_KILL: 5, CAP_SETGID: 6,
  CAP_SETUID: 7, CAP_SETPCAP: 8, CAP_LINUX_IMMUTABLE: 9, CAP_NET_BIND_SERVICE: 10, CAP_NET_BROADCAST: 11, CAP_NET_ADMIN: 12,
  CAP_NET_RAW: 13, CAP_IPC_LOCK: 14, CAP_IPC_OWNER: 15, CAP_SYS_MODULE: 16, CAP_SYS_RAWIO: 17, CAP_SYS_CHROOT: 18,
  CAP_SYS_PTRACE: 19, CAP_SYS_PACCT: 20, CAP_SYS_ADMIN: 21, CAP_SYS_BOOT: 22, CAP_SYS_NICE: 23, CAP_SYS_RESOURCE: 24,
  CAP_SYS_TIME: 25, CAP_SYS_TTY_CONFIG: 26, CAP_MKNOD: 27, CAP_LEASE: 28, CAP_AUDIT_WRITE: 29, CAP_AUDIT_CONTROL: 30,
  CAP_SETFCAP: 31, CAP_MAC_OVERRIDE: 32, CAP_MAC_ADMIN: 33, CAP_SYSLOG: 34, CAP_WAKE_ALARM: 35, CAP_BLOCK_SUSPEND: 36,
  CAP_AUDIT_READ: 37,
};

function capMask(names: string[]): bigint {
  return names.reduce((m, n) => m | (1n << BigInt(capNumbers[n])), 0n);
}

/** /proc/self/status of a container process, as key → value. */
async function status(t: Context, mutate: (c: Config) => void): Promise<Record<string, string>> {
  const out = await t.sh('cat /proc/self/status', mutate);
  const r: Record<string, string> = {};
  for (const line of out.split('\n')) {
    const i = line.indexOf(':');
    if (i > 0) r[line.slice(0, i)] = line.slice(i + 1).trim();
  }
  return r;
}

/** /proc/self/limits row for one resource: [soft, hard] as the kernel prints them. */
function limitRow(limits: string, label: string): [string, string] {
  const line = limits.split('\n').find((l) => l.startsWith(label));
  if (!line) fail(`/proc/self/limits has no "${label}" row`);
  const cols = line.slice(label.length).trim().split(/\s+/);
  return [cols[0], cols[1]];
}

export const configCases: Case[] = [
  {
    name: 'root/path-relative-to-bundle',
    spec: quote(C, 'path (string, REQUIRED) Specifies the path to the root filesystem for the container. ... Either an absolute path or a relative path to the bundle.'),
    async run(t) {
      eq((await t.sh('echo inside', (c) => (c.root.path = 'rootfs'))).trim(), 'inside', 'run with root.path "rootfs"');
    },
  },
  {
    name: 'root/path-absolute',
    spec: quote(C, 'path (string, REQUIRED) Specifies the path to the root filesystem for the container. ... Either an absolute path or a relative path to the bundle.'),
    async run(t) {
      const b = await t.bundle(undefined, 'cat /where');
      fs.writeFileSync(path.join(b.rootfs, 'where'), 'absolute\n');
      b.config.root.path = b.rootfs;
      fs.writeFileSync(path.join(b.dir, 'config.json'), JSON.stringify(b.config));
      const inv = await t.run(b);
      eq([inv.code, inv.stdout.trim()], [0, 'absolute'], 'run with an absolute root.path');
    },
  },
  {
    name: 'root/readonly',
    spec: quote(C, 'readonly (bool, OPTIONAL) If true then the root filesystem MUST be read-only inside the container, defaults to false.'),
    async run(t) {
      const out = await t.sh('touch /x 2>/dev/null && echo writable || echo readonly', (c) => (c.root.readonly = true));
      eq(out.trim(), 'readonly', 'writing / with root.readonly=true');
    },
  },
  {
    name: 'root/writable-by-default',
    spec: quote(C, 'readonly (bool, OPTIONAL) If true then the root filesystem MUST be read-only inside the container, defaults to false.'),
    async run(t) {
      const out = await t.sh('touch /x 2>/dev/null && echo writable || echo readonly', (c) => delete c.root.readonly);
      eq(out.trim(), 'writable', 'writing / without root.readonly');
    },
  },
  {
    name: 'mounts/listed-order',
    spec: quote(C, 'The runtime MUST mount entries in the listed order.'),
    async run(t) {
      const out = await t.sh('cat /mnt/a/b/which 2>/dev/null || echo none; cat /proc/self/mountinfo', (c) => {
        c.mounts.push({ destination: '/mnt/a', type: 'tmpfs', source: 'tmpfs', options: ['size=1m'] });
        c.mounts.push({ destination: '/mnt/a/b', type: 'tmpfs', source: 'tmpfs', options: ['size=2m'] });
      });
      const mounts = parseMountinfo(out.slice(out.indexOf('\n') + 1));
      const ia = mounts.findIndex((m) => m.mountPoint === '/mnt/a');
      const ib = mounts.findIndex((m) => m.mountPoint === '/mnt/a/b');
      check(ia >= 0 && ib > ia, `mount order in mountinfo: /mnt/a at ${ia}, /mnt/a/b at ${ib}`);
    },
  },
  {
    name: 'mounts/bind-directory',
    spec: quote(C, 'source (string, OPTIONAL) A device name, but can also be a file or directory name for bind mounts or a dummy.'),
    async run(t) {
      const src = path.join(t.workDir, 'shared');
      fs.mkdirSync(src);
      fs.writeFileSync(path.join(src, 'f'), 'from-host\n');
      const out = await t.sh('cat /mnt/shared/f; echo back > /mnt/shared/g', (c) => c.mounts.push({ destination: '/mnt/shared', type: 'bind', source: src, options: ['bind'] }));
      eq(out.trim(), 'from-host', 'file read through the bind mount');
      eq(fs.readFileSync(path.join(src, 'g'), 'utf8').trim(), 'back', 'file written through the bind mount');
    },
  },
  {
    name: 'mounts/bind-file',
    spec: quote(C, 'source (string, OPTIONAL) A device name, but can also be a file or directory name for bind mounts or a dummy.'),
    async run(t) {
      const src = path.join(t.workDir, 'file.txt');
      fs.writeFileSync(src, 'one-file\n');
      const out = await t.sh('cat /etc/hc-file', (c) => c.mounts.push({ destination: '/etc/hc-file', type: 'none', source: src, options: ['bind'] }));
      eq(out.trim(), 'one-file', 'bind-mounted file');
    },
  },
  {
    name: 'mounts/bind-readonly',
    spec: quote(C, 'Runtimes MUST/SHOULD/MAY implement the following option strings for Linux: `ro` MUST, `bind` MUST'),
    async run(t) {
      const src = path.join(t.workDir, 'ro');
      fs.mkdirSync(src);
      const out = await t.sh('touch /mnt/ro/x 2>/dev/null && echo writable || echo readonly', (c) =>
        c.mounts.push({ destination: '/mnt/ro', type: 'bind', source: src, options: ['bind', 'ro'] }),
      );
      eq(out.trim(), 'readonly', 'write into a bind mount with ro');
      check(!fs.existsSync(path.join(src, 'x')), 'the write reached the host');
    },
  },
  {
    name: 'mounts/rbind-submounts',
    spec: quote(C, 'Runtimes MUST/SHOULD/MAY implement the following option strings for Linux: `rbind` MUST (Recursive bind mount)'),
    async run(t) {
      const out = await t.sh('grep -c " /mnt/hostdev/shm " /proc/self/mountinfo || true', (c) =>
        c.mounts.push({ destination: '/mnt/hostdev', type: 'bind', source: '/dev', options: ['rbind', 'ro'] }),
      );
      check(Number(out.trim()) >= 1, 'the host\'s /dev/shm submount is not under an rbind of /dev');
    },
  },
  {
    name: 'mounts/relative-destination',
    spec: quote(C, 'For compatibility with old tools and configurations, it MAY be a relative path, in which case it MUST be interpreted as relative to "/".'),
    async run(t) {
      const mounts = await mountsIn(t, (c) => c.mounts.push({ destination: 'mnt/rel', type: 'tmpfs', source: 'tmpfs', options: ['size=1m'] }));
      mountAt(mounts, '/mnt/rel');
    },
  },
  {
    name: 'mounts/tmpfs-data-options',
    spec: quote(C, 'options (array of strings, OPTIONAL) Mount options of the filesystem to be used.'),
    async run(t) {
      const out = await t.sh('stat -c "%a" /mnt/t; df -k /mnt/t | tail -1', (c) =>
        c.mounts.push({ destination: '/mnt/t', type: 'tmpfs', source: 'tmpfs', options: ['mode=710', 'size=2048k'] }),
      );
      const [mode, df] = out.trim().split('\n');
      eq(mode, '710', 'mode= of the tmpfs');
      eq(df.trim().split(/\s+/)[1], '2048', 'size= of the tmpfs (df 1K-blocks)');
    },
  },
  mountOptionCase('ro', 'ro'),
  mountOptionCase('nosuid', 'nosuid'),
  mountOptionCase('nodev', 'nodev'),
  mountOptionCase('noexec', 'noexec'),
  mountOptionCase('noatime', 'noatime'),
  mountOptionCase('nodiratime', 'nodiratime'),
  mountOptionCase('relatime', 'relatime'),
  mountOptionCase('strictatime', 'rw', 'relatime'),
  mountOptionCase('sync', 'sync'),
  mountOptionCase('dirsync', 'dirsync'),
  {
    name: 'mounts/option-rw-remount-order',
    spec: quote(C, 'Runtimes MUST/SHOULD/MAY implement the following option strings for Linux: `rw` MUST, `exec` MUST, `suid` MUST, `dev` MUST'),
    async run(t) {
      const m = mountAt(
        await mountsIn(t, (c) => c.mounts.push({ destination: '/mnt/opt', type: 'tmpfs', source: 'tmpfs', options: ['ro', 'nosuid', 'noexec', 'nodev', 'rw', 'suid', 'exec', 'dev'] })),
        '/mnt/opt',
      );
      for (const off of ['ro', 'nosuid', 'noexec', 'nodev']) check(!m.options.includes(off), `later option undid nothing: ${m.options.join(',')} still has ${off}`);
    },
  },
  {
    name: 'mounts/propagation-private',
    spec: quote(C, 'Runtimes MUST/SHOULD/MAY implement the following option strings for Linux: `rprivate` MUST (Bind mount propagation)'),
    async run(t) {
      const src = path.join(t.workDir, 'p');
      fs.mkdirSync(src);
      const m = mountAt(await mountsIn(t, (c) => c.mounts.push({ destination: '/mnt/p', type: 'bind', source: src, options: ['rbind', 'rprivate'] })), '/mnt/p');
      check(!m.optional.some((o) => /^(shared|master):/.test(o)), `rprivate mount has propagation ${m.optional.join(' ')}`);
    },
  },
  {
    name: 'mounts/propagation-shared',
    spec: quote(C, 'Runtimes MUST/SHOULD/MAY implement the following option strings for Linux: `rshared` MUST (Bind mount propagation)'),
    async run(t) {
      const src = path.join(t.workDir, 'p');
      fs.mkdirSync(src);
      const m = mountAt(await mountsIn(t, (c) => c.mounts.push({ destination: '/mnt/p', type: 'bind', source: src, options: ['rbind', 'rshared'] })), '/mnt/p');
      check(m.optional.some((o) => o.startsWith('shared:')), `rshared mount has propagation "${m.optional.join(' ')}"`);
    },
  },
  {
    name: 'mounts/propagation-unbindable',
    spec: quote(C, 'Runtimes MUST/SHOULD/MAY implement the following option strings for Linux: `runbindable` MUST (Bind mount propagation)'),
    async run(t) {
      const src = path.join(t.workDir, 'p');
      fs.mkdirSync(src);
      const m = mountAt(await mountsIn(t, (c) => c.mounts.push({ destination: '/mnt/p', type: 'bind', source: src, options: ['rbind', 'runbindable'] })), '/mnt/p');
      check(m.optional.includes('unbindable'), `runbindable mount has propagation "${m.optional.join(' ')}"`);
    },
  },
  {
    name: 'process/args',
    spec: quote(C, 'args (array of strings, OPTIONAL) with similar semantics to IEEE Std 1003.1-2008 execvp\'s argv.'),
    async run(t) {
      const out = await t.sh('', (c) => (c.process.args = ['sh', '-c', 'echo "$0|$1|$2"', 'zero', 'one two', '']));
      eq(out, 'zero|one two|\n', 'argv as the process sees it');
    },
  },
  {
    name: 'process/args-path-lookup',
    spec: quote(C, 'This specification extends the IEEE standard in that at least one entry is REQUIRED (non-Windows), and that entry is used with the same semantics as `execvp`\'s *file*.'),
    async run(t) {
      const b = await t.bundle((c) => {
        c.process.args = ['hc-tool'];
        c.process.env = ['PATH=/opt/hc:/bin'];
      });
      fs.mkdirSync(path.join(b.rootfs, 'opt/hc'), { recursive: true });
      fs.writeFileSync(path.join(b.rootfs, 'opt/hc/hc-tool'), '#!/bin/sh\necho found-in-path\n', { mode: 0o755 });
      const inv = await t.run(b);
      eq([inv.code, inv.stdout.trim()], [0, 'found-in-path'], 'args[0] looked up through the container\'s PATH');
    },
  },
  {
    name: 'process/env',
    spec: quote(C, 'env (array of strings, OPTIONAL) with the same semantics as IEEE Std 1003.1-2008\'s environ.'),
    async run(t) {
      const out = await t.sh('env | sort', (c) => (c.process.env = ['PATH=/bin', 'HC_A=1', 'HC_B=two words', 'HC_EMPTY=']));
      const env = out.trim().split('\n');
      for (const want of ['PATH=/bin', 'HC_A=1', 'HC_B=two words', 'HC_EMPTY=']) check(env.includes(want), `environment lacks ${want}: ${env.join(' ')}`);
    },
  },
  {
    name: 'process/cwd',
    spec: quote(C, 'cwd (string, REQUIRED) is the working directory that will be set for the executable.'),
    async run(t) {
      eq((await t.sh('pwd', (c) => (c.process.cwd = '/tmp'))).trim(), '/tmp', 'working directory');
    },
  },
  {
    name: 'process/user-uid-gid',
    spec: quote(C, 'uid (int, REQUIRED) specifies the user ID in the container namespace. gid (int, REQUIRED) specifies the group ID in the container namespace.'),
    async run(t) {
      const out = await t.sh('echo "$(id -u) $(id -g)"; grep -E "^(Uid|Gid):" /proc/self/status', (c) => (c.process.user = { uid: 1234, gid: 5678 }));
      const [ids, uidLine, gidLine] = out.trim().split('\n');
      eq(ids, '1234 5678', 'id -u, id -g');
      eq(uidLine.split(/\s+/).slice(1), ['1234', '1234', '1234', '1234'], 'real/effective/saved/fs uid');
      eq(gidLine.split(/\s+/).slice(1), ['5678', '5678', '5678', '5678'], 'real/effective/saved/fs gid');
    },
  },
  {
    name: 'process/user-additionalGids',
    spec: quote(C, 'additionalGids (array of ints, OPTIONAL) specifies additional group IDs in the container namespace to be added to the process.'),
    async run(t) {
      const out = await t.sh('grep ^Groups: /proc/self/status', (c) => (c.process.user = { uid: 10, gid: 10, additionalGids: [20, 30, 40] }));
      const groups = out.trim().split(/\s+/).slice(1).map(Number).sort((a, b) => a - b);
      for (const g of [20, 30, 40]) check(groups.includes(g), `supplementary groups ${groups.join(',')} lack ${g}`);
    },
  },
  {
    name: 'process/user-no-additionalGids',
    spec: quote(C, 'additionalGids (array of ints, OPTIONAL) specifies additional group IDs in the container namespace to be added to the process.'),
    async run(t) {
      const out = await t.sh('grep ^Groups: /proc/self/status', (c) => (c.process.user = { uid: 10, gid: 10 }));
      const groups = out.trim().split(/\s+/).slice(1).filter((g) => g !== '10');
      eq(groups, [], 'supplementary groups beyond the primary gid (none configured)');
    },
  },
  {
    name: 'process/user-umask',
    spec: quote(C, 'umask (int, OPTIONAL) specifies the umask of the user. If unspecified, the umask should not be changed from the calling process\' umask.'),
    async run(t) {
      eq((await t.sh('umask', (c) => (c.process.user.umask = 0o027))).trim(), '0027', 'umask');
    },
  },
  {
    name: 'process/rlimits',
    spec: quote(C, '`rlim.rlim_cur` MUST match the configured value. ... `rlim.rlim_max` MUST match the configured value.'),
    async run(t) {
      t.needs(missingRlimit('RLIMIT_NOFILE', 768), missingRlimit('RLIMIT_NPROC', 400), missingRlimit('RLIMIT_CORE', 4096), missingRlimit('RLIMIT_STACK', 8388608));
      const limits = await t.sh('cat /proc/self/limits', (c) => {
        c.process.rlimits = [
          { type: 'RLIMIT_NOFILE', soft: 512, hard: 768 },
          { type: 'RLIMIT_NPROC', soft: 300, hard: 400 },
          { type: 'RLIMIT_CORE', soft: 0, hard: 4096 },
          { type: 'RLIMIT_STACK', soft: 4194304, hard: 8388608 },
        ];
      });
      eq(limitRow(limits, 'Max open files'), ['512', '768'], 'RLIMIT_NOFILE');
      eq(limitRow(limits, 'Max processes'), ['300', '400'], 'RLIMIT_NPROC');
      eq(limitRow(limits, 'Max core file size'), ['0', '4096'], 'RLIMIT_CORE');
      eq(limitRow(limits, 'Max stack size'), ['4194304', '8388608'], 'RLIMIT_STACK');
    },
  },
  {
    name: 'process/capabilities',
    spec: quote(C, 'capabilities (object, OPTIONAL) is an object containing arrays that specifies the sets of capabilities for the process.'),
    async run(t) {
      const bounding = ['CAP_CHOWN', 'CAP_KILL', 'CAP_NET_RAW', 'CAP_SYS_CHROOT', 'CAP_SETUID'];
      const st = await status(t, (c) => {
        c.process.capabilities = { bounding, effective: ['CAP_KILL', 'CAP_CHOWN'], permitted: ['CAP_KILL', 'CAP_CHOWN'], inheritable: ['CAP_KILL'], ambient: ['CAP_KILL'] };
      });
      eq(BigInt(`0x${st.CapBnd}`), capMask(bounding), 'CapBnd');
      eq(BigInt(`0x${st.CapEff}`), capMask(['CAP_KILL', 'CAP_CHOWN']), 'CapEff');
      eq(BigInt(`0x${st.CapPrm}`), capMask(['CAP_KILL', 'CAP_CHOWN']), 'CapPrm');
      eq(BigInt(`0x${st.CapInh}`), capMask(['CAP_KILL']), 'CapInh');
      eq(BigInt(`0x${st.CapAmb}`), capMask(['CAP_KILL']), 'CapAmb');
    },
  },
  {
    name: 'process/capabilities-enforced',
    spec: quote(C, 'effective (array of strings, OPTIONAL) the effective field is an array of effective capabilities that are kept for the process.'),
    async run(t) {
      const out = await t.sh('chown 1:1 /tmp 2>/dev/null && echo allowed || echo denied', (c) => {
        const caps = ['CAP_KILL'];
        c.process.capabilities = { bounding: caps, effective: caps, permitted: caps };
      });
      eq(out.trim(), 'denied', 'chown without CAP_CHOWN');
    },
  },
  {
    name: 'process/capabilities-unknown-is-warning',
    spec: quote(C, 'Any value which cannot be mapped to a relevant kernel interface, or cannot be granted otherwise MUST be logged as a warning by the runtime. Runtimes SHOULD NOT fail if the container configuration requests capabilities that cannot be granted'),
    async run(t) {
      const st = await status(t, (c) => {
        const caps = ['CAP_KILL', 'CAP_HULL_DOES_NOT_EXIST'];
        c.process.capabilities = { bounding: caps, effective: caps, permitted: caps };
      });
      eq(BigInt(`0x${st.CapEff}`), capMask(['CAP_KILL']), 'CapEff with one unknown capability');
    },
  },
  {
    name: 'process/noNewPrivileges-true',
    spec: quote(C, 'noNewPrivileges (bool, OPTIONAL) setting noNewPrivileges to true prevents the process from gaining additional privileges.'),
    async run(t) {
      eq((await status(t, (c) => (c.process.noNewPrivileges = true))).NoNewPrivs, '1', 'NoNewPrivs');
    },
  },
  {
    name: 'process/noNewPrivileges-false',
    spec: quote(C, 'noNewPrivileges (bool, OPTIONAL) setting noNewPrivileges to true prevents the process from gaining additional privileges.'),
    async run(t) {
      eq((await status(t, (c) => (c.process.noNewPrivileges = false))).NoNewPrivs, '0', 'NoNewPrivs');
    },
  },
  {
    name: 'process/oomScoreAdj',
    spec: quote(C, 'If `oomScoreAdj` is set, the runtime MUST set `oom_score_adj` to the given value.'),
    async run(t) {
      eq((await t.sh('cat /proc/self/oom_score_adj', (c) => (c.process.oomScoreAdj = 345))).trim(), '345', 'oom_score_adj');
    },
  },
  {
    name: 'process/oomScoreAdj-unset',
    spec: quote(C, 'If `oomScoreAdj` is not set, the runtime MUST NOT change the value of `oom_score_adj`.'),
    async run(t) {
      const mine = fs.readFileSync('/proc/self/oom_score_adj', 'utf8').trim();
      eq((await t.sh('cat /proc/self/oom_score_adj', (c) => delete c.process.oomScoreAdj)).trim(), mine, 'oom_score_adj (the caller\'s)');
    },
  },
  {
    name: 'process/no-terminal-stdio',
    spec: quote(C, 'terminal (bool, OPTIONAL) specifies whether a terminal is attached to the process, defaults to false.'),
    async run(t) {
      const out = await t.sh('[ -t 0 ] && echo tty0; [ -t 1 ] && echo tty1; echo done', (c) => delete c.process.terminal);
      eq(out.trim(), 'done', 'stdio of a process without terminal');
    },
  },
  {
    name: 'hostname',
    spec: quote(C, 'hostname (string, OPTIONAL) specifies the container\'s hostname as seen by processes running inside the container.'),
    async run(t) {
      eq((await t.sh('hostname', (c) => (c.hostname = 'hc-host-name'))).trim(), 'hc-host-name', 'hostname');
    },
  },
  {
    name: 'domainname',
    deviations: { runc: 'runc 1.1 ignores domainname (support came in runc 1.2)' },
    spec: quote(C, 'domainname (string, OPTIONAL) specifies the container\'s domainname as seen by processes running inside the container.'),
    async run(t) {
      eq((await t.sh('cat /proc/sys/kernel/domainname', (c) => (c.domainname = 'hc.example'))).trim(), 'hc.example', 'domainname');
    },
  },
  {
    name: 'annotations/reported-in-state',
    spec: quote('runtime.md', 'annotations (map, OPTIONAL) contains the list of annotations associated with the container.'),
    async run(t) {
      const b = await t.bundle((c) => (c.annotations = { 'org.hull.a': '1', 'org.hull.b': 'two' }), 'sleep 1000');
      const id = await t.create(b);
      eq((await t.state(id)).annotations, { 'org.hull.a': '1', 'org.hull.b': 'two' }, 'state.annotations');
    },
  },
  {
    name: 'ociVersion/state-reports-version',
    spec: quote('runtime.md', 'ociVersion (string, REQUIRED) is version of the Open Container Initiative Runtime Specification with which the state complies.'),
    async run(t) {
      const b = await t.bundle(undefined, 'sleep 1000');
      const id = await t.create(b);
      const st = await t.state(id);
      check(/^\d+\.\d+\.\d+(-[\w.-]+)?$/.test(st.ociVersion), `state.ociVersion "${st.ociVersion}" is not SemVer`);
    },
  },
];
