import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { encode, messageType } from '../proto';
import { TtrpcClient } from './client';
import { FrameDecoder, FrameTooLarge, FrameType, HEADER_LENGTH, MAX_DATA_LENGTH, encodeFrame } from './frame';
import { TtrpcServer, type Method } from './server';
import { Code, TtrpcError } from './status';

describe('frames', () => {
  it('header: length and stream id big-endian, then type and flags', () => {
    const f = encodeFrame(0x01020304, FrameType.RESPONSE, Buffer.from([0xaa, 0xbb]), 0x05);
    expect([...f]).toEqual([0, 0, 0, 2, 1, 2, 3, 4, 2, 5, 0xaa, 0xbb]);
    expect(HEADER_LENGTH).toBe(10);
  });

  it('decodes frames split at every byte and glued together', () => {
    const a = encodeFrame(1, FrameType.REQUEST, Buffer.from('hello'));
    const b = encodeFrame(3, FrameType.REQUEST, Buffer.alloc(0));
    const c = encodeFrame(5, FrameType.DATA, Buffer.from('xyz'), 1);
    const all = Buffer.concat([a, b, c]);
    const d = new FrameDecoder();
    const got = [];
    for (const byte of all) got.push(...d.push(Buffer.from([byte])));
    expect(got.map((f) => [f.streamId, f.type, f.flags, f.data.toString()])).toEqual([[1, 1, 0, 'hello'], [3, 1, 0, ''], [5, 3, 1, 'xyz']]);
    expect(new FrameDecoder().push(all)).toHaveLength(3);
  });

  it('refuses to encode data over 4 MiB; skips such a frame when decoding and stays in step', () => {
    expect(() => encodeFrame(1, FrameType.REQUEST, Buffer.alloc(MAX_DATA_LENGTH + 1))).toThrow(FrameTooLarge);
    expect(encodeFrame(1, FrameType.REQUEST, Buffer.alloc(MAX_DATA_LENGTH)).length).toBe(MAX_DATA_LENGTH + 10);
    const big = Buffer.alloc(HEADER_LENGTH + MAX_DATA_LENGTH + 1, 7);
    big.writeUInt32BE(MAX_DATA_LENGTH + 1, 0);
    big.writeUInt32BE(9, 4);
    big.writeUInt8(1, 8);
    big.writeUInt8(0, 9);
    const next = encodeFrame(11, FrameType.REQUEST, Buffer.from('ok'));
    const d = new FrameDecoder();
    const got = [...d.push(big.subarray(0, 100)), ...d.push(big.subarray(100, 3 << 20)), ...d.push(Buffer.concat([big.subarray(3 << 20), next]))];
    expect(got.map((f) => [f.streamId, f.oversize, f.data.toString()])).toEqual([[9, MAX_DATA_LENGTH + 1, ''], [11, undefined, 'ok']]);
  });
});

describe('messages', () => {
  it('Request and Response carry ttrpc field numbers', () => {
    const req = encode(messageType('ttrpc.Request'), { service: 's', method: 'm', payload: Buffer.from([1]), metadata: [{ key: 'k', value: 'v' }] });
    expect(req.toString('hex')).toBe('0a0173' + '12016d' + '1a0101' + '2a06' + '0a016b' + '120176');
    const res = encode(messageType('ttrpc.Response'), { status: { code: 5, message: 'x' } });
    expect(res.toString('hex')).toBe('0a05' + '0805' + '120178');
  });
});

