import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import * as tar from 'tar-stream';
import { lgetxattr, lsetxattr, mknod } from '@hull/sys/libc';
import { diffUpper, packUpper } from './pack';
import { unpackLayer } from './unpack';
import { itNeeds } from '@hull/testkit/jest';

const rootIt = itNeeds(process.getuid?.() === 0 ? undefined : 'needs root (chown, mknod, trusted.* xattrs)');
let dir: string;
beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hull-pack-')); });
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

async function entries(upper: string): Promise<{ tarball: Buffer; list: string[] }> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  await packUpper(upper, out);
  const tarball = Buffer.concat(chunks);
  const list: string[] = [];
  const ex = tar.extract();
  const done = (async () => { for await (const e of ex) { list.push(`${e.header.type} ${e.header.name}${e.header.linkname ? ` -> ${e.header.linkname}` : ''}`); e.resume(); } })();
  Readable.from([tarball]).pipe(ex);
  await done;
  return { tarball, list };
}

describe('packUpper', () => {
  rootIt('turns overlayfs whiteouts and opaque dirs back into OCI form, keeps hardlinks and symlinks; unpack gives the same tree', async () => {
    const upper = path.join(dir, 'upper');
    fs.mkdirSync(path.join(upper, 'etc'), { recursive: true });
    fs.mkdirSync(path.join(upper, 'opaque'));
    fs.writeFileSync(path.join(upper, 'etc/conf'), 'c');
    fs.linkSync(path.join(upper, 'etc/conf'), path.join(upper, 'etc/conf2'));
    fs.symlinkSync('conf', path.join(upper, 'etc/link'));
    mknod(path.join(upper, 'etc/removed'), 0o020000, 0);
    lsetxattr(path.join(upper, 'opaque'), 'trusted.overlay.opaque', Buffer.from('y'));
    fs.writeFileSync(path.join(upper, 'opaque/new'), 'n');
    const { tarball, list } = await entries(upper);
    expect(list).toEqual([
      'directory etc', 'file etc/conf', 'link etc/conf2 -> etc/conf', 'symlink etc/link -> conf', 'file etc/.wh.removed',
      'directory opaque', 'file opaque/.wh..wh..opq', 'file opaque/new',
    ]);
    const back = path.join(dir, 'back');
    fs.mkdirSync(back);
    await unpackLayer(Readable.from([tarball]), back);
    expect(fs.lstatSync(path.join(back, 'etc/removed')).isCharacterDevice()).toBe(true);
    expect(lgetxattr(path.join(back, 'opaque'), 'trusted.overlay.opaque')?.toString()).toBe('y');
    expect(fs.statSync(path.join(back, 'etc/conf2')).ino).toBe(fs.statSync(path.join(back, 'etc/conf')).ino);
    expect(await diffUpper(upper, [back])).toEqual([
      { kind: 'C', path: '/etc' }, { kind: 'C', path: '/etc/conf' }, { kind: 'C', path: '/etc/conf2' }, { kind: 'C', path: '/etc/link' },
      { kind: 'D', path: '/etc/removed' }, { kind: 'C', path: '/opaque' }, { kind: 'C', path: '/opaque/new' },
    ]);
  });
});
