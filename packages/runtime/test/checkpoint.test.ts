// hull checkpoint / restore through criu. Where criu works (`criu check`
// passes: the pure cgroup v2 guest with its modules loaded), a container
// counting in a shell variable is checkpointed and restored, and the count
// goes on from where it was: its memory came back. Where criu cannot run
// (this host's kernel 6.18: "vdso: Unexpected rt vDSO area bounds"), the
// failure must be criu's own reason, and leave the container running and
// the image directory without images.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { missingCriu, missingRoot } from '@hull/testkit/host';
import { itNeeds } from '@hull/testkit/jest';
import { cleanEnv, cleanupAll, HULL, itRoot, leftovers, makeBundle, runtime, tempDir, uniqueId, type Runtime } from './helpers';

afterEach(cleanupAll);

const noRoot = missingRoot();
const noCriu = noRoot ? undefined : missingCriu();
const itCriu = itNeeds(noRoot, noCriu);
/** criu's own failure is checked where criu cannot run; where it can, the end-to-end tests run instead. */
const itNoCriu = itNeeds(noRoot, noCriu ? undefined : 'needs a host where `criu check` fails (it passes here: the end-to-end tests run)');

/** Appends 1, 2, 3... to /count, the counter kept only in the shell's memory; each number also on stdout. */
const COUNTER = ['sh', '-c', 'i=0; while true; do i=$((i+1)); echo $i >> /count; echo $i; sleep 0.1; done'];

function counterBundle() {
  return makeBundle((c) => {
    c.root.readonly = false;
  }, COUNTER);
}

function counts(rootfs: string): number[] {
  const text = fs.existsSync(path.join(rootfs, 'count')) ? fs.readFileSync(path.join(rootfs, 'count'), 'utf8') : '';
  return text.split('\n').filter(Boolean).map(Number);
}

function waitFor(cond: () => boolean, what: string, ms = 120000): void {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
  }
}

/**
 * Runs `hull run -d` (or `restore -d`) with real pipes as the container's
 * stdio, as a shell makes them: criu takes pipes along (restore hands the
 * new ones over), not the unix sockets Node's stdio pipes are, nor host
 * files. hull's own output and exit status go down the same pipe to a file.
 */
function inShell(args: string[]): { exited: () => Promise<number>; output: () => string; shell: ChildProcess } {
  const out = path.join(tempDir(), 'out');
  fs.writeFileSync(out, '');
  const cmd = [HULL, ...args].map((a) => `'${a}'`).join(' ');
  const shell = spawn('/bin/sh', ['-c', `: | { ${cmd} 2>&1; echo "hull-exit=$?"; } | cat >> '${out}'`], { env: cleanEnv(), stdio: 'ignore' });
  const output = () => fs.readFileSync(out, 'utf8');
  const exited = async () => {
    let m: RegExpExecArray | null = null;
    while (!(m = /hull-exit=(\d+)/.exec(output()))) await new Promise((r) => setTimeout(r, 50));
    return Number(m[1]);
  };
  return { exited, output, shell };
}

async function detached(args: string[]): Promise<{ code: number; output: () => string; shell: ChildProcess }> {
  const r = inShell(args);
  return { code: await r.exited(), output: r.output, shell: r.shell };
}

