// Hooks through hull's lifecycle commands, with a real container. What the
// runtime-spec says (config.md, "POSIX-platform Hooks"; runtime.md,
// "Lifecycle") is quoted next to each check.
import fs from 'node:fs';
import path from 'node:path';
import { cleanupAll, itRoot, leftovers, makeBundle, runtime, tempDir, uniqueId, type Config } from './helpers';

afterEach(cleanupAll);

const PHASES = ['prestart', 'createRuntime', 'createContainer', 'startContainer', 'poststart', 'poststop'] as const;
type Phase = (typeof PHASES)[number];

/** A hook that appends "== phase", its stdin (the state) and its argv/env to `file`. */
function recorder(phase: string, file: string, extra: { exit?: number; env?: string[] } = {}) {
  const script = `{ echo "== $0"; cat; echo; echo "env: HOOK_PHASE=$HOOK_PHASE LEAK=\${HULL_TEST_LEAK-unset}"; echo "uts: $(cat /proc/sys/kernel/hostname)"; } >> "$1"; exit ${extra.exit ?? 0}`;
  return { path: '/bin/busybox', args: ['sh', '-c', script, phase, file], env: extra.env ?? ['HOOK_PHASE=' + phase] };
}

interface Entry {
  phase: string;
  state: Record<string, any>;
  env: string;
  /** The hostname the hook sees: which UTS namespace it runs in. */
  uts: string;
}

function readLog(file: string): Entry[] {
  if (!fs.existsSync(file)) return [];
  const out: Entry[] = [];
  for (const block of fs.readFileSync(file, 'utf8').split('== ').slice(1)) {
    const [head, json, envLine, utsLine] = block.split('\n');
    out.push({ phase: head.split(' ')[0], state: JSON.parse(json), env: envLine.replace(/^env: /, '').trim(), uts: utsLine.replace(/^uts: /, '').trim() });
  }
  return out;
}

/**
 * A bundle whose hooks all record into one log. startContainer runs inside
 * the container, after pivot_root: it writes through a bind mount of the
 * log's directory at /hooklog.
 */
function hookedBundle(args: string[], edit?: (hooks: Record<Phase, unknown[]>, log: string) => void) {
  const dir = tempDir('hull-test-hooks-');
  const log = path.join(dir, 'log');
  const b = makeBundle((c: Config) => {
    c.mounts.push({ destination: '/hooklog', type: 'bind', source: dir, options: ['rbind', 'rw'] });
    c.hostname = 'hooked';
    const hooks = Object.fromEntries(PHASES.map((p) => [p, [recorder(p, p === 'startContainer' ? '/hooklog/log' : log)]])) as Record<Phase, unknown[]>;
    edit?.(hooks, log);
    c.hooks = hooks;
  }, args);
  return { b, log };
}

function waitStopped(rt: ReturnType<typeof runtime>, id: string): void {
  for (let i = 0; i < 500; i++) {
    if (JSON.parse(rt.run(['state', id]).stdout || '{}').status === 'stopped') return;
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
  }
  throw new Error(`${id} did not stop`);
}

