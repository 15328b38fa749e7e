// hullctl events names containers that are already gone: the supervisor puts
// a container's annotations (name, image, labels) on each of its events, so
// an `events` started after a --rm container was made and removed still prints
// its name, image and labels, and --filter container=NAME finds it.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { itNeeds } from '@hull/testkit/jest';
import { ROOTFS, bundles, prerequisites, runtimes, startEnv, uniqueName, type Env } from './helpers';

jest.setTimeout(120_000);

// Naming is hullctl's and the supervisor's, whatever runtime runs the container: hull in-process is enough.
const rt = runtimes().find((r) => r.name === 'hull')!;
const it_ = itNeeds(prerequisites() ?? rt.skip);

interface Event { Action: string; Actor: { ID: string; Attributes: Record<string, string> } }
const parse = (stdout: string): Event[] => stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Event);

describe('hullctl events: a container\'s name travels with its events', () => {
  let env: Env;
  let image: string;
  beforeAll(async () => {
    if (prerequisites() ?? rt.skip) return;
    env = await startEnv(rt);
    // An image with a label, made here from the busybox rootfs.
    const tar = path.join(env.dir, 'rootfs.tar');
    expect(spawnSync('tar', ['-C', ROOTFS, '-cf', tar, '.']).status).toBe(0);
    image = `${uniqueName('events-img')}:1`;
    const imported = await env.hullctl(['import', '-c', 'LABEL org.example.team=events', tar, image]);
    expect(imported).toMatchObject({ code: 0, stderr: '' });
  });
  afterAll(async () => {
    await env?.stop();
  });

  /** Runs a --rm container to its end; returns its id (found in the events) once it is gone. */
  const runGone = async (name: string, t0: string) => {
    expect(await env.hullctl(['run', '--rm', '--name', name, image, 'sh', '-c', 'exit 3'])).toMatchObject({ code: 3 });
    expect((await env.hullctl(['ps', '-a'])).stdout).not.toContain(name);
    const all = parse((await env.hullctl(['events', '--since', t0, '--until', String(Math.ceil(Date.now() / 1000)), '--format', 'json'])).stdout);
    const id = all.find((e) => e.Action === 'create' && e.Actor.Attributes.name === name)?.Actor.ID;
    expect(id).toBeDefined();
    expect(bundles(env.stateDir)).not.toContain(id);
    return id!;
  };

  it_('events started after a --rm container was made and removed prints its name, image and labels on every line', async () => {
    const name = uniqueName('ev-gone');
    const t0 = String(Math.floor(Date.now() / 1000) - 1);
    const id = await runGone(name, t0);
    const r = await env.hullctl(['events', '--since', t0, '--until', String(Math.ceil(Date.now() / 1000))]);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    const lines = r.stdout.split('\n').filter((l) => l.includes(id));
    // docker's line, attributes sorted by key.
    const attrs = `image=${image}, name=${name}, org.example.team=events`;
    expect(lines.map((l) => l.replace(/^\S+ /, ''))).toEqual([
      `container create ${id} (${attrs})`,
      `container start ${id} (${attrs})`,
      `container die ${id} (exitCode=3, ${attrs})`,
      `container destroy ${id} (${attrs})`,
    ]);
  });

  it_('--filter container=NAME matches a container already gone, live and replayed; image= and label= too', async () => {
    const name = uniqueName('ev-filter');
    const other = uniqueName('ev-other');
    const t0 = String(Math.floor(Date.now() / 1000) - 1);
    // Started before the container exists: docker takes any name, it need not be a container yet.
    const live = env.spawnHullctl(['events', '--filter', `container=${name}`, '--filter', 'event=destroy', '--format', 'json']);
    let id = '';
    try {
      // Subscribing takes a moment: containers of that name come and go until the stream shows one's destroy.
      for (let i = 0; i < 50 && !parse(live.stdout()).length; i++) id = await runGone(name, t0);
      const got = parse(live.stdout());
      expect(got.length).toBeGreaterThan(0);
      expect(got.every((e) => e.Action === 'destroy' && e.Actor.Attributes.name === name)).toBe(true);
    } finally {
      expect(await live.interrupt()).toBe(0);
    }
    expect(live.stderr()).toBe('');
    await runGone(other, t0);

    const replay = async (...filters: string[]) => parse((await env.hullctl(['events', '--since', t0, '--until', String(Math.ceil(Date.now() / 1000)),
      ...filters.flatMap((f) => ['--filter', f]), '--format', 'json'])).stdout);
    const byName = await replay(`container=${name}`, 'event=die');
    expect(byName.length).toBeGreaterThan(0);
    expect(byName.every((e) => e.Actor.Attributes.name === name)).toBe(true);
    expect(byName[byName.length - 1]).toEqual({ Action: 'die', Actor: { ID: id, Attributes: { name, image, 'org.example.team': 'events', exitCode: '3' } }, time: expect.any(Number), timeNano: expect.any(Number), Type: 'container' });
    // By id prefix, as docker's container filter also takes.
    expect((await replay(`container=${id.slice(0, 12)}`)).map((e) => e.Action)).toEqual(['create', 'start', 'die', 'destroy']);
    // Both containers are of the image and carry its label; a label value that differs matches nothing.
    const names = (es: Event[]) => [...new Set(es.map((e) => e.Actor.Attributes.name))].sort();
    expect(names(await replay(`image=${image}`))).toEqual([name, other].sort());
    expect(names(await replay(`image=${image.split(':')[0]}`, 'label=org.example.team=events'))).toEqual([name, other].sort());
    expect(await replay('label=org.example.team=other')).toEqual([]);
    expect((await replay(`container=${name}`, 'type=container')).length).toBeGreaterThan(0);
    expect(await replay(`container=${name}`, 'type=image')).toEqual([]);
  });
});
