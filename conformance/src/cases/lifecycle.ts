// runtime.md: the lifecycle, the state, and every operation's errors.
import fs from 'node:fs';
import path from 'node:path';
import { type Case, quote } from '../case';
import { type Context, check, eq, fail, listIds } from '../context';

const R = 'runtime.md';

/** A container that marks /ran in its rootfs when its process runs, then stays up. */
async function sleeper(t: Context, mutate?: Parameters<Context['bundle']>[0]) {
  const b = await t.bundle(mutate, 'echo $$ > /ran; exec sleep 1000');
  const id = await t.create(b);
  return { b, id, ran: path.join(b.rootfs, 'ran') };
}

async function running(t: Context) {
  const s = await sleeper(t);
  await t.ok(['start', s.id]);
  await t.waitFile(s.ran);
  await t.waitStatus(s.id, 'running');
  return s;
}

/** A container whose process has exited. */
async function stopped(t: Context) {
  const b = await t.bundle(undefined, 'exit 0');
  const id = await t.create(b);
  await t.ok(['start', id]);
  await t.waitStatus(id, 'stopped');
  return { b, id };
}

const missing = 'hc-no-such-container';

export const lifecycleCases: Case[] = [
  {
    name: 'create/process-not-run',
    spec: quote(R, '[`process.args`](config.md#process) MUST NOT be applied until triggered by the [`start`](#start) operation.'),
    async run(t) {
      const s = await sleeper(t);
      const st = await t.state(s.id);
      eq(st.status, 'created', 'status after create');
      check(!fs.existsSync(s.ran), 'the user process ran before `start`');
    },
  },
  {
    name: 'create/pid-is-live-process',
    spec: quote(R, 'pid (int, REQUIRED when `status` is `created` or `running` on Linux) is the ID of the container process.'),
    async run(t) {
      const s = await sleeper(t);
      const st = await t.state(s.id);
      check(typeof st.pid === 'number' && st.pid > 0, `state.pid: ${JSON.stringify(st.pid)}`);
      check(fs.existsSync(`/proc/${st.pid}`), `state.pid ${st.pid} is not a live process`);
    },
  },
  {
    name: 'create/namespaces-applied',
    spec: quote(R, 'All of the properties configured in [`config.json`](config.md) except for [`process`](config.md#process) MUST be applied.'),
    async run(t) {
      const s = await sleeper(t, (c) => c.linux.namespaces.push({ type: 'cgroup' }));
      const pid = (await t.state(s.id)).pid!;
      for (const ns of ['pid', 'net', 'ipc', 'uts', 'mnt', 'cgroup']) {
        check(fs.readlinkSync(`/proc/${pid}/ns/${ns}`) !== fs.readlinkSync(`/proc/self/ns/${ns}`), `created container: its process is still in the runtime's ${ns} namespace`);
      }
    },
  },
  {
    name: 'create/cgroup-applied',
    spec: quote(R, 'All of the properties configured in [`config.json`](config.md) except for [`process`](config.md#process) MUST be applied.'),
    async run(t) {
      const want = `/hull-conformance-${process.pid}-${Date.now()}`;
      const s = await sleeper(t, (c) => (c.linux.cgroupsPath = want));
      const pid = (await t.state(s.id)).pid!;
      const lines = fs.readFileSync(`/proc/${pid}/cgroup`, 'utf8').trim().split('\n');
      for (const ctrl of ['memory', 'pids', 'cpu', 'devices', 'freezer']) {
        const line = lines.find((l) => l.split(':')[1].split(',').includes(ctrl));
        eq(line?.split(':')[2], want, `${ctrl} cgroup of the created container's process`);
      }
    },
  },
  {
    name: 'create/duplicate-id',
    spec: quote(R, 'If the ID provided is not unique across all containers within the scope of the runtime, or is not valid in any other way, the implementation MUST generate an error and a new container MUST NOT be created.'),
    async run(t) {
      const s = await sleeper(t);
      const before = await t.state(s.id);
      const b2 = await t.bundle(undefined, 'touch /second; sleep 1000');
      await t.fails(['create', '--bundle', b2.dir, s.id], 'a second create with the same id');
      const after = await t.state(s.id);
      eq(after.bundle, before.bundle, 'bundle of the first container');
      eq(after.pid, before.pid, 'pid of the first container');
    },
  },
  {
    name: 'create/requires-id',
    spec: quote(R, 'This operation MUST generate an error if it is not provided a path to the bundle and the container ID to associate with the container.'),
    async run(t) {
      const b = await t.bundle();
      await t.fails(['create', '--bundle', b.dir], 'create without an id');
    },
  },
  {
    name: 'create/config-changes-after-create-ignored',
    spec: quote(R, 'Any updates to [`config.json`](config.md) after this step MUST NOT affect the container.'),
    async run(t) {
      const b = await t.bundle(undefined, 'echo original > /which');
      const id = await t.create(b);
      const changed = { ...b.config, process: { ...b.config.process, args: ['sh', '-c', 'echo changed > /which'] } };
      fs.writeFileSync(path.join(b.dir, 'config.json'), JSON.stringify(changed));
      await t.ok(['start', id]);
      eq((await t.waitLine(path.join(b.rootfs, 'which'))).trim(), 'original', 'what the started process did');
    },
  },
  {
    name: 'start/runs-process',
    spec: quote(R, 'This operation MUST run the user-specified program as specified by [`process`](config.md#process).'),
    async run(t) {
      const s = await sleeper(t);
      const created = await t.state(s.id);
      await t.ok(['start', s.id]);
      await t.waitFile(s.ran);
      const st = await t.waitStatus(s.id, 'running');
      eq(st.pid, created.pid, 'state.pid after start (the same container process)');
      eq((await t.waitLine(s.ran)).trim(), '1', 'the process is pid 1 of its pid namespace');
      check(st.pid && fs.existsSync(`/proc/${st.pid}`), 'running container has a live pid');
    },
  },
  {
    name: 'start/unknown-id',
    spec: quote(R, 'This operation MUST generate an error if it is not provided the container ID.'),
    async run(t) {
      await t.fails(['start', missing], 'start of a container that does not exist');
      await t.fails(['start'], 'start without an id');
    },
  },
  {
    name: 'start/running-is-error',
    spec: quote(R, 'Attempting to `start` a container that is not [`created`](#state) MUST have no effect on the container and MUST generate an error.'),
    async run(t) {
      const s = await running(t);
      const before = await t.state(s.id);
      await t.fails(['start', s.id], 'start of a running container');
      const after = await t.state(s.id);
      eq([after.status, after.pid], [before.status, before.pid], 'state after the failed start');
    },
  },
  {
    name: 'start/stopped-is-error',
    spec: quote(R, 'Attempting to `start` a container that is not [`created`](#state) MUST have no effect on the container and MUST generate an error.'),
    async run(t) {
      const s = await stopped(t);
      await t.fails(['start', s.id], 'start of a stopped container');
      eq((await t.state(s.id)).status, 'stopped', 'status after the failed start');
    },
  },
  {
    name: 'start/without-process-is-error',
    spec: quote(R, 'This operation MUST generate an error if `process` was not set.') + ' / ' + quote('config.md', 'process (object, OPTIONAL) specifies the container process. This property is REQUIRED when start is called.'),
    deviations: { runc: 'runc 1.1 refuses `create` without process, although process is only required when start is called' },
    async run(t) {
      const b = await t.bundle((c) => delete c.process);
      const id = await t.create(b);
      eq((await t.state(id)).status, 'created', 'status of a container created without process');
      await t.fails(['start', id], 'start of a container without process');
    },
  },
  {
    name: 'state/fields',
    spec: quote(R, 'This operation MUST return the state of a container as specified in the [State](#state) section.'),
    async run(t) {
      const s = await sleeper(t, (c) => (c.annotations = { 'org.hull.test': 'yes' }));
      const st = await t.state(s.id);
      check(typeof st.ociVersion === 'string' && /^\d+\.\d+\.\d+/.test(st.ociVersion), `state.ociVersion: ${JSON.stringify(st.ociVersion)}`);
      eq(st.id, s.id, 'state.id');
      eq(st.status, 'created', 'state.status');
      eq(st.bundle, s.b.dir, 'state.bundle (the absolute bundle path)');
      eq(st.annotations?.['org.hull.test'], 'yes', 'state.annotations');
    },
  },
  {
    name: 'state/bundle-is-absolute',
    spec: quote(R, 'bundle (string, REQUIRED) is the absolute path to the container\'s bundle directory.'),
    async run(t) {
      const b = await t.bundle(undefined, 'sleep 1000');
      const id = t.id();
      // A relative --bundle must still be reported as an absolute path.
      await t.ok(['create', '--bundle', path.relative(process.cwd(), b.dir), id]);
      eq((await t.state(id)).bundle, b.dir, 'state.bundle');
    },
  },
  {
    name: 'state/stopped',
    spec: quote(R, '`stopped`: the container process has exited'),
    async run(t) {
      await stopped(t);
    },
  },
  {
    name: 'state/unknown-id',
    spec: quote(R, 'Attempting to query a container that does not exist MUST generate an error.'),
    async run(t) {
      await t.fails(['state', missing], 'state of a container that does not exist');
    },
  },
  {
    name: 'state/requires-id',
    spec: quote(R, 'This operation MUST generate an error if it is not provided the ID of a container.'),
    async run(t) {
      await t.fails(['state'], 'state without an id');
    },
  },
  {
    name: 'kill/default-is-sigterm',
    spec: quote(R, 'This operation MUST send the specified signal to the container process.'),
    async run(t) {
      // Written aside and renamed: the file appears with its word in it, never empty.
      const b = await t.bundle(undefined, "trap 'echo TERM > /sig.tmp; mv /sig.tmp /sig; exit 0' TERM; touch /ready; while :; do sleep 0.1; done");
      const id = await t.create(b);
      await t.ok(['start', id]);
      await t.waitFile(path.join(b.rootfs, 'ready'));
      await t.ok(['kill', id]);
      eq((await t.waitFile(path.join(b.rootfs, 'sig'))).trim(), 'TERM', 'signal the container saw');
    },
  },
  {
    name: 'kill/named-and-numbered-signals',
    spec: quote(R, 'This operation MUST send the specified signal to the container process.'),
    async run(t) {
      const b = await t.bundle(
        undefined,
        "trap 'echo USR1 >> /sig' USR1; trap 'echo USR2 >> /sig' USR2; trap 'echo HUP >> /sig' HUP; touch /ready; while :; do sleep 0.1; done",
      );
      const id = await t.create(b);
      await t.ok(['start', id]);
      await t.waitFile(path.join(b.rootfs, 'ready'));
      const sig = path.join(b.rootfs, 'sig');
      for (const [arg, want] of [['USR1', 'USR1'], ['SIGUSR2', 'USR2'], ['1', 'HUP']] as const) {
        await t.ok(['kill', id, arg]);
        const until = Date.now() + 60_000;
        while (!(fs.existsSync(sig) && fs.readFileSync(sig, 'utf8').includes(want))) {
          if (Date.now() > until) fail(`kill ${arg}: the container never saw SIG${want}`);
          await new Promise((r) => setTimeout(r, 50));
        }
      }
    },
  },
  {
    name: 'kill/created-container',
    spec: quote(R, 'Attempting to send a signal to a container that is neither [`created` nor `running`](#state) MUST have no effect on the container and MUST generate an error.'),
    async run(t) {
      const s = await sleeper(t);
      await t.ok(['kill', s.id, 'KILL']);
      await t.waitStatus(s.id, 'stopped');
      check(!fs.existsSync(s.ran), 'the user process ran although the container was never started');
    },
  },
  {
    name: 'kill/stopped-is-error',
    spec: quote(R, 'Attempting to send a signal to a container that is neither [`created` nor `running`](#state) MUST have no effect on the container and MUST generate an error.'),
    async run(t) {
      const s = await stopped(t);
      await t.fails(['kill', s.id, 'TERM'], 'kill of a stopped container');
      eq((await t.state(s.id)).status, 'stopped', 'status after the failed kill');
    },
  },
  {
    name: 'kill/unknown-id',
    spec: quote(R, 'This operation MUST generate an error if it is not provided the container ID.'),
    async run(t) {
      await t.fails(['kill', missing, 'TERM'], 'kill of a container that does not exist');
      await t.fails(['kill'], 'kill without an id');
    },
  },
  {
    name: 'delete/stopped',
    spec: quote(R, 'Deleting a container MUST delete the resources that were created during the `create` step.'),
    async run(t) {
      const s = await stopped(t);
      await t.ok(['delete', s.id]);
      check(!(await listIds(t)).includes(s.id), '`list` still shows the deleted container');
      await t.fails(['state', s.id], 'state of a deleted container');
    },
  },
  {
    name: 'delete/running-without-force-is-error',
    spec: quote(R, 'Attempting to `delete` a container that is not [`stopped`](#state) MUST have no effect on the container and MUST generate an error.'),
    async run(t) {
      const s = await running(t);
      await t.fails(['delete', s.id], 'delete of a running container');
      const st = await t.state(s.id);
      eq(st.status, 'running', 'status after the failed delete');
    },
  },
  {
    name: 'delete/created-without-force-is-error',
    spec: quote(R, 'Attempting to `delete` a container that is not [`stopped`](#state) MUST have no effect on the container and MUST generate an error.'),
    deviations: { runc: 'runc 1.1 kills and deletes a `created` container on a plain `delete`' },
    async run(t) {
      const s = await sleeper(t);
      await t.fails(['delete', s.id], 'delete of a created container');
      eq((await t.state(s.id)).status, 'created', 'status after the failed delete');
    },
  },
  {
    name: 'delete/unknown-id',
    spec: quote(R, 'This operation MUST generate an error if it is not provided the container ID.'),
    async run(t) {
      await t.fails(['delete', missing], 'delete of a container that does not exist');
      await t.fails(['delete'], 'delete without an id');
    },
  },
  {
    name: 'delete/force-running',
    spec: 'runc CLI: `delete --force` kills and deletes a running container',
    async run(t) {
      const s = await running(t);
      await t.ok(['delete', '--force', s.id]);
      check(!(await listIds(t)).includes(s.id), '`list` still shows the deleted container');
    },
  },
  {
    name: 'lifecycle/stop-destroys-environment',
    spec: quote(R, 'The container MUST be destroyed by undoing the steps performed during create phase (step 2).'),
    async run(t) {
      const s = await running(t);
      const pid = (await t.state(s.id)).pid!;
      const cgroups = fs.readFileSync(`/proc/${pid}/cgroup`, 'utf8');
      await t.ok(['kill', s.id, 'KILL']);
      await t.waitStatus(s.id, 'stopped');
      await t.ok(['delete', s.id]);
      // Every cgroup the container lived in (except the root and the caller's own) is gone.
      const own = new Set(fs.readFileSync('/proc/self/cgroup', 'utf8').trim().split('\n'));
      for (const line of cgroups.trim().split('\n')) {
        if (own.has(line)) continue;
        const [, ctrls, rel] = line.split(':');
        if (!rel || rel === '/') continue;
        const ctrl = ctrls.replace(/^name=/, '');
        const dir = ctrl === '' ? path.join('/sys/fs/cgroup/unified', rel) : path.join('/sys/fs/cgroup', ctrl.split(',')[0], rel);
        if (!fs.existsSync(path.dirname(dir))) continue;
        check(!fs.existsSync(dir), `cgroup ${dir} survived delete`);
      }
    },
  },
];
