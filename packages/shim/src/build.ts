// gRPC handler of hull.build.v1.Builder over @hull/build: the context tar
// arrives in the request stream and is unpacked to a temporary directory,
// the build's output goes back as it comes. Each RUN is a container the
// runtime binary runs to its end (`hull run`), as the supervisor's own tasks.
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import * as grpc from '@grpc/grpc-js';
import { BuildError, Builder, unpackContext, type StepRunner } from '@hull/build';
import { ImageError, type Images } from '@hull/images';
import type { Logger } from './log';
import { BUILD_SERVICE, serviceDefinition } from './proto';
import { cleanEnv, lastRuntimeError, type Runtime } from './runtime';
import { track } from './spawned';
import { imageGrpcCode } from './images';

type Msg = Record<string, any>;

/** RUN steps through the runtime binary: `hull run -b BUNDLE ID`, output piped, the container deleted after. */
export function runtimeStepRunner(runtime: Runtime): StepRunner {
  return {
    run: (id, bundle, output, signal) => new Promise((resolve, reject) => {
      const logFile = path.join(bundle, 'runtime.log');
      const child = track(spawn(runtime.binary, [...runtime.globalArgs(logFile), 'run', '-b', bundle, id], { env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] }));
      child.stdout!.on('data', output);
      child.stderr!.on('data', output);
      const abort = () => { runtime.run(['kill', id, 'KILL']).catch(() => undefined); };
      signal.addEventListener('abort', abort, { once: true });
      child.on('error', (e) => reject(new BuildError(`${runtime.name} run: ${e.message}`)));
      child.on('close', (code, sig) => {
        signal.removeEventListener('abort', abort);
        let log = '';
        try { log = fs.readFileSync(logFile, 'utf8'); } catch { /* none */ }
        const err = lastRuntimeError(log);
        // The runtime failed to start the container (its own error logged), or the process ended.
        if (code !== 0 && err && /level":"(error|fatal)/.test(log)) {
          runtime.run(['delete', '--force', id]).catch(() => undefined).finally(() => reject(new BuildError(`${runtime.name} run: ${err}`)));
          return;
        }
        resolve(code ?? 128 + (sig ? (require('node:os').constants.signals[sig] as number) : 0));
      });
    }),
  };
}

function pairs(list: string[] | undefined, what: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of list ?? []) {
    const i = kv.indexOf('=');
    if (i <= 0) throw new BuildError(`${what} ${JSON.stringify(kv)}: expected KEY=VALUE`, 'invalid');
    out[kv.slice(0, i)] = kv.slice(i + 1);
  }
  return out;
}

function code(e: unknown): number {
  if (e instanceof BuildError) return e.kind === 'invalid' ? grpc.status.INVALID_ARGUMENT : e.kind === 'not-found' ? grpc.status.NOT_FOUND : grpc.status.UNKNOWN;
  if (e instanceof ImageError) return imageGrpcCode(e);
  return grpc.status.UNKNOWN;
}

export function addBuildService(server: grpc.Server, images: Images, runtime: Runtime, stateDir: string, log: Logger): void {
  const builder = new Builder(images, runtimeStepRunner(runtime), path.join(stateDir, 'build'));
  // Leftovers of a supervisor that died mid-build: step dirs and unpacked contexts (snapshots are named build-*).
  for (const n of fs.readdirSync(builder.dir)) if (n !== 'cache') fs.rmSync(path.join(builder.dir, n), { recursive: true, force: true });
  images.snapshots.list().then((snaps) => Promise.all(snaps.filter((s) => s.id.startsWith('build-')).map((s) => images.removeSnapshot(s.id)))).catch(() => undefined);

  server.addService(serviceDefinition(BUILD_SERVICE), {
    Build: (call: grpc.ServerDuplexStream<Msg, Msg>) => {
      const ctxDir = path.join(builder.dir, `context-${crypto.randomBytes(6).toString('hex')}`);
      const tar = new PassThrough();
      const abort = new AbortController();
      let options: Msg | undefined;
      let closed = false;
      let started: Promise<void> | undefined;
      const write = (text: string) => { if (!closed) call.write({ stream: Buffer.from(text), image_id: '' }); };
      const fail = (e: Error) => {
        if (closed) return;
        closed = true;
        if (code(e) === grpc.status.UNKNOWN && !(e instanceof BuildError)) log.warn('build failed', { error: e.message });
        call.emit('error', Object.assign(new Error(e.message), { code: code(e), details: e.message }));
      };
      call.on('cancelled', () => { closed = true; abort.abort(); tar.destroy(); });
      call.on('data', (m: Msg) => {
        if (!options) {
          options = m.options ?? {};
          started = (async () => {
            const o = options!;
            await unpackContext(tar, ctxDir);
            const id = await builder.build({
              contextDir: ctxDir,
              dockerfile: o.dockerfile ?? '',
              dockerfileName: o.dockerfile_name || 'Dockerfile',
              tags: o.tags ?? [],
              buildArgs: pairs(o.build_args, '--build-arg'),
              target: o.target || undefined,
              noCache: !!o.no_cache,
              pull: !!o.pull,
              labels: pairs(o.labels, '--label'),
              network: o.network || 'none',
            }, write, abort.signal);
            if (!closed) {
              call.write({ stream: Buffer.alloc(0), image_id: id });
              closed = true;
              call.end();
            }
          })().catch(fail).finally(() => fs.rmSync(ctxDir, { recursive: true, force: true }));
        }
        // Backpressure: a large context waits for the unpacker instead of filling memory.
        if (m.context?.length && !tar.write(m.context)) {
          call.pause();
          tar.once('drain', () => call.resume());
        }
      });
      call.on('end', () => {
        tar.end();
        if (!started) fail(new BuildError('build: no options sent', 'invalid'));
      });
    },
  });
}
