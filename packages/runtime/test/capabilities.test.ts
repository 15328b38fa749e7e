// Capabilities and the user switch, checked from a real process: hull-init
// runs the process steps compiled from a config and execs `cat
// /proc/self/status`, as in a container. The same config run by runc (the
// reference) must give the same Cap*/Uid/Gid/Groups lines.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { missingCommand, missingRoot, missingUserNamespaces } from '@hull/testkit/host';
import { cleanEnv } from '@hull/testkit/env';
import { writeSourceLoader } from '@hull/testkit/sources';
import { itNeeds } from '@hull/testkit/jest';

const itRoot = itNeeds(missingRoot());
const itRunc = itNeeds(missingRoot(), missingCommand('runc'));

const SRC = path.resolve(__dirname, '../src');
const REPO = path.resolve(__dirname, '../../..');
const STATUS_KEYS = ['Uid', 'Gid', 'Groups', 'CapInh', 'CapPrm', 'CapEff', 'CapBnd', 'CapAmb', 'NoNewPrivs'];

interface Caps {
  bounding?: string[];
  effective?: string[];
  inheritable?: string[];
  permitted?: string[];
  ambient?: string[];
}
interface Case {
  uid: number;
  gid: number;
  additionalGids?: number[];
  noNewPrivileges: boolean;
  capabilities?: Caps;
}

let tmp: string;
let counter = 0;

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), `hull-test-caps-${process.pid}-`));
  fs.chmodSync(tmp, 0o755);
  // Lets a plain Node child load the .ts sources, compiled on the fly by swc.
  writeSourceLoader(tmp);
  fs.writeFileSync(path.join(tmp, 'child.js'), `
const cfg = JSON.parse(process.argv[2]);
const { processProgram, runAndExit } = require(${JSON.stringify(path.join(SRC, 'program/testing.ts'))});
const proc = {
  user: { uid: cfg.uid, gid: cfg.gid, additionalGids: cfg.additionalGids },
  capabilities: cfg.capabilities,
  noNewPrivileges: cfg.noNewPrivileges,
  args: cfg.argv || ['cat', '/proc/self/status'],
  env: ['PATH=/bin:/usr/bin'],
  cwd: '/',
};
runAndExit(processProgram(proc, { seccomp: cfg.seccomp }));
`);
});

afterAll(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

function parseStatus(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^(\w+):\s*(.*)$/.exec(line);
    if (m && STATUS_KEYS.includes(m[1])) out[m[1]] = m[2].trim().replace(/\s+/g, ' ');
  }
  return out;
}

function runHull(c: Case): { status: Record<string, string>; stderr: string } {
  const res = spawnSync(process.execPath, ['-r', path.join(tmp, 'register.js'), path.join(tmp, 'child.js'), JSON.stringify(c)], { env: cleanEnv(), encoding: 'utf8', timeout: 60_000 });
  if (res.status !== 0) throw new Error(`hull child failed (${res.status ?? res.signal}): ${res.stderr}`);
  return { status: parseStatus(res.stdout), stderr: res.stderr };
}

let rootfs: string | undefined;
function busyboxRootfs(): string {
  if (!rootfs) {
    rootfs = path.join(tmp, 'rootfs');
    const res = spawnSync('bash', [path.join(REPO, 'scripts/make-rootfs.sh'), rootfs], { encoding: 'utf8' });
    if (res.status !== 0) throw new Error(`make-rootfs: ${res.stderr}`);
  }
  return rootfs;
}

function runRunc(c: Case): Record<string, string> {
  const n = ++counter;
  const id = `hull-test-${process.pid}-caps-${n}`;
  const bundle = path.join(tmp, `bundle-${n}`);
  const root = path.join(tmp, 'runc-root');
  fs.mkdirSync(bundle);
  spawnSync('runc', ['spec'], { cwd: bundle });
  const spec = JSON.parse(fs.readFileSync(path.join(bundle, 'config.json'), 'utf8'));
  spec.root = { path: busyboxRootfs(), readonly: true };
  spec.process.terminal = false;
  spec.process.args = ['cat', '/proc/self/status'];
  spec.process.user = { uid: c.uid, gid: c.gid, ...(c.additionalGids ? { additionalGids: c.additionalGids } : {}) };
  spec.process.noNewPrivileges = c.noNewPrivileges;
  if (c.capabilities) spec.process.capabilities = c.capabilities;
  else delete spec.process.capabilities;
  fs.writeFileSync(path.join(bundle, 'config.json'), JSON.stringify(spec));
  try {
    const res = spawnSync('runc', ['--root', root, 'run', '--bundle', bundle, id], { encoding: 'utf8', timeout: 60_000 });
    if (res.status !== 0) throw new Error(`runc run failed (${res.status ?? res.signal}): ${res.stderr}`);
    return parseStatus(res.stdout);
  } finally {
    spawnSync('runc', ['--root', root, 'delete', '--force', id]);
  }
}

