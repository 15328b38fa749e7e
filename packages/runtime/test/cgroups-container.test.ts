// Cgroups through whole containers: hull against runc on the same bundle.
// Tiny limits (the init must not be charged to the container), the view of
// the limits from inside, pause/resume, ps, update, events, and cleanup of
// a create that fails on a resource.
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import { missingCgroupController, missingCgroupFile, missingCommand, missingOomKill, missingRoot } from '@hull/testkit/host';
import { itNeeds } from '@hull/testkit/jest';
import { until as waitUntil } from '@hull/testkit/wait';
import { detectCgroupLayout } from '../src/cgroups';
import { cleanEnv, cleanupAll, HULL, hasRunc, leftovers, makeBundle, runtime, uniqueId, type Config } from './helpers';

const v2 = detectCgroupLayout().version === 2;
const limited = [missingRoot(), missingCgroupController('memory'), missingCgroupController('pids')];
const itRoot = itNeeds(...limited);
const itRunc = itNeeds(...limited, missingCgroupController('cpu'), missingCommand('runc'));
/** Swap accounting (a kernel option on v1): without it the swap limit is left out. */
const noSwapLimit = missingCgroupFile('memory', v2 ? 'memory.swap.max' : 'memory.memsw.limit_in_bytes', { hint: 'swap accounting is off in this kernel' });

const children: ChildProcess[] = [];

afterEach(async () => {
  for (const c of children.splice(0)) {
    if (c.exitCode === null && c.signalCode === null) {
      c.kill('SIGKILL');
      await new Promise((r) => c.once('exit', r));
    }
  }
  cleanupAll();
});

/** Up to two minutes: what a container does in a loaded guest can be slow. */
const until = (what: string, cond: () => boolean) => waitUntil(what, cond, 120_000);

/** A failed runtime command shows its stderr in the failure. */
function ok(name: string, r: { status: number | null; stderr: string }, what: string): void {
  if (r.status !== 0) throw new Error(`${name} ${what}: exit ${r.status}: ${r.stderr}`);
}

/** Emulated guests run 5-30x slower than the host: no command may hit spawnSync's timeout. */
const SLOW = { timeout: 300000 };

function limits(memory: number, pids: number) {
  return (c: Config) => {
    c.linux.resources = { ...(c.linux.resources ?? {}), memory: { limit: memory, ...(noSwapLimit ? {} : { swap: memory }) }, pids: { limit: pids } };
  };
}

/** The file inside the container that shows a limit (its own cgroup is the view's root). */
function insideFile(ctrl: string, v1File: string, v2File: string): string {
  return v2 ? `/sys/fs/cgroup/${v2File}` : `/sys/fs/cgroup/${ctrl}/${v1File}`;
}

