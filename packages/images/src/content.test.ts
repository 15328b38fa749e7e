import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ContentStore, sha256, type IngestSource } from './content';

let dir: string;
let store: ContentStore;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hull-content-'));
  store = new ContentStore(dir);
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const data = crypto.randomBytes(300_000);
const digest = sha256(data);

/** Serves `data` from an offset in 10 kB chunks; `failAt` cuts the stream there (a dropped connection). */
function source(opts: { failAt?: number; ignoreRange?: boolean; body?: Buffer } = {}): IngestSource & { opens: number[] } {
  const body = opts.body ?? data;
  const opens: number[] = [];
  return {
    opens,
    async open(offset) {
      opens.push(offset);
      const start = opts.ignoreRange ? 0 : offset;
      async function* gen() {
        for (let i = start; i < body.length; i += 10_000) {
          if (opts.failAt !== undefined && i >= opts.failAt) throw new Error('connection reset');
          await new Promise((r) => setImmediate(r));
          yield body.subarray(i, Math.min(body.length, i + 10_000));
        }
      }
      return { start, body: gen() };
    },
  };
}

describe('ContentStore.ingest', () => {
  it('verifies, then makes the blob visible', async () => {
    await store.ingest(digest, data.length, source());
    expect(store.has(digest)).toBe(true);
    expect((await store.read(digest)).equals(data)).toBe(true);
    expect(fs.readdirSync(store.ingestDir)).toEqual([]);
  });

  it('two ingests of one blob share one download, each seeing progress', async () => {
    const src = source();
    const seen = [0, 0];
    await Promise.all([
      store.ingest(digest, data.length, src, (d) => { seen[0] = d; }),
      store.ingest(digest, data.length, src, (d) => { seen[1] = d; }),
    ]);
    expect(src.opens).toEqual([0]);
    expect(seen).toEqual([data.length, data.length]);
  });

  it('an interrupted download resumes from where it stopped (a Range request)', async () => {
    await expect(store.ingest(digest, data.length, source({ failAt: 150_000 }))).rejects.toThrow('connection reset');
    expect(store.has(digest)).toBe(false);
    expect(store.partialSize(digest)).toBe(150_000);
    // A new store on the same directory: what a restarted supervisor sees.
    const again = new ContentStore(dir);
    const src = source();
    await again.ingest(digest, data.length, src);
    expect(src.opens).toEqual([150_000]);
    expect((await again.read(digest)).equals(data)).toBe(true);
  });

  it('starts over when the server ignores the Range', async () => {
    await expect(store.ingest(digest, data.length, source({ failAt: 100_000 }))).rejects.toThrow();
    await store.ingest(digest, data.length, source({ ignoreRange: true }));
    expect((await store.read(digest)).equals(data)).toBe(true);
  });

  it('refuses data whose digest does not match, keeping nothing', async () => {
    const wrong = Buffer.from(data);
    wrong[5] ^= 1;
    await expect(store.ingest(digest, data.length, source({ body: wrong }))).rejects.toThrow(`content ${digest}: digest mismatch: the data's digest is ${sha256(wrong)}`);
    expect(store.has(digest)).toBe(false);
    expect(fs.readdirSync(store.ingestDir)).toEqual([]);
  });

  it('refuses a blob longer than announced', async () => {
    await expect(store.ingest(digest, 1000, source())).rejects.toThrow(/size mismatch: expected 1000 bytes/);
    expect(store.has(digest)).toBe(false);
  });
});
