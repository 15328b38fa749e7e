// export: a container's flat filesystem as one tar, what overlayfs shows of
// its upper dir over its image's layers, merged here without mounting
// anything (so a crash leaves no mount behind): for each path the top-most
// directory holding it wins; a whiteout hides it below; an opaque directory,
// or anything not a directory, hides what the layers below hold under it.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Writable } from 'node:stream';
import { isOpaque, isWhiteout, packFile, packInto, type Inodes } from './pack';

function lstatOrNull(p: string): fs.Stats | null {
  try {
    return fs.lstatSync(p);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR') return null;
    throw e;
  }
}

/**
 * The children of directory `rel` in the union of `dirs` (top first: the
 * layers where `rel` is a visible directory), sorted by name, each with the
 * file that shows and the layers its own children come from.
 */
async function children(dirs: string[], rel: string): Promise<[string, string, fs.Stats, string[]][]> {
  const seen = new Map<string, { p: string; st: fs.Stats } | null>();
  for (const d of dirs) {
    for (const name of await fsp.readdir(path.join(d, rel))) {
      if (seen.has(name)) continue;
      const p = path.join(d, rel, name);
      const st = fs.lstatSync(p);
      seen.set(name, isWhiteout(st) ? null : { p, st });
    }
  }
  const out: [string, string, fs.Stats, string[]][] = [];
  for (const name of [...seen.keys()].sort()) {
    const top = seen.get(name);
    if (!top) continue; // deleted in a layer above
    const r = rel ? `${rel}/${name}` : name;
    const below: string[] = [];
    if (top.st.isDirectory()) {
      // The layers the directory's children come from: down from the top one, until one hides the rest.
      for (const d of dirs.slice(dirs.findIndex((x) => top.p === path.join(x, r)))) {
        const st = lstatOrNull(path.join(d, r));
        if (!st) continue;
        if (!st.isDirectory()) break;
        below.push(d);
        if (isOpaque(path.join(d, r))) break;
      }
    }
    out.push([r, top.p, top.st, below]);
  }
  return out;
}

async function* merged(dirs: string[], rel = ''): AsyncGenerator<[string, string, fs.Stats]> {
  for (const [r, p, st, below] of await children(dirs, rel)) {
    yield [r, p, st];
    if (st.isDirectory()) yield* merged(below, r);
  }
}

/**
 * Writes the union of `dirs` (top first, overlayfs' lowerdir order with the
 * upper dir first) into `out` as a plain tar: no whiteouts, no overlayfs
 * xattrs, hardlinks kept, sockets left out (docker export's content).
 */
export async function packMerged(dirs: string[], out: Writable): Promise<void> {
  const { pack, done } = packInto(out);
  const inodes: Inodes = new Map();
  try {
    for await (const [rel, p, st] of merged(dirs)) await packFile(pack, rel, p, st, inodes);
  } catch (e) {
    pack.destroy(e as Error);
    throw e;
  }
  pack.finalize();
  await done;
}
