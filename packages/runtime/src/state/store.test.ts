import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ExistsError, NotFoundError, UsageError } from '../errors';
import { StateStore, validateId, type ContainerRecord } from './store';

let root: string;
beforeEach(() => { root = fs.mkdtempSync(path.join(os.tmpdir(), 'store-')); });
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

const rec = (id: string): ContainerRecord => ({
  ociVersion: '1.3.0', id, pid: 42, startTime: '123', bundle: '/b', rootfs: '/b/rootfs', annotations: {}, created: 'now', cgroupPaths: {}, spec: { ociVersion: '1.3.0' } as never,
});

describe('StateStore', () => {
  it('reserves an id once; a second reserve is ExistsError', () => {
    const s = new StateStore(root);
    s.reserve('c1');
    expect(() => s.reserve('c1')).toThrow(ExistsError);
  });

  it('writes, reads, lists and removes records', () => {
    const s = new StateStore(root);
    s.reserve('b'); s.write(rec('b'));
    s.reserve('a'); s.write(rec('a'));
    s.reserve('reserved-only');
    expect(s.read('a').pid).toBe(42);
    expect(s.ids()).toEqual(['a', 'b']);
    s.remove('a');
    expect(() => s.read('a')).toThrow(NotFoundError);
    expect(s.ids()).toEqual(['b']);
  });

  it('remove takes the whole directory (its fifo, its lock, a directory in it) and a second remove is a no-op', () => {
    const s = new StateStore(root);
    s.reserve('c'); s.write(rec('c'));
    const unlock = s.lock('c');
    fs.mkdirSync(path.join(s.dir('c'), 'work/deeper'), { recursive: true });
    fs.writeFileSync(path.join(s.dir('c'), 'work/deeper/f'), 'x');
    execFileSync('mkfifo', [s.fifoPath('c')]);
    s.remove('c');
    unlock();
    expect(fs.existsSync(s.dir('c'))).toBe(false);
    expect(() => s.remove('c')).not.toThrow();
  });

  it('a missing root lists nothing and reads NotFound', () => {
    const s = new StateStore(path.join(root, 'absent'));
    expect(s.ids()).toEqual([]);
    expect(() => s.read('x')).toThrow(/container "x" does not exist/);
  });

  it('lock on an unknown id is NotFound; a held lock can be released twice', () => {
    const s = new StateStore(root);
    expect(() => s.lock('nope')).toThrow(NotFoundError);
    s.reserve('c');
    const unlock = s.lock('c');
    unlock();
    unlock();
  });
});

describe('validateId', () => {
  it.each(['c1', 'a.b-c_d+e', 'X'.repeat(64)])('accepts %s', (id) => expect(() => validateId(id)).not.toThrow());
  it.each(['', '.', '..', 'a/b', 'a b', 'é', '../x'])('rejects %j', (id) => expect(() => validateId(id)).toThrow(UsageError));
});

