// Task events: packed as containerd does (an Envelope around an Any named by
// the event's full name), numbered, kept in a bounded journal on disk, and
// handed to every subscriber in publish order. A subscriber that comes back
// after a restart asks for what it missed by sequence number or time.
// Every event of a task carries the task's annotations (hull's envelope, not
// containerd's event messages), so a subscriber can name a task that is gone.
import fs from 'node:fs';
import path from 'node:path';
import { decodeEvent, packAny } from './proto';

export interface Envelope {
  timestamp: { seconds: number; nanos: number };
  namespace: string;
  topic: string;
  event: { type_url: string; value: Buffer };
  /** hull's own: 1, 2, ... across restarts of a daemon on one state dir. */
  sequence: number;
  /** hull's own: the task's OCI annotations (taskAnnotations), on each of its events. */
  annotations: Record<string, string>;
}

export type Subscriber = (env: Envelope, containerId: string, event: Record<string, unknown>) => void;

/** What a subscriber missed: events after this sequence number, or at or after this time. */
export interface Since {
  afterSequence?: number;
  time?: { seconds: number; nanos: number };
}

export const TOPIC_TYPES: Record<string, string> = {
  '/tasks/create': 'containerd.events.TaskCreate',
  '/tasks/start': 'containerd.events.TaskStart',
  '/tasks/exit': 'containerd.events.TaskExit',
  '/tasks/delete': 'containerd.events.TaskDelete',
  '/tasks/exec-added': 'containerd.events.TaskExecAdded',
  '/tasks/exec-started': 'containerd.events.TaskExecStarted',
  '/tasks/paused': 'containerd.events.TaskPaused',
  '/tasks/resumed': 'containerd.events.TaskResumed',
  '/tasks/oom': 'containerd.events.TaskOOM',
  '/tasks/checkpointed': 'containerd.events.TaskCheckpointed',
};

/** Annotations carried per event: a bound, so a journal line stays small whatever a bundle holds. */
const MAX_ANNOTATIONS = 64;
const MAX_ANNOTATION_BYTES = 1024;

/**
 * The annotations of a bundle's config.json, as its events carry them (at most
 * MAX_ANNOTATIONS, each key and value within MAX_ANNOTATION_BYTES). Undefined
 * without a config.json; an unreadable one has none (the runtime says why).
 */
export function taskAnnotations(bundle: string): Record<string, string> | undefined {
  let text: string;
  try {
    text = fs.readFileSync(path.join(bundle, 'config.json'), 'utf8');
  } catch {
    return undefined;
  }
  const out: Record<string, string> = {};
  try {
    const found = (JSON.parse(text) as { annotations?: unknown }).annotations;
    if (!found || typeof found !== 'object') return out;
    let n = 0;
    for (const [k, v] of Object.entries(found)) {
      if (typeof v !== 'string' || Buffer.byteLength(k) + Buffer.byteLength(v) > MAX_ANNOTATION_BYTES) continue;
      out[k] = v;
      if (++n === MAX_ANNOTATIONS) break;
    }
  } catch { /* not JSON: no annotations */ }
  return out;
}

export function now(): { seconds: number; nanos: number } {
  const ms = Date.now();
  return { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1e6 };
}

interface Stored {
  env: Envelope;
  containerId: string;
  /** Names a fact published once (an exit), so a restarted daemon does not publish it again. */
  key?: string;
}

/** One journal line. */
interface Line {
  seq: number;
  t: [number, number];
  ns: string;
  topic: string;
  cid: string;
  type: string;
  /** The event message, encoded, base64. */
  v: string;
  key?: string;
  /** The task's annotations (absent when it has none, and in lines of older daemons). */
  a?: Record<string, string>;
}

/**
 * The journal: JSON lines appended to `current.jsonl`; when it holds
 * `segment` events it becomes `previous.jsonl` (a rename, which replaces the
 * older one), so between `segment` and 2×`segment` events are kept. Appends
 * are whole-line writes; a line torn by a crash is cut off when the journal is
 * read back. fdatasync follows the writes within a second (a daemon killed
 * loses nothing: the kernel has the bytes; the sync is for the machine's crash).
 */
export class EventJournal {
  private readonly current: string;
  private readonly previous: string;
  private fd: number;
  private lines = 0;
  private syncTimer?: NodeJS.Timeout;

  constructor(readonly dir: string, private readonly segment = 5000) {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.current = path.join(dir, 'current.jsonl');
    this.previous = path.join(dir, 'previous.jsonl');
    this.fd = -1;
  }

