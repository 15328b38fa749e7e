// Every way `create` can fail on bad input or a failing step: a non-zero
// exit, one clear line naming the thing at fault (also the last JSON line of
// --log-format json), and nothing left behind: no state dir, cgroup, mount
// or process. The cleanup part runs against runc too.
import fs from 'node:fs';
import path from 'node:path';
import { type Missing, missingCapability, missingRlimit, missingRoot } from '@hull/testkit/host';
import { describeNeeds, itNeeds } from '@hull/testkit/jest';
import { cleanupAll, hasRunc, leftovers, makeBundle, runtime, tempDir, uniqueId, type Bundle, type Config, type Runtime } from './helpers';

afterEach(cleanupAll);

const RUNTIMES = (hasRunc ? ['hull', 'runc'] : ['hull']) as ('hull' | 'runc')[];
const describeRoot = describeNeeds(missingRoot());

/** Host processes whose mount table mentions the bundle (an init left behind keeps its rootfs mounted). */
function processesHolding(bundleDir: string): number[] {
  const pids: number[] = [];
  for (const p of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(p) || Number(p) === process.pid) continue;
    try {
      if (fs.readFileSync(`/proc/${p}/mountinfo`, 'utf8').includes(bundleDir)) pids.push(Number(p));
    } catch {
      // gone, or a kernel thread
    }
  }
  return pids;
}

interface Failure {
  status: number | null;
  stderr: string;
  lastLog: { level?: string; msg?: string };
}

/** `create` that must fail; checks that nothing is left, returns what it said. */
function createFails(rt: Runtime, bundleDir: string, id = uniqueId(), extra: string[] = []): Failure {
  const log = path.join(tempDir(), 'log.json');
  const r = rt.run(['--log', log, '--log-format', 'json', 'create', ...extra, '--bundle', bundleDir, id]);
  expect(r.status).not.toBe(0);
  const lines = fs.existsSync(log) ? fs.readFileSync(log, 'utf8').trim().split('\n').filter(Boolean) : [];
  const lastLog = lines.length ? JSON.parse(lines[lines.length - 1]) : {};
  // Nothing left: no container, no state dir, no cgroup, no mount, no process.
  expect(rt.run(['list', '-q']).stdout).toBe('');
  expect(fs.existsSync(path.join(rt.root, id))).toBe(false);
  expect(leftovers(id, bundleDir)).toEqual([]);
  expect(processesHolding(bundleDir)).toEqual([]);
  return { status: r.status, stderr: r.stderr, lastLog };
}

/** hull's message: one line on stderr, the same text as the last JSON log line, which is an error. */
function expectOneLine(f: Failure, pattern: RegExp): void {
  const text = f.stderr.trimEnd();
  expect(text).not.toContain('\n');
  expect(text).toMatch(pattern);
  expect(f.lastLog.level).toBe('error');
  expect(f.lastLog.msg).toBe(text);
}

function bundleWith(edit: (c: Config) => void, args = ['true']): Bundle {
  return makeBundle(edit, args);
}

// Each case: the bundle, then hull's message. `runc: false` where runc 1.1.5
// accepts the config (the comment says why the spec sides with hull).
interface Case {
  name: string;
  bundle: () => string;
  message: RegExp;
  runc?: boolean;
  /** More arguments of create. */
  args?: () => string[];
  /** What the host must be like for the case to fail (a probe's answer). */
  needs?: Missing;
}

