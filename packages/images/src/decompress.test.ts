// Tarballs compressed by Debian's own tools (gzip, bzip2, xz, zstd), decompressed by magic bytes.
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { itNeeds } from '@hull/testkit/jest';
import { missingCommand } from '@hull/testkit/host';
import { decompressor, detectCompression } from './decompress';

const TOOLS = { gzip: ['gzip', '-c'], bzip2: ['bzip2', '-c'], xz: ['xz', '-c'], zstd: ['zstd', '-c', '-q'] } as const;

function compress(tool: keyof typeof TOOLS, data: Buffer): Buffer {
  const [cmd, ...args] = TOOLS[tool];
  const r = spawnSync(cmd, args, { input: data, maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${cmd}: ${r.stderr}`);
  return r.stdout;
}

/** Runs `input`, cut into chunks of `size` bytes, through a decompressor. */
async function decompress(input: Buffer, size = 64 << 10): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for (let i = 0; i < input.length; i += size) chunks.push(input.subarray(i, i + size));
  const out: Buffer[] = [];
  await pipeline(Readable.from(chunks), decompressor(), new Writable({ write(c: Buffer, _e, cb) { out.push(c); cb(); } }));
  return Buffer.concat(out);
}

// Half random (so it does not shrink to nothing), half text; 1.5 MB spans several bzip2 blocks and xz chunks.
const text = Buffer.from(Array.from({ length: 64 << 10 }, (_, i) => `hull layer line ${i}\n`).join(''));
const data = Buffer.concat([crypto.randomBytes(256 << 10), text]);

describe.each(Object.keys(TOOLS) as Array<keyof typeof TOOLS>)('%s', (tool) => {
  const it_ = itNeeds(missingCommand(TOOLS[tool][0], ['--version']));

  it_('is recognised by its magic bytes and decompressed whole, in big chunks and in tiny ones', async () => {
    const packed = compress(tool, data);
    expect(detectCompression(packed)).toBe(tool);
    expect((await decompress(packed)).equals(data)).toBe(true);
    const small = compress(tool, text.subarray(0, 20_000));
    expect((await decompress(small, 3)).equals(text.subarray(0, 20_000))).toBe(true);
  });

  it_('fails on corrupt data, naming the format', async () => {
    // Text, so that every format holds it in compressed blocks (zstd keeps random bytes raw, unchecked).
    const bad = compress(tool, text);
    bad.fill(0x55, 32, 1024);
    await expect(decompress(bad)).rejects.toThrow(new RegExp(`^${tool}: .*(corrupt|invalid|incorrect|unknown|truncated|header|data)`, 'i'));
  });

  it_('fails on truncated data, naming the format', async () => {
    const packed = compress(tool, data);
    await expect(decompress(packed.subarray(0, Math.floor(packed.length / 2)))).rejects.toThrow(new RegExp(`^${tool}: .*(truncated|unexpected end|end of|EOF)`, 'i'));
  });
});

describe('plain', () => {
  it('passes anything else through untouched, however short', async () => {
    for (const input of [Buffer.alloc(0), Buffer.from('a'), Buffer.from('BZ'), data]) {
      expect(detectCompression(input)).toBe('plain');
      expect((await decompress(input, 5)).equals(input)).toBe(true);
    }
  });
});
