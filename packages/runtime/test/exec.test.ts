// hull exec: joins every namespace and the cgroup of a running container,
// passes the exit code through, behaves like runc exec on the same
// container, and never lets the container reach the host's node binary or
// the runtime's fds while it joins.
import fs from 'node:fs';
import path from 'node:path';
import { cleanupAll, hasRunc, itRoot, makeBundle, runtime, tempDir, uniqueId, type Runtime } from './helpers';

afterEach(cleanupAll);

function started(rt: Runtime, edit?: Parameters<typeof makeBundle>[0], args = ['sleep', '1000']): string {
  const b = makeBundle(edit, args);
  const id = uniqueId();
  const r = rt.run(['run', '-d', '--bundle', b.dir, id]);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return id;
}

const runtimes = hasRunc ? (['hull', 'runc'] as const) : (['hull'] as const);

describe.each(runtimes)('exec with %s', (name) => {
  itRoot('joins the container\'s pid, mount, uts, ipc and net namespaces and its cgroup; the exit code passes through', () => {
    const rt = runtime(name);
    const id = started(rt, (c) => { c.hostname = 'exec-host'; });
    const init = JSON.parse(rt.run(['state', id]).stdout).pid;
    const r = rt.run(['exec', id, 'sh', '-c', 'hostname; echo $$; ls /proc | grep -c "^[0-9]"; exit 3']);
    expect(r.status).toBe(3);
    const [host, pid] = r.stdout.split('\n');
    expect(host).toBe('exec-host');
    expect(Number(pid)).toBeGreaterThan(1); // inside the pid namespace: small numbers
    expect(Number(pid)).toBeLessThan(100);
    for (const ns of ['pid', 'mnt', 'uts', 'ipc', 'net']) {
      // The exec'd process is gone; compare the init's namespaces with a second exec's view.
      const inside = rt.run(['exec', id, 'readlink', `/proc/self/ns/${ns}`]).stdout.trim();
      expect(inside).toBe(fs.readlinkSync(`/proc/${init}/ns/${ns}`));
    }
    const cat = rt.run(['exec', id, 'cat', '/proc/self/cgroup']);
    expect({ status: cat.status, stderr: cat.stderr }).toEqual({ status: 0, stderr: '' });
    const cg = cat.stdout;
    const initCg = fs.readFileSync(`/proc/${init}/cgroup`, 'utf8');
    const memLine = (t: string) => t.split('\n').find((l) => /:memory:/.test(l));
    expect(memLine(cg)).toBe(memLine(initCg));
  });

  itRoot('--user, --cwd, --env and --cap change the process; the rest comes from the container\'s process', () => {
    const rt = runtime(name);
    const id = started(rt, (c) => { c.process.env.push('FROM_CONFIG=yes'); });
    const r = rt.run(['exec', '--user', '1000:1001', '--cwd', '/tmp', '--env', 'A=1', '--env', 'B=2', id, 'sh', '-c', 'id -u; id -g; pwd; echo $A$B$FROM_CONFIG']);
    expect(r.stderr).toBe('');
    expect(r.stdout.split('\n').slice(0, 4)).toEqual(['1000', '1001', '/tmp', '12yes']);
    const caps = rt.run(['exec', '--cap', 'CAP_SYS_ADMIN', id, 'grep', 'CapBnd', '/proc/self/status']).stdout;
    expect(BigInt('0x' + caps.split(/\s+/)[1]) & (1n << 21n)).toBe(1n << 21n);
  });

  itRoot('--process runs a spec Process JSON', () => {
    const rt = runtime(name);
    const id = started(rt);
    const file = path.join(tempDir(), 'process.json');
    fs.writeFileSync(file, JSON.stringify({ args: ['sh', '-c', 'echo $X; pwd'], env: ['X=from-process', 'PATH=/bin'], cwd: '/etc', user: { uid: 0, gid: 0 } }));
    const r = rt.run(['exec', '--process', file, id]);
    expect(r.stdout).toBe('from-process\n/etc\n');
    expect(r.status).toBe(0);
  });

  itRoot('exec into a paused or stopped container fails clearly', () => {
    const rt = runtime(name);
    const id = started(rt);
    expect(rt.run(['pause', id]).status).toBe(0);
    const paused = rt.run(['exec', id, 'true']);
    expect(paused.status).not.toBe(0);
    expect(paused.stderr).toMatch(/paused/);
    expect(rt.run(['resume', id]).status).toBe(0);
    expect(rt.run(['kill', id, 'KILL']).status).toBe(0);
    for (const end = Date.now() + 60_000; Date.now() < end && !rt.run(['state', id]).stdout.includes('stopped');) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
    const stopped = rt.run(['exec', id, 'true']);
    expect(stopped.status).not.toBe(0);
    expect(stopped.stderr).toMatch(/stopped/);
  });
});

describe('exec security', () => {
  // A watcher inside the container tries, in a tight loop, to open the exe and
  // every fd of each process that is not its own for writing; it logs each
  // joining process it saw and each write that succeeded.
  itRoot('the container cannot write the joining process\'s /proc/<pid>/exe or its fds', () => {
    const rt = runtime('hull');
    const dir = tempDir();
    const watcher = [
      'while :; do',
      '  for p in /proc/[0-9]*; do',
      '    pid=${p#/proc/}; [ "$pid" = 1 ] && continue; [ "$pid" = $$ ] && continue',
      '    grep -q hull-exec $p/cmdline 2>/dev/null || continue',
      '    echo "seen $pid" >> /out/log',
      // A success counts only while the process is still the runtime's (not yet the exec'd
      // command), and fds 0-2 are the caller's stdio, handed to the process by design.
      '    still() { grep -q hull-exec $p/cmdline 2>/dev/null; }',
      '    (exec 3>>$p/exe) 2>/dev/null && still && echo "wrote exe $pid" >> /out/log',
      // environ needs ptrace access: readable only if the process was ever dumpable while visible.
      '    (cat $p/environ >/dev/null) 2>/dev/null && still && echo "read environ $pid" >> /out/log',
      '    for f in $p/fd/*; do case $f in */0|*/1|*/2) continue;; esac; (exec 3>>$f) 2>/dev/null && still && echo "wrote fd $f" >> /out/log; done',
      '  done',
      'done',
    ].join('\n');
    const id = started(rt, (c) => {
      c.mounts.push({ destination: '/out', type: 'bind', source: dir, options: ['rbind', 'rw'] });
    }, ['sh', '-c', watcher]);
    // Execs, each a window in which the joining process is visible: at least five, and on until the
    // watcher has seen one (a loaded machine may not schedule it within the first windows).
    const read = () => (fs.existsSync(path.join(dir, 'log')) ? fs.readFileSync(path.join(dir, 'log'), 'utf8') : '');
    for (let i = 0, end = Date.now() + 60_000; i < 5 || (!/seen \d+\n/.test(read()) && Date.now() < end); i++) expect(rt.run(['exec', id, 'true']).status).toBe(0);
    const log = read();
    expect(log).not.toMatch(/wrote|read environ/);
    // The watcher did see the joining process (otherwise the test proves nothing).
    expect(log).toMatch(/seen \d+/);
  });
});
