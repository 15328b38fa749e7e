// The runtime spec's lifecycle through hull's runc-compatible CLI, each
// behaviour checked against runc on the same bundle where runc is right.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { cleanEnv, cleanupAll, hasRunc, HULL, itRoot, itRunc, leftovers, makeBundle, runtime, tempDir, uniqueId, type Runtime } from './helpers';

afterEach(cleanupAll);

function state(rt: Runtime, id: string): Record<string, any> {
  const r = rt.run(['state', id]);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return JSON.parse(r.stdout);
}

function waitFor(cond: () => boolean, ms = 5000): void {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
  }
}

describe('lifecycle', () => {
  itRoot('run prints the process output and exits with its status', () => {
    const rt = runtime();
    const b = makeBundle(undefined, ['sh', '-c', 'echo hello; exit 7']);
    const r = rt.run(['run', '--bundle', b.dir, uniqueId()]);
    expect(r.stdout).toBe('hello\n');
    expect(r.status).toBe(7);
    // runc run removes the container once it exits: hull too.
    expect(rt.run(['list', '-q']).stdout).toBe('');
  });

  itRoot('a signal that kills the process gives 128+N', async () => {
    // The container's PID 1 ignores signals it has no handler for when they come
    // from inside its namespace: the kill comes from outside, as with runc.
    const rt = runtime();
    const b = makeBundle(undefined, ['sleep', '100']);
    const id = uniqueId();
    const { spawn } = await import('node:child_process');
    const { HULL, cleanEnv } = await import('./helpers');
    const child = spawn(HULL, ['--root', rt.root, 'run', '--bundle', b.dir, id], { env: cleanEnv(), stdio: 'ignore' });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    waitFor(() => rt.run(['state', id]).stdout.includes('"running"'));
    expect(rt.run(['kill', id, 'KILL']).status).toBe(0);
    expect(await exited).toBe(137);
  });

  itRoot('create → created (process not yet run) → start → running → stopped → delete', () => {
    const rt = runtime();
    const dir = tempDir();
    const marker = path.join(dir, 'ran');
    const b = makeBundle((c) => {
      c.mounts.push({ destination: '/out', type: 'bind', source: dir, options: ['rbind', 'rw'] });
    }, ['sh', '-c', 'touch /out/ran; exec sleep 100']);
    const id = uniqueId();
    const pidFile = path.join(dir, 'pid');
    const c = rt.run(['create', '--bundle', b.dir, '--pid-file', pidFile, id]);
    expect(c.stderr).toBe('');
    expect(c.status).toBe(0);
    let s = state(rt, id);
    expect(s).toMatchObject({ id, status: 'created', bundle: b.dir });
    expect(s.pid).toBeGreaterThan(0);
    expect(Number(fs.readFileSync(pidFile, 'utf8'))).toBe(s.pid);
    // The spec: the user process MUST NOT run before start.
    expect(fs.existsSync(marker)).toBe(false);

    expect(rt.run(['start', id]).status).toBe(0);
    waitFor(() => fs.existsSync(marker));
    s = state(rt, id);
    expect(s.status).toBe('running');
    // start on a running container fails.
    const again = rt.run(['start', id]);
    expect(again.status).not.toBe(0);
    expect(again.stderr).toMatch(/running/);

    // delete of a running container without --force MUST fail (runc 1.1 agrees for running).
    const del = rt.run(['delete', id]);
    expect(del.status).not.toBe(0);
    expect(del.stderr).toMatch(/running/);

    expect(rt.run(['kill', id, 'KILL']).status).toBe(0);
    waitFor(() => state(rt, id).status === 'stopped');
    expect(state(rt, id).pid).toBe(0);
    expect(rt.run(['delete', id]).status).toBe(0);
    expect(rt.run(['state', id]).status).not.toBe(0);
    expect(leftovers(id, b.dir)).toEqual([]);
  });

  itRoot('delete of a created container without --force fails (spec; runc 1.1 deletes it)', () => {
    const rt = runtime();
    const b = makeBundle(undefined, ['true']);
    const id = uniqueId();
    expect(rt.run(['create', '--bundle', b.dir, id]).status).toBe(0);
    const del = rt.run(['delete', id]);
    expect(del.status).not.toBe(0);
    expect(del.stderr).toMatch(/created/);
    expect(rt.run(['delete', '--force', id]).status).toBe(0);
    expect(leftovers(id, b.dir)).toEqual([]);
  });

  itRoot('kill accepts names with or without SIG and numbers; a bad signal is a clear error', () => {
    const rt = runtime();
    const b = makeBundle(undefined, ['sleep', '100']);
    const id = uniqueId();
    expect(rt.run(['run', '-d', '--bundle', b.dir, id]).status).toBe(0);
    const bad = rt.run(['kill', id, 'FOO']);
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/FOO/);
    expect(rt.run(['kill', id, 'SIGCONT']).status).toBe(0);
    expect(rt.run(['kill', id, '18']).status).toBe(0);
    // sleep as PID 1 has no SIGTERM handler, so TERM is ignored (as under runc); KILL is not.
    expect(rt.run(['kill', id, 'TERM']).status).toBe(0);
    expect(rt.run(['kill', id, 'SIGKILL']).status).toBe(0);
    waitFor(() => state(rt, id).status === 'stopped');
  });

  itRoot('list shows runc\'s table, json and -q', () => {
    const rt = runtime();
    const b = makeBundle(undefined, ['sleep', '100']);
    const id = uniqueId();
    expect(rt.run(['run', '-d', '--bundle', b.dir, id]).status).toBe(0);
    const table = rt.run(['list']).stdout.split('\n');
    expect(table[0]).toMatch(/^ID\s+PID\s+STATUS\s+BUNDLE\s+CREATED\s+OWNER$/);
    expect(table[1]).toMatch(new RegExp(`^${id}\\s+\\d+\\s+running\\s+${b.dir}`));
    const json = JSON.parse(rt.run(['list', '--format', 'json']).stdout);
    expect(json[0]).toMatchObject({ id, status: 'running', bundle: b.dir, owner: 'root' });
    expect(rt.run(['list', '-q']).stdout).toBe(`${id}\n`);
  });

  itRoot('unknown ids and duplicate ids are clear errors', () => {
    const rt = runtime();
    for (const cmd of [['state'], ['start'], ['kill'], ['delete']]) {
      const r = rt.run([...cmd, 'nope-' + uniqueId()]);
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/does not exist/);
    }
    const b = makeBundle(undefined, ['sleep', '100']);
    const id = uniqueId();
    expect(rt.run(['create', '--bundle', b.dir, id]).status).toBe(0);
    const dup = rt.run(['create', '--bundle', b.dir, id]);
    expect(dup.status).toBe(1);
    expect(dup.stderr).toMatch(/already exists/);
    // The first container is untouched by the failed second create.
    expect(state(rt, id).status).toBe('created');
  });

  itRoot('an id that reads as a number (0x…, 1e3…) is an id, as runc takes it', () => {
    const rt = runtime();
    const b = makeBundle(undefined, ['sleep', '100']);
    const id = `0x${crypto.randomBytes(4).toString('hex')}`;
    expect(rt.run(['create', '--bundle', b.dir, id]).status).toBe(0);
    try {
      for (const cmd of [['start'], ['pause'], ['resume'], ['update', '--pids-limit', '50']]) {
        expect(rt.run([...cmd, id])).toMatchObject({ status: 0, stderr: '' });
      }
      expect(state(rt, id)).toMatchObject({ id, status: 'running' });
    } finally {
      rt.run(['delete', '--force', id]);
    }
    expect(rt.run(['state', id]).status).toBe(1);
  });

  itRoot('--log-format json writes runc\'s JSON lines; the last is the error', () => {
    const rt = runtime();
    const log = path.join(tempDir(), 'log.json');
    const r = rt.run(['--log', log, '--log-format', 'json', 'state', 'missing-' + uniqueId()]);
    expect(r.status).toBe(1);
    const lines = fs.readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines[lines.length - 1]).toMatchObject({ level: 'error', msg: expect.stringMatching(/does not exist/) });
    expect(lines[lines.length - 1].time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    // With --log, stderr gets the plain message.
    expect(r.stderr.trim()).toMatch(/does not exist$/);
  });

  itRoot('the container gets a session keyring of its own; --no-new-keyring keeps the caller\'s', () => {
    const rt = runtime();
    const b = makeBundle((c) => {
      c.linux.maskedPaths = c.linux.maskedPaths.filter((p: string) => p !== '/proc/keys');
    }, ['cat', '/proc/keys']);
    const own = uniqueId();
    expect(rt.run(['run', '--bundle', b.dir, own]).stdout).toContain(`_ses.${own}`);
    const shared = uniqueId();
    expect(rt.run(['run', '--no-new-keyring', '--bundle', b.dir, shared]).stdout).not.toContain(`_ses.${shared}`);
  });

  itRoot('run in the foreground with terminal: true proxies a pty of the caller\'s size (no console socket)', () => {
    const b = makeBundle((c) => { c.process.terminal = true; }, ['sh', '-c', 'tty; stty size']);
    const rt = runtime();
    // script(1) gives hull a real terminal of 33x101. Its stdin stays open and silent until the
    // run ends: at end of input script types into the terminal, which the container would echo.
    const cmd = `stty rows 33 cols 101; ${HULL} --root ${rt.root} run --bundle ${b.dir} ${uniqueId()}`;
    const r = spawnSync('bash', ['-c', `exec 3< <(sleep 60); script -qc ${JSON.stringify(cmd)} /dev/null <&3; rc=$?; kill $! 2>/dev/null; exit $rc`], { encoding: 'utf8', env: cleanEnv(), timeout: 30000 });
    expect(r.status).toBe(0);
    expect(r.stdout.replace(/\r/g, '').trim().split('\n')).toEqual(['/dev/pts/0', '33 101']);
  });

  itRoot('--no-pivot runs the container with MS_MOVE + chroot', () => {
    const rt = runtime();
    const b = makeBundle(undefined, ['sh', '-c', 'echo ok; cat /proc/self/mountinfo | wc -l']);
    const r = rt.run(['run', '--no-pivot', '--bundle', b.dir, uniqueId()]);
    expect(r.stderr).toBe('');
    expect(r.stdout.split('\n')[0]).toBe('ok');
  });

  itRunc('state JSON has the same keys as runc\'s', () => {
    const keys: Record<string, string[]> = {};
    for (const name of ['hull', 'runc'] as const) {
      const rt = runtime(name);
      const b = makeBundle(undefined, ['sleep', '100']);
      const id = uniqueId();
      expect(rt.run(['create', '--bundle', b.dir, id]).status).toBe(0);
      keys[name] = Object.keys(state(rt, id)).sort();
    }
    expect(keys.hull).toEqual(keys.runc);
  });
});
