// Unpacks one layer (a tar, plain or compressed: see decompress.ts) into a directory of its
// own, in overlayfs form: OCI whiteouts become what overlayfs reads
// (`.wh.x` → a 0/0 character device named x; `.wh..wh..opq` → the
// trusted.overlay.opaque xattr on its directory). Owners, modes, xattrs,
// hardlinks, devices, fifos and times are kept.
//
// Nothing is ever written outside the target: every name is cleaned as if
// rooted at the target (an absolute name stays inside), a name that climbs
// out with `..` is refused, no entry is written through a symlink (each
// parent directory is lstat'ed: the layer directory is private to us while we
// unpack, so nothing can swap one in between), and a hardlink must name a
// file inside the layer the same way.
//
// tar-stream parses (pax and GNU long names, streaming); the writing is ours,
// because node-tar's extractor creates no devices, sets no xattrs and knows
// no whiteouts, all three of which a layer needs.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as tar from 'tar-stream';
import { lsetxattr, mknod } from '@hull/sys/libc';
import { decompressor } from './decompress';
import { invalid } from './errors';
import { XATTR_PAX, xattrBytes } from './paxbinary';

export const WHITEOUT_PREFIX = '.wh.';
export const OPAQUE_WHITEOUT = '.wh..wh..opq';
export const OPAQUE_XATTR = 'trusted.overlay.opaque';

const S_IFCHR = 0o020000;
const S_IFBLK = 0o060000;
const S_IFIFO = 0o010000;

export function makedev(major: number, minor: number): bigint {
  const ma = BigInt(major);
  const mi = BigInt(minor);
  return ((ma & 0xfffff000n) << 32n) | ((ma & 0xfffn) << 8n) | ((mi & 0xffffff00n) << 12n) | (mi & 0xffn);
}

/**
 * The entry's path components, cleaned as if the target were `/`. Throws
 * when `..` would climb above the target.
 */
export function cleanEntryName(name: string, what = 'entry'): string[] {
  const out: string[] = [];
  for (const part of name.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length === 0) throw invalid(`${what} ${JSON.stringify(name)}: path escapes the layer`, { name });
      out.pop();
    } else out.push(part);
  }
  return out;
}

export interface UnpackResult {
  /** sha256 of the uncompressed tar: the layer's DiffID. */
  diffId: string;
  /** Uncompressed size in bytes. */
  size: number;
}

class Hasher extends Transform {
  readonly hash = crypto.createHash('sha256');
  size = 0;
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error | null, d?: Buffer) => void): void {
    this.hash.update(chunk);
    this.size += chunk.length;
    cb(null, chunk);
  }
}

