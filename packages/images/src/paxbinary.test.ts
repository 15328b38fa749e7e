import * as tar from 'tar-stream';
import { decodePax, encodePax, paxValue, xattrBytes } from './paxbinary';

// A security.capability value (VFS_CAP_REVISION_2, effective; cap_net_admin, cap_net_raw, cap_setfcap): not UTF-8.
const CAP = Buffer.from('0100000200300080000000000000000000000000', 'hex');

async function tarOf(entries: [tar.Headers, Buffer][]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (c: Buffer) => chunks.push(c));
  const ended = new Promise((r) => pack.on('end', r));
  for (const [h, body] of entries) pack.entry(h, body);
  pack.finalize();
  await ended;
  return Buffer.concat(chunks);
}

async function firstHeader(t: Buffer): Promise<tar.Headers> {
  const extract = tar.extract();
  extract.end(t);
  for await (const e of extract) {
    e.resume();
    return e.header;
  }
  throw new Error('no entry');
}

describe('binary-safe pax records', () => {
  it('encodes lengths in bytes, counting their own digits', () => {
    const rec = encodePax({ pax: { 'SCHILY.xattr.user.x': paxValue(Buffer.from([0xff, 0x00, 0x80])) } });
    // " SCHILY.xattr.user.x=" (21) + 3 bytes + "\n" = 25, + 2 digits = 27.
    expect(rec.subarray(0, 3).toString()).toBe('27 ');
    expect(rec.length).toBe(27);
    expect(rec.subarray(23, 26)).toEqual(Buffer.from([0xff, 0x00, 0x80]));
    expect(decodePax(rec)['SCHILY.xattr.user.x']).toBe(paxValue(Buffer.from([0xff, 0x00, 0x80])));
  });

  it('carries a binary security.capability and a UTF-8 path through tar-stream byte for byte', async () => {
    const t = await tarOf([[{ name: 'bin/pïng', type: 'file', mode: 0o755, pax: { 'SCHILY.xattr.security.capability': paxValue(CAP), 'SCHILY.xattr.user.note': paxValue(Buffer.from('héllo')) } }, Buffer.alloc(0)]]);
    // On the wire: the raw bytes, as GNU tar and Go write them (not their UTF-8 encoding).
    expect(t.includes(Buffer.concat([Buffer.from('security.capability='), CAP, Buffer.from('\n')]))).toBe(true);
    const h = await firstHeader(t);
    expect(h.name).toBe('bin/pïng');
    expect(xattrBytes(h.pax!['SCHILY.xattr.security.capability']!)).toEqual(CAP);
    expect(xattrBytes(h.pax!['SCHILY.xattr.user.note']!).toString('utf8')).toBe('héllo');
  });

  it('reads records of GNU tar / Go shape (raw bytes in the value) through tar-stream', async () => {
    const body = Buffer.concat([Buffer.from(' SCHILY.xattr.security.capability='), CAP, Buffer.from('\n')]);
    const rec = Buffer.concat([Buffer.from(String(body.length + 2)), body, Buffer.from('14 path=a/b/c\n')]);
    // A pax header entry as GNU tar writes it, then the file it describes:
    // tar-stream writes no pax body itself, so a file entry is turned into one.
    const t = await tarOf([[{ name: 'PaxHeader', type: 'file', mode: 0o644 }, rec], [{ name: 'short', type: 'file', mode: 0o644 }, Buffer.alloc(0)]]);
    t[156] = 'x'.charCodeAt(0);
    t.fill(' ', 148, 156);
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += t[i]!;
    t.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
    const h = await firstHeader(t);
    expect(h.name).toBe('a/b/c');
    expect(xattrBytes(h.pax!['SCHILY.xattr.security.capability']!)).toEqual(CAP);
  });
});
