import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BuildCache } from './cache';

describe('BuildCache', () => {
  let dir: string;
  beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hull-cache-')); });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('keys differ by any part; entries newest first, deduplicated, bounded', () => {
    expect(BuildCache.key(['a', 'b'])).not.toBe(BuildCache.key(['a', 'b', '']));
    expect(BuildCache.key(['ab', 'c'])).not.toBe(BuildCache.key(['a', 'bc']));
    const c = new BuildCache(dir);
    const k = BuildCache.key(['parent', 'RUN x']);
    expect(c.get(k)).toEqual([]);
    c.put(k, 'sha256:1');
    c.put(k, 'sha256:2');
    c.put(k, 'sha256:1');
    expect(c.get(k)).toEqual(['sha256:1', 'sha256:2']);
    for (let i = 0; i < 20; i++) c.put(k, `sha256:x${i}`);
    expect(c.get(k)).toHaveLength(8);
    expect(c.get(k)[0]).toBe('sha256:x19');
    expect(fs.readdirSync(dir)).toEqual([k]);
  });
});
