import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EventBus, EventJournal, taskAnnotations, type Envelope } from './events';
import { decodeEvent } from './proto';

describe('EventBus with a journal', () => {
  let dir: string;
  beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hull-events-')); });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const collect = (bus: EventBus, since?: Parameters<EventBus['subscribe']>[1]) => {
    const got: Envelope[] = [];
    bus.subscribe((env) => got.push(env), since);
    return got;
  };
  const ids = (envs: Envelope[]) => envs.map((e) => `${e.sequence}:${decodeEvent(e)?.container_id}`);

  it('numbers events and replays what a subscriber missed, by sequence or time, then the live ones', () => {
    const bus = new EventBus(new EventJournal(dir));
    bus.publish('/tasks/start', { container_id: 'a', pid: 1 });
    bus.publish('/tasks/exit', { container_id: 'a', pid: 1, exit_status: 3 });
    const after1 = collect(bus, { afterSequence: 1 });
    const all = collect(bus, { time: { seconds: 0, nanos: 0 } });
    const live = collect(bus);
    bus.publish('/tasks/delete', { container_id: 'a' });
    expect(ids(after1)).toEqual(['2:a', '3:a']);
    expect(ids(all)).toEqual(['1:a', '2:a', '3:a']);
    expect(ids(live)).toEqual(['3:a']);
    expect(decodeEvent(all[1])?.exit_status).toBe(3);
    const future = collect(bus, { time: { seconds: Math.floor(Date.now() / 1000) + 60, nanos: 0 } });
    expect(future).toEqual([]);
    bus.close();
  });

  it('keeps events and their numbers across a restart, and remembers keyed facts', () => {
    const first = new EventBus(new EventJournal(dir));
    first.publish('/tasks/start', { container_id: 'a' });
    first.publish('/tasks/exit', { container_id: 'a', exit_status: 9 }, 'exit a 1');
    // No close(): a daemon killed with SIGKILL closes nothing.
    const second = new EventBus(new EventJournal(dir));
    expect(second.nextSequence).toBe(3);
    expect(second.published('exit a 1')).toBe(true);
    expect(second.published('exit a 2')).toBe(false);
    second.publish('/tasks/delete', { container_id: 'a' });
    const got = collect(second, { afterSequence: 0, time: { seconds: 0, nanos: 0 } });
    expect(got.map((e) => e.topic)).toEqual(['/tasks/start', '/tasks/exit', '/tasks/delete']);
    expect(ids(got)).toEqual(['1:a', '2:a', '3:a']);
    second.close();
  });

  it('cuts a line torn by a crash and goes on after it', () => {
    const first = new EventBus(new EventJournal(dir));
    first.publish('/tasks/start', { container_id: 'a' });
    first.close();
    fs.appendFileSync(path.join(dir, 'current.jsonl'), '{"seq":2,"t":[1,');
    const second = new EventBus(new EventJournal(dir));
    expect(second.nextSequence).toBe(2);
    second.publish('/tasks/start', { container_id: 'b' });
    second.close();
    const third = new EventBus(new EventJournal(dir));
    expect(ids(collect(third, { time: { seconds: 0, nanos: 0 } }))).toEqual(['1:a', '2:b']);
    third.close();
  });

  it('stays bounded on disk and in memory: the newest events are kept', () => {
    const bus = new EventBus(new EventJournal(dir, 10), 20);
    for (let i = 0; i < 55; i++) bus.publish('/tasks/start', { container_id: `c${i}` });
    bus.close();
    const lines = (f: string) => fs.readFileSync(path.join(dir, f), 'utf8').split('\n').filter(Boolean).length;
    expect(lines('current.jsonl')).toBe(5);
    expect(lines('previous.jsonl')).toBe(10);
    const again = new EventBus(new EventJournal(dir, 10), 20);
    const got = collect(again, { time: { seconds: 0, nanos: 0 } });
    expect(got.map((e) => e.sequence)).toEqual(Array.from({ length: 15 }, (_, i) => 41 + i));
    expect(again.nextSequence).toBe(56);
    again.close();
  });

  it('puts a task\'s annotations on each of its events up to its delete, and keeps them across a restart', () => {
    const first = new EventBus(new EventJournal(dir));
    first.annotate('a', { 'io.hull.name': 'web' });
    first.publish('/tasks/start', { container_id: 'a' });
    first.publish('/tasks/start', { container_id: 'b' });
    first.publish('/tasks/delete', { container_id: 'a', id: 'exec1' }); // an exec's delete: the task lives on
    first.publish('/tasks/exit', { container_id: 'a', exit_status: 0 });
    first.publish('/tasks/delete', { container_id: 'a', id: '' });
    first.publish('/tasks/start', { container_id: 'a' }); // a new task of the same id, not annotated
    const second = new EventBus(new EventJournal(dir));
    const got = collect(second, { afterSequence: 0 });
    expect(got.map((e) => e.annotations)).toEqual([{ 'io.hull.name': 'web' }, {}, { 'io.hull.name': 'web' }, { 'io.hull.name': 'web' }, { 'io.hull.name': 'web' }, {}]);
    second.close();
  });
});

describe('taskAnnotations', () => {
  let dir: string;
  beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hull-bundle-')); });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('reads the string annotations of a bundle\'s config.json, bounded', () => {
    expect(taskAnnotations(dir)).toBeUndefined();
    fs.writeFileSync(path.join(dir, 'config.json'), 'not json');
    expect(taskAnnotations(dir)).toEqual({});
    const many = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`k${i}`, 'v']));
    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ annotations: { big: 'x'.repeat(2000), n: 1, name: 'web', ...many } }));
    const got = taskAnnotations(dir)!;
    expect(got.name).toBe('web');
    expect(got.big).toBeUndefined();
    expect(got.n).toBeUndefined();
    expect(Object.keys(got)).toHaveLength(64);
  });
});
