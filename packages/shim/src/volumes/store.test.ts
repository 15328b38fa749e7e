import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { VolumeStore } from './store';

describe('VolumeStore', () => {
  let dir: string;
  let store: VolumeStore;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hull-volumes-'));
    store = new VolumeStore(dir);
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('creates named and anonymous volumes under <state>/volumes and refuses bad names', async () => {
    const v = await store.create('data', { a: 'b' });
    expect(v).toMatchObject({ name: 'data', labels: { a: 'b' }, anonymous: false, usedBy: [], mountpoint: path.join(dir, 'volumes/data/_data') });
    expect((await store.create('data')).labels).toEqual({ a: 'b' });
    const anon = await store.create('');
    expect(anon.name).toMatch(/^[0-9a-f]{64}$/);
    expect(anon.anonymous).toBe(true);
    await expect(store.create('../x')).rejects.toThrow('"../x" includes invalid characters for a local volume name');
    expect(() => store.inspect('nope')).toThrow('get nope: no such volume');
  });

  it('seeds a new volume once, records holders, refuses removal while held', async () => {
    const seed = path.join(dir, 'seed');
    fs.mkdirSync(path.join(seed, 'sub'), { recursive: true });
    fs.writeFileSync(path.join(seed, 'sub/f'), 'x');
    fs.symlinkSync('sub/f', path.join(seed, 'link'));
    const v = await store.acquire('c1', 'data', seed);
    expect(fs.readFileSync(path.join(v.mountpoint, 'sub/f'), 'utf8')).toBe('x');
    expect(fs.readlinkSync(path.join(v.mountpoint, 'link'))).toBe('sub/f');
    fs.rmSync(path.join(v.mountpoint, 'sub'), { recursive: true });
    fs.rmSync(path.join(v.mountpoint, 'link'));
    // Emptied by its user: never seeded again.
    expect((await store.acquire('c2', 'data', seed)).usedBy).toEqual(['c1', 'c2']);
    expect(fs.readdirSync(v.mountpoint)).toEqual([]);
    await expect(store.remove('data')).rejects.toThrow('remove data: volume is in use - [c1, c2]');
    expect(store.list(true)).toEqual([]);
    await store.release('c1', true);
    await store.release('c2', true);
    expect(store.list(true).map((x) => x.name)).toEqual(['data']);
    await store.remove('data');
    expect(fs.readdirSync(path.join(dir, 'volumes'))).toEqual([]);
  });

  it('an existing volume with content is not seeded over; release removes anonymous ones only when asked', async () => {
    const seed = path.join(dir, 'seed');
    fs.mkdirSync(seed);
    fs.writeFileSync(path.join(seed, 'f'), 'image');
    const v = await store.create('kept');
    fs.writeFileSync(path.join(v.mountpoint, 'g'), 'mine');
    await store.acquire('c1', 'kept', seed);
    expect(fs.readdirSync(v.mountpoint)).toEqual(['g']);
    const anon = await store.acquire('c1', '', '');
    const anon2 = await store.acquire('c2', '', '');
    expect(await store.release('c1', true)).toEqual([anon.name]);
    expect(await store.release('c2', false)).toEqual([]);
    expect(store.list().map((x) => x.name).sort()).toEqual([anon2.name, 'kept'].sort());
    const pruned = await store.prune(false);
    expect(pruned.removed).toEqual([anon2.name]);
    expect((await store.prune(true)).removed).toEqual(['kept']);
  });

  it('refuses a relative seed and a bad container id before making anything', async () => {
    await expect(store.acquire('c1', 'x', 'relative')).rejects.toThrow('seed_from "relative": must be an absolute path');
    await expect(store.acquire('../c', 'x', '')).rejects.toThrow('container id "../c": invalid');
    expect(store.list()).toEqual([]);
  });
});
