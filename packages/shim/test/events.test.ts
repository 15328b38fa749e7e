// What a task's events say of it: every event hull-shim publishes for a task
// carries the task's OCI annotations (hull's envelope, field 6), from its
// create to the delete that removes its record, and across a kill -9 of the
// daemon (the exit and delete a restarted daemon publishes, and the journal's replay).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ShimClient } from '../src/client';
import { decodeEvent } from '../src/proto';
import { describeNeeds } from '@hull/testkit/jest';
import { cleanup, makeBundle, prerequisites, runtimes, startDaemon, uniqueId, type Daemon } from './helpers';

const why = prerequisites();
jest.setTimeout(120_000);

interface Seen { topic: string; id: string; execId: string; annotations: Record<string, string> }

/** A subscription's events as they come; `until` waits for the init's delete of a task. */
function subscribe(client: ShimClient, request: Record<string, unknown>) {
  const got: Seen[] = [];
  const stream = client.subscribe(request);
  stream.on('data', (env: any) => {
    const ev = decodeEvent(env) ?? {};
    got.push({ topic: env.topic, id: ev.container_id, execId: env.topic === '/tasks/delete' ? ev.id : '', annotations: env.annotations });
  });
  stream.on('error', () => {});
  const metadata = new Promise<void>((r) => stream.once('metadata', () => r()));
  return {
    subscribed: () => metadata,
    of: (id: string) => got.filter((e) => e.id === id),
    deleted: async (id: string) => {
      for (const end = Date.now() + 60_000; !got.some((e) => e.id === id && e.topic === '/tasks/delete' && !e.execId);) {
        if (Date.now() > end) throw new Error(`no /tasks/delete event for ${id} within a minute: ${JSON.stringify(got)}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    close: () => stream.cancel(),
  };
}

/** A bundle whose config.json names the container as hullctl does, with an image and a label. */
function annotatedBundle(dir: string, id: string, args: string[]): Record<string, string> {
  const bundle = makeBundle(path.join(dir, id), { args });
  const annotations = { 'io.hull.name': `name-of-${id}`, 'io.hull.image': 'busybox:test', 'org.example.team': 'events' };
  const file = path.join(bundle, 'config.json');
  fs.writeFileSync(file, JSON.stringify({ ...JSON.parse(fs.readFileSync(file, 'utf8')), annotations }));
  return annotations;
}

// The annotations are the supervisor's, whatever runtime runs the task: hull in-process (the default) is enough.
const rt = runtimes().find((r) => r.name === 'hull')!;

describeNeeds(why ?? rt.skip)('hull-shim events carry the task\'s annotations', () => {
  // One supervisor directory per test, each cleaned (containers, monitors, mounts) whatever happened.
  const dirs: string[] = [];
  const daemons: Daemon[] = [];
  const newDir = () => {
    dirs.push(fs.mkdtempSync(path.join(os.tmpdir(), 'hull-shim-events-')));
    return dirs[dirs.length - 1]!;
  };
  afterAll(async () => {
    for (const d of daemons) await d.stop();
    for (const dir of dirs) cleanup(dir, rt.binary);
  });

  it('on create, start, exit and the delete that removes the task', async () => {
    const dir = newDir();
    const daemon = await startDaemon(dir, rt.flag);
    daemons.push(daemon);
    const id = uniqueId('ev-annotated');
    const annotations = annotatedBundle(dir, id, ['sh', '-c', 'exit 3']);
    const events = subscribe(daemon.client, {});
    try {
      await events.subscribed();
      const c = daemon.client;
      await c.task('Create', { id, bundle: path.join(dir, id) });
      await c.task('Start', { id });
      expect((await c.task('Wait', { id })).exit_status).toBe(3);
      await c.task('Delete', { id });
      await events.deleted(id);
      expect(events.of(id).map((e) => [e.topic, e.annotations])).toEqual(
        ['/tasks/create', '/tasks/start', '/tasks/exit', '/tasks/delete'].map((t) => [t, annotations]));
    } finally {
      events.close();
    }
  });

  it('after kill -9 of the daemon: replayed, and on the exit and delete the next daemon publishes', async () => {
    const dir = newDir();
    const first = await startDaemon(dir, rt.flag);
    daemons.push(first);
    const id = uniqueId('ev-recovered');
    const annotations = annotatedBundle(dir, id, ['sh', '-c', 'while :; do sleep 0.05; done']);
    await first.client.task('Create', { id, bundle: path.join(dir, id) });
    await first.client.task('Start', { id });
    await first.kill9();

    const second = await startDaemon(dir, rt.flag);
    daemons.push(second);
    const events = subscribe(second.client, { since: { seconds: 0, nanos: 0 } });
    try {
      await events.subscribed();
      await second.client.task('Kill', { id, signal: 9 });
      expect((await second.client.task('Wait', { id })).exit_status).toBe(137);
      await second.client.task('Delete', { id });
      await events.deleted(id);
      expect(events.of(id).map((e) => [e.topic, e.annotations])).toEqual(
        ['/tasks/create', '/tasks/start', '/tasks/exit', '/tasks/delete'].map((t) => [t, annotations]));
    } finally {
      events.close();
    }
  });
});
