// runHooks with real hook processes (busybox sh), no root needed.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { itNeeds } from '@hull/testkit/jest';
import { HookError } from '../errors';
import { runHooks } from './run';
import type { HookState } from './run';

const BUSYBOX = '/bin/busybox';
const haveBusybox = fs.existsSync(BUSYBOX);
const itBusybox = itNeeds(haveBusybox ? undefined : `no ${BUSYBOX} (Debian's busybox-static)`);

const state: HookState = {
  ociVersion: '1.2.0',
  id: `hull-test-${process.pid}-hooks`,
  status: 'creating',
  pid: 4242,
  bundle: '/some/bundle',
  annotations: { 'org.example.key': 'value with "quotes"' },
};

let tmp: string;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), `hull-test-hooks-${process.pid}-`));
});
afterEach(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** A hook running a busybox shell script, argv[0] "sh". */
function sh(script: string, extra: { env?: string[]; timeout?: number; args?: string[] } = {}) {
  return { path: BUSYBOX, args: ['sh', '-c', script, ...(extra.args ?? [])], env: extra.env, timeout: extra.timeout };
}

function collect() {
  const lines: string[] = [];
  return {
    lines,
    log: { debug() {}, info() {}, error() {}, warn: (m: string) => { lines.push(m); } },
  };
}

describe('runHooks', () => {
  itBusybox('hands the state JSON on stdin', () => {
    const out = path.join(tmp, 'stdin');
    runHooks([sh(`cat > ${out}`)], state, 'prestart');
    expect(JSON.parse(fs.readFileSync(out, 'utf8'))).toEqual(state);
  });

  itBusybox('passes args[0] as argv[0] and the rest as they are', () => {
    const out = path.join(tmp, 'cmdline');
    // busybox picks its applet from argv[0]: "sh" here proves argv[0] arrived.
    runHooks([sh(`cat /proc/$$/cmdline > ${out}; true`, { args: ['zero', 'one two', ''] })], state, 'createRuntime');
    expect(fs.readFileSync(out, 'utf8').split('\0')).toEqual(['sh', '-c', `cat /proc/$$/cmdline > ${out}; true`, 'zero', 'one two', '', '']);
  });

  itBusybox('gives exactly the hook env, nothing inherited', () => {
    const out = path.join(tmp, 'environ');
    process.env.HULL_TEST_LEAK = 'leaked';
    try {
      runHooks([sh(`cat /proc/$$/environ > ${out}; true`, { env: ['A=1', 'B=x=y', 'EMPTY='] })], state, 'prestart');
    } finally {
      delete process.env.HULL_TEST_LEAK;
    }
    const env = fs.readFileSync(out, 'utf8').split('\0').filter(Boolean).sort();
    expect(env).toEqual(['A=1', 'B=x=y', 'EMPTY=']);
  });

  itBusybox('gives an empty environment when the hook has no env', () => {
    const out = path.join(tmp, 'environ');
    runHooks([sh(`cat /proc/$$/environ > ${out}; true`)], state, 'prestart');
    expect(fs.readFileSync(out, 'utf8')).toBe('');
  });

  itBusybox('does not fail a hook that ignores its stdin', () => {
    const big = { ...state, annotations: { big: 'x'.repeat(1 << 20) } };
    expect(() => runHooks([sh('exit 0')], big, 'prestart')).not.toThrow();
  });

  itBusybox('runs hooks in order', () => {
    const out = path.join(tmp, 'order');
    runHooks([sh(`echo first >> ${out}`), sh(`echo second >> ${out}`), sh(`echo third >> ${out}`)], state, 'poststart');
    expect(fs.readFileSync(out, 'utf8')).toBe('first\nsecond\nthird\n');
  });

  itBusybox('names phase, index, path, exit status and stderr of a failing hook, and stops there', () => {
    const out = path.join(tmp, 'ran');
    let err: unknown;
    try {
      runHooks([sh('true'), sh('echo some output; echo "it broke" >&2; exit 3'), sh(`touch ${out}`)], state, 'prestart');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(HookError);
    expect((err as HookError).message).toBe(`prestart hook [1] ${BUSYBOX}: exit status 3: it broke`);
    expect((err as HookError).context).toMatchObject({ path: BUSYBOX, status: 3 });
    expect(fs.existsSync(out)).toBe(false);
  });

  itBusybox('kills a hook that outlives its timeout with SIGKILL and says so', () => {
    const pidFile = path.join(tmp, 'pid');
    let err: unknown;
    try {
      // TERM is ignored: only SIGKILL ends it.
      runHooks([sh(`trap "" TERM; echo $$ > ${pidFile}; echo waiting >&2; while :; do sleep 1; done`, { timeout: 1 })], state, 'createContainer');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(HookError);
    expect((err as HookError).code).toBe('EHOOKTIMEOUT');
    expect((err as HookError).message).toBe(`createContainer hook [0] ${BUSYBOX}: killed after the timeout of 1s: waiting`);
    const pid = Number(fs.readFileSync(pidFile, 'utf8'));
    expect(fs.existsSync(`/proc/${pid}`)).toBe(false);
  });

  itBusybox('reports a hook killed by a signal', () => {
    expect(() => runHooks([sh('kill -SEGV $$')], state, 'startContainer')).toThrow(`startContainer hook [0] ${BUSYBOX}: killed by signal SIGSEGV`);
  });

  it('reports a hook that cannot be started', () => {
    const missing = path.join(tmp, 'no-such-hook');
    expect(() => runHooks([{ path: missing }], state, 'prestart')).toThrow(`prestart hook [0] ${missing}: ENOENT`);
    const notExec = path.join(tmp, 'not-executable');
    fs.writeFileSync(notExec, '#!/bin/sh\n', { mode: 0o644 });
    if (process.getuid?.() !== 0) {
      expect(() => runHooks([{ path: notExec }], state, 'prestart')).toThrow(`prestart hook [0] ${notExec}: EACCES`);
    }
  });

  it('rejects a relative path and a non-positive timeout', () => {
    expect(() => runHooks([{ path: 'bin/true' }], state, 'prestart')).toThrow('prestart hook [0]: path must be absolute, not "bin/true"');
    expect(() => runHooks([{ path: '/bin/true', timeout: 0 }], state, 'poststop')).toThrow('poststop hook [0] /bin/true: timeout must be a positive number of seconds, not 0');
  });

  itBusybox('with warnOnly, logs each failure as a warning and runs the rest', () => {
    const out = path.join(tmp, 'ran');
    const { lines, log } = collect();
    runHooks([sh('echo nope >&2; exit 7'), sh(`touch ${out}`), { path: path.join(tmp, 'missing') }], { ...state, status: 'stopped' }, 'poststop', { warnOnly: true, log });
    expect(fs.existsSync(out)).toBe(true);
    expect(lines).toEqual([
      `poststop hook [0] ${BUSYBOX}: exit status 7: nope`,
      `poststop hook [2] ${path.join(tmp, 'missing')}: ENOENT`,
    ]);
  });

  it('does nothing for no hooks', () => {
    expect(() => runHooks(undefined, state, 'prestart')).not.toThrow();
    expect(() => runHooks([], state, 'prestart')).not.toThrow();
  });

  itBusybox('runs hooks in the given working directory', () => {
    const out = path.join(tmp, 'cwd');
    runHooks([sh(`pwd > ${out}`)], state, 'prestart', { cwd: tmp });
    expect(fs.readFileSync(out, 'utf8').trim()).toBe(fs.realpathSync(tmp));
  });
});
