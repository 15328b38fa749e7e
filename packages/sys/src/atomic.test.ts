import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readJson, readJsonSync, writeFileAtomic, writeFileAtomicSync } from './atomic';

let dir: string;
beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hull-atomic-'))));
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe.each([
  ['writeFileAtomic', (f: string, d: string, o?: { mode?: number; fsync?: boolean }) => writeFileAtomic(f, d, o)],
  ['writeFileAtomicSync', async (f: string, d: string, o?: { mode?: number; fsync?: boolean }) => writeFileAtomicSync(f, d, o)],
])('%s', (_name, write) => {
  it('replaces the file whole, with the mode asked, and leaves no temp file', async () => {
    const f = path.join(dir, 'state.json');
    fs.writeFileSync(f, 'old');
    await write(f, 'new', { mode: 0o600 });
    expect(fs.readFileSync(f, 'utf8')).toBe('new');
    expect(fs.statSync(f).mode & 0o777).toBe(0o600);
    await write(f, 'newer', { fsync: false });
    expect(fs.readFileSync(f, 'utf8')).toBe('newer');
    expect(fs.readdirSync(dir)).toEqual(['state.json']);
  });

  it('fails without touching the target or leaving its temp file behind', async () => {
    const target = path.join(dir, 'taken');
    fs.mkdirSync(path.join(target, 'inside'), { recursive: true }); // a rename over a non-empty directory fails
    await expect(write(target, 'x')).rejects.toMatchObject({ code: expect.stringMatching(/^(EISDIR|ENOTEMPTY|EEXIST)$/) });
    expect(fs.readdirSync(dir)).toEqual(['taken']);
    expect(fs.readdirSync(target)).toEqual(['inside']);
  });

  it('names the missing directory when there is nowhere to write', async () => {
    await expect(write(path.join(dir, 'no', 'such'), 'x')).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('readJson', () => {
  it('reads a record back, undefined when absent, and throws on a broken one', async () => {
    const f = path.join(dir, 'r.json');
    expect(await readJson(f)).toBeUndefined();
    expect(readJsonSync(f)).toBeUndefined();
    writeFileAtomicSync(f, JSON.stringify({ a: 1 }));
    expect(await readJson(f)).toEqual({ a: 1 });
    expect(readJsonSync(f)).toEqual({ a: 1 });
    fs.writeFileSync(f, '{');
    await expect(readJson(f)).rejects.toThrow(SyntaxError);
    expect(() => readJsonSync(f)).toThrow(SyntaxError);
  });
});
