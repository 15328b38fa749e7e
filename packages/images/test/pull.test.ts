// The library against a real registry: pull (layers, whiteouts, opaque dirs,
// a two-platform index), the overlay a container gets, errors that name the
// reference, basic auth, tag/remove/collect, push of a commit.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { closeRegistryConnections, Images, ImageError, parseMirror } from '../src';
import { lgetxattr, mount, umount2 } from '@hull/sys/libc';
import { buildLayout, pushLayout, registryPrerequisites, startRegistry, type Layout, type TestRegistry } from './registry';
import { describeNeeds } from '@hull/testkit/jest';

const d = describeNeeds(registryPrerequisites());

d('pull from docker-registry', () => {
  let reg: TestRegistry;
  let tmp: string;
  let single: Layout;
  let multi: Layout;
  let images: Images;

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hull-images-'));
    reg = await startRegistry();
    single = buildLayout(path.join(tmp, 'single'));
    await pushLayout(single.dir, 'latest', `${reg.host}/busybox:latest`);
    multi = buildLayout(path.join(tmp, 'multi'), { platforms: ['linux/amd64', 'linux/arm64/v8'] });
    await pushLayout(multi.dir, 'latest', `${reg.host}/multi:latest`);
  });
  afterAll(async () => {
    await reg?.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  });
  beforeEach(() => {
    images = new Images({ root: fs.mkdtempSync(path.join(tmp, 'store-')) });
  });

  it('pulls every layer once into overlayfs form; a container sees the union with whiteouts applied', async () => {
    const lines: string[] = [];
    const rec = await images.pull(`${reg.host}/busybox`, { progress: (p) => lines.push(`${p.id}${p.id ? ': ' : ''}${p.status}`) });
    expect(rec.layers.map((l) => l.diffId)).toEqual(single.diffIds);
    expect(rec.manifestDigest).toBe(single.digest);
    expect(lines).toContain(`Digest: ${single.digest}`);
    expect(lines).toContain(`Status: Downloaded newer image for ${reg.host}/busybox:latest`);
    expect(lines.filter((l) => l.endsWith(': Pull complete'))).toHaveLength(3);
    // Layer 3 in overlayfs form.
    const l3 = images.snapshots.layerPath(single.diffIds[2]!);
    expect(fs.lstatSync(path.join(l3, 'data/gone')).isCharacterDevice()).toBe(true);
    expect(lgetxattr(path.join(l3, 'opaque'), 'trusted.overlay.opaque')?.toString()).toBe('y');
    // A second pull fetches nothing.
    const again: string[] = [];
    await images.pull(`${reg.host}/busybox:latest`, { progress: (p) => again.push(p.status) });
    expect(again.filter((s) => s === 'Already exists')).toHaveLength(3);
    expect(again).toContain(`Status: Image is up to date for ${reg.host}/busybox:latest`);

    const { mounts } = await images.prepare('c1', `${reg.host}/busybox`);
    const target = path.join(tmp, 'merged');
    fs.mkdirSync(target, { recursive: true });
    const m = mounts[0]!;
    mount(m.source, target, m.type, 0, m.options.join(','));
    try {
      expect(fs.readFileSync(path.join(target, 'hello.txt'), 'utf8')).toBe('hello from layer 2\n');
      expect(fs.existsSync(path.join(target, 'data/gone'))).toBe(false);
      expect(fs.readdirSync(path.join(target, 'data'))).toEqual(['kept']);
      expect(fs.readdirSync(path.join(target, 'opaque'))).toEqual(['c']);
      expect(fs.existsSync(path.join(target, 'bin/busybox'))).toBe(true);
      fs.writeFileSync(path.join(target, 'new.txt'), 'x');
      fs.rmSync(path.join(target, 'hello.txt'));
    } finally {
      umount2(target, 0);
    }
    expect((await images.diff('c1')).map((c) => `${c.kind} ${c.path}`)).toEqual(['D /hello.txt', 'A /new.txt']);
    await expect(images.remove(`${reg.host}/busybox`)).rejects.toThrow(/container c1 is using its referenced image/);
    expect(await images.removeSnapshot('c1')).toBe(true);
    const removed = await images.remove(`${reg.host}/busybox`);
    expect(removed.untagged).toContain(`${reg.host}/busybox:latest`);
    expect(removed.deleted[0]).toBe(rec.id);
    expect(images.snapshots.listLayers()).toEqual([]);
    expect(images.content.list()).toEqual([]);
  });

  it('resolves a manifest list to the host platform, or to --platform', async () => {
    const amd = await images.pull(`${reg.host}/multi`);
    expect((await images.config(amd.id)).config?.Labels?.platform).toBe('linux/amd64');
    const arm = await images.pull(`${reg.host}/multi`, { platform: 'linux/arm64' });
    expect((await images.config(arm.id)).architecture).toBe('arm64');
    await expect(images.pull(`${reg.host}/multi`, { platform: 'linux/s390x' })).rejects.toThrow(
      `${reg.host}/multi:latest: no matching manifest for linux/s390x in the manifest list entries (it has: linux/amd64, linux/arm64/v8)`);
  });

  it('names the reference when the registry has no such repository or tag, and leaves nothing', async () => {
    await expect(images.pull(`${reg.host}/busybox:nope`)).rejects.toThrow(`manifest for ${reg.host}/busybox:nope not found: manifest unknown`);
    await expect(images.pull(`${reg.host}/nothere`)).rejects.toThrow(`manifest for ${reg.host}/nothere:latest not found`);
    const err = await images.pull('127.0.0.1:1/x').catch((e) => e);
    expect(err).toBeInstanceOf(ImageError);
    expect(err.message).toMatch(/^127\.0\.0\.1:1\/x:latest: cannot reach registry 127\.0\.0\.1:1/);
    expect(await images.list()).toEqual([]);
    expect(images.content.list()).toEqual([]);
  });

  it('commits a container, pushes it, and a fresh store pulls the change back', async () => {
    await images.pull(`${reg.host}/busybox`);
    await images.prepare('c2', `${reg.host}/busybox`);
    fs.writeFileSync(path.join(images.snapshots.upperDir('c2'), 'committed.txt'), 'round trip\n');
    const id = await images.commit('c2', `${reg.host}/committed:v1`, { message: 'a change', changes: ['CMD ["cat", "/committed.txt"]', 'ENV A=b'] });
    const hist = await images.history(id);
    expect(hist[0]).toMatchObject({ id, comment: 'a change' });
    const pushed: string[] = [];
    await images.push(`${reg.host}/committed:v1`, { progress: (p) => pushed.push(`${p.id}${p.id ? ': ' : ''}${p.status}`) });
    expect(pushed[0]).toBe(`The push refers to repository [${reg.host}/committed]`);
    expect(pushed.filter((l) => l.endsWith(': Pushed'))).toHaveLength(4);

    const other = new Images({ root: fs.mkdtempSync(path.join(tmp, 'store-')) });
    const back = await other.pull(`${reg.host}/committed:v1`);
    expect(back.id).toBe(id);
    const cfg = await other.config(id);
    expect(cfg.config?.Cmd).toEqual(['cat', '/committed.txt']);
    expect(cfg.config?.Env).toContain('A=b');
    const top = other.snapshots.layerPath(back.layers[3]!.diffId);
    expect(fs.readFileSync(path.join(top, 'committed.txt'), 'utf8')).toBe('round trip\n');
  });

  it('saves and loads an archive that skopeo reads as docker-archive and oci-archive', async () => {
    const rec = await images.pull(`${reg.host}/busybox`);
    const file = path.join(tmp, 'saved.tar');
    await images.save([`${reg.host}/busybox`], file);
    for (const t of [`docker-archive:${file}`, `oci-archive:${file}`]) {
      const r = spawnSync('skopeo', ['inspect', '--raw', t], { encoding: 'utf8' });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
    }
    const other = new Images({ root: fs.mkdtempSync(path.join(tmp, 'store-')) });
    expect(await other.load(file)).toEqual([`Loaded image: ${reg.host}/busybox:latest`]);
    expect((await other.resolve(`${reg.host}/busybox`)).id).toBe(rec.id);
    expect(other.snapshots.listLayers().sort()).toEqual([...single.diffIds].sort());
  });
});

