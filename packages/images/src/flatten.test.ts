import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import * as tar from 'tar-stream';
import { lsetxattr, mknod } from '@hull/sys/libc';
import { packMerged } from './flatten';
import { itNeeds } from '@hull/testkit/jest';

const rootIt = itNeeds(process.getuid?.() === 0 ? undefined : 'needs root (whiteout devices, trusted.* xattrs)');

async function entries(dirs: string[]): Promise<Record<string, string>> {
  const out = new PassThrough();
  const extract = tar.extract();
  out.pipe(extract);
  const seen: Record<string, string> = {};
  const reading = (async () => {
    for await (const e of extract) {
      const body: Buffer[] = [];
      for await (const c of e) body.push(c as Buffer);
      seen[e.header.name] = e.header.type === 'file' ? `file:${Buffer.concat(body)}` : e.header.type === 'link' ? `link:${e.header.linkname}` : e.header.type!;
    }
  })();
  await packMerged(dirs, out);
  await reading;
  return seen;
}

describe('packMerged: the union overlayfs shows, as one tar', () => {
  let scratch: string;
  beforeEach(() => { scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'hull-flatten-')); });
  afterEach(() => fs.rmSync(scratch, { recursive: true, force: true }));

  rootIt('applies whiteouts, opaque directories and replacements; the top copy wins; hardlinks stay links', async () => {
    const lower = path.join(scratch, 'lower');
    const middle = path.join(scratch, 'middle');
    const upper = path.join(scratch, 'upper');
    const w = (dir: string, rel: string, body = rel) => { fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true }); fs.writeFileSync(path.join(dir, rel), body); };
    w(lower, 'a/x'); w(lower, 'a/y'); w(lower, 'b/z'); w(lower, 'd/q'); w(lower, 'e/keep'); w(lower, 'h1');
    fs.linkSync(path.join(lower, 'h1'), path.join(lower, 'h2'));
    w(middle, 'a/x', 'middle'); w(middle, 'e/more');
    // The middle layer made b opaque: lower's b/z is hidden, its own b/m shows.
    w(middle, 'b/m');
    lsetxattr(path.join(middle, 'b'), 'trusted.overlay.opaque', Buffer.from('y'));
    w(upper, 'a/x', 'upper');
    mknod(path.join(upper, 'a/y'), 0o020000, 0n); // deleted
    w(upper, 'd', 'now a file');
    mknod(path.join(upper, 'gone-anyway'), 0o020000, 0n); // a whiteout of nothing below
    expect(await entries([upper, middle, lower])).toEqual({
      a: 'directory', 'a/x': 'file:upper',
      b: 'directory', 'b/m': 'file:b/m',
      d: 'file:now a file',
      e: 'directory', 'e/keep': 'file:e/keep', 'e/more': 'file:e/more',
      h1: 'file:h1', h2: 'link:h1',
    });
  });
});