/** hull's error line with logfmt's quoting undone. */
function errorOf(r: { stderr: string }): string {
  return r.stderr.replace(/\\"/g, '"');
}

function stateOf(rt: Runtime, id: string): Record<string, any> | undefined {
  const r = rt.run(['state', id]);
  return r.status === 0 ? JSON.parse(r.stdout) : undefined;
}

describe('checkpoint and restore', () => {
  // The shells hold the pipes until their container is gone (cleanupAll deletes it); never leave one behind.
  const shells: ChildProcess[] = [];
  afterEach(() => {
    for (const sh of shells.splice(0)) if (sh.exitCode === null) sh.kill('SIGKILL');
  });

  itRoot('bad flags and states fail before anything is written', () => {
    const rt = runtime();
    const b = makeBundle(undefined, ['sleep', '100']);
    const id = uniqueId('ck');
    expect(rt.run(['create', '--bundle', b.dir, id]).status).toBe(0);
    const img = path.join(tempDir(), 'img');
    // runc: a created container cannot be checkpointed.
    let r = rt.run(['checkpoint', '--image-path', img, id]);
    expect(r.status).toBe(1);
    expect(errorOf(r)).toContain(`cannot checkpoint container "${id}" in status created`);
    r = rt.run(['checkpoint', '--image-path', img, '--manage-cgroups-mode', 'bogus', id]);
    expect(r.status).toBe(1);
    expect(errorOf(r)).toContain('invalid --manage-cgroups-mode value "bogus"');
    r = rt.run(['checkpoint', '--image-path', img, '--empty-ns', 'ipc', id]);
    expect(errorOf(r)).toContain('--empty-ns: namespace "ipc" is not supported');
    r = rt.run(['checkpoint', '--image-path', img, 'no-such-container']);
    expect(r.status).toBe(1);
    expect(errorOf(r)).toContain('container "no-such-container" does not exist');
    expect(fs.existsSync(img)).toBe(false);
    expect(stateOf(rt, id)?.status).toBe('created');
  });

  itRoot('restore from a directory without a checkpoint fails and leaves nothing', () => {
    const rt = runtime();
    const b = counterBundle();
    const id = uniqueId('rs');
    const img = tempDir();
    const r = rt.run(['restore', '--detach', '--bundle', b.dir, '--image-path', img, id]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`restore ${id}: ${img}/descriptors.json: not found`);
    expect(stateOf(rt, id)).toBeUndefined();
    expect(fs.readdirSync(rt.root)).toEqual([]);
    expect(leftovers(id, b.dir)).toEqual([]);
  });

  itNoCriu('where criu cannot run, checkpoint fails with criu\'s reason, the container runs on, no images are left', async () => {
    const rt = runtime();
    const b = counterBundle();
    const id = uniqueId('ck');
    const run = await detached(['--root', rt.root, 'run', '-d', '--bundle', b.dir, id]);
    shells.push(run.shell);
    expect(run.output()).not.toContain('level=');
    expect(run.code).toBe(0);
    const rootfs = path.join(b.dir, 'rootfs');
    waitFor(() => counts(rootfs).length >= 2, 'the counter');

    const base = tempDir();
    const img = path.join(base, 'img');
    const work = path.join(base, 'work');
    const r = rt.run(['checkpoint', '--image-path', img, '--work-path', work, id]);
    expect(r.status).toBe(1);
    const log = path.join(work, 'dump.log');
    // criu's first error that is not a helper's exit status, as hull quotes it.
    const first = fs
      .readFileSync(log, 'utf8')
      .split('\n')
      .map((l) => /Error \([^)]*\):\s*(.*)$/.exec(l)?.[1])
      .find((m) => m !== undefined && !/^exited, status=\d+$/.test(m));
    expect(first).toBeDefined();
    expect(r.stderr).toContain(`checkpoint ${id}: criu dump: ${first} (see ${log})`);
    // Nothing half-written: the image directory we asked for holds no images.
    expect(fs.existsSync(img)).toBe(false);
    expect(fs.readdirSync(work)).toEqual(['dump.log']);

    // Images and log in one directory: only the log stays.
    const r2 = rt.run(['checkpoint', '--image-path', img, '--leave-running', id]);
    expect(r2.status).toBe(1);
    expect(r2.stderr).toContain(`(see ${img}/dump.log)`);
    expect(fs.readdirSync(img)).toEqual(['dump.log']);

    // The container still runs and still counts.
    expect(stateOf(rt, id)?.status).toBe('running');
    const seen = counts(rootfs).length;
    waitFor(() => counts(rootfs).length > seen, 'the counter to go on');
  });

  itCriu('checkpoint stops the container; restore brings it back with its memory: the count goes on', async () => {
    const rt = runtime();
    const b = counterBundle();
    const id = uniqueId('ck');
    const rootfs = path.join(b.dir, 'rootfs');
    const run = await detached(['--root', rt.root, 'run', '-d', '--bundle', b.dir, id]);
    shells.push(run.shell);
    expect(run.output()).not.toContain('level=');
    expect(run.code).toBe(0);
    waitFor(() => counts(rootfs).length >= 3, 'the counter');

    const img = path.join(tempDir(), 'img');
    const ck = rt.run(['checkpoint', '--image-path', img, id], { timeout: 300000 });
    expect(ck.stderr).toBe('');
    expect(ck.status).toBe(0);
    // runc: without --leave-running the container is gone once checkpointed.
    expect(stateOf(rt, id)).toBeUndefined();
    const before = counts(rootfs);
    const last = before[before.length - 1];
    expect(fs.existsSync(path.join(img, 'descriptors.json'))).toBe(true);

    const pidFile = path.join(tempDir(), 'pid');
    const rs = await detached(['--root', rt.root, 'restore', '--detach', '--bundle', b.dir, '--image-path', img, '--pid-file', pidFile, id]);
    shells.push(rs.shell);
    expect(rs.output()).not.toContain('level=');
    expect(rs.code).toBe(0);
    const st = stateOf(rt, id);
    expect(st?.status).toBe('running');
    expect(st?.pid).toBe(Number(fs.readFileSync(pidFile, 'utf8')));

    waitFor(() => counts(rootfs).length >= before.length + 3, 'the restored counter');
    const after = counts(rootfs);
    // One unbroken sequence 1..n: the restored shell went on from `last`, it did not start over.
    expect(after).toEqual(after.map((_, i) => i + 1));
    expect(after.length).toBeGreaterThan(last);
    // Its stdout is now the pipe restore was given: the numbers there go on from `last`.
    const numbersAfterRestore = () => rs.output().split('\n').filter((l) => /^\d+$/.test(l)).map(Number);
    waitFor(() => numbersAfterRestore().length > 0, 'output on the new stdout');
    expect(numbersAfterRestore()[0]).toBeGreaterThan(last);

    expect(rt.run(['delete', '--force', id]).status).toBe(0);
    expect(leftovers(id, b.dir)).toEqual([]);
  });

  itCriu('--leave-running keeps the container running after the checkpoint', async () => {
    const rt = runtime();
    const b = counterBundle();
    const id = uniqueId('ck');
    const rootfs = path.join(b.dir, 'rootfs');
    const run = await detached(['--root', rt.root, 'run', '-d', '--bundle', b.dir, id]);
    shells.push(run.shell);
    expect(run.code).toBe(0);
    waitFor(() => counts(rootfs).length >= 2, 'the counter');
    const img = path.join(tempDir(), 'img');
    const ck = rt.run(['checkpoint', '--leave-running', '--image-path', img, id], { timeout: 300000 });
    expect(ck.stderr).toBe('');
    expect(ck.status).toBe(0);
    expect(stateOf(rt, id)?.status).toBe('running');
    const seen = counts(rootfs).length;
    waitFor(() => counts(rootfs).length > seen, 'the counter to go on');
  });

  itCriu('restore in the foreground waits for the container and exits with its status, then removes it', async () => {
    const rt = runtime();
    const b = counterBundle();
    const id = uniqueId('ck');
    const rootfs = path.join(b.dir, 'rootfs');
    const run = await detached(['--root', rt.root, 'run', '-d', '--bundle', b.dir, id]);
    shells.push(run.shell);
    expect(run.code).toBe(0);
    waitFor(() => counts(rootfs).length >= 2, 'the counter');
    const img = path.join(tempDir(), 'img');
    const ck = rt.run(['checkpoint', '--image-path', img, id], { timeout: 300000 });
    expect(ck.stderr).toBe('');
    expect(ck.status).toBe(0);
    const before = counts(rootfs).length;

    const rs = inShell(['--root', rt.root, 'restore', '--bundle', b.dir, '--image-path', img, id]);
    shells.push(rs.shell);
    waitFor(() => counts(rootfs).length > before, 'the restored counter');
    expect(stateOf(rt, id)?.status).toBe('running');
    expect(rt.run(['kill', id, 'KILL']).status).toBe(0);
    // runc: restore exits with the container's status (128+9 for SIGKILL).
    expect(await rs.exited()).toBe(137);
    expect(stateOf(rt, id)).toBeUndefined();
    expect(leftovers(id, b.dir)).toEqual([]);
  });
});
