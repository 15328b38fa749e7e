// hullctl volume and -v/--mount end to end: volumes in the supervisor's state
// dir, kept across containers, seeded from the rootfs, refused removal while
// used, and anonymous ones removed with their container when asked.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { itNeeds } from '@hull/testkit/jest';
import { ROOTFS, prerequisites, runtimes, startEnv, type Env } from './helpers';

jest.setTimeout(120_000);
const hull = runtimes().find((r) => r.name === 'hull')!;
const skip = prerequisites() ?? hull.skip;
const it_ = itNeeds(skip);

describe('hullctl volumes', () => {
  let env: Env;
  let rootfs: string;
  const volumesDir = () => path.join(env.stateDir, 'volumes');
  const names = async (...args: string[]) => (await env.hullctl(['volume', 'ls', '-q', ...args])).stdout.split('\n').filter(Boolean).sort();

  beforeAll(async () => {
    if (skip) return;
    env = await startEnv(hull);
    // A rootfs of our own: seeding reads it, and the test puts content in it.
    rootfs = path.join(env.dir, 'rootfs');
    fs.cpSync(ROOTFS, rootfs, { recursive: true, verbatimSymlinks: true });
    fs.mkdirSync(path.join(rootfs, 'seed/sub'), { recursive: true });
    fs.writeFileSync(path.join(rootfs, 'seed/sub/hello'), 'from the image\n');
    fs.chownSync(path.join(rootfs, 'seed/sub/hello'), 1234, 5678);
  });
  afterAll(async () => {
    await env?.stop();
  });

  it_('create, ls, inspect, rm: docker\'s output', async () => {
    expect(await env.hullctl(['volume', 'create', '--label', 'tier=db', '--label', 'flag', 'v-meta'])).toMatchObject({ code: 0, stdout: 'v-meta\n' });
    // Creating it again is not an error (docker returns the existing one).
    expect((await env.hullctl(['volume', 'create', 'v-meta'])).code).toBe(0);
    const ls = await env.hullctl(['volume', 'ls']);
    expect(ls.stdout).toMatch(/^DRIVER\s+VOLUME NAME\n/);
    expect(ls.stdout).toMatch(/\nlocal\s+v-meta\n/);
    const [info] = JSON.parse((await env.hullctl(['volume', 'inspect', 'v-meta'])).stdout);
    expect(info).toMatchObject({ Name: 'v-meta', Driver: 'local', Scope: 'local', Labels: { tier: 'db', flag: '' }, Mountpoint: path.join(volumesDir(), 'v-meta/_data') });
    expect(fs.statSync(info.Mountpoint).isDirectory()).toBe(true);
    expect(await env.hullctl(['volume', 'rm', 'v-meta'])).toMatchObject({ code: 0, stdout: 'v-meta\n' });
    expect(fs.existsSync(path.join(volumesDir(), 'v-meta'))).toBe(false);
    const missing = await env.hullctl(['volume', 'rm', 'v-meta']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe('Error response from daemon: get v-meta: no such volume\n');
    expect((await env.hullctl(['volume', 'rm', '-f', 'v-meta'])).code).toBe(0);
    const bad = await env.hullctl(['volume', 'create', 'a/b']);
    expect(bad.code).toBe(125);
    expect(bad.stderr).toContain('"a/b" includes invalid characters for a local volume name');
  });

  it_('-v NAME:/path is made on first use and keeps its data across containers; rm is refused while a container has it', async () => {
    const w = await env.hullctl(['run', '--name', 'vol-writer', '-v', 'v-data:/data', '--rootfs', rootfs, 'sh', '-c', 'echo kept > /data/f']);
    expect(w.code).toBe(0);
    const r = await env.hullctl(['run', '--rm', '-v', 'v-data:/data:ro', '--rootfs', rootfs, 'sh', '-c', 'cat /data/f; echo x > /data/g']);
    expect(r.stdout).toBe('kept\n');
    expect(r.stderr).toContain('Read-only file system');
    const refused = await env.hullctl(['volume', 'rm', 'v-data']);
    expect(refused.code).toBe(1);
    const id = (await env.hullctl(['inspect', 'vol-writer'])).stdout.match(/"Id": "([0-9a-f]{64})"/)?.[1];
    expect(refused.stderr).toBe(`Error response from daemon: remove v-data: volume is in use - [${id}]\n`);
    expect(await names('--filter', 'dangling=true')).not.toContain('v-data');
    expect((await env.hullctl(['rm', 'vol-writer'])).code).toBe(0);
    expect(await names('--filter', 'dangling=true')).toContain('v-data');
    expect((await env.hullctl(['volume', 'rm', 'v-data'])).code).toBe(0);
  });

  it_('a new volume over a path with content starts with a copy of it (owners kept); later mounts do not copy again', async () => {
    const first = await env.hullctl(['run', '--rm', '-v', 'v-seed:/seed', '--rootfs', rootfs, 'sh', '-c', 'stat -c "%u:%g %n" /seed/sub/hello; cat /seed/sub/hello; rm /seed/sub/hello']);
    expect(first).toMatchObject({ code: 0, stdout: '1234:5678 /seed/sub/hello\nfrom the image\n' });
    // The rootfs itself is untouched; the volume keeps the removal.
    expect(fs.readFileSync(path.join(rootfs, 'seed/sub/hello'), 'utf8')).toBe('from the image\n');
    const second = await env.hullctl(['run', '--rm', '--mount', 'source=v-seed,target=/seed', '--rootfs', rootfs, 'ls', '/seed/sub']);
    expect(second).toMatchObject({ code: 0, stdout: '' });
    expect((await env.hullctl(['volume', 'rm', 'v-seed'])).code).toBe(0);
  });

  it_('anonymous volumes (-v /path, --mount without source) go with rm -v and run --rm; a failed create leaves none', async () => {
    const before = await names();
    const c = await env.hullctl(['create', '--name', 'vol-anon', '-v', '/scratch', '--mount', 'type=volume,target=/seed', '--rootfs', rootfs, 'true']);
    expect(c.code).toBe(0);
    const anon = (await names()).filter((n) => !before.includes(n));
    expect(anon).toHaveLength(2);
    for (const n of anon) expect(n).toMatch(/^[0-9a-f]{64}$/);
    // The anonymous volume over /seed was seeded too.
    const seeded = anon.map((n) => path.join(volumesDir(), n, '_data/sub/hello')).filter((p) => fs.existsSync(p));
    expect(seeded).toHaveLength(1);
    expect(await env.hullctl(['rm', '-v', 'vol-anon'])).toMatchObject({ code: 0 });
    expect(await names()).toEqual(before);

    expect((await env.hullctl(['run', '--rm', '-v', '/scratch', '--rootfs', rootfs, 'sh', '-c', 'echo x > /scratch/y'])).code).toBe(0);
    expect(await names()).toEqual(before);

    const failed = await env.hullctl(['run', '--rm', '-v', '/scratch', '--rootfs', rootfs, '/no/such/command']);
    expect(failed.code).toBe(127);
    expect(await names()).toEqual(before);
  });

  it_("an image's Volumes: anonymous volumes seeded from the union of its layers, gone with rm -v and run --rm; a user's mount there wins", async () => {
    // Two layers: the rootfs, then a commit that adds, deletes (a whiteout) and chowns under /seed, and declares it a volume.
    const tar = path.join(env.dir, 'vol-base.tar');
    expect(spawnSync('tar', ['-C', rootfs, '-cf', tar, '.']).status).toBe(0);
    expect((await env.hullctl(['import', tar, 'vol-base:1'])).code).toBe(0);
    const step = await env.hullctl(['run', '--name', 'vol-step', 'vol-base:1', 'sh', '-c', 'echo top > /seed/top && chown 42:43 /seed/top && rm /seed/sub/hello && echo other > /seed/sub/other']);
    expect(step).toMatchObject({ code: 0, stderr: '' });
    expect((await env.hullctl(['commit', '-c', 'VOLUME ["/seed", "/empty"]', 'vol-step', 'vol-img:1'])).code).toBe(0);
    expect((await env.hullctl(['rm', 'vol-step'])).code).toBe(0);
    const before = await names();

    const seen = await env.hullctl(['run', '--rm', 'vol-img:1', 'sh', '-c', 'cd /seed && find . | sort && stat -c "%u:%g" top && cat sub/other && ls -A /empty && grep -c " /seed " /proc/mounts']);
    expect(seen).toMatchObject({ code: 0, stderr: '', stdout: '.\n./sub\n./sub/other\n./top\n42:43\nother\n1\n' });
    expect(await names()).toEqual(before);

    const c = await env.hullctl(['run', '--name', 'vol-img-c', 'vol-img:1', 'sh', '-c', 'echo mine > /seed/top']);
    expect(c.code).toBe(0);
    const anon = (await names()).filter((n) => !before.includes(n));
    expect(anon).toHaveLength(2);
    const seedVol = anon.find((n) => fs.existsSync(path.join(volumesDir(), n, '_data/top')))!;
    expect(fs.readFileSync(path.join(volumesDir(), seedVol, '_data/top'), 'utf8')).toBe('mine\n');
    // rm without -v keeps them (dangling, as docker's); rm -v of another one removes its own.
    expect((await env.hullctl(['rm', 'vol-img-c'])).code).toBe(0);
    expect((await names()).filter((n) => !before.includes(n)).sort()).toEqual([...anon].sort());
    for (const n of anon) expect((await env.hullctl(['volume', 'rm', n])).code).toBe(0);
    expect((await env.hullctl(['create', '--name', 'vol-img-v', 'vol-img:1', 'true'])).code).toBe(0);
    expect((await names()).length).toBe(before.length + 2);
    expect((await env.hullctl(['rm', '-v', 'vol-img-v'])).code).toBe(0);
    expect(await names()).toEqual(before);

    // A named volume at an image volume's path takes its place, seeded from the image too; no anonymous one is made.
    const named = await env.hullctl(['run', '--rm', '-v', 'vol-img-named:/seed', '--tmpfs', '/empty', 'vol-img:1', 'cat', '/seed/sub/other']);
    expect(named).toMatchObject({ code: 0, stdout: 'other\n' });
    expect(await names()).toEqual([...before, 'vol-img-named'].sort());
    expect((await env.hullctl(['volume', 'rm', 'vol-img-named'])).code).toBe(0);
    // No read-only view of the image is left mounted or behind.
    expect(fs.readdirSync(volumesDir()).filter((n) => n.startsWith('.seed-'))).toEqual([]);
    expect(fs.readFileSync('/proc/self/mountinfo', 'utf8')).not.toContain(path.join(volumesDir(), '.seed-'));
    expect((await env.hullctl(['rmi', 'vol-img:1', 'vol-base:1'])).code).toBe(0);
  });

  it_('--mount readonly; prune removes unused anonymous volumes, prune -a the named ones too', async () => {
    const ro = await env.hullctl(['run', '--rm', '--mount', 'type=volume,source=v-ro,target=/d,readonly', '--rootfs', rootfs, 'touch', '/d/x']);
    expect(ro.code).not.toBe(0);
    expect(ro.stderr).toContain('Read-only file system');
    await env.hullctl(['volume', 'create', 'v-keep']);
    const anon = (await env.hullctl(['volume', 'create'])).stdout.trim();
    expect(anon).toMatch(/^[0-9a-f]{64}$/);
    const used = await env.hullctl(['create', '--name', 'vol-user', '-v', 'v-used:/u', '--rootfs', rootfs, 'true']);
    expect(used.code).toBe(0);
    const p = await env.hullctl(['volume', 'prune', '-f']);
    expect(p.stdout).toBe(`Deleted Volumes:\n${anon}\n\nTotal reclaimed space: 0B\n`);
    expect(await names()).toEqual(['v-keep', 'v-ro', 'v-used']);
    // Without -f it asks; anything but y keeps them.
    const asked = await env.hullctl(['volume', 'prune', '-a'], { input: 'n\n' });
    expect(asked.stdout).toContain('Are you sure you want to continue? [y/N]');
    expect(await names()).toEqual(['v-keep', 'v-ro', 'v-used']);
    const all = await env.hullctl(['volume', 'prune', '-a', '-f']);
    expect(all.stdout).toContain('v-keep\nv-ro\n');
    expect(await names()).toEqual(['v-used']);
    await env.hullctl(['rm', 'vol-user']);
    expect((await env.hullctl(['volume', 'rm', 'v-used'])).code).toBe(0);
    expect(fs.readdirSync(volumesDir())).toEqual([]);
  });
});
