import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import zlib from 'node:zlib';
import * as tar from 'tar-stream';
import { lgetxattr } from '@hull/sys/libc';
import { cleanEntryName, unpackLayer } from './unpack';
import { itNeeds } from '@hull/testkit/jest';

type Entry = tar.Header & { body?: string };

async function tarOf(entries: Entry[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (c: Buffer) => chunks.push(c));
  const ended = new Promise((r) => pack.on('end', r));
  for (const e of entries) {
    const { body, ...h } = e;
    await new Promise<void>((resolve, reject) => pack.entry({ mtime: new Date(1_600_000_000_000), ...h }, body ?? '', (err) => (err ? reject(err) : resolve())));
  }
  pack.finalize();
  await ended;
  return Buffer.concat(chunks);
}

const root = process.getuid?.() === 0;
const rootIt = itNeeds(process.getuid?.() === 0 ? undefined : 'needs root (chown, mknod, trusted.* xattrs)');
let scratch: string;
let target: string;
let outside: string;

beforeEach(() => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'hull-unpack-'));
  target = path.join(scratch, 'layer');
  outside = path.join(scratch, 'outside');
  fs.mkdirSync(target);
  fs.mkdirSync(outside);
  fs.writeFileSync(path.join(outside, 'secret'), 'keep');
});
afterEach(() => fs.rmSync(scratch, { recursive: true, force: true }));

const unpack = async (entries: Entry[], gzip = false) => {
  const t = await tarOf(entries);
  return unpackLayer(Readable.from([gzip ? zlib.gzipSync(t) : t]), target, 'test layer');
};
/** Everything under the scratch dir but the layer: must stay as it was. */
const outsideFiles = () => fs.readdirSync(scratch).filter((n) => n !== 'layer').flatMap((n) => [n, ...fs.readdirSync(path.join(scratch, n))]);

describe('cleanEntryName', () => {
  it('cleans as if rooted, refusing to climb out', () => {
    expect(cleanEntryName('./a/./b/')).toEqual(['a', 'b']);
    expect(cleanEntryName('/etc/passwd')).toEqual(['etc', 'passwd']);
    expect(cleanEntryName('a/../b')).toEqual(['b']);
    expect(() => cleanEntryName('../x')).toThrow(/escapes the layer/);
    expect(() => cleanEntryName('a/../../x')).toThrow(/escapes the layer/);
  });
});