describe('hooks in the lifecycle', () => {
  itRoot('run in the spec\'s order, each with the state of its moment on stdin and exactly its env', () => {
    const rt = runtime();
    const id = uniqueId('hooks');
    const { b, log } = hookedBundle(['true']);

    const leak = { env: { HULL_TEST_LEAK: 'leaked' } };
    // The container inherits create's stdio: pipes would stay open until it exits.
    expect(rt.run(['create', '--bundle', b.dir, id], { ...leak, stdio: 'ignore' }).status).toBe(0);
    // "The prestart hooks MUST be called as part of the create operation after the runtime
    // environment has been created ... and before the pivot_root", likewise createRuntime and createContainer.
    expect(readLog(log).map((e) => e.phase)).toEqual(['prestart', 'createRuntime', 'createContainer']);
    const initPid = Number(JSON.parse(rt.run(['state', id]).stdout).pid);

    expect(rt.run(['start', id], leak).status).toBe(0);
    waitStopped(rt, id);
    expect(rt.run(['delete', id], leak).status).toBe(0);

    const entries = readLog(log);
    expect(entries.map((e) => e.phase)).toEqual([...PHASES]);
    // "the state of the container MUST be passed to hooks over stdin"
    for (const e of entries) {
      expect(e.state).toMatchObject({ id, bundle: b.dir });
      expect(typeof e.state.ociVersion).toBe('string');
      // "env ... has the same semantics as IEEE Std 1003.1-2008's environ": the hook's env, nothing of hull's.
      expect(e.env).toBe(`HOOK_PHASE=${e.phase} LEAK=unset`);
    }
    const status = Object.fromEntries(entries.map((e) => [e.phase, e.state.status]));
    expect(status).toEqual({
      prestart: 'creating',
      createRuntime: 'creating',
      createContainer: 'creating',
      startContainer: 'created',
      poststart: 'running',
      poststop: 'stopped',
    });
    for (const e of entries.filter((x) => x.phase !== 'poststop')) expect(e.state.pid).toBe(initPid);
    // createContainer and startContainer run "in the container namespace"; the others in the runtime's.
    const uts = Object.fromEntries(entries.map((e) => [e.phase, e.uts]));
    const host = fs.readFileSync('/proc/sys/kernel/hostname', 'utf8').trim();
    expect(uts).toEqual({ prestart: host, createRuntime: host, createContainer: 'hooked', startContainer: 'hooked', poststart: host, poststop: host });
  });

  itRoot('a failing prestart hook fails create and leaves nothing behind', () => {
    const rt = runtime();
    const id = uniqueId('hooks');
    const { b, log } = hookedBundle(['true'], (hooks, logFile) => {
      hooks.prestart = [recorder('prestart', logFile, { exit: 3 })];
    });
    const r = rt.run(['create', '--bundle', b.dir, id]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('prestart hook [0] /bin/busybox: exit status 3');
    // "If any prestart hook fails, the runtime MUST generate an error, stop the container, and continue the lifecycle at step 12" (delete).
    expect(readLog(log).map((e) => e.phase)).toEqual(['prestart']);
    expect(rt.run(['state', id]).status).not.toBe(0);
    expect(leftovers(id, b.dir)).toEqual([]);
  });

  itRoot('a failing createContainer hook (inside the container) fails create', () => {
    const rt = runtime();
    const id = uniqueId('hooks');
    const { b, log } = hookedBundle(['true'], (hooks, logFile) => {
      hooks.createContainer = [recorder('createContainer', logFile, { exit: 4 })];
    });
    const r = rt.run(['create', '--bundle', b.dir, id]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('createContainer hook [0] /bin/busybox: exit status 4');
    expect(readLog(log).map((e) => e.phase)).toEqual(['prestart', 'createRuntime', 'createContainer']);
    expect(rt.run(['state', id]).status).not.toBe(0);
    expect(leftovers(id, b.dir)).toEqual([]);
  });

  itRoot('failing poststart and poststop hooks are warnings: start and delete go on', () => {
    const rt = runtime();
    const id = uniqueId('hooks');
    const { b, log } = hookedBundle(['true'], (hooks, logFile) => {
      // "If a poststart hook fails, the runtime MUST log a warning, but the remaining hooks and lifecycle continue".
      hooks.poststart = [recorder('poststart', logFile, { exit: 5 }), recorder('poststart', logFile)];
      // "If a poststop hook fails, the runtime MUST log a warning, but the remaining hooks and lifecycle continue".
      hooks.poststop = [recorder('poststop', logFile, { exit: 6 }), recorder('poststop', logFile)];
    });
    expect(rt.run(['create', '--bundle', b.dir, id], { stdio: 'ignore' }).status).toBe(0);
    const s = rt.run(['start', id]);
    expect(s.status).toBe(0);
    expect(s.stderr).toContain('poststart hook [0] /bin/busybox: exit status 5');
    waitStopped(rt, id);
    const d = rt.run(['delete', id]);
    expect(d.status).toBe(0);
    expect(d.stderr).toContain('poststop hook [0] /bin/busybox: exit status 6');
    expect(readLog(log).map((e) => e.phase)).toEqual(['prestart', 'createRuntime', 'createContainer', 'startContainer', 'poststart', 'poststart', 'poststop', 'poststop']);
    expect(rt.run(['state', id]).status).not.toBe(0);
  });
});
