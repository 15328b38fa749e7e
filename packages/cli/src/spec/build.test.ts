import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { NAME_ANNOTATION } from '../annotations';
import { buildSpec, type RunFlags } from './build';
import { DOCKER_DEFAULT_CAPS, capabilitySet } from './capabilities';
import { mergeEnv, parseEnvFlags, readEnvFile } from './env';
import { parseTmpfs, parseVolume } from './mounts';
import { resolveUser } from './user';
import { buildResources } from './resources';

let dir: string;
let rootfs: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hullctl-spec-'));
  rootfs = path.join(dir, 'rootfs');
  fs.mkdirSync(path.join(rootfs, 'etc'), { recursive: true });
  fs.writeFileSync(path.join(rootfs, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\nalice:x:1000:1001:Alice:/home/alice:/bin/sh\n');
  fs.writeFileSync(path.join(rootfs, 'etc/group'), 'root:x:0:\nstaff:x:50:\n');
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const ID = 'a'.repeat(64);
function flags(o: Partial<RunFlags> = {}): RunFlags {
  return {
    id: ID, name: 'n1', command: [], tty: false, interactive: false, env: [], envFile: [], volume: [], mount: [], tmpfs: [], readOnly: false,
    capAdd: [], capDrop: [], privileged: false, network: 'none', rootfs, ...o,
  };
}

describe('buildSpec from --rootfs', () => {
  it('starts from hull\'s defaults with docker\'s: writable root, short-id hostname, docker caps, HOSTNAME and HOME', () => {
    const s = buildSpec(flags({ command: ['echo', 'hi'] }));
    expect(s.root).toEqual({ path: rootfs, readonly: false });
    expect(s.hostname).toBe(ID.slice(0, 12));
    expect(s.process.args).toEqual(['echo', 'hi']);
    expect(s.process.terminal).toBe(false);
    expect(s.process.env).toEqual(['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', `HOSTNAME=${ID.slice(0, 12)}`, 'HOME=/root']);
    expect(s.process.capabilities?.bounding).toEqual(DOCKER_DEFAULT_CAPS);
    expect(s.linux?.namespaces?.map((n) => n.type)).toContain('network');
    expect(s.annotations?.[NAME_ANNOTATION]).toBe('n1');
  });

  it('takes every run flag', () => {
    const s = buildSpec(flags({
      command: ['a'], entrypoint: '/bin/ep', tty: true, env: ['A=1'], workdir: '/w', user: 'alice:staff', volume: ['/h:/c:ro'], tmpfs: ['/t:size=1m'],
      hostname: 'box', readOnly: true, memory: '64m', cpus: '1.5', cpuShares: '512', pidsLimit: '20', capAdd: ['sys_admin'], capDrop: ['CAP_KILL'], network: 'host',
    }));
    expect(s.process.args).toEqual(['/bin/ep', 'a']);
    expect(s.process.terminal).toBe(true);
    expect(s.process.env).toEqual(expect.arrayContaining(['A=1', 'TERM=xterm', 'HOSTNAME=box', 'HOME=/home/alice']));
    expect(s.process.cwd).toBe('/w');
    expect(s.process.user).toEqual({ uid: 1000, gid: 50 });
    expect(s.mounts).toEqual(expect.arrayContaining([
      { destination: '/c', type: 'bind', source: '/h', options: ['rbind', 'rprivate', 'ro'] },
      { destination: '/t', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'nodev', 'noexec', 'size=1m'] },
    ]));
    expect(s.hostname).toBe('box');
    expect(s.root.readonly).toBe(true);
    expect(s.linux?.resources).toMatchObject({ memory: { limit: 64 * 1024 ** 2 }, cpu: { quota: 150000, period: 100000, shares: 512 }, pids: { limit: 20 } });
    expect(s.process.capabilities?.bounding).toContain('CAP_SYS_ADMIN');
    expect(s.process.capabilities?.bounding).not.toContain('CAP_KILL');
    expect(s.linux?.namespaces?.map((n) => n.type)).not.toContain('network');
  });

  it('--privileged: every capability the host has, nothing masked, every device, /sys writable', () => {
    const s = buildSpec(flags({ privileged: true }));
    expect(s.linux?.maskedPaths).toEqual([]);
    expect(s.linux?.readonlyPaths).toEqual([]);
    expect(s.linux?.resources?.devices).toEqual([{ allow: true, access: 'rwm' }]);
    expect(s.mounts?.find((m) => m.type === 'sysfs')?.options).not.toContain('ro');
    expect(s.process.capabilities?.bounding?.length).toBeGreaterThan(DOCKER_DEFAULT_CAPS.length);
  });

  it('--bundle: the bundle\'s config under the flags, root made absolute', () => {
    const bundle = path.join(dir, 'bundle');
    fs.mkdirSync(bundle, { recursive: true });
    fs.symlinkSync(rootfs, path.join(bundle, 'rootfs'));
    const base = buildSpec(flags({ command: ['x'] }));
    fs.writeFileSync(path.join(bundle, 'config.json'), JSON.stringify({ ...base, root: { path: 'rootfs', readonly: true }, hostname: 'fromb', process: { ...base.process, args: ['keep'], env: ['B=2'] } }));
    const s = buildSpec(flags({ rootfs: undefined, bundle, env: ['C=3'] }));
    expect(s.root).toEqual({ path: path.join(bundle, 'rootfs'), readonly: true });
    expect(s.process.args).toEqual(['keep']);
    expect(s.process.env).toEqual(['B=2', 'C=3']);
    expect(s.hostname).toBe('fromb');
  });
});

describe('resources', () => {
  it('update keeps memory under the swap limit in force, as docker does', () => {
    expect(buildResources({ memory: '128m' }, { memory: { limit: 64 * 1024 ** 2, swap: 128 * 1024 ** 2 } }, true)).toEqual({ memory: { limit: 128 * 1024 ** 2 } });
    expect(() => buildResources({ memory: '256m' }, { memory: { limit: 64 * 1024 ** 2, swap: 128 * 1024 ** 2 } }, true)).toThrow(
      'Memory limit should be smaller than already set memoryswap limit, update the memoryswap at the same time',
    );
    expect(buildResources({ memory: '256m', memorySwap: '512m' }, { memory: { limit: 64 * 1024 ** 2, swap: 128 * 1024 ** 2 } }, true).memory).toMatchObject({ limit: 256 * 1024 ** 2 });
    expect(buildResources({ pidsLimit: '0' })).toEqual({ pids: { limit: -1 } });
  });
});

describe('env', () => {
  it('-e KEY takes the host value or nothing; later wins in place', () => {
    expect(parseEnvFlags(['A=1', 'H', 'MISSING'], { H: 'h' })).toEqual(['A=1', 'H=h']);
    expect(mergeEnv(['A=1', 'B=2'], ['A=3'])).toEqual(['B=2', 'A=3']);
    expect(() => parseEnvFlags(['A B=1'])).toThrow("variable 'A B' contains whitespaces");
  });
  it('--env-file skips comments and blank lines and names the line at fault', () => {
    const f = path.join(dir, 'env');
    fs.writeFileSync(f, '# c\n\nA=1\r\nB\n  C=x y\n');
    expect(readEnvFile(f, { B: 'b' })).toEqual(['A=1', 'B=b', 'C=x y']);
    fs.writeFileSync(f, 'OK=1\n=bad\n');
    expect(() => readEnvFile(f)).toThrow(`${f}:2: invalid environment variable: =bad`);
  });
});

describe('users, mounts, capabilities', () => {
  it('resolves users like docker', () => {
    expect(resolveUser('alice', rootfs)).toEqual({ uid: 1000, gid: 1001, home: '/home/alice' });
    expect(resolveUser('1000', rootfs)).toEqual({ uid: 1000, gid: 1001, home: '/home/alice' });
    expect(resolveUser('4242', rootfs)).toEqual({ uid: 4242, gid: 0, home: '/' });
    expect(resolveUser('4242:7', rootfs)).toEqual({ uid: 4242, gid: 7, home: '/' });
    expect(() => resolveUser('root:nogroup', rootfs)).toThrow('unable to find group nogroup');
    expect(() => resolveUser('a:b:c', rootfs)).toThrow('expected UID[:GID]');
  });
  it('parses volumes and tmpfs', () => {
    expect(parseVolume('/a/../b:/c/')).toEqual({ destination: '/c/', type: 'bind', source: '/b', options: ['rbind', 'rprivate', 'rw'] });
    expect(parseVolume('/a:/c:ro,rshared').options).toEqual(['rbind', 'rshared', 'ro']);
    expect(() => parseVolume('/a:/b:c:d')).toThrow("invalid volume specification: '/a:/b:c:d'");
    expect(() => parseVolume('/a:rel')).toThrow("the container path 'rel' must be absolute");
    expect(parseTmpfs('/x').options).toEqual(['nosuid', 'nodev', 'noexec']);
  });
  it('adds then drops, with ALL on both sides', () => {
    expect(capabilitySet(['NET_ADMIN'], [], false)).toEqual([...DOCKER_DEFAULT_CAPS, 'CAP_NET_ADMIN']);
    expect(capabilitySet(['CHOWN'], ['ALL'], false)).toEqual(['CAP_CHOWN']);
    expect(capabilitySet([], ['chown'], false)).not.toContain('CAP_CHOWN');
    expect(capabilitySet(['ALL'], ['ALL'], false)).toEqual([]);
    expect(() => capabilitySet(['NOPE'], [], false)).toThrow('unknown capability: "NOPE"');
  });
});
