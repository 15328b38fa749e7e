// COPY and ADD: sources (globs, as docker's filepath.Match) from the context
// or another stage's root file system, their checksum (the cache key's
// part), and docker's placement rules: a directory's contents (not the
// directory) are copied; a file lands in the destination when that is a
// directory (or ends in `/`), else becomes it; owners are 0:0 unless
// --chown; modes and mtimes are kept.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { minimatch } from 'minimatch';
import { BuildError } from './errors';
import { mkdirIn, resolveIn } from './scoped';

export interface SourceFile {
  /** The source as written, cleaned, relative to its root ('' is the root). */
  rel: string;
  host: string;
}

const GLOB = /[*?[]/;

function walkAll(root: string, rel = ''): string[] {
  const out: string[] = [];
  for (const n of fs.readdirSync(path.join(root, rel)).sort()) {
    const r = rel ? `${rel}/${n}` : n;
    out.push(r);
    if (fs.lstatSync(path.join(root, r)).isDirectory()) out.push(...walkAll(root, r));
  }
  return out;
}

/** The files and directories `patterns` name under `root`; a missing source or a glob matching nothing is an error naming it. */
export function collectSources(root: string, patterns: string[], what: string, scoped: boolean): SourceFile[] {
  const out: SourceFile[] = [];
  let all: string[] | undefined;
  for (const pattern of patterns) {
    const clean = path.posix.normalize(`/${pattern}`).slice(1).replace(/\/$/, '');
    if (GLOB.test(clean)) {
      all ??= walkAll(root);
      const hits = all.filter((r) => minimatch(r, clean, { dot: true }));
      if (hits.length === 0) throw new BuildError(`${what} failed: no source files were specified`, 'failed', { pattern });
      for (const r of hits) out.push({ rel: r, host: scoped ? resolveIn(root, r) : path.join(root, r) });
      continue;
    }
    const host = clean === '' ? root : scoped ? resolveIn(root, clean) : path.join(root, clean);
    if (!fs.existsSync(host)) {
      throw new BuildError(`${what} failed: file not found in build context or excluded by .dockerignore: stat ${clean}: file does not exist`, 'failed', { source: pattern });
    }
    out.push({ rel: clean, host });
  }
  return out;
}

/** A digest of the sources' names, types, modes and contents (docker's tarsum, without times). */
export function checksumSources(sources: SourceFile[]): string {
  const h = crypto.createHash('sha256');
  const add = (host: string, rel: string) => {
    const st = fs.lstatSync(host);
    h.update(`${rel}\0${st.mode}\0${st.uid}:${st.gid}\0`);
    if (st.isSymbolicLink()) h.update(`->${fs.readlinkSync(host)}\0`);
    else if (st.isFile()) h.update(fs.readFileSync(host));
    else if (st.isDirectory()) for (const n of fs.readdirSync(host).sort()) add(path.join(host, n), `${rel}/${n}`);
    h.update('\0');
  };
  for (const s of sources) add(s.host, s.rel);
  return `sha256:${h.digest('hex')}`;
}

export interface CopyOptions {
  owner?: { uid: number; gid: number };
}

function copyEntry(src: string, dst: string, o: CopyOptions): void {
  const st = fs.lstatSync(src);
  const uid = o.owner?.uid ?? 0;
  const gid = o.owner?.gid ?? 0;
  const old = fs.lstatSync(dst, { throwIfNoEntry: false });
  if (st.isDirectory()) {
    if (old && !old.isDirectory()) fs.rmSync(dst, { force: true });
    if (!old || !old.isDirectory()) fs.mkdirSync(dst, { mode: 0o700 });
    for (const n of fs.readdirSync(src).sort()) copyEntry(path.join(src, n), path.join(dst, n), o);
    fs.lchownSync(dst, uid, gid);
    fs.chmodSync(dst, st.mode & 0o7777);
    fs.utimesSync(dst, st.atime, st.mtime);
    return;
  }
  if (old) fs.rmSync(dst, { recursive: true, force: true });
  if (st.isSymbolicLink()) {
    fs.symlinkSync(fs.readlinkSync(src), dst);
    fs.lchownSync(dst, uid, gid);
    fs.lutimesSync(dst, st.atime, st.mtime);
    return;
  }
  if (!st.isFile()) return; // devices, fifos, sockets: not copied
  fs.copyFileSync(src, dst);
  fs.lchownSync(dst, uid, gid);
  // chown clears set-id bits: the mode after it.
  fs.chmodSync(dst, st.mode & 0o7777);
  fs.utimesSync(dst, st.atime, st.mtime);
}

/** Copies `sources` to `dest` (absolute, in the container) inside `rootfs` with docker's rules. */
export function copySources(rootfs: string, sources: SourceFile[], dest: string, o: CopyOptions): void {
  const destIsDir = dest.endsWith('/') || sources.length > 1;
  for (const s of sources) {
    const st = fs.statSync(s.host);
    if (st.isDirectory()) {
      const dir = mkdirIn(rootfs, dest, o.owner);
      for (const n of fs.readdirSync(s.host).sort()) copyEntry(path.join(s.host, n), path.join(dir, n), o);
      continue;
    }
    const existing = fs.statSync(resolveIn(rootfs, dest), { throwIfNoEntry: false });
    let target: string;
    if (destIsDir || existing?.isDirectory()) {
      const dir = mkdirIn(rootfs, dest, o.owner);
      target = path.join(dir, path.basename(s.rel));
    } else {
      const parent = mkdirIn(rootfs, path.posix.dirname(dest));
      target = path.join(parent, path.posix.basename(dest));
    }
    copyEntry(s.host, target, o);
  }
}

/** ADD's archive test: tar, or tar compressed with gzip, bzip2 or xz (by magic bytes, as docker). */
export function archiveKind(file: string): 'tar' | 'gzip' | 'bzip2' | 'xz' | undefined {
  const fd = fs.openSync(file, 'r');
  const head = Buffer.alloc(512);
  const n = fs.readSync(fd, head, 0, 512, 0);
  fs.closeSync(fd);
  if (n >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (n >= 3 && head.subarray(0, 3).toString() === 'BZh') return 'bzip2';
  if (n >= 6 && head.subarray(0, 6).equals(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]))) return 'xz';
  if (n >= 262 && head.subarray(257, 262).toString() === 'ustar') return 'tar';
  return undefined;
}