const CASES: Array<[string, Case]> = [
  ['runc spec defaults (ambient without inheritable, no_new_privs)', {
    uid: 0, gid: 0, noNewPrivileges: true,
    capabilities: {
      bounding: ['CAP_AUDIT_WRITE', 'CAP_KILL', 'CAP_NET_BIND_SERVICE'],
      effective: ['CAP_AUDIT_WRITE', 'CAP_KILL', 'CAP_NET_BIND_SERVICE'],
      permitted: ['CAP_AUDIT_WRITE', 'CAP_KILL', 'CAP_NET_BIND_SERVICE'],
      ambient: ['CAP_AUDIT_WRITE', 'CAP_KILL', 'CAP_NET_BIND_SERVICE'],
    },
  }],
  ['root with five different sets', {
    uid: 0, gid: 0, noNewPrivileges: false,
    capabilities: {
      bounding: ['CAP_CHOWN', 'CAP_KILL', 'CAP_NET_RAW', 'CAP_SETPCAP', 'CAP_SYS_ADMIN'],
      effective: ['CAP_KILL'],
      permitted: ['CAP_KILL', 'CAP_CHOWN'],
      inheritable: ['CAP_CHOWN', 'CAP_NET_RAW'],
      ambient: ['CAP_CHOWN'],
    },
  }],
  ['uid 1000 with ambient capabilities and additional gids', {
    uid: 1000, gid: 1000, additionalGids: [5, 6], noNewPrivileges: false,
    capabilities: {
      bounding: ['CAP_NET_BIND_SERVICE', 'CAP_KILL', 'CAP_CHOWN'],
      effective: ['CAP_NET_BIND_SERVICE', 'CAP_KILL'],
      permitted: ['CAP_NET_BIND_SERVICE', 'CAP_KILL'],
      inheritable: ['CAP_NET_BIND_SERVICE', 'CAP_KILL'],
      ambient: ['CAP_NET_BIND_SERVICE'],
    },
  }],
  ['uid 1000 with no_new_privs and no ambient set', {
    uid: 1000, gid: 100, noNewPrivileges: true,
    capabilities: { bounding: ['CAP_KILL'], effective: ['CAP_KILL'], permitted: ['CAP_KILL'] },
  }],
  ['no capabilities object at all', { uid: 0, gid: 0, noNewPrivileges: false }],
  ['a capability the host root lacks in its bounding set, in bounding only', {
    uid: 0, gid: 0, noNewPrivileges: false,
    capabilities: { bounding: ['CAP_SYS_RESOURCE', 'CAP_KILL'], effective: ['CAP_KILL'], permitted: ['CAP_KILL'] },
  }],
];

describe('the user switch against runc', () => {
  for (const [name, c] of CASES) {
    itRunc(`${name}: /proc/self/status after exec matches runc`, () => {
      const hull = runHull(c).status;
      const runc = runRunc(c);
      expect(Object.keys(hull).sort()).toEqual([...STATUS_KEYS].sort());
      expect(hull).toEqual(runc);
    });
  }
});

