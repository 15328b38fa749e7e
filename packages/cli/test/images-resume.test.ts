// An interrupted pull resumes: kill -9 the supervisor mid-download, start it
// again on the same state dir, pull again: only the rest of the blob is
// fetched (an HTTP Range request). A proxy in front of the real registry
// holds the first big blob part-way and records what it served.
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Transform } from 'node:stream';
import { buildLayout, pushLayout, registryPrerequisites, startRegistry, type TestRegistry } from '../../images/test/registry';
import { runtimes, startEnv, type Env } from './helpers';
import { startSupervisor } from '@hull/testkit/supervisor';
import { describeNeeds } from '@hull/testkit/jest';

const hull = runtimes().find((r) => r.name === 'hull')!;
const d = describeNeeds(registryPrerequisites() ?? hull.skip);

/** Bytes of the first big blob sent before the proxy holds the rest back. */
const HOLD_AT = 3 << 20;

interface Served {
  path: string;
  range?: string;
  bytes: number;
}

function startProxy(target: string): Promise<{ host: string; served: Served[]; stop: () => Promise<void> }> {
  const served: Served[] = [];
  let held = false;
  const server = http.createServer((req, res) => {
    const up = http.request({ host: '127.0.0.1', port: Number(target.split(':')[1]), path: req.url, method: req.method, headers: req.headers }, (upRes) => {
      res.writeHead(upRes.statusCode ?? 502, upRes.headers);
      const rec: Served = { path: req.url ?? '', range: req.headers.range, bytes: 0 };
      served.push(rec);
      // The first big blob stops part-way until its client goes: the pull is
      // cut mid-blob however fast or slow the machine (no race with its end).
      const hold = !held && req.method === 'GET' && /\/blobs\/sha256:/.test(req.url ?? '') && Number(upRes.headers['content-length'] ?? 0) > HOLD_AT;
      if (hold) held = true;
      res.on('close', () => upRes.destroy());
      upRes.pipe(new Transform({
        transform(chunk: Buffer, _e, cb) {
          if (hold && rec.bytes + chunk.length >= HOLD_AT) {
            const part = chunk.subarray(0, HOLD_AT - rec.bytes);
            rec.bytes += part.length;
            this.push(part);
            return; // no callback: nothing more flows
          }
          rec.bytes += chunk.length;
          cb(null, chunk);
        },
      })).pipe(res);
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({
    host: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    served,
    stop: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }),
  })));
}

async function startShim(env: Env): Promise<ChildProcess> {
  return (await startSupervisor({ dir: env.dir, runtime: hull.flag })).proc;
}

d('pull after kill -9 of the supervisor', () => {
  let reg: TestRegistry;
  let proxy: Awaited<ReturnType<typeof startProxy>>;
  let env: Env;
  let second: ChildProcess | undefined;

  beforeAll(async () => {
    reg = await startRegistry();
    proxy = await startProxy(reg.host);
    env = await startEnv(hull);
    const layout = buildLayout(path.join(env.dir, 'layout'), { bigFile: 12 << 20 });
    await pushLayout(layout.dir, 'latest', `${reg.host}/big:latest`);
  });
  afterAll(async () => {
    if (second && second.exitCode === null) {
      const gone = new Promise((r) => second!.once('exit', r));
      second.kill('SIGTERM');
      await gone;
    }
    await env?.stop();
    await proxy?.stop();
    await reg?.stop();
  });

  it('fetches only the rest of the interrupted blob', async () => {
    const ref = `${proxy.host}/big`;
    const ingest = path.join(env.stateDir, 'images/content/ingest');
    const client = env.spawnHullctl(['pull', ref]);
    // Wait until the big blob is partly down (the proxy holds the rest), then kill the supervisor outright.
    let partial = '';
    for (let i = 0; i < 1200 && !partial; i++) {
      await new Promise((r) => setTimeout(r, 50));
      // A finished blob leaves ingest between the listing and its stat: no size for it.
      partial = (fs.existsSync(ingest) ? fs.readdirSync(ingest) : []).find((n) => (fs.statSync(path.join(ingest, n), { throwIfNoEntry: false })?.size ?? 0) > (2 << 20)) ?? '';
    }
    expect(partial).toMatch(/^[0-9a-f]{64}$/);
    env.shim!.kill('SIGKILL');
    expect(await client.interrupt()).not.toBe(0);
    const have = fs.statSync(path.join(ingest, partial)).size;
    second = await startShim(env);
    const before = proxy.served.length;
    const r = await env.hullctl(['pull', ref]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const again = proxy.served.slice(before).filter((s) => s.path.endsWith(`/blobs/sha256:${partial}`));
    expect(again).toHaveLength(1);
    expect(again[0]!.range).toBe(`bytes=${have}-`);
    const total = fs.statSync(path.join(env.stateDir, 'images/content/blobs/sha256', partial)).size;
    expect(again[0]!.bytes).toBe(total - have);
    expect(fs.readdirSync(ingest)).toEqual([]);
    expect((await env.hullctl(['run', '--rm', ref, 'sh', '-c', 'wc -c < /big.bin'])).stdout.trim()).toBe(String(12 << 20));
  });
});
