import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { describeNeeds } from '@hull/testkit/jest';
import { until } from '@hull/testkit/wait';
import { lockStateDir, reclaimDead } from './statelock';

// The holders are util-linux flock(1) processes: another process's flock on the directory, as a daemon's.
const d = describeNeeds(spawnSync('sh', ['-c', 'command -v flock']).status === 0 ? undefined : 'no flock(1) (util-linux) to hold a lock from another process');

const heldByOther = (dir: string) => spawnSync('flock', ['-n', dir, 'true']).status === 1;

d('shim state directories: held by their daemon, reclaimed once it is dead', () => {
  let base: string;
  const holders: ChildProcess[] = [];
  const servers: net.Server[] = [];
  /** Holds `dir` as a daemon does, until killed (`-o`: flock's own fd only, not its command's). */
  const hold = async (dir: string, command = 'sleep 1000') => {
    const p = spawn('flock', ['-o', dir, 'sh', '-c', command], { detached: true, stdio: 'ignore' });
    holders.push(p);
    await until(`flock(1) to hold ${dir}`, () => heldByOther(dir));
    return p;
  };
  const stateDir = (name: string, o: { tasks?: string[] } = {}) => {
    const dir = path.join(base, name);
    fs.mkdirSync(path.join(dir, 'tasks'), { recursive: true });
    for (const t of o.tasks ?? []) fs.mkdirSync(path.join(dir, 'tasks', t));
    const socket = path.join(base, `${name}.sock`);
    fs.writeFileSync(socket, ''); // what a dead daemon's socket is to connect(): refused
    fs.writeFileSync(path.join(dir, 'shim.json'), JSON.stringify({ pid: 1, socket }));
    return { dir, socket };
  };
  const hex = (c: string) => c.repeat(32);

  beforeEach(() => {
    base = fs.mkdtempSync(path.join(os.tmpdir(), 'statelock-'));
  });
  afterEach(() => {
    for (const p of holders.splice(0)) try { process.kill(-p.pid!, 'SIGKILL'); } catch { /* gone */ }
    for (const s of servers.splice(0)) s.close();
    fs.rmSync(base, { recursive: true, force: true });
  });

  it('leaves a held directory alone; once its holder is killed, removes it and its socket', async () => {
    const a = stateDir(hex('a'));
    const holder = await hold(a.dir);
    expect(await reclaimDead('', base)).toEqual([]);
    expect(fs.existsSync(a.dir) && fs.existsSync(a.socket)).toBe(true);
    process.kill(-holder.pid!, 'SIGKILL');
    await until('the lock to go with its holder', () => !heldByOther(a.dir));
    expect(await reclaimDead('', base)).toEqual([a.dir]);
    expect(fs.existsSync(a.dir) || fs.existsSync(a.socket)).toBe(false);
  });

  it('leaves dead directories with tasks (containerd\'s delete has them), one whose socket answers, its own, and what is not a state dir', async () => {
    const tasks = stateDir(hex('b'), { tasks: ['t1'] });
    const answering = stateDir(hex('c'));
    fs.rmSync(answering.socket);
    const server = net.createServer();
    servers.push(server);
    await new Promise<void>((r) => server.listen(answering.socket, r));
    const own = stateDir(hex('d'));
    const other = stateDir('not-a-state-dir');
    const dead = stateDir(hex('e'));
    expect(await reclaimDead(own.dir, base)).toEqual([dead.dir]);
    for (const x of [tasks, answering, own, other]) expect(fs.existsSync(x.dir)).toBe(true);
  });

  it('waits for the holder; a directory it replaced meanwhile is locked at its path', async () => {
    const dir = stateDir(hex('f')).dir;
    // The holder, once we have the directory open (and wait for its lock), replaces it and lets go by exiting.
    const opened = `ls -l /proc/${process.pid}/fd | grep -q ' ${dir}$'`;
    await hold(dir, `until ${opened}; do sleep 0.05; done; rm -rf ${dir}; mkdir ${dir}; touch ${dir}/new`);
    const lock = lockStateDir(dir, { create: false, waitMs: 60000 });
    expect(lock).toBeDefined();
    expect(fs.existsSync(path.join(dir, 'new'))).toBe(true);
    expect(heldByOther(dir)).toBe(true); // ours, on the new directory
    lock!.release();
    expect(heldByOther(dir)).toBe(false);
  });

  it('creates the directory when asked; otherwise a missing one is not locked', () => {
    const dir = path.join(base, hex('0'));
    expect(lockStateDir(dir, { create: false, waitMs: 0 })).toBeUndefined();
    const lock = lockStateDir(dir, { create: true, waitMs: 0 });
    expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
    lock!.release();
  });
});
