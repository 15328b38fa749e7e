// The daemon: a subreaper, the gRPC server on its socket, the supervisor,
// and a clean stop on SIGTERM that leaves containers running.
import fs from 'node:fs';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { prctl } from '@hull/sys/libc';
import { PR } from '@hull/sys/constants';
import { Logger } from './log';
import { reapOrphans } from './reap';
import { InProcessHull } from './inprocess';
import { Runtime } from './runtime';
import { addServices } from './service';
import { addImagesService } from './images';
import { addBuildService } from './build';
import { addNetworkService } from './networks/service';
import { NetworkManager } from './networks/manager';
import { addVolumeService } from './volumes/service';
import { VolumeStore } from './volumes/store';
import { Supervisor } from './supervisor';

export interface ServeOptions {
  address: string;
  stateDir: string;
  runtime: string;
  runtimeRoot?: string;
  /** hull as a library (`--runtime hull`), not through its CLI. */
  inProcess?: boolean;
  logFormat: 'text' | 'json';
  debug: boolean;
  /** Registries reached over plain HTTP beside 127.0.0.0/8 (docker's insecure-registries). */
  insecureRegistries?: string[];
  /** Mirrors of docker.io, tried in order before it (docker's registry-mirrors). */
  mirrors?: string[];
  /** CA certificates per registry: <certsDir>/<host[:port]>/*.crt. */
  certsDir?: string;
}

export async function serve(o: ServeOptions): Promise<void> {
  const log = new Logger(o.logFormat, o.debug ? 'debug' : 'info');
  prctl(PR.SET_CHILD_SUBREAPER, 1, 0, 0, 0, 'prctl PR_SET_CHILD_SUBREAPER');
  fs.mkdirSync(o.stateDir, { recursive: true, mode: 0o700 });
  const sup = new Supervisor({ stateDir: o.stateDir, runtime: new Runtime(o.runtime, o.runtimeRoot, o.inProcess ? new InProcessHull(o.runtimeRoot, log, { threads: true }) : undefined), log });
  await sup.recover();

  const server = new grpc.Server({ 'grpc.max_receive_message_length': 16 << 20 });
  let stopping = false;
  const stop = (why: string) => {
    if (stopping) return;
    stopping = true;
    log.info('stopping; containers keep running', { why, tasks: sup.taskCount() });
    sup.close();
    server.tryShutdown(() => {
      fs.rmSync(o.address, { force: true });
      process.exit(0);
    });
    // Streams (Subscribe, Wait) do not end on their own.
    setTimeout(() => server.forceShutdown(), 200).unref();
  };
  // Images: <state-dir>/images. A container's snapshot goes with its task.
  const { Images } = require('@hull/images') as typeof import('@hull/images');
  const images = new Images({ root: path.join(o.stateDir, 'images'), insecureRegistries: o.insecureRegistries, mirrors: o.mirrors, certsDir: o.certsDir });
  addImagesService(server, images, log);
  addBuildService(server, images, new Runtime(o.runtime, o.runtimeRoot), o.stateDir, log);
  sup.events.subscribe((env, containerId) => {
    // An exec's delete has the same topic: only a task that is gone takes its snapshot along.
    if (env.topic !== '/tasks/delete' || !containerId || sup.list([containerId]).length > 0) return;
    images.removeSnapshot(containerId).catch((e: Error) => log.warn('remove snapshot', { id: containerId, error: e.message }));
  });
  addServices(server, sup, log, (now) => {
    if (!now && sup.taskCount() > 0) return false;
    setImmediate(() => stop('Shutdown'));
    return true;
  });
  addVolumeService(server, new VolumeStore(o.stateDir), log);
  addNetworkService(server, new NetworkManager(o.stateDir, log), log);

  fs.mkdirSync(path.dirname(o.address), { recursive: true, mode: 0o755 });
  fs.rmSync(o.address, { force: true });
  const umask = process.umask(0o177); // the socket is born 0600
  try {
    await new Promise<void>((resolve, reject) => {
      server.bindAsync(`unix://${o.address}`, grpc.ServerCredentials.createInsecure(), (err) => (err ? reject(new Error(`listen on ${o.address}: ${err.message}`)) : resolve()));
    });
  } finally {
    process.umask(umask);
  }
  fs.chmodSync(o.address, 0o600);
  sup.watchRecovered();
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGCHLD', reapOrphans);
  log.info('serving', { address: o.address, stateDir: o.stateDir, runtime: o.runtime, inProcess: Boolean(o.inProcess), pid: process.pid });
}
