// ttrpc framing: a 10-byte header (data length u32 BE, stream id u32 BE,
// message type u8, flags u8) before each message's data, at most 4 MiB of it.
export const HEADER_LENGTH = 10;
export const MAX_DATA_LENGTH = 4 << 20;

export const FrameType = { REQUEST: 0x1, RESPONSE: 0x2, DATA: 0x3 } as const;

export interface Frame {
  streamId: number;
  type: number;
  flags: number;
  data: Buffer;
  /** The data was over MAX_DATA_LENGTH: it was skipped, `data` is empty and this is its length. */
  oversize?: number;
}

export class FrameTooLarge extends Error {
  constructor(readonly length: number) {
    super(`ttrpc: message of ${length} bytes is over the ${MAX_DATA_LENGTH}-byte limit`);
  }
}

export function encodeFrame(streamId: number, type: number, data: Uint8Array, flags = 0): Buffer {
  if (data.length > MAX_DATA_LENGTH) throw new FrameTooLarge(data.length);
  const out = Buffer.allocUnsafe(HEADER_LENGTH + data.length);
  out.writeUInt32BE(data.length, 0);
  out.writeUInt32BE(streamId >>> 0, 4);
  out.writeUInt8(type, 8);
  out.writeUInt8(flags, 9);
  out.set(data, HEADER_LENGTH);
  return out;
}

/**
 * Splits a byte stream into frames, whatever the chunking. An oversize
 * frame's data is read and dropped (the stream stays in step) and the frame
 * is still returned, marked, so the server can answer that stream.
 */
export class FrameDecoder {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private skip = 0;

  push(chunk: Buffer): Frame[] {
    const frames: Frame[] = [];
    if (this.skip > 0) {
      const n = Math.min(this.skip, chunk.length);
      this.skip -= n;
      chunk = chunk.subarray(n);
    }
    if (chunk.length) {
      this.chunks.push(chunk);
      this.buffered += chunk.length;
    }
    for (;;) {
      if (this.buffered < HEADER_LENGTH) break;
      const head = this.peek(HEADER_LENGTH);
      const length = head.readUInt32BE(0);
      const streamId = head.readUInt32BE(4);
      const type = head.readUInt8(8);
      const flags = head.readUInt8(9);
      if (length > MAX_DATA_LENGTH) {
        this.take(HEADER_LENGTH);
        const n = Math.min(length, this.buffered);
        this.take(n);
        this.skip = length - n;
        frames.push({ streamId, type, flags, data: Buffer.alloc(0), oversize: length });
        if (this.skip > 0) break;
        continue;
      }
      if (this.buffered < HEADER_LENGTH + length) break;
      this.take(HEADER_LENGTH);
      frames.push({ streamId, type, flags, data: this.take(length) });
    }
    return frames;
  }

  private peek(n: number): Buffer {
    if (this.chunks[0].length < n) this.chunks = [Buffer.concat(this.chunks)];
    return this.chunks[0].subarray(0, n);
  }

  private take(n: number): Buffer {
    if (n === 0) return Buffer.alloc(0);
    if (this.chunks[0].length < n) this.chunks = [Buffer.concat(this.chunks)];
    const first = this.chunks[0];
    const out = first.subarray(0, n);
    if (first.length === n) this.chunks.shift();
    else this.chunks[0] = first.subarray(n);
    this.buffered -= n;
    return out;
  }
}