describe('the user switch', () => {
  itRoot('sets exactly the requested sets for a non-root user (values checked by hand)', () => {
    const { status } = runHull(CASES[2][1]);
    // NET_BIND_SERVICE = bit 10, KILL = bit 5; ambient NET_BIND_SERVICE survives exec as non-root.
    expect(status.Uid).toBe('1000 1000 1000 1000');
    expect(status.Gid).toBe('1000 1000 1000 1000');
    expect(status.Groups).toBe('5 6');
    expect(status.CapBnd).toBe('0000000000000421');
    expect(status.CapInh).toBe('0000000000000420');
    expect(status.CapAmb).toBe('0000000000000400');
    expect(status.CapPrm).toBe('0000000000000400');
    expect(status.CapEff).toBe('0000000000000400');
  });

  itRoot('keeps going when an ambient capability cannot be raised, noting it at debug level (runc is silent)', () => {
    const { stderr } = runHull(CASES[0][1]);
    expect(stderr).not.toContain('not raised');
  });

  itRoot('without no_new_privs the filter is loaded after the id switch, while CAP_SYS_ADMIN is still held', () => {
    const seccomp = { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO', errnoRet: 28 }] };
    const base = { uid: 1000, gid: 1000, noNewPrivileges: false, capabilities: { bounding: ['CAP_KILL'], effective: ['CAP_KILL'], permitted: ['CAP_KILL'] }, seccomp };
    const run = (argv?: string[]) => spawnSync(process.execPath, ['-r', path.join(tmp, 'register.js'), path.join(tmp, 'child.js'), JSON.stringify({ ...base, argv })], { env: cleanEnv(), encoding: 'utf8' });
    const during = run();
    expect(during.status).toBe(0);
    const status = parseStatus(during.stdout);
    // The filter is on, and the final sets are still exactly the configured ones.
    expect(status.CapEff).toBe('0000000000000000');
    expect(status.CapPrm).toBe('0000000000000000');
    expect(status.CapBnd).toBe('0000000000000020');
    expect(status.Uid).toBe('1000 1000 1000 1000');
    const dir = path.join(tmp, 'not-made');
    fs.chmodSync(tmp, 0o777); // uid 1000 could make it, but for the filter
    const blocked = run(['mkdir', dir]);
    fs.chmodSync(tmp, 0o755);
    expect(blocked.status).not.toBe(0);
    expect(blocked.stderr).toContain('No space left on device');
    expect(fs.existsSync(dir)).toBe(false);
  });

  itNeeds(missingUserNamespaces())('in a user namespace: skips setgroups where it is denied, and names an unmapped uid', () => {
    const inUserns = (c: object) => spawnSync('unshare', ['--user', '--map-root-user', process.execPath, '-r', path.join(tmp, 'register.js'), path.join(tmp, 'child.js'), JSON.stringify(c)], { env: cleanEnv(), encoding: 'utf8' });
    const caps = { bounding: ['CAP_KILL'], effective: ['CAP_KILL'], permitted: ['CAP_KILL'] };
    const ok = inUserns({ uid: 0, gid: 0, additionalGids: [5], noNewPrivileges: true, capabilities: caps });
    expect(ok.status).toBe(0);
    expect(ok.stderr).toBe('warning: init: additional gids [5] not set: setgroups is denied in this user namespace\n');
    expect(parseStatus(ok.stdout).CapEff).toBe('0000000000000020');
    const bad = inUserns({ uid: 1000, gid: 0, noNewPrivileges: true, capabilities: caps });
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toContain("setuid 1000: EINVAL (uid 1000 is not mapped in the container's user namespace)");
  });

  itRoot('ignores an unknown capability name with a warning and grants the rest', () => {
    const res = spawnSync(process.execPath, ['-r', path.join(tmp, 'register.js'), path.join(tmp, 'child.js'),
      JSON.stringify({ uid: 1000, gid: 1000, capabilities: { bounding: ['CAP_KILL'], permitted: ['CAP_KILL', 'CAP_FOO'] } })],
    { env: cleanEnv(), encoding: 'utf8' });
    expect(res.status).toBe(0);
    expect(res.stderr).toContain('ignoring unknown or unavailable capabilities: [CAP_FOO]');
    expect(parseStatus(res.stdout).CapBnd).toBe('0000000000000020');
  });

  itRoot('names the capabilities the runtime does not hold when capset fails', () => {
    const res = spawnSync(process.execPath, ['-r', path.join(tmp, 'register.js'), path.join(tmp, 'child.js'),
      JSON.stringify({ uid: 0, gid: 0, capabilities: { bounding: ['CAP_SYS_RESOURCE'], permitted: ['CAP_SYS_RESOURCE'] } })],
    { env: cleanEnv(), encoding: 'utf8' });
    const hostHasIt = (BigInt('0x' + parseStatus(fs.readFileSync('/proc/self/status', 'utf8')).CapPrm) >> 24n) & 1n;
    if (hostHasIt) {
      expect(res.status).toBe(0);
    } else {
      expect(res.status).not.toBe(0);
      expect(res.stderr).toContain('capset: EPERM (not held by the runtime: CAP_SYS_RESOURCE)');
    }
  });
});
