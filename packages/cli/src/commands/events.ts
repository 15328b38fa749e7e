// hullctl events: the supervisor's task events as docker prints them,
// "TIME container ACTION ID (name=NAME, ...)", until interrupted or --until;
// --since first replays what the supervisor kept (it keeps events across restarts).
// A container's name, image and labels come with each event (the supervisor
// puts the container's annotations on it), so a container already gone is
// still named and filtered; only events of an older supervisor are named by a lookup.
import type { Envelope } from '@hull/shim/messages';
import { decodeEvent } from '@hull/shim/proto';
import { toDate } from '../client';
import { IMAGE_ANNOTATION, NAME_ANNOTATION, STOP_SIGNAL_ANNOTATION } from '../annotations';
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

/** docker's Actor.Attributes of a container event: its labels, image and name, then the event's own. */
function attributesOf(annotations: Record<string, string>, name: string): Record<string, string> {
  const attrs: Record<string, string> = {};
  // A container's labels are its annotations but hullctl's own bookkeeping.
  for (const [k, v] of Object.entries(annotations)) if (!k.startsWith('io.hull.') && k !== STOP_SIGNAL_ANNOTATION) attrs[k] = v;
  if (annotations[IMAGE_ANNOTATION]) attrs.image = annotations[IMAGE_ANNOTATION];
  attrs.name = name;
  return attrs;
}

/** An image reference without its tag ("busybox:1" → "busybox"), as docker's image filter also tries. */
function untagged(ref: string): string {
  const at = ref.indexOf('@');
  const base = at >= 0 ? ref.slice(0, at) : ref;
  const colon = base.lastIndexOf(':');
  return colon > base.lastIndexOf('/') ? base.slice(0, colon) : base;
}

type Filters = Map<string, string[]>;

/** docker's rules: values of one key are ORed, keys ANDed; container= is an ID or name, or a prefix of either. */
function matches(f: Filters, action: string, id: string, attrs: Record<string, string>): boolean {
  const any = (key: string, test: (v: string) => boolean) => !f.has(key) || f.get(key)!.some(test);
  return any('type', (v) => v === 'container') // hullctl has container events only
    && any('event', (v) => v === action)
    && any('container', (v) => id.startsWith(v) || attrs.name.startsWith(v))
    && any('image', (v) => attrs.image !== undefined && (v === attrs.image || v === untagged(attrs.image)))
    && (f.get('label') ?? []).every((kv) => {
      const eq = kv.indexOf('=');
      return eq < 0 ? kv in attrs : attrs[kv.slice(0, eq)] === kv.slice(eq + 1);
    });
}

const FILTER_KEYS = ['container', 'event', 'image', 'label', 'type'];

export async function handler(ctx: Context, argv: Record<string, unknown>): Promise<number> {
  const filters: Filters = new Map();
  for (const f of strings(argv.filter)) {
    const eq = f.indexOf('=');
    if (eq < 0) throw new FlagError(`bad format of filter (expected name=value): ${f}`);
    const key = f.slice(0, eq);
    const value = f.slice(eq + 1);
    if (!FILTER_KEYS.includes(key)) throw new FlagError(`invalid filter '${key}'`);
    if (key === 'event' && !Object.values(ACTIONS).includes(value)) throw new FlagError(`invalid event filter: ${value}`);
    filters.set(key, [...(filters.get(key) ?? []), value]);
  }
  const since = timeFlag(argv.since, '--since');
  const until = timeFlag(argv.until, '--until');
  const json = argv.format === 'json';
  // Names found by lookup, for events of a supervisor that does not send annotations.
  const names = new Map<string, string>();
  const nameOf = async (id: string) => {
    if (!names.has(id)) names.set(id, await resolveContainer(ctx, id).then((c) => c.name, () => id));
    return names.get(id)!;
  };
  const stream = ctx.client().subscribe({ ...(since ? { since } : {}), ...(until ? { until } : {}) });
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
      if (filters.has('event') && !filters.get('event')!.includes(action)) return;
      const annotations = env.annotations ?? {};
      const carried = annotations[NAME_ANNOTATION];
      // Without annotations (an older supervisor) the name is read from the
      // bundle when the container is made: a --rm container may be gone by
      // the time its start or die is printed.
      if (!carried && env.topic === '/tasks/create' && ev.bundle && !names.has(id)) {
        const name = store(ctx).readSpec(String(ev.bundle))?.annotations?.[NAME_ANNOTATION];
        if (name) names.set(id, name);
      }
      chain = chain.then(async () => {
        const attrs = attributesOf(annotations, carried ?? await nameOf(id));
        if (ev.exit_status !== undefined && env.topic === '/tasks/exit') attrs.exitCode = String(ev.exit_status);
        if (ev.exec_id) attrs.execID = String(ev.exec_id);
        if (!matches(filters, action, id, attrs)) return;
        const when = toDate(env.timestamp) ?? new Date();
        if (json) {
          process.stdout.write(JSON.stringify({ Type: 'container', Action: action, Actor: { ID: id, Attributes: attrs }, time: Math.floor(when.getTime() / 1000), timeNano: (env.timestamp?.seconds ?? 0) * 1e9 + (env.timestamp?.nanos ?? 0) }) + '\n');
        } else {
          // docker prints the attributes sorted by key.
          const a = Object.keys(attrs).sort().map((k) => `${k}=${attrs[k]}`).join(', ');
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