  /** Reads back what both segments hold, oldest first; cuts a torn last line off the current one. */
  load(): Stored[] {
    const out: Stored[] = [];
    for (const file of [this.previous, this.current]) {
      let buf: Buffer;
      try {
        buf = fs.readFileSync(file);
      } catch {
        continue;
      }
      const end = buf.lastIndexOf(0x0a) + 1;
      if (file === this.current && end < buf.length) fs.truncateSync(file, end);
      let n = 0;
      for (const text of buf.subarray(0, end).toString('utf8').split('\n')) {
        if (!text) continue;
        n++;
        try {
          const l = JSON.parse(text) as Line;
          out.push({
            containerId: l.cid, key: l.key,
            env: { sequence: l.seq, timestamp: { seconds: l.t[0], nanos: l.t[1] }, namespace: l.ns, topic: l.topic, event: { type_url: l.type, value: Buffer.from(l.v, 'base64') }, annotations: l.a ?? {} },
          });
        } catch { /* not a whole line: skipped */ }
      }
      if (file === this.current) this.lines = n;
    }
    this.fd = fs.openSync(this.current, fs.constants.O_WRONLY | fs.constants.O_APPEND | fs.constants.O_CREAT, 0o600);
    return out;
  }

  append(s: Stored): void {
    if (this.lines >= this.segment) this.rotate();
    const line: Line = {
      seq: s.env.sequence, t: [s.env.timestamp.seconds, s.env.timestamp.nanos], ns: s.env.namespace, topic: s.env.topic,
      cid: s.containerId, type: s.env.event.type_url, v: s.env.event.value.toString('base64'), ...(s.key ? { key: s.key } : {}),
      ...(Object.keys(s.env.annotations).length ? { a: s.env.annotations } : {}),
    };
    fs.writeSync(this.fd, JSON.stringify(line) + '\n');
    this.lines++;
    this.syncTimer ??= setTimeout(() => {
      this.syncTimer = undefined;
      if (this.fd >= 0) fs.fdatasync(this.fd, () => {});
    }, 1000).unref();
  }

  private rotate(): void {
    fs.fsyncSync(this.fd);
    fs.closeSync(this.fd);
    fs.renameSync(this.current, this.previous);
    this.fd = fs.openSync(this.current, fs.constants.O_WRONLY | fs.constants.O_APPEND | fs.constants.O_CREAT, 0o600);
    this.lines = 0;
  }

  close(): void {
    if (this.syncTimer) clearTimeout(this.syncTimer);
    this.syncTimer = undefined;
    if (this.fd >= 0) {
      fs.fsyncSync(this.fd);
      fs.closeSync(this.fd);
    }
    this.fd = -1;
  }
}

function atOrAfter(a: { seconds: number; nanos: number }, b: { seconds: number; nanos: number }): boolean {
  return a.seconds > b.seconds || (a.seconds === b.seconds && a.nanos >= b.nanos);
}

export class EventBus {
  private readonly subscribers = new Set<Subscriber>();
  /** The journal's events, oldest first (the same bound as on disk). */
  private kept: Stored[] = [];
  private readonly keys = new Set<string>();
  /** Each live task's annotations, put on its events until its init's delete. */
  private readonly annotations = new Map<string, Record<string, string>>();
  private next = 1;

  /** Without a journal (tests), events are numbered and kept in memory only. */
  constructor(private readonly journal?: EventJournal, private readonly bound = 10000) {
    if (!journal) return;
    this.kept = journal.load().slice(-bound);
    for (const s of this.kept) if (s.key) this.keys.add(s.key);
    if (this.kept.length) this.next = this.kept[this.kept.length - 1].env.sequence + 1;
  }

  /** The sequence number the next event gets. */
  get nextSequence(): number {
    return this.next;
  }

  /** Whether an event with this key was published (now, or before a restart, as far as the journal reaches). */
  published(key: string): boolean {
    return this.keys.has(key);
  }

  /**
   * Calls `fn` for every event from now on; with `since`, first for the kept
   * events it asks for, in order. Both happen in this call's tick, so nothing
   * falls between what was kept and what comes.
   */
  subscribe(fn: Subscriber, since?: Since): () => void {
    if (since) {
      for (const s of this.kept) {
        if (since.afterSequence !== undefined && s.env.sequence <= since.afterSequence) continue;
        if (since.time && !atOrAfter(s.env.timestamp, since.time)) continue;
        fn(s.env, s.containerId, decodeEvent(s.env) ?? {});
      }
    }
    this.subscribers.add(fn);
    return () => this.subscribers.delete(fn);
  }

  /** What every later event of this task carries (the task's create, or its recovery after a restart, says). */
  annotate(containerId: string, annotations: Record<string, string>): void {
    this.annotations.set(containerId, annotations);
  }

  publish(topic: string, event: { container_id: string } & Record<string, unknown>, key?: string): void {
    const annotations = this.annotations.get(event.container_id) ?? {};
    // The init's delete is the task's last event.
    if (topic === '/tasks/delete' && !event.id) this.annotations.delete(event.container_id);
    const env: Envelope = { timestamp: now(), namespace: 'hull', topic, event: packAny(TOPIC_TYPES[topic], event), sequence: this.next++, annotations };
    const stored: Stored = { env, containerId: event.container_id, key };
    this.journal?.append(stored);
    this.kept.push(stored);
    if (key) this.keys.add(key);
    if (this.kept.length > this.bound * 1.5) {
      this.kept = this.kept.slice(-this.bound);
      this.keys.clear();
      for (const s of this.kept) if (s.key) this.keys.add(s.key);
    }
    for (const fn of this.subscribers) fn(env, event.container_id, event);
  }

  close(): void {
    this.journal?.close();
  }
}