const CASES: Case[] = [
  {
    name: 'config.json that is not JSON',
    bundle: () => {
      const b = bundleWith(() => {});
      fs.writeFileSync(path.join(b.dir, 'config.json'), '{"ociVersion": "1.0.2", ');
      return b.dir;
    },
    message: /config\.json/,
  },
  {
    name: 'an unknown namespace type',
    bundle: () => bundleWith((c) => c.linux.namespaces.push({ type: 'foo' })).dir,
    message: /linux\.namespaces\[5\]\.type: .*"foo"/,
  },
  {
    name: 'an unsupported ociVersion',
    bundle: () => bundleWith((c) => (c.ociVersion = '0.9.0')).dir,
    message: /ociVersion.*0\.9\.0/,
    // runc 1.1.5 accepts any ociVersion; the spec's config is versioned and hull refuses what it does not implement.
    runc: false,
  },
  {
    name: 'a missing bundle directory',
    bundle: () => path.join(tempDir(), 'no-such-bundle'),
    message: /no-such-bundle/,
  },
  {
    name: 'a missing rootfs',
    bundle: () => bundleWith((c) => (c.root.path = 'not-there')).dir,
    message: /not-there/,
  },
  {
    name: 'a namespace path that does not exist',
    bundle: () => bundleWith((c) => (c.linux.namespaces[1] = { type: 'network', path: '/proc/999999999/ns/net' })).dir,
    message: /linux\.namespaces\[1\]\.path: .*\/proc\/999999999\/ns\/net/,
  },
  {
    name: 'a namespace path of the wrong type',
    bundle: () => bundleWith((c) => (c.linux.namespaces[1] = { type: 'network', path: '/proc/self/ns/uts' })).dir,
    message: /linux\.namespaces\[1\]\.path: .*not a network namespace/,
  },
  {
    name: 'a bind mount whose source is missing',
    bundle: () => bundleWith((c) => c.mounts.push({ destination: '/data', type: 'bind', source: '/nonexistent-hull-src', options: ['bind'] })).dir,
    message: /mount \/nonexistent-hull-src on \/data.*ENOENT/,
  },
  {
    name: 'a mount of an unknown filesystem type',
    bundle: () => bundleWith((c) => c.mounts.push({ destination: '/data', type: 'nosuchfs', source: 'none' })).dir,
    message: /mount nosuchfs on \/data: ENODEV/,
  },
  {
    name: 'a mount destination that is a file in the rootfs',
    bundle: () => bundleWith((c) => c.mounts.push({ destination: '/etc/passwd', type: 'tmpfs', source: 'tmpfs' })).dir,
    message: /^init: mount tmpfs on \/etc\/passwd: ENOTDIR/,
  },
  {
    name: 'a mount destination below a file in the rootfs',
    bundle: () => bundleWith((c) => c.mounts.push({ destination: '/etc/passwd/sub', type: 'bind', source: '/etc/hostname', options: ['bind'] })).dir,
    message: /^init: mount \/etc\/hostname on \/etc\/passwd\/sub: ENOTDIR/,
  },
  {
    name: 'a device whose path is a directory',
    bundle: () => bundleWith((c) => (c.linux.devices = [{ path: '/dev/pts', type: 'c', major: 1, minor: 3 }])).dir,
    message: /^init: linux\.devices: mknod \/dev\/pts: EEXIST/,
    // runc 1.1.5 silently leaves the directory and makes no device; the config asked for one.
    runc: false,
  },
  {
    name: 'an executable that does not exist',
    bundle: () => bundleWith(() => {}, ['/bin/no-such-program']).dir,
    message: /"\/bin\/no-such-program": no such file or directory/,
  },
  {
    name: 'a command not found in PATH',
    bundle: () => bundleWith(() => {}, ['no-such-program']).dir,
    message: /"no-such-program": executable file not found in \$PATH/,
  },
  {
    name: 'a cwd that is a file',
    bundle: () => bundleWith((c) => (c.process.cwd = '/etc/passwd')).dir,
    message: /\/etc\/passwd.*ENOTDIR/,
  },
  {
    name: 'an RLIMIT_NOFILE above the host\'s hard limit',
    bundle: () => bundleWith((c) => (c.process.rlimits = [{ type: 'RLIMIT_NOFILE', soft: 1024, hard: 4000000 }])).dir,
    message: /process\.rlimits\[0\].*RLIMIT_NOFILE.*EPERM/,
    needs: missingRlimit('RLIMIT_NOFILE', 4000000) ? undefined : 'needs a host that refuses an RLIMIT_NOFILE hard limit of 4000000 (this one allows it)',
  },
  {
    name: 'a negative oomScoreAdj without CAP_SYS_RESOURCE',
    bundle: () => bundleWith((c) => (c.process.oomScoreAdj = -17)).dir,
    message: /process\.oomScoreAdj: write -17 to \/proc\/self\/oom_score_adj: EACCES/,
    needs: missingCapability('CAP_SYS_RESOURCE') ? undefined : 'needs a root without CAP_SYS_RESOURCE (this one may lower oom_score_adj)',
  },
  {
    name: 'a sysctl that does not exist',
    bundle: () => bundleWith((c) => (c.linux.sysctl = { 'net.ipv4.no_such_knob': '1' })).dir,
    message: /linux\.sysctl.*net\.ipv4\.no_such_knob/,
  },
  {
    name: 'a --pid-file in a directory that does not exist (written last: everything made is undone)',
    bundle: () => bundleWith(() => {}).dir,
    args: () => ['--pid-file', path.join(tempDir(), 'missing/pid')],
    message: /^--pid-file \/.*\/missing\/pid: ENOENT$/,
  },
  {
    name: 'a --console-socket that does not exist',
    bundle: () => bundleWith((c) => (c.process.terminal = true)).dir,
    args: () => ['--console-socket', path.join(tempDir(), 'no.sock')],
    message: /^--console-socket: connect \/.*\/no\.sock: ENOENT$/,
  },
  {
    name: 'a failing prestart hook',
    bundle: () => bundleWith((c) => (c.hooks = { prestart: [{ path: '/bin/sh', args: ['sh', '-c', 'echo hook-said-no >&2; exit 3'] }] })).dir,
    message: /prestart.*\/bin\/sh.*(exit|status) 3/,
  },
];