describe('container limits', () => {
  // runc joins the cgroup before it sets the container up: on v2, where its
  // init's pages count, 4 MiB OOM-kills runc's init (seen in the v2 guest).
  itRoot('/bin/echo runs under memory 4 MiB and pids 5, in hull as in runc on v1', () => {
    for (const name of hasRunc && !v2 ? ['runc', 'hull'] as const : ['hull'] as const) {
      const rt = runtime(name);
      const b = makeBundle(limits(4 << 20, 5), ['echo', 'hello']);
      const r = rt.run(['run', '--bundle', b.dir, uniqueId()], SLOW);
      ok(name, r, 'run');
      expect([name, r.stdout.trim()]).toEqual([name, 'hello']);
    }
  });

  itRunc('the container sees its own limits, as with runc', () => {
    const script = [
      `cat ${insideFile('memory', 'memory.limit_in_bytes', 'memory.max')}`,
      `cat ${insideFile('pids', 'pids.max', 'pids.max')}`,
      `cat ${insideFile('cpu', 'cpu.shares', 'cpu.weight')}`,
    ].join('; ');
    const out: Record<string, string> = {};
    for (const name of ['runc', 'hull'] as const) {
      const rt = runtime(name);
      const b = makeBundle((c) => {
        limits(64 << 20, 50)(c);
        c.linux.resources.cpu = { shares: 512 };
        // On v2 only a cgroup namespace makes /sys/fs/cgroup the container's own cgroup (runc too).
        if (v2 && !c.linux.namespaces.some((ns: { type: string }) => ns.type === 'cgroup')) c.linux.namespaces.push({ type: 'cgroup' });
      }, ['sh', '-c', script]);
      const r = rt.run(['run', '--bundle', b.dir, uniqueId()], SLOW);
      ok(name, r, 'run');
      expect([name, r.stderr]).toEqual([name, '']);
      out[name] = r.stdout;
    }
    expect(out.hull).toBe(out.runc);
    expect(out.hull.split('\n')[0]).toBe(String(64 << 20));
  });

  itNeeds(...limited, v2 ? undefined : missingCgroupController('freezer'), missingOomKill(true))('ps, pause, resume, update and events on a live container; an OOM kill shows in the event stream', async () => {
    const rt = runtime('hull');
    const id = uniqueId();
    const b = makeBundle(limits(16 << 20, 20), ['sleep', '100000']);
    // The detached container keeps its stdio: no pipes, or spawnSync waits for it; stderr to a file.
    const errFile = `${b.dir}/run.err`;
    const errFd = fs.openSync(errFile, 'w');
    const run = rt.run(['run', '-d', '--bundle', b.dir, id], { ...SLOW, stdio: ['ignore', 'ignore', errFd] });
    fs.closeSync(errFd);
    ok('hull', { status: run.status, stderr: fs.readFileSync(errFile, 'utf8') }, 'run -d');

    const ps = rt.run(['ps', '--format', 'json', id], SLOW);
    expect(ps.status).toBe(0);
    const pids = JSON.parse(ps.stdout) as number[];
    expect(pids).toHaveLength(1);
    const table = rt.run(['ps', id], SLOW);
    expect(table.stdout.split('\n')[0]).toMatch(/\bPID\b/);
    expect(table.stdout).toMatch(/sleep 100000/);
    // As with runc, what follows the id goes to ps(1), dashes included.
    const custom = rt.run(['ps', id, '-o', 'pid,comm'], SLOW);
    expect(custom.stdout.split('\n').map((l) => l.trim())).toEqual(['PID COMMAND', `${pids[0]} sleep`, '']);

    ok('hull', rt.run(['pause', id], SLOW), 'pause');
    expect(JSON.parse(rt.run(['state', id], SLOW).stdout).status).toBe('paused');
    expect(fs.readFileSync(`/proc/${pids[0]}/status`, 'utf8')).toMatch(v2 ? /State:\s+S/ : /State:\s+D/);
    ok('hull', rt.run(['resume', id], SLOW), 'resume');
    expect(JSON.parse(rt.run(['state', id], SLOW).stdout).status).toBe('running');
    const again = rt.run(['resume', id], SLOW);
    expect(again.status).not.toBe(0);
    expect(again.stderr).toMatch(/paused/);

    ok('hull', rt.run(['update', '--memory', '32m', ...(noSwapLimit ? [] : ['--memory-swap', '32m']), '--pids-limit', '7', id], SLOW), 'update');
    const stats = JSON.parse(rt.run(['events', '--stats', id], SLOW).stdout);
    expect(stats.type).toBe('stats');
    expect(stats.id).toBe(id);
    expect(stats.data.memory.usage.limit).toBe(32 << 20);
    expect(stats.data.pids).toEqual({ current: 1, limit: 7 });

    // A process exec'd into the container goes over the limit: the stream reports the OOM.
    const events = spawn(HULL, ['--root', rt.root, 'events', '--interval', '200ms', id], { env: cleanEnv() });
    children.push(events);
    let out = '';
    events.stdout.on('data', (d: Buffer) => (out += d.toString()));
    await until('the stream shows stats', () => /"type":"stats"/.test(out));
    const dd = rt.run(['exec', id, 'dd', 'if=/dev/zero', 'of=/dev/null', 'bs=64M', 'count=1'], SLOW);
    expect(dd.status).not.toBe(0);
    await until('the stream shows the OOM', () => out.includes(`{"type":"oom","id":"${id}"}`));
    ok('hull', rt.run(['kill', id, 'KILL'], SLOW), 'kill');
    await until('the stream ends with the container', () => events.exitCode !== null);
    expect(events.exitCode).toBe(0);
  });

  itRoot('a create that fails on a resource leaves no cgroup behind and names the file', () => {
    const rt = runtime('hull');
    const id = uniqueId();
    const b = makeBundle((c) => {
      c.linux.resources = { pids: { limit: 10 }, cpu: { shares: 1 << 30 } };
    }, ['true']);
    const r = rt.run(['create', '--bundle', b.dir, id], SLOW);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(v2 ? /cpu\.weight/ : /cpu\.shares/);
    expect(leftovers(id)).toEqual([]);
  });
});
