// A container's upper dir back into a layer (commit) and its changes (diff):
// overlayfs' whiteouts become OCI's again (a 0/0 character device x →
// `.wh.x`; the trusted.overlay.opaque xattr → `<dir>/.wh..wh..opq`).
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Writable } from 'node:stream';
import * as tar from 'tar-stream';
import { lgetxattr, llistxattr } from '@hull/sys/libc';
import { paxValue, XATTR_PAX } from './paxbinary';
import { OPAQUE_WHITEOUT, OPAQUE_XATTR, WHITEOUT_PREFIX } from './unpack';

/** overlayfs' whiteout: a 0/0 character device. */
export function isWhiteout(st: fs.Stats): boolean {
  return st.isCharacterDevice() && st.rdev === 0;
}

export function isOpaque(p: string): boolean {
  return lgetxattr(p, OPAQUE_XATTR)?.toString() === 'y';
}

/** Every path under `dir`, parents before children, names sorted (a stable tar). */
export async function* walk(dir: string, rel = ''): AsyncGenerator<[string, fs.Stats]> {
  const names = (await fsp.readdir(path.join(dir, rel))).sort();
  for (const n of names) {
    const r = rel ? `${rel}/${n}` : n;
    const st = await fsp.lstat(path.join(dir, r));
    yield [r, st];
    if (st.isDirectory()) yield* walk(dir, r);
  }
}

function xattrsOf(p: string): Record<string, string> {
  const pax: Record<string, string> = {};
  for (const name of llistxattr(p)) {
    if (name.startsWith('trusted.overlay.')) continue; // overlayfs' own bookkeeping
    const v = lgetxattr(p, name);
    if (v) pax[`${XATTR_PAX}${name}`] = paxValue(v);
  }
  return pax;
}

type Header = Partial<tar.Header> & { name: string };

export function entry(pack: tar.Pack, header: Header, body?: Buffer | fs.ReadStream): Promise<void> {
  return new Promise((resolve, reject) => {
    if (body instanceof fs.ReadStream) {
      const sink = pack.entry(header as tar.Header, (err) => (err ? reject(err) : resolve()));
      body.on('error', reject);
      body.pipe(sink);
    } else pack.entry(header as tar.Header, body ?? Buffer.alloc(0), (err) => (err ? reject(err) : resolve()));
  });
}

/** Hardlinked files seen so far, by device and inode: the later ones become links to the first. */
export type Inodes = Map<string, string>;

/**
 * One file of a tree (`rel` inside it, `p` on disk) as a tar entry, with its
 * owner, mode, time and xattrs. Whiteouts are the caller's: this writes what
 * it is given. Sockets are not carried, as in docker.
 */
export async function packFile(pack: tar.Pack, rel: string, p: string, st: fs.Stats, inodes: Inodes): Promise<void> {
  const pax = xattrsOf(p);
  const h: Header = { name: rel, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, mtime: st.mtime, ...(Object.keys(pax).length ? { pax } : {}) };
  if (st.isDirectory()) {
    await entry(pack, { ...h, type: 'directory' });
  } else if (st.isSymbolicLink()) {
    await entry(pack, { ...h, type: 'symlink', linkname: await fsp.readlink(p) });
  } else if (st.isFile()) {
    const key = `${st.dev}:${st.ino}`;
    const first = st.nlink > 1 ? inodes.get(key) : undefined;
    if (first) await entry(pack, { ...h, type: 'link', linkname: first });
    else {
      if (st.nlink > 1) inodes.set(key, rel);
      await entry(pack, { ...h, type: 'file', size: st.size }, fs.createReadStream(p));
    }
  } else if (st.isCharacterDevice() || st.isBlockDevice()) {
    const major = Number((BigInt(st.rdev) >> 8n) & 0xfffn);
    const minor = Number((BigInt(st.rdev) & 0xffn) | ((BigInt(st.rdev) >> 12n) & 0xfff00n));
    await entry(pack, { ...h, type: st.isCharacterDevice() ? 'character-device' : 'block-device', devmajor: major, devminor: minor });
  } else if (st.isFIFO()) {
    await entry(pack, { ...h, type: 'fifo' });
  }
}

/** A tar-stream packer piped into `out`; `done` settles when `out` has everything. */
export function packInto(out: Writable): { pack: tar.Pack; done: Promise<void> } {
  const pack = tar.pack();
  pack.pipe(out);
  const done = new Promise<void>((resolve, reject) => { out.on('finish', resolve); out.on('error', reject); pack.on('error', reject); });
  return { pack, done };
}

/** Writes `upper` as an OCI layer tar into `out`. */
export async function packUpper(upper: string, out: Writable): Promise<void> {
  const { pack, done } = packInto(out);
  const inodes: Inodes = new Map();
  for await (const [rel, st] of walk(upper)) {
    const p = path.join(upper, rel);
    if (isWhiteout(st)) {
      await entry(pack, { name: path.posix.join(path.posix.dirname(rel), WHITEOUT_PREFIX + path.posix.basename(rel)), type: 'file', size: 0, mode: 0o644, uid: st.uid, gid: st.gid, mtime: st.mtime });
      continue;
    }
    await packFile(pack, rel, p, st, inodes);
    if (st.isDirectory() && isOpaque(p)) {
      await entry(pack, { name: `${rel}/${OPAQUE_WHITEOUT}`, type: 'file', size: 0, mode: 0o644, uid: st.uid, gid: st.gid, mtime: st.mtime });
    }
  }
  pack.finalize();
  await done;
}

export interface Change {
  kind: 'A' | 'C' | 'D';
  path: string;
}

function existsBelow(lowerDirs: string[], rel: string): boolean {
  for (const d of lowerDirs) {
    try {
      const st = fs.lstatSync(path.join(d, rel));
      return !isWhiteout(st);
    } catch { /* not in this layer */ }
  }
  return false;
}

/** docker diff: what the upper dir adds (A), changes (C) and deletes (D) against the layers below. */
export async function diffUpper(upper: string, lowerDirs: string[]): Promise<Change[]> {
  const out: Change[] = [];
  for await (const [rel, st] of walk(upper)) {
    const kind = isWhiteout(st) ? 'D' : existsBelow(lowerDirs, rel) ? 'C' : 'A';
    out.push({ kind, path: `/${rel}` });
  }
  return out.sort((a, b) => a.path.localeCompare(b.path));
}