d('basic auth (htpasswd)', () => {
  let reg: TestRegistry;
  let tmp: string;
  const creds = { user: 'hull', password: 's3cret' };

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hull-images-'));
    reg = await startRegistry({ htpasswd: creds });
    const layout = buildLayout(path.join(tmp, 'l'));
    await pushLayout(layout.dir, 'latest', `${reg.host}/private:latest`, creds);
  });
  afterAll(async () => {
    await reg?.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('refuses without or with wrong credentials, naming the reference; pulls with them', async () => {
    const images = new Images({ root: path.join(tmp, 'store') });
    await expect(images.pull(`${reg.host}/private`)).rejects.toThrow(`pull access denied for ${reg.host}/private:latest, repository does not exist or may require 'hullctl login'`);
    await expect(images.pull(`${reg.host}/private`, { credentials: { username: 'hull', password: 'wrong' } })).rejects.toThrow(`${reg.host}/private:latest: unauthorized`);
    const rec = await images.pull(`${reg.host}/private`, { credentials: { username: 'hull', password: 's3cret' } });
    expect(rec.layers).toHaveLength(3);
    await expect(images.login(reg.host, { username: 'hull', password: 'nope' })).rejects.toThrow(/unauthorized/);
    expect(await images.login(reg.host, { username: 'hull', password: 's3cret' })).toBe('Login Succeeded');
  });
});

d('registry mirrors of docker.io', () => {
  let empty: TestRegistry;
  let mirror: TestRegistry;
  let tmp: string;

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hull-mirror-'));
    empty = await startRegistry();
    mirror = await startRegistry();
    const layout = buildLayout(path.join(tmp, 'l'), { extraLabel: 'from-mirror' });
    // What a mirror of docker.io holds for `busybox`: library/busybox.
    await pushLayout(layout.dir, 'latest', `${mirror.host}/library/busybox:latest`);
  });
  afterAll(async () => {
    await empty?.stop();
    await mirror?.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('tries each mirror in order and pulls docker.io names from the first that has them', async () => {
    const images = new Images({ root: path.join(tmp, 's'), mirrors: [`http://${empty.host}`, `http://${mirror.host}/`] });
    const rec = await images.pull('busybox');
    expect((await images.config(rec.id)).config?.Labels?.extra).toBe('from-mirror');
    expect((await images.list())[0]!.repoTags).toEqual(['busybox:latest']);
    expect((await images.resolve('docker.io/library/busybox:latest')).id).toBe(rec.id);
  });

  it('refuses a mirror that is not http(s)://host[:port]', () => {
    expect(() => parseMirror('ftp://x')).toThrow('registry mirror "ftp://x": expected http(s)://host[:port] with no path');
    expect(() => parseMirror('http://h/v2/')).toThrow(/with no path/);
  });
});

afterAll(() => closeRegistryConnections());