describe('server and client over a unix socket', () => {
  let dir: string;
  let listener: net.Server;
  let server: TtrpcServer;
  let sockPath: string;
  const State = messageType('containerd.task.v2.StateRequest');
  const StateRes = messageType('containerd.task.v2.StateResponse');
  const gates = new Map<string, () => void>();

  const methods: Record<string, Method> = {
    // Answers once released (or at once for ids without a gate): calls finish out of order.
    State: {
      request: State, response: StateRes,
      handle: async (r, call) => {
        if (r.id === 'fail') throw Object.assign(new Error('no such task'), { code: Code.NOT_FOUND });
        if (r.id.startsWith('wait')) await new Promise<void>((res) => gates.set(r.id, res));
        return { id: r.id, exec_id: (call.metadata.ns ?? []).join(','), pid: call.peer.pid };
      },
    },
  };

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ttrpc-'));
    sockPath = path.join(dir, 's');
    server = new TtrpcServer({ statusOf: (e) => ({ code: (e as Error & { code?: number }).code ?? Code.UNKNOWN, message: e.message }) });
    server.register('test.Svc', methods);
    listener = net.createServer();
    server.serve(listener);
    await new Promise<void>((r) => listener.listen(sockPath, r));
  });
  afterEach(async () => {
    server.closeAll();
    await new Promise((r) => listener.close(r));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('answers many calls in flight, each on its own stream, in the order they finish', async () => {
    const c = await TtrpcClient.connect(sockPath);
    const order: string[] = [];
    const slow = c.call('test.Svc', 'State', State, StateRes, { id: 'wait-1' }).then((r) => { order.push(r.id); return r; });
    const fast = c.call('test.Svc', 'State', State, StateRes, { id: 'now' }, { ns: ['default'] }).then((r) => { order.push(r.id); return r; });
    const f = await fast;
    expect(f).toMatchObject({ id: 'now', exec_id: 'default', pid: process.pid });
    while (!gates.has('wait-1')) await new Promise((r) => setImmediate(r));
    gates.get('wait-1')!();
    expect((await slow).id).toBe('wait-1');
    expect(order).toEqual(['now', 'wait-1']);
    c.close();
  });

  it('errors come back as google.rpc.Status codes; unknown services and methods are UNIMPLEMENTED', async () => {
    const c = await TtrpcClient.connect(sockPath);
    await expect(c.call('test.Svc', 'State', State, StateRes, { id: 'fail' })).rejects.toMatchObject({ code: Code.NOT_FOUND, message: 'no such task' });
    await expect(c.call('test.Nope', 'State', State, StateRes, {})).rejects.toMatchObject({ code: Code.UNIMPLEMENTED });
    await expect(c.call('test.Svc', 'Nope', State, StateRes, {})).rejects.toBeInstanceOf(TtrpcError);
    expect((await c.call('test.Svc', 'State', State, StateRes, { id: 'still-up' })).id).toBe('still-up');
    c.close();
  });

  it('answers an oversize request with RESOURCE_EXHAUSTED and keeps the connection', async () => {
    const raw = net.connect(sockPath);
    await new Promise((r) => raw.once('connect', r));
    const header = Buffer.alloc(HEADER_LENGTH);
    header.writeUInt32BE(MAX_DATA_LENGTH + 1, 0);
    header.writeUInt32BE(7, 4);
    header.writeUInt8(FrameType.REQUEST, 8);
    const ok = encodeFrame(9, FrameType.REQUEST, encode(messageType('ttrpc.Request'), { service: 'test.Svc', method: 'State', payload: encode(State, { id: 'after' }) }));
    const frames = new FrameDecoder();
    const got: Array<Record<string, any>> = [];
    const done = new Promise<void>((resolve) => raw.on('data', (b: Buffer) => {
      for (const f of frames.push(b)) got.push({ stream: f.streamId, ...messageType('ttrpc.Response').toObject(messageType('ttrpc.Response').decode(f.data)) });
      if (got.length === 2) resolve();
    }));
    raw.write(Buffer.concat([header, Buffer.alloc(MAX_DATA_LENGTH + 1), ok]));
    await done;
    expect(got[0]).toMatchObject({ stream: 7, status: { code: Code.RESOURCE_EXHAUSTED } });
    expect(got[1].stream).toBe(9);
    expect(got[1].status).toBeUndefined();
    raw.destroy();
  });

  it('the client refuses to send over 4 MiB', async () => {
    const c = await TtrpcClient.connect(sockPath);
    await expect(c.call('test.Svc', 'State', State, StateRes, { id: 'x'.repeat(MAX_DATA_LENGTH) })).rejects.toBeInstanceOf(FrameTooLarge);
    c.close();
  });

  it('pending calls fail when the connection closes', async () => {
    const c = await TtrpcClient.connect(sockPath);
    const p = c.call('test.Svc', 'State', State, StateRes, { id: 'wait-2' });
    while (!gates.has('wait-2')) await new Promise((r) => setImmediate(r));
    server.closeAll();
    await expect(p).rejects.toMatchObject({ code: Code.UNAVAILABLE });
    gates.get('wait-2')!();
  });

  it('checks the peer with SO_PEERCRED and drops one it does not allow', async () => {
    const rejected: string[] = [];
    const strict = new TtrpcServer({ allowPeer: (p) => p.uid === 0xfffe, onRejectedPeer: (_p, why) => rejected.push(why) });
    strict.register('test.Svc', methods);
    const l2 = net.createServer();
    strict.serve(l2);
    const p2 = path.join(dir, 'strict');
    await new Promise<void>((r) => l2.listen(p2, r));
    const c = await TtrpcClient.connect(p2);
    await expect(c.call('test.Svc', 'State', State, StateRes, { id: 'x' })).rejects.toMatchObject({ code: Code.UNAVAILABLE });
    expect(rejected[0]).toMatch(/neither root nor ours/);
    c.close();
    await new Promise((r) => l2.close(r));
  });
});
