// A container's upper dir back into a layer (commit) and its changes (diff):
// overlayfs' whiteouts become OCI's again (a 0/0 character device x →
// `.wh.x`; the trusted.overlay.opaque xattr → `<dir>/.wh..wh..opq`).
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Writable } from 'node:stream';
import * as tar from 'tar-stream';
import { lgetxattr, llistxattr } from '@hull/sys/libc';
import { OPAQUE_WHITEOUT, OPAQUE_XATTR, WHITEOUT_PREFIX } from './unpack';

function isWhiteout(st: fs.Stats): boolean {
  return st.isCharacterDevice() && st.rdev === 0;
}

function isOpaque(p: string): boolean {
  return lgetxattr(p, OPAQUE_XATTR)?.toString() === 'y';
}

/** Every path under `dir`, parents before children, names sorted (a stable tar). */
async function* walk(dir: string, rel = ''): AsyncGenerator<[string, fs.Stats]> {
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
    if (v) pax[`SCHILY.xattr.${name}`] = v.toString('utf8');
  }
  return pax;
}

type Header = Partial<tar.Header> & { name: string };

function entry(pack: tar.Pack, header: Header, body?: Buffer | fs.ReadStream): Promise<void> {
  return new Promise((resolve, reject) => {
    if (body instanceof fs.ReadStream) {
      const sink = pack.entry(header as tar.Header, (err) => (err ? reject(err) : resolve()));
      body.on('error', reject);
      body.pipe(sink);
    } else pack.entry(header as tar.Header, body ?? Buffer.alloc(0), (err) => (err ? reject(err) : resolve()));
  });
}

/** Writes `upper` as an OCI layer tar into `out`. */
export async function packUpper(upper: string, out: Writable): Promise<void> {
  const pack = tar.pack();
  pack.pipe(out);
  const done = new Promise<void>((resolve, reject) => { out.on('finish', resolve); out.on('error', reject); pack.on('error', reject); });
  const inodes = new Map<number, string>();
  for await (const [rel, st] of walk(upper)) {
    const p = path.join(upper, rel);
    const base = { name: rel, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, mtime: st.mtime };
    if (isWhiteout(st)) {
      await entry(pack, { ...base, name: path.posix.join(path.posix.dirname(rel), WHITEOUT_PREFIX + path.posix.basename(rel)), type: 'file', size: 0, mode: 0o644 });
      continue;
    }
    const pax = xattrsOf(p);
    const h: Header = { ...base, ...(Object.keys(pax).length ? { pax } : {}) };
    if (st.isDirectory()) {
      await entry(pack, { ...h, type: 'directory' });
      if (isOpaque(p)) await entry(pack, { ...base, name: `${rel}/${OPAQUE_WHITEOUT}`, type: 'file', size: 0, mode: 0o644 });
    } else if (st.isSymbolicLink()) {
      await entry(pack, { ...h, type: 'symlink', linkname: await fsp.readlink(p) });
    } else if (st.isFile()) {
      const first = st.nlink > 1 ? inodes.get(st.ino) : undefined;
      if (first) await entry(pack, { ...h, type: 'link', linkname: first });
      else {
        if (st.nlink > 1) inodes.set(st.ino, rel);
        await entry(pack, { ...h, type: 'file', size: st.size }, fs.createReadStream(p));
      }
    } else if (st.isCharacterDevice() || st.isBlockDevice()) {
      const major = Number((BigInt(st.rdev) >> 8n) & 0xfffn);
      const minor = Number((BigInt(st.rdev) & 0xffn) | ((BigInt(st.rdev) >> 12n) & 0xfff00n));
      await entry(pack, { ...h, type: st.isCharacterDevice() ? 'character-device' : 'block-device', devmajor: major, devminor: minor });
    } else if (st.isFIFO()) {
      await entry(pack, { ...h, type: 'fifo' });
    }
    // Sockets are not carried in layers, as in docker.
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
