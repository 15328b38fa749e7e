// hullctl events: the supervisor's task events as docker prints them,
// "TIME container ACTION ID (name=NAME, ...)", until interrupted or --until;
// --since first replays what the supervisor kept (it keeps events across restarts).
import type { Envelope } from '@hull/shim/messages';
import { decodeEvent } from '@hull/shim/proto';
import { toDate } from '../client';
import { NAME_ANNOTATION } from '../annotations';
import { resolveContainer, store } from '../containers';
import type { Context } from '../context';
import { FlagError, invalidFlag } from '../errors';
import { parseTimestamp, type Timestamp } from '../timestamps';
import { strings } from './common';

function timeFlag(v: unknown, flag: string): Timestamp | undefined {
  if (v === undefined) return undefined;
  try {
    return parseTimestamp(String(v));
  } catch (e) {
    throw invalidFlag(String(v), flag, (e as Error).message);
  }
}

// containerd's topics → docker's action names.
const ACTIONS: Record<string, string> = {
  '/tasks/create': 'create',
  '/tasks/start': 'start',
  '/tasks/exec-added': 'exec_create',
  '/tasks/exec-started': 'exec_start',
  '/tasks/paused': 'pause',
  '/tasks/resumed': 'unpause',
  '/tasks/oom': 'oom',
  '/tasks/exit': 'die',
  '/tasks/delete': 'destroy',
};

function timestamp(d: Date, nanos: number): string {
  return `${d.toISOString().slice(0, 19)}.${String(nanos).padStart(9, '0')}Z`;
}

export async function handler(ctx: Context, argv: Record<string, unknown>): Promise<number> {
  const filters = strings(argv.filter).map((f) => {
    const eq = f.indexOf('=');
    if (eq < 0) throw new FlagError(`bad format of filter (expected name=value): ${f}`);
    return { key: f.slice(0, eq), value: f.slice(eq + 1) };
  });
  const events = new Set<string>();
  let containerId = '';
  for (const f of filters) {
    if (f.key === 'event') {
      if (!Object.values(ACTIONS).includes(f.value)) throw new FlagError(`invalid event filter: ${f.value}`);
      events.add(f.value);
    } else if (f.key === 'container') {
      containerId = (await resolveContainer(ctx, f.value)).id;
    } else throw new FlagError(`invalid filter '${f.key}'`);
  }
  const since = timeFlag(argv.since, '--since');
  const until = timeFlag(argv.until, '--until');
  const json = argv.format === 'json';
  const names = new Map<string, string>();
  const nameOf = async (id: string) => {
    if (!names.has(id)) names.set(id, await resolveContainer(ctx, id).then((c) => c.name, () => id));
    return names.get(id)!;
  };
  const stream = ctx.client().subscribe({ container_id: containerId, ...(since ? { since } : {}), ...(until ? { until } : {}) });
  return new Promise<number>((resolve, reject) => {
    let chain = Promise.resolve();
    // Events received are printed before the end (their names may still be looked up).
    const stop = () => {
      stream.cancel();
      void chain.then(() => resolve(0));
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    stream.on('data', (env: Envelope) => {
      const action = ACTIONS[env.topic] ?? env.topic;
      const ev = decodeEvent(env) ?? {};
      const id = String(ev.container_id ?? '');
      // A container's name is read from its bundle when it is made: a --rm
      // container may be gone (bundle and name) by the time its start or die is printed.
      if (env.topic === '/tasks/create' && ev.bundle && !names.has(id)) {
        const name = store(ctx).readSpec(String(ev.bundle))?.annotations?.[NAME_ANNOTATION];
        if (name) names.set(id, name);
      }
      if (events.size > 0 && !events.has(action)) return;
      chain = chain.then(async () => {
        const name = await nameOf(id);
        const attrs: Record<string, string> = { name };
        if (ev.exit_status !== undefined && env.topic === '/tasks/exit') attrs.exitCode = String(ev.exit_status);
        if (ev.exec_id) attrs.execID = String(ev.exec_id);
        const when = toDate(env.timestamp) ?? new Date();
        if (json) {
          process.stdout.write(JSON.stringify({ Type: 'container', Action: action, Actor: { ID: id, Attributes: attrs }, time: Math.floor(when.getTime() / 1000), timeNano: (env.timestamp?.seconds ?? 0) * 1e9 + (env.timestamp?.nanos ?? 0) }) + '\n');
        } else {
          const a = Object.entries(attrs).map(([k, v]) => `${k}=${v}`).join(', ');
          process.stdout.write(`${timestamp(when, env.timestamp?.nanos ?? 0)} container ${action} ${id} (${a})\n`);
        }
      });
    });
    stream.on('error', (e: { code?: number }) => {
      if (e.code === 1) return void chain.then(() => resolve(0)); // cancelled by us
      const { grpcError } = require('../client') as typeof import('../client');
      reject(grpcError(e, ctx.address));
    });
    stream.on('end', () => void chain.then(() => resolve(0)));
  });
}
