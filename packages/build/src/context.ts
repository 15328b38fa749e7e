// The build context as docker's client sends it: the directory as a tar,
// minus what .dockerignore excludes (docker's matching rules, by
// @balena/dockerignore, the port of moby's fileutils the docker
// ecosystem uses). The Dockerfile and .dockerignore themselves always go.
import fs from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import ignore from '@balena/dockerignore';
import * as tarStream from 'tar-stream';
import { BuildError } from './errors';

/** The relative paths of the context that are sent, parents before children. */
export function contextEntries(dir: string, dockerfile = 'Dockerfile'): string[] {
  let patterns = '';
  try {
    patterns = fs.readFileSync(path.join(dir, '.dockerignore'), 'utf8');
  } catch { /* none */ }
  const ig = ignore({ ignorecase: false }).add(patterns.split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !l.startsWith('#')));
  const keep = new Set(['.dockerignore', dockerfile]);
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const n of fs.readdirSync(path.join(dir, rel)).sort()) {
      const r = rel ? `${rel}/${n}` : n;
      const st = fs.lstatSync(path.join(dir, r));
      // An excluded directory is still walked: `!` can bring back what is under it.
      const ignored = !keep.has(r) && ig.ignores(st.isDirectory() ? `${r}/` : r) && ig.ignores(r);
      if (!ignored) out.push(r);
      if (st.isDirectory()) walk(r);
    }
  };
  walk('');
  return out;
}

/** The context as a tar stream (modes, times, symlinks; owners are not sent: COPY makes them 0:0 or --chown). */
export function packContext(dir: string, dockerfile = 'Dockerfile'): Readable {
  if (!fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory()) throw new BuildError(`unable to prepare context: path ${JSON.stringify(dir)} not found`, 'not-found');
  const pack = tarStream.pack();
  const entries = contextEntries(dir, dockerfile);
  (async () => {
    for (const rel of entries) {
      const p = path.join(dir, rel);
      const st = fs.lstatSync(p);
      const h = { name: rel, mode: st.mode & 0o7777, mtime: st.mtime, uid: 0, gid: 0 };
      await new Promise<void>((resolve, reject) => {
        const cb = (e?: Error | null) => (e ? reject(e) : resolve());
        if (st.isDirectory()) pack.entry({ ...h, type: 'directory' }, cb);
        else if (st.isSymbolicLink()) pack.entry({ ...h, type: 'symlink', linkname: fs.readlinkSync(p) }, cb);
        else if (st.isFile()) {
          const sink = pack.entry({ ...h, type: 'file', size: st.size }, cb);
          fs.createReadStream(p).on('error', reject).pipe(sink);
        } else resolve(); // sockets, fifos, devices: not part of a context
      });
    }
    pack.finalize();
  })().catch((e: Error) => pack.destroy(e));
  return pack as unknown as Readable;
}

/** Unpacks a context tar into `dir` (the layer unpacker: nothing is written outside `dir`). */
export async function unpackContext(input: Readable, dir: string): Promise<void> {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  // Loaded here: hullctl packs contexts without loading the image store.
  const { unpackLayer } = require('@hull/images') as typeof import('@hull/images');
  await unpackLayer(input, dir, 'build context');
}