describe('unpackLayer', () => {
  rootIt('keeps files, dirs, modes, owners, times, symlinks, hardlinks, devices, fifos and xattrs; diffId is the tar digest', async () => {
    const entries: Entry[] = [
      { name: 'bin/', type: 'directory', mode: 0o755, mtime: new Date(1_500_000_000_000) },
      { name: 'bin/tool', type: 'file', mode: 0o4755, uid: 1000, gid: 1001, body: 'hello', pax: { 'SCHILY.xattr.user.note': 'v1' } },
      { name: 'bin/alias', type: 'symlink', linkname: 'tool' },
      { name: 'bin/hard', type: 'link', linkname: 'bin/tool' },
      { name: 'dev/null', type: 'character-device', mode: 0o666, devmajor: 1, devminor: 3 },
      { name: 'dev/sda', type: 'block-device', mode: 0o660, devmajor: 8, devminor: 0 },
      { name: 'run/fifo', type: 'fifo', mode: 0o600 },
    ];
    const raw = await tarOf(entries);
    const res = await unpackLayer(Readable.from([zlib.gzipSync(raw)]), target);
    expect(res.diffId).toBe(`sha256:${require('node:crypto').createHash('sha256').update(raw).digest('hex')}`);
    expect(res.size).toBe(raw.length);
    const tool = fs.lstatSync(path.join(target, 'bin/tool'));
    expect(fs.readFileSync(path.join(target, 'bin/tool'), 'utf8')).toBe('hello');
    expect(tool.mode & 0o7777).toBe(0o4755);
    expect([tool.uid, tool.gid]).toEqual([1000, 1001]);
    expect(tool.mtimeMs).toBe(1_600_000_000_000);
    expect(tool.nlink).toBe(2);
    expect(fs.lstatSync(path.join(target, 'bin/hard')).ino).toBe(tool.ino);
    expect(fs.readlinkSync(path.join(target, 'bin/alias'))).toBe('tool');
    expect(fs.lstatSync(path.join(target, 'bin')).mtimeMs).toBe(1_500_000_000_000);
    const nul = fs.lstatSync(path.join(target, 'dev/null'));
    expect(nul.isCharacterDevice()).toBe(true);
    expect(nul.rdev).toBe((1 << 8) | 3);
    expect(fs.lstatSync(path.join(target, 'dev/sda')).isBlockDevice()).toBe(true);
    expect(fs.lstatSync(path.join(target, 'run/fifo')).isFIFO()).toBe(true);
    expect(lgetxattr(path.join(target, 'bin/tool'), 'user.note')?.toString()).toBe('v1');
  });

  itNeeds(spawnSync('zstd', ['--version']).status === 0 ? undefined : 'needs the zstd tool (Debian zstd) to make zstd layers')('a zstd layer (two frames, fed in small chunks) unpacks to the tree and diffId of its tar', async () => {
    const big = Buffer.alloc(3 << 20);
    for (let i = 0; i < big.length; i++) big[i] = 65 + (((i * 2654435761) >>> 0) % 53); // ASCII: tarOf writes bodies as strings
    const raw = await tarOf([{ name: 'a', type: 'file', mode: 0o644, body: 'first' }, { name: 'big', type: 'file', mode: 0o600, body: big.toString('latin1') }]);
    const zstd = (b: Buffer) => {
      const r = spawnSync('zstd', ['-q', '-c', '-3'], { input: b, maxBuffer: 64 << 20 });
      expect(r.status).toBe(0);
      return r.stdout;
    };
    const half = Math.floor(raw.length / 2);
    const z = Buffer.concat([zstd(raw.subarray(0, half)), zstd(raw.subarray(half))]);
    const chunks: Buffer[] = [];
    for (let i = 0; i < z.length; i += 4093) chunks.push(z.subarray(i, i + 4093));
    const res = await unpackLayer(Readable.from(chunks), target);
    expect(res.diffId).toBe(`sha256:${require('node:crypto').createHash('sha256').update(raw).digest('hex')}`);
    expect(fs.readFileSync(path.join(target, 'a'), 'utf8')).toBe('first');
    expect(fs.readFileSync(path.join(target, 'big')).equals(big)).toBe(true);
  });

  it('a corrupt zstd stream is refused, naming zstd', async () => {
    const bad = Buffer.concat([Buffer.from([0x28, 0xb5, 0x2f, 0xfd]), Buffer.alloc(64, 0xee)]);
    await expect(unpackLayer(Readable.from([bad]), target, 'test layer')).rejects.toThrow(/zstd/);
  });

  rootIt('turns OCI whiteouts into overlayfs ones', async () => {
    await unpack([
      { name: 'etc/', type: 'directory', mode: 0o755 },
      { name: 'etc/.wh.motd', type: 'file' },
      { name: 'opaque/', type: 'directory', mode: 0o755 },
      { name: 'opaque/.wh..wh..opq', type: 'file' },
      { name: 'opaque/kept', type: 'file', body: 'k' },
      { name: 'deep/er/.wh.gone', type: 'file' },
    ], true);
    const wh = fs.lstatSync(path.join(target, 'etc/motd'));
    expect(wh.isCharacterDevice()).toBe(true);
    expect(wh.rdev).toBe(0);
    expect(fs.existsSync(path.join(target, 'etc/.wh.motd'))).toBe(false);
    expect(lgetxattr(path.join(target, 'opaque'), 'trusted.overlay.opaque')?.toString()).toBe('y');
    expect(fs.existsSync(path.join(target, 'opaque/.wh..wh..opq'))).toBe(false);
    expect(fs.readFileSync(path.join(target, 'opaque/kept'), 'utf8')).toBe('k');
    expect(fs.lstatSync(path.join(target, 'deep/er/gone')).isCharacterDevice()).toBe(true);
  });

  it('refuses a name that climbs out with ../', async () => {
    await expect(unpack([{ name: '../outside/evil', type: 'file', body: 'x' }])).rejects.toThrow(/test layer: entry "\.\.\/outside\/evil": path escapes the layer/);
    await expect(unpack([{ name: 'a/../../outside/secret', type: 'file', body: 'x' }])).rejects.toThrow(/path escapes the layer/);
    expect(outsideFiles().sort()).toEqual(['outside', 'secret']);
    expect(fs.readFileSync(path.join(outside, 'secret'), 'utf8')).toBe('keep');
  });

  it('keeps an absolute name inside the target', async () => {
    await unpack([{ name: `${outside}/abs`, type: 'file', body: 'in', mode: 0o644 }]);
    expect(fs.existsSync(path.join(outside, 'abs'))).toBe(false);
    expect(fs.readFileSync(path.join(target, outside, 'abs'), 'utf8')).toBe('in');
  });

  it('refuses to write a file through a symlink the layer made', async () => {
    await expect(unpack([
      { name: 'link', type: 'symlink', linkname: outside },
      { name: 'link/evil', type: 'file', body: 'x' },
    ])).rejects.toThrow(/entry "link\/evil": its parent "link" is a symlink/);
    await expect(unpack([
      { name: 'rel', type: 'symlink', linkname: '../outside' },
      { name: 'rel/secret', type: 'file', body: 'x' },
    ])).rejects.toThrow(/is a symlink/);
    expect(fs.existsSync(path.join(outside, 'evil'))).toBe(false);
    expect(fs.readFileSync(path.join(outside, 'secret'), 'utf8')).toBe('keep');
  });

  it('refuses a directory replaced by a symlink, then written through', async () => {
    await expect(unpack([
      { name: 'd/', type: 'directory' },
      { name: 'd', type: 'symlink', linkname: outside },
      { name: 'd/evil', type: 'file', body: 'x' },
    ])).rejects.toThrow(/is a symlink/);
    expect(fs.existsSync(path.join(outside, 'evil'))).toBe(false);
  });

  it('refuses a hardlink to a file outside the layer', async () => {
    await expect(unpack([{ name: 'h', type: 'link', linkname: '../outside/secret' }])).rejects.toThrow(/hardlink "h" to "\.\.\/outside\/secret": path escapes the layer/);
    await expect(unpack([{ name: 'h', type: 'link', linkname: `${outside}/secret` }])).rejects.toThrow(/is not in this layer/);
    await expect(unpack([
      { name: 'l', type: 'symlink', linkname: outside },
      { name: 'h', type: 'link', linkname: 'l/secret' },
    ])).rejects.toThrow(/is a symlink/);
    expect(fs.statSync(path.join(outside, 'secret')).nlink).toBe(1);
  });

  it('refuses a whiteout through a symlink', async () => {
    await expect(unpack([
      { name: 'l', type: 'symlink', linkname: outside },
      { name: 'l/.wh.secret', type: 'file' },
    ])).rejects.toThrow(/is a symlink/);
    expect(fs.readFileSync(path.join(outside, 'secret'), 'utf8')).toBe('keep');
  });

  it('refuses a corrupt stream with the error of the parser', async () => {
    await expect(unpackLayer(Readable.from([zlib.gzipSync(Buffer.from('not a tar at all, just words'.repeat(40)))]), target)).rejects.toThrow();
  });
});
