// config.md "POSIX-platform Hooks" and runtime.md's lifecycle steps 3–13.
import fs from 'node:fs';
import path from 'node:path';
import { type Case, quote } from '../case';
import { type Context, check, eq, fail, listIds } from '../context';

const C = 'config.md';
const hookNames = ['prestart', 'createRuntime', 'createContainer', 'startContainer', 'poststart', 'poststop'] as const;
type HookName = (typeof hookNames)[number];

/**
 * A hook that appends its name and its stdin (the state) to `log`. Hooks in the runtime namespace see the host;
 * startContainer resolves and runs inside the container, where /bin/sh is the rootfs's busybox.
 */
function hook(name: string, log: string, extra = '') {
  return { path: '/bin/sh', args: ['sh', '-c', `${extra}state=$(cat); echo "${name} $state" >> ${log}`, name] };
}

function readLog(file: string): Array<{ name: string; state: Record<string, unknown> }> {
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const i = line.indexOf(' ');
      let state: Record<string, unknown> = {};
      try {
        state = JSON.parse(line.slice(i + 1)) as Record<string, unknown>;
      } catch {
        fail(`hook ${line.slice(0, i)} got no JSON state on stdin: ${line.slice(i + 1, i + 200)}`);
      }
      return { name: line.slice(0, i), state };
    });
}

/** A container with every hook; runtime-namespace hooks log to a host file, startContainer to /hooks.log in the rootfs. */
async function hooked(t: Context) {
  const hostLog = path.join(t.workDir, 'hooks.log');
  const b = await t.bundle((c) => {
    c.hooks = {} as Record<HookName, unknown>;
    for (const n of hookNames) {
      // createContainer runs in the container's namespaces but its path resolves in the runtime's: log to whichever exists.
      if (n === 'startContainer') c.hooks[n] = [hook(n, '/hooks.log', '[ -e /ran ] && echo late >> /hooks.log; ')];
      else c.hooks[n] = [hook(n, hostLog)];
    }
  }, 'touch /ran; exec sleep 1000');
  return { b, hostLog, containerLog: path.join(b.rootfs, 'hooks.log') };
}

