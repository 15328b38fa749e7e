// Binary xattr values in pax headers. Layers carry xattrs as pax records
// `SCHILY.xattr.<name>=<raw bytes>` (docker's Go tar writes the bytes as they
// are: security.capability is a binary struct). tar-stream 3 reads and writes
// every pax value as a UTF-8 string, which mangles such bytes both ways. Its
// pax codec is two functions on its headers module, looked up at each call;
// they are replaced here by byte-exact ones that carry SCHILY.xattr values as
// latin1 strings (one char per byte, so any byte string round-trips) and
// every other key as UTF-8 as before. Importing this module installs them; the
// round trip is a unit test, so a tar-stream that changes shape fails loudly.
import path from 'node:path';

export const XATTR_PAX = 'SCHILY.xattr.';

interface PaxCodec {
  encodePax(opts: { name?: string; linkname?: string; pax?: Record<string, string> | null }): Buffer;
  decodePax(buf: Buffer): Record<string, string>;
}

/** An xattr value as a pax header value for tar-stream (see above). */
export function paxValue(value: Buffer): string {
  return value.toString('latin1');
}

/** The bytes of an xattr pax value tar-stream gave us. */
export function xattrBytes(value: string): Buffer {
  return Buffer.from(value, 'latin1');
}

const EQUALS = 0x3d;
const SPACE = 0x20;

/** One pax record: "<len> <key>=<value>\n", len counting its own digits. */
function record(key: string, value: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(` ${key}=`, 'utf8'), value, Buffer.from('\n')]);
  let digits = 1;
  while (String(body.length + digits).length !== digits) digits++;
  return Buffer.concat([Buffer.from(String(body.length + digits)), body]);
}

function valueBytes(key: string, value: string): Buffer {
  return key.startsWith(XATTR_PAX) ? xattrBytes(value) : Buffer.from(value, 'utf8');
}

export function encodePax(opts: { name?: string; linkname?: string; pax?: Record<string, string> | null }): Buffer {
  const out: Buffer[] = [];
  if (opts.name) out.push(record('path', Buffer.from(opts.name, 'utf8')));
  if (opts.linkname) out.push(record('linkpath', Buffer.from(opts.linkname, 'utf8')));
  for (const [k, v] of Object.entries(opts.pax ?? {})) out.push(record(k, valueBytes(k, String(v))));
  return Buffer.concat(out);
}

export function decodePax(buf: Buffer): Record<string, string> {
  const result: Record<string, string> = {};
  while (buf.length) {
    const sp = buf.indexOf(SPACE);
    const len = sp > 0 ? parseInt(buf.subarray(0, sp).toString('latin1'), 10) : NaN;
    if (!len || len > buf.length) return result;
    const rec = buf.subarray(sp + 1, len - 1);
    const eq = rec.indexOf(EQUALS);
    if (eq < 0) return result;
    const key = rec.subarray(0, eq).toString('utf8');
    const value = rec.subarray(eq + 1);
    result[key] = key.startsWith(XATTR_PAX) ? value.toString('latin1') : value.toString('utf8');
    buf = buf.subarray(len);
  }
  return result;
}

function install(): void {
  // tar-stream's exports map hides headers.js: reach it beside its index.
  const file = path.join(path.dirname(require.resolve('tar-stream')), 'headers.js');
  const headers = require(file) as Partial<PaxCodec>;
  if (typeof headers.encodePax !== 'function' || typeof headers.decodePax !== 'function') {
    throw new Error(`tar-stream changed: ${file} has no encodePax/decodePax to make binary-safe`);
  }
  headers.encodePax = encodePax;
  headers.decodePax = decodePax;
}

install();