function lstatOrNull(p: string): fs.Stats | null {
  try {
    return fs.lstatSync(p);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

/** Files up to this size are written in one call from memory; larger ones are streamed. */
const SMALL_FILE = 8 << 20;

// Metadata calls are synchronous: each is a few microseconds, and an await per
// syscall costs more than the syscall on a busy machine (measured: 3x slower).
class LayerWriter {
  /** Directories whose times are set at the end (their children change them). */
  private readonly dirTimes: [string, Date][] = [];
  /** Directories known to be real directories of this layer (not symlinks): no lstat per entry. */
  private readonly knownDirs = new Set<string>();

  constructor(readonly target: string, readonly label: string) {}

  private refuse(name: string, why: string): never {
    throw invalid(`${this.label}: entry ${JSON.stringify(name)}: ${why}`, { entry: name });
  }

  /** Makes (or checks) each parent of `parts` as a real directory; returns the full path. */
  private parents(parts: string[], name: string): string {
    let dir = this.target;
    for (const part of parts.slice(0, -1)) {
      dir = path.join(dir, part);
      if (this.knownDirs.has(dir)) continue;
      const st = lstatOrNull(dir);
      if (!st) fs.mkdirSync(dir, { mode: 0o755 });
      else if (st.isSymbolicLink()) this.refuse(name, `its parent ${JSON.stringify(path.relative(this.target, dir))} is a symlink: refusing to write through it`);
      else if (!st.isDirectory()) this.refuse(name, `its parent ${JSON.stringify(path.relative(this.target, dir))} is not a directory`);
      this.knownDirs.add(dir);
    }
    return path.join(this.target, ...parts);
  }

  /** Clears the way for a new entry: anything there goes, but a directory stays for a directory. */
  private clear(p: string, keepDir: boolean): void {
    const st = lstatOrNull(p);
    if (!st) return;
    if (st.isDirectory() && keepDir) return;
    if (st.isDirectory()) for (const d of this.knownDirs) if (d === p || d.startsWith(`${p}/`)) this.knownDirs.delete(d);
    fs.rmSync(p, { recursive: true, force: true });
  }

  async entry(header: tar.Header, body: Readable): Promise<void> {
    const name = header.name;
    const parts = cleanEntryName(name, `${this.label}: entry`);
    if (parts.length === 0) {
      // The layer root itself ("./"): only its metadata.
      body.resume();
      if (header.type === 'directory') this.meta(this.target, header);
      return;
    }
    const base = parts[parts.length - 1]!;
    if (base.startsWith(WHITEOUT_PREFIX)) {
      body.resume();
      return this.whiteout(parts, name);
    }
    const p = this.parents(parts, name);
    switch (header.type) {
      case 'file':
      case 'contiguous-file': {
        this.clear(p, false);
        if ((header.size ?? 0) <= SMALL_FILE) {
          const chunks: Buffer[] = [];
          for await (const c of body) chunks.push(c as Buffer);
          fs.writeFileSync(p, Buffer.concat(chunks), { flag: 'wx', mode: 0o600 });
        } else {
          await pipeline(body, fs.createWriteStream(p, { flags: 'wx', mode: 0o600 }));
        }
        break;
      }
      case 'directory': {
        body.resume();
        this.clear(p, true);
        if (!lstatOrNull(p)) fs.mkdirSync(p, { mode: 0o700 });
        this.knownDirs.add(p);
        break;
      }
      case 'symlink':
        body.resume();
        this.clear(p, false);
        fs.symlinkSync(header.linkname ?? '', p);
        break;
      case 'link': {
        body.resume();
        const linkParts = cleanEntryName(header.linkname ?? '', `${this.label}: hardlink ${JSON.stringify(name)} to`);
        if (linkParts.length === 0) this.refuse(name, 'hardlink to the layer root');
        const from = this.parents(linkParts, `${name} (hardlink target ${header.linkname})`);
        const st = lstatOrNull(from);
        if (!st) this.refuse(name, `hardlink target ${JSON.stringify(header.linkname)} is not in this layer`);
        if (st.isDirectory()) this.refuse(name, `hardlink target ${JSON.stringify(header.linkname)} is a directory`);
        this.clear(p, false);
        // link(2) does not follow a symlink it is given: the link is to the symlink itself.
        fs.linkSync(from, p);
        return; // a hardlink shares its target's metadata
      }
      case 'character-device':
      case 'block-device':
      case 'fifo': {
        body.resume();
        this.clear(p, false);
        const kind = header.type === 'fifo' ? S_IFIFO : header.type === 'block-device' ? S_IFBLK : S_IFCHR;
        mknod(p, kind | ((header.mode ?? 0o644) & 0o7777), header.type === 'fifo' ? 0 : makedev(header.devmajor ?? 0, header.devminor ?? 0));
        break;
      }
      default:
        body.resume();
        return; // global pax headers and the like carry no file
    }
    this.meta(p, header);
  }

  private whiteout(parts: string[], name: string): void {
    const base = parts[parts.length - 1]!;
    // parents() makes (and checks) every directory above the whiteout.
    const dir = path.dirname(this.parents(parts, name));
    if (base === OPAQUE_WHITEOUT) {
      lsetxattr(dir, OPAQUE_XATTR, Buffer.from('y'));
      return;
    }
    const hidden = base.slice(WHITEOUT_PREFIX.length);
    if (!hidden || hidden === '.' || hidden === '..' || hidden.startsWith(WHITEOUT_PREFIX)) this.refuse(name, 'invalid whiteout name');
    const p = path.join(dir, hidden);
    this.clear(p, false);
    mknod(p, S_IFCHR | 0o000, 0);
  }

  private meta(p: string, h: tar.Header): void {
    const isLink = h.type === 'symlink';
    fs.lchownSync(p, h.uid ?? 0, h.gid ?? 0);
    // chown clears set-id bits: the mode comes after.
    if (!isLink) fs.chmodSync(p, (h.mode ?? 0o644) & 0o7777);
    for (const [key, value] of Object.entries(h.pax ?? {})) {
      if (!key.startsWith(XATTR_PAX)) continue;
      lsetxattr(p, key.slice(XATTR_PAX.length), xattrBytes(String(value)));
    }
    const mtime = h.mtime ?? new Date(0);
    if (h.type === 'directory') this.dirTimes.push([p, mtime]);
    else fs.lutimesSync(p, mtime, mtime);
  }

  finish(): void {
    for (const [p, t] of this.dirTimes.reverse()) {
      if (lstatOrNull(p)) fs.lutimesSync(p, t, t);
    }
  }
}

/**
 * Unpacks a layer stream into `target` (an empty directory the caller owns).
 * On error the target is left for the caller to remove.
 */
export async function unpackLayer(input: Readable, target: string, label = 'layer'): Promise<UnpackResult> {
  const writer = new LayerWriter(target, label);
  const hasher = new Hasher();
  const extract = tar.extract();
  const consume = (async () => {
    for await (const entry of extract) {
      await writer.entry(entry.header, entry as unknown as Readable);
    }
  })();
  // If writing fails, the pipeline must stop too (and vice versa).
  const piping = pipeline(input, decompressor(), hasher, extract);
  try {
    await Promise.all([consume, piping]);
  } catch (e) {
    extract.destroy();
    input.destroy();
    await Promise.allSettled([consume, piping]);
    throw e;
  }
  writer.finish();
  return { diffId: `sha256:${hasher.hash.digest('hex')}`, size: hasher.size };
}
