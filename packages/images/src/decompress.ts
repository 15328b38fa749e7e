// Tar streams as docker takes them (pkg/archive's DetectCompression): gzip, bzip2, xz or zstd, told
// apart by their magic bytes, or plain. Every decoder is JavaScript or WebAssembly from npm, so a
// fresh machine builds nothing: Node's zlib for gzip, fzstd for zstd (Node 20's zlib has none),
// unbzip2-stream for bzip2 and xz-decompress (xz-embedded compiled to WebAssembly) for xz. The
// three from npm load only when a stream of theirs comes.
import { Transform, type TransformCallback } from 'node:stream';
import { ReadableStream } from 'node:stream/web';
import zlib from 'node:zlib';
import { invalid } from './errors';

export type Compression = 'gzip' | 'bzip2' | 'xz' | 'zstd' | 'plain';

const MAGIC: Array<[Compression, number[]]> = [
  ['gzip', [0x1f, 0x8b, 0x08]],
  ['bzip2', [0x42, 0x5a, 0x68]], // "BZh"
  ['xz', [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]],
  ['zstd', [0x28, 0xb5, 0x2f, 0xfd]],
];
/** Bytes enough to tell every format apart. */
const HEAD = 6;

export function detectCompression(head: Uint8Array): Compression {
  for (const [name, magic] of MAGIC) if (head.length >= magic.length && magic.every((b, i) => head[i] === b)) return name;
  return 'plain';
}

/** A decoder fed chunk by chunk; it hands its output to `push` and says so when it is done. */
interface Decoder {
  write(chunk: Buffer): Promise<void>;
  end(): Promise<void>;
}

function gzip(push: (d: Buffer) => void): Decoder {
  const z = zlib.createGunzip();
  let failed: Error | undefined;
  z.on('data', push);
  z.on('error', (e) => (failed = e));
  const ended = new Promise<void>((resolve, reject) => {
    z.once('end', resolve);
    z.once('error', reject);
  });
  ended.catch(() => undefined);
  return {
    // After an error zlib calls no write callback: the error event settles the write instead.
    write: (c) => new Promise((resolve, reject) => {
      if (failed) return reject(failed);
      z.once('error', reject);
      z.write(c, () => {
        z.off('error', reject);
        if (failed) reject(failed);
        else resolve();
      });
    }),
    end: () => (z.end(), ended),
  };
}

function zstd(push: (d: Buffer) => void): Decoder {
  const { Decompress } = require('fzstd') as typeof import('fzstd');
  const d = new Decompress((data) => push(Buffer.from(data)));
  return { write: async (c) => d.push(c), end: async () => d.push(new Uint8Array(0), true) };
}

function bzip2(push: (d: Buffer) => void): Decoder {
  // A `through` stream: it decodes synchronously in write() and throws or emits 'error' when the data is bad.
  const s = (require('unbzip2-stream') as () => NodeJS.ReadWriteStream)();
  let failed = false;
  let ended = false;
  s.on('data', push);
  // Its own messages say nothing ("I gave up a while ago on writing error messages").
  s.on('error', () => (failed = true));
  s.on('end', () => (ended = true));
  const check = () => {
    if (failed) throw new Error('corrupt or truncated data');
  };
  return {
    write: async (c) => {
      try {
        s.write(c);
      } catch {
        failed = true;
      }
      check();
    },
    end: async () => {
      try {
        s.end();
      } catch {
        failed = true;
      }
      check();
      if (!ended) throw new Error('truncated data');
    },
  };
}

/** xz-embedded's return codes (xz.h), which xz-decompress reports as numbers. */
const XZ_ERRORS: Record<string, string> = { 2: 'unsupported check', 3: 'out of memory', 4: 'memory limit reached', 5: 'not an xz stream', 6: 'unsupported options', 7: 'corrupt data', 8: 'truncated data' };
function xzError(e: unknown): Error {
  const code = /error code (\d+)/.exec((e as Error)?.message ?? '')?.[1];
  return new Error((code && XZ_ERRORS[code]) || (e as Error)?.message || 'corrupt data');
}

function xz(push: (d: Buffer) => void): Decoder {
  const { XzReadableStream } = require('xz-decompress') as typeof import('xz-decompress');
  // xz-decompress reads a web stream: ours hands it one chunk per pull, so input waits for the decoder.
  let offer: ((c: Buffer | null) => void) | undefined;
  const offered: Array<Buffer | null> = [];
  const input = new ReadableStream<Uint8Array>({
    pull: (controller) => new Promise<void>((resolve) => {
      const take = (c: Buffer | null) => {
        if (c) controller.enqueue(c);
        else controller.close();
        resolve();
      };
      const next = offered.shift();
      if (next !== undefined) take(next);
      else offer = take;
    }),
  });
  const give = (c: Buffer | null) => {
    if (offer) {
      const o = offer;
      offer = undefined;
      o(c);
    } else offered.push(c);
  };
  const reading = (async () => {
    const reader = new XzReadableStream(input as unknown as globalThis.ReadableStream<Uint8Array>).getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      push(Buffer.from(value));
    }
  })();
  let failed: unknown;
  reading.catch((e) => (failed = xzError(e)));
  return {
    write: async (c) => {
      if (failed) throw failed;
      give(c);
    },
    end: async () => {
      give(null);
      await reading.catch((e) => Promise.reject(xzError(e)));
    },
  };
}

const DECODERS: Record<Exclude<Compression, 'plain'>, (push: (d: Buffer) => void) => Decoder> = { gzip, bzip2, xz, zstd };

/** Decompresses by the stream's magic bytes; passes a plain tar through. Bad data fails naming the format. */
export function decompressor(): Transform {
  let head: Buffer[] = [];
  let headLength = 0;
  let format: Compression | undefined;
  let decoder: Decoder | undefined;
  const fail = (e: unknown) => invalid(`${format}: ${(e as Error)?.message || 'corrupt data'}`, { compression: format });
  const feed = (t: Transform, chunk: Buffer, cb: TransformCallback) => {
    if (!decoder) return cb(null, chunk);
    decoder.write(chunk).then(() => cb(), (e) => cb(fail(e)));
  };
  const decide = (t: Transform) => {
    const first = Buffer.concat(head);
    head = [];
    format = detectCompression(first);
    if (format !== 'plain') decoder = DECODERS[format]((d) => t.push(d));
    return first;
  };
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      if (format) return feed(this, chunk, cb);
      head.push(chunk);
      headLength += chunk.length;
      if (headLength < HEAD) return cb();
      try {
        feed(this, decide(this), cb);
      } catch (e) {
        cb(fail(e));
      }
    },
    flush(cb) {
      const finish = () => {
        if (!decoder) return cb();
        decoder.end().then(() => cb(), (e) => cb(fail(e)));
      };
      if (format) return finish();
      try {
        const first = decide(this);
        if (!decoder) return cb(null, first);
        decoder.write(first).then(finish, (e) => cb(fail(e)));
      } catch (e) {
        cb(fail(e));
      }
    },
  });
}