describeRoot.each(RUNTIMES)('create fails cleanly (%s)', (name) => {
  for (const c of CASES.filter((k) => name === 'hull' || k.runc !== false)) {
    itNeeds(c.needs)(c.name, () => {
      const rt = runtime(name);
      const f = createFails(rt, c.bundle(), uniqueId(), c.args?.());
      if (name === 'hull') expectOneLine(f, c.message);
    });
  }

  it('a duplicate id: the second create fails and the first container is untouched', () => {
    const rt = runtime(name);
    const b = makeBundle(undefined, ['sleep', '100']);
    const id = uniqueId();
    const first = rt.run(['create', '--bundle', b.dir, id], { stdio: ['ignore', 'ignore', 'ignore'] });
    expect(first.status).toBe(0);
    const log = path.join(tempDir(), 'log.json');
    const dup = rt.run(['--log', log, '--log-format', 'json', 'create', '--bundle', b.dir, id]);
    expect(dup.status).not.toBe(0);
    if (name === 'hull') {
      const lines = fs.readFileSync(log, 'utf8').trim().split('\n');
      expectOneLine({ status: dup.status, stderr: dup.stderr, lastLog: JSON.parse(lines[lines.length - 1]) }, new RegExp(`container "${id}" already exists`));
    }
    expect(JSON.parse(rt.run(['state', id]).stdout).status).toBe('created');
    expect(rt.run(['list', '-q']).stdout).toBe(`${id}\n`);
    expect(rt.run(['delete', '--force', id]).status).toBe(0);
    expect(leftovers(id, b.dir)).toEqual([]);
    expect(processesHolding(b.dir)).toEqual([]);
  });
});

describeRoot.each(RUNTIMES)('unknown capabilities (%s)', (name) => {
  it('are a warning, not a failure (config.md: MUST be logged as a warning, SHOULD NOT fail); the others apply', () => {
    const rt = runtime(name);
    const log = path.join(tempDir(), 'log.json');
    const b = bundleWith((c) => {
      c.process.capabilities = { bounding: ['CAP_KILL', 'CAP_NOT_A_THING'], effective: ['CAP_KILL'], permitted: ['CAP_KILL'] };
    }, ['grep', 'CapBnd', '/proc/self/status']);
    const r = rt.run(['--log', log, '--log-format', 'json', 'run', '--bundle', b.dir, uniqueId()]);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('CapBnd:\t0000000000000020\n');
    const warnings = fs.readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((l) => l.level === 'warning');
    expect(warnings.map((w) => w.msg).join('\n')).toMatch(/CAP_NOT_A_THING/);
  });
});

describeRoot('run fails cleanly (hull)', () => {
  it('run of a failing config exits non-zero and leaves nothing', () => {
    const rt = runtime('hull');
    const b = bundleWith(() => {}, ['/bin/no-such-program']);
    const id = uniqueId();
    const r = rt.run(['run', '--bundle', b.dir, id]);
    expect(r.status).not.toBe(0);
    // Without --log, errors go to stderr as runc's text log lines.
    expect(r.stderr.trimEnd()).toMatch(/^time="[^"]+" level=error msg="init: exec: \\"\/bin\/no-such-program\\": no such file or directory"$/);
    expect(rt.run(['list', '-q']).stdout).toBe('');
    expect(leftovers(id, b.dir)).toEqual([]);
    expect(processesHolding(b.dir)).toEqual([]);
  });
});