export const hookCases: Case[] = [
  {
    name: 'hooks/order',
    spec: quote(C, 'Hooks MUST be called in the listed order.'),
    async run(t) {
      const h = await hooked(t);
      const runtimeHooks = () => readLog(h.hostLog).map((e) => e.name).filter((n) => n !== 'createContainer' && n !== 'poststart');
      const id = await t.create(h.b);
      eq(runtimeHooks(), ['prestart', 'createRuntime'], 'runtime-namespace hooks run by `create`');
      check(!fs.existsSync(h.containerLog), 'startContainer ran during create');
      await t.ok(['start', id]);
      const inContainer = await t.waitLine(h.containerLog);
      check(inContainer.startsWith('startContainer '), `startContainer log: ${inContainer.slice(0, 100)}`);
      check(!inContainer.includes('late'), 'startContainer ran after the user process');
      await t.ok(['kill', id, 'KILL']);
      await t.waitStatus(id, 'stopped');
      await t.ok(['delete', id]);
      eq(runtimeHooks(), ['prestart', 'createRuntime', 'poststop'], 'runtime-namespace hooks after delete');
    },
  },
  {
    name: 'hooks/poststart-during-start',
    spec: quote(C, 'The `poststart` hooks MUST be called after the user-specified process is executed but before the `start` operation returns.'),
    deviations: { runc: 'runc 1.1 runs poststart hooks at the end of `create`, before the user process runs (the hook sees status "created")' },
    async run(t) {
      const h = await hooked(t);
      const id = await t.create(h.b);
      check(!readLog(h.hostLog).some((e) => e.name === 'poststart'), 'poststart ran during `create`');
      await t.ok(['start', id]);
      const post = readLog(h.hostLog).find((e) => e.name === 'poststart');
      check(post, 'poststart had not run when `start` returned');
      eq(post.state.status, 'running', 'poststart: state.status');
    },
  },
  {
    name: 'hooks/state-on-stdin',
    spec: quote(C, 'The [state](runtime.md#state) of the container MUST be passed to hooks over stdin so that they may do work appropriate to the current state of the container.'),
    async run(t) {
      const h = await hooked(t);
      const id = await t.create(h.b);
      await t.ok(['start', id]);
      await t.ok(['kill', id, 'KILL']);
      await t.waitStatus(id, 'stopped');
      await t.ok(['delete', id]);
      const log = readLog(h.hostLog);
      for (const want of ['prestart', 'createRuntime', 'poststart', 'poststop']) {
        const e = log.find((x) => x.name === want);
        check(e, `${want} never ran`);
        eq([e.state.id, e.state.bundle], [id, h.b.dir], `${want}: state id and bundle on stdin`);
        check(typeof e.state.ociVersion === 'string', `${want}: state.ociVersion missing`);
        if (want !== 'poststop') check(typeof e.state.pid === 'number' && e.state.pid > 0, `${want}: state.pid ${JSON.stringify(e.state.pid)}`);
      }
      eq(log.find((x) => x.name === 'poststop')?.state.status, 'stopped', 'poststop: state.status');
    },
  },
  {
    name: 'hooks/args-and-env',
    spec: quote(C, 'args (array of strings, OPTIONAL) with the same semantics as IEEE Std 1003.1-2008 execv\'s argv. env (array of strings, OPTIONAL) with the same semantics as IEEE Std 1003.1-2008\'s environ.'),
    async run(t) {
      const out = path.join(t.workDir, 'hook.out');
      const b = await t.bundle((c) => {
        const script = `{ tr "\\0" " " < /proc/$$/cmdline; echo; echo "$HC_HOOK"; } > ${out}`;
        c.hooks = { prestart: [{ path: '/bin/sh', args: ['my-argv0', '-c', script, 'zero', 'first'], env: ['HC_HOOK=hook-env'] }] };
      }, 'true');
      const inv = await t.run(b);
      eq(inv.code, 0, 'run exit status');
      const [argv, env] = fs.readFileSync(out, 'utf8').trim().split('\n');
      check(argv.startsWith('my-argv0 -c ') && argv.trimEnd().endsWith(' zero first'), `hook argv: ${argv}`);
      eq(env, 'hook-env', 'hook environment');
    },
  },
  {
    name: 'hooks/prestart-failure-aborts',
    spec: quote('runtime.md', 'If any `prestart` hook fails, the runtime MUST [generate an error](#errors), stop the container, and continue the lifecycle at step 12.'),
    async run(t) {
      const b = await t.bundle((c) => (c.hooks = { prestart: [{ path: '/bin/false' }] }), 'touch /ran; sleep 1000');
      const id = t.id();
      await t.fails(['create', '--bundle', b.dir, id], 'create with a failing prestart hook');
      check(!(await listIds(t)).includes(id), 'the container survived its failed prestart hook');
      check(!fs.existsSync(path.join(b.rootfs, 'ran')), 'the user process ran');
    },
  },
  {
    name: 'hooks/createRuntime-failure-aborts',
    spec: quote('runtime.md', 'If any `createRuntime` hook fails, the runtime MUST [generate an error](#errors), stop the container, and continue the lifecycle at step 12.'),
    async run(t) {
      const b = await t.bundle((c) => (c.hooks = { createRuntime: [{ path: '/bin/false' }] }), 'sleep 1000');
      const id = t.id();
      await t.fails(['create', '--bundle', b.dir, id], 'create with a failing createRuntime hook');
      check(!(await listIds(t)).includes(id), 'the container survived its failed createRuntime hook');
    },
  },
  {
    name: 'hooks/startContainer-failure-aborts',
    deviations: { runc: 'runc 1.1 runs startContainer hooks in the init after `start` returned, so `start` succeeds' },
    spec: quote('runtime.md', 'If any `startContainer` hook fails, the runtime MUST [generate an error](#errors), stop the container, and continue the lifecycle at step 12.'),
    async run(t) {
      const b = await t.bundle((c) => (c.hooks = { startContainer: [{ path: '/bin/false' }] }), 'touch /ran; sleep 1000');
      const id = await t.create(b);
      await t.fails(['start', id], 'start with a failing startContainer hook');
      check(!fs.existsSync(path.join(b.rootfs, 'ran')), 'the user process ran after its startContainer hook failed');
    },
  },
  {
    name: 'hooks/poststop-failure-is-warning',
    deviations: { runc: 'runc 1.1 stops at the first failing poststop hook and skips the rest' },
    spec: quote('runtime.md', 'If any `poststop` hook fails, the runtime MUST [log a warning](#warnings), but the remaining hooks and lifecycle continue as if the hook had succeeded.'),
    async run(t) {
      const mark = path.join(t.workDir, 'second');
      const b = await t.bundle((c) => (c.hooks = { poststop: [{ path: '/bin/false' }, { path: '/bin/sh', args: ['sh', '-c', `touch ${mark}`] }] }), 'exit 0');
      const id = await t.create(b);
      await t.ok(['start', id]);
      await t.waitStatus(id, 'stopped');
      await t.ok(['delete', id]);
      check(fs.existsSync(mark), 'the poststop hook after the failing one did not run');
      check(!(await listIds(t)).includes(id), 'the container survived delete');
    },
  },
  {
    name: 'hooks/timeout',
    spec: quote(C, 'timeout (int, OPTIONAL) is the number of seconds before aborting the hook.'),
    async run(t) {
      const b = await t.bundle((c) => (c.hooks = { prestart: [{ path: '/bin/sleep', args: ['sleep', '600'], timeout: 1 }] }), 'true');
      const id = t.id();
      await t.fails(['create', '--bundle', b.dir, id], 'create whose prestart hook outlives its timeout', { timeoutMs: 60_000 });
      check(!(await listIds(t)).includes(id), 'the container survived its timed-out hook');
    },
  },
];
