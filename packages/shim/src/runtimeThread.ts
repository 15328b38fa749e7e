// One thread of the in-process runtime (see runtimeThreads.ts): runs the
// runtime's create, exec, start or delete, which block on hull-init and on
// hooks, one job at a time. The main thread owns every long-lived child, so the monitor is
// started there: this thread asks for it and waits for the answer.
import { parentPort, receiveMessageOnPort, workerData, type MessagePort } from 'node:worker_threads';
import * as hull from '@hull/runtime';
import { close } from '@hull/sys/libc';
import { jobError, runJob } from './inprocess';
import type { MonitorArgs } from './monitor';
import type { FromThread, RuntimeJob, ThreadData, ToThreadReply } from './runtimeThreads';

const { root, flag, reply } = workerData as ThreadData & { reply: MessagePort };
const port = parentPort!;
const store = new hull.StateStore(root);
const post = (m: FromThread) => port.postMessage(m);
const log: hull.Log = {
  debug: (m: string) => post({ t: 'log', level: 'debug', m }),
  info: (m: string) => post({ t: 'log', level: 'info', m }),
  warn: (m: string) => post({ t: 'log', level: 'warn', m }),
  error: (m: string) => post({ t: 'log', level: 'error', m }),
};
const answered = new Int32Array(flag);

/** Asks the main thread to start the monitor; blocks until it has (this thread has nothing else to do meanwhile). */
function startMonitorOnMain(args: MonitorArgs): number {
  Atomics.store(answered, 0, 0);
  post({ t: 'monitor', args });
  Atomics.wait(answered, 0, 0);
  const got = receiveMessageOnPort(reply)?.message as ToThreadReply | undefined;
  if (!got) throw new Error('hull-monitor: the main thread did not answer');
  if ('error' in got) throw new Error(got.error);
  return got.pid;
}

/** Whether a create or exec ran here: then this thread's copy of hull-init (sealedInit) is open. */
let sealed = false;

port.on('message', (job: RuntimeJob | 'retire') => {
  if (job === 'retire') {
    // fds are the process's: what this thread opened for good must be closed before it ends.
    if (sealed) close(hull.sealedInit());
    process.exit(0);
  }
  sealed ||= job.op === 'create' || job.op === 'exec';
  runJob(store, log, job, startMonitorOnMain).then(
    () => post({ t: 'done' }),
    (e: unknown) => {
      const err = jobError(job, e);
      let context: Record<string, unknown>;
      try {
        context = JSON.parse(JSON.stringify(err.context ?? {}));
      } catch {
        context = { id: job.id };
      }
      post({ t: 'failed', grpcCode: err.grpcCode, code: err.code, message: err.message, context, cleanup: err.cleanup.map((c) => hull.errorMessage(c)) });
    },
  );
});
