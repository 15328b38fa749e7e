// The shim daemon containerd talks to: the same Supervisor and Task handlers
// as hull-shim, served over ttrpc on the socket `start` bound, with events
// forwarded to containerd. One daemon serves every task of its namespace (or
// group); it leaves once its last task is deleted and Shutdown is called.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { prctl } from '@hull/sys/libc';
import { PR } from '@hull/sys/constants';
import { reapOrphans } from '../reap';
import { grpcCodeOf, precondition } from '../errors';
import { Logger } from '../log';
import { metricsAny } from '../metrics';
import { protoRoot, TASK_SERVICE } from '../proto';
import { InProcessHull } from '../inprocess';
import { Runtime } from '../runtime';
import { Supervisor } from '../supervisor';
import { taskHandlers } from '../task-api';
import { TtrpcServer, type Method } from '../ttrpc/server';
import { runtimeOptions } from './options';
import { SHIM_RECORD, type ShimPlace, type ShimRecord } from './paths';
import { Publisher } from './publisher';
import { lockStateDir, LOCK_WAIT_MS, reclaimDead } from './statelock';

export interface ShimDaemonOptions {
  listenFd: number;
  place: ShimPlace;
  runtime: string;
  /** hull as a library (the default runtime), not through its CLI. */
  inProcess?: boolean;
  namespace: string;
  ttrpcAddress: string;
  debug: boolean;
}

export async function serveShim(o: ShimDaemonOptions): Promise<void> {
  const log = new Logger('text', o.debug ? 'debug' : 'info');
  // The log FIFO closes when containerd goes away: never die of EPIPE.
  process.stderr.on('error', () => {});
  prctl(PR.SET_CHILD_SUBREAPER, 1, 0, 0, 0, 'prctl PR_SET_CHILD_SUBREAPER');
  // Held until we die, however we die: what tells `delete` and the next daemons that this state is live.
  const lock = lockStateDir(o.place.stateDir, { create: true, waitMs: LOCK_WAIT_MS });
  if (!lock) throw precondition(`shim state ${o.place.stateDir}: held by another daemon that does not let go`);
  process.chdir(o.place.stateDir);
  const record: ShimRecord = { pid: process.pid, socket: o.place.socket, runtime: o.runtime, runtimeRoot: o.place.runtimeRoot };
  fs.writeFileSync(path.join(o.place.stateDir, SHIM_RECORD), JSON.stringify(record));

  const sup = new Supervisor({ stateDir: o.place.stateDir, runtime: new Runtime(o.runtime, o.place.runtimeRoot, o.inProcess ? new InProcessHull(o.place.runtimeRoot, log, { threads: false }) : undefined), log });
  await sup.recover();
  const publisher = new Publisher(o.ttrpcAddress, o.namespace, log);
  // containerd hears of an exec's delete from its own call; runc's shim sends TaskDelete for inits only.
  sup.events.subscribe((env, _id, event) => {
    if (env.topic === '/tasks/delete' && event.id) return;
    publisher.publish(env);
  });

  const listener = net.createServer();
  const server = new TtrpcServer({
    statusOf: (e) => ({ code: grpcCodeOf(e), message: e.message }),
    onRejectedPeer: (peer, why) => log.warn('connection refused', { peer, why }),
  });
  let stopping = false;
  const stop = async (why: string) => {
    if (stopping) return;
    stopping = true;
    log.info('stopping', { why, tasks: sup.taskCount() });
    // No new connections: the next `start` binds a fresh daemon.
    fs.rmSync(o.place.socket, { force: true });
    listener.close();
    await publisher.flushed();
    sup.close();
    // Nothing of ours stays behind a daemon that had no tasks left.
    if (sup.taskCount() === 0) fs.rmSync(o.place.stateDir, { recursive: true, force: true });
    // Done with it: containerd's `delete`, which it runs (and waits for) as we leave, need not wait for our exit.
    lock.release();
    process.exit(0);
  };
  const handlers = taskHandlers(sup, {
    shutdown: (now) => {
      if (!now && sup.taskCount() > 0) return false;
      // After this answer is written; a Create that slipped in meanwhile keeps us.
      setTimeout(() => { if (now || sup.taskCount() === 0) void stop('Shutdown'); }, 10);
      return true;
    },
    stats: (id) => metricsAny(sup.taskCgroups(id)),
  });
  const create = handlers.Create;
  handlers.Create = (r) => {
    const opts = runtimeOptions(r.options);
    for (const why of opts.ignored) log.warn('runtime option ignored', { id: r.id, why });
    if ((opts.binaryName && opts.binaryName !== o.runtime) || (opts.root && opts.root !== o.place.runtimeRoot)) {
      log.warn('runtime options differ from those this shim started with; using the shim\'s', { id: r.id, binary: opts.binaryName, root: opts.root });
    }
    return create(r);
  };

  const service = protoRoot().lookupService(TASK_SERVICE);
  const methods: Record<string, Method> = {};
  for (const m of service.methodsArray) {
    m.resolve();
    const fn = handlers[m.name];
    if (!fn) continue;
    methods[m.name] = {
      request: m.resolvedRequestType!, response: m.resolvedResponseType!,
      handle: async (req) => {
        log.debug('call', { method: m.name, id: req.id, exec_id: req.exec_id || undefined });
        try {
          return await fn(req);
        } catch (e) {
          const code = grpcCodeOf(e);
          if (code === 2 || code === 13) log.warn(`${m.name} failed`, { id: req.id, error: (e as Error).message });
          throw e;
        }
      },
    };
  }
  server.register(TASK_SERVICE, methods);
  server.serve(listener);
  await new Promise<void>((resolve, reject) => {
    listener.once('error', reject);
    listener.listen({ fd: o.listenFd }, () => { listener.off('error', reject); resolve(); });
  });
  sup.watchRecovered();
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGCHLD', reapOrphans);
  // What daemons killed without a task left (containerd runs no `delete` for them): nothing accumulates.
  void reclaimDead(o.place.stateDir).then(
    (dirs) => { for (const dir of dirs) log.info('removed the state of a dead shim daemon', { dir }); },
    (e: Error) => log.warn('cannot remove the state of dead shim daemons', { error: e.message }),
  );
  log.info('serving', { socket: o.place.socket, stateDir: o.place.stateDir, runtime: o.runtime, inProcess: Boolean(o.inProcess), namespace: o.namespace, pid: process.pid });
}
