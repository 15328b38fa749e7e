// The runc command line beyond the spec's five operations: run, exec, pause/resume, ps, events, update, features.
import fs from 'node:fs';
import path from 'node:path';
import { cgroupVersion, missingCgroupController } from '@hull/testkit/host';
import { type Case, quote } from '../case';
import { type Context, check, eq, fail } from '../context';
import { describe } from '../runtime';

const CLI = 'runc CLI (the interface drop-in runtimes share)';
/** The update cases read v1 files: on a pure cgroup v2 host they are skipped, saying so. */
const V1 = cgroupVersion() === 2 ? 'needs cgroup v1 (the case reads v1 files)' : undefined;

async function runningSleeper(t: Context, mutate?: Parameters<Context['bundle']>[0]) {
  const b = await t.bundle(mutate, 'touch /ready; exec sleep 1000');
  const id = await t.create(b);
  await t.ok(['start', id]);
  await t.waitFile(path.join(b.rootfs, 'ready'));
  return { b, id, pid: (await t.waitStatus(id, 'running')).pid! };
}

/** The host directory of the container's cgroup in one v1 hierarchy (from /proc/PID/cgroup). */
export function cgroupDir(pid: number, controller: string): string {
  for (const line of fs.readFileSync(`/proc/${pid}/cgroup`, 'utf8').trim().split('\n')) {
    const [, ctrls, rel] = line.split(':');
    if (ctrls.split(',').includes(controller)) return path.join('/sys/fs/cgroup', controller, rel);
  }
  fail(`/proc/${pid}/cgroup: no ${controller} hierarchy`);
}

export const operationCases: Case[] = [
  {
    name: 'run/exit-status',
    spec: `${CLI}: \`run\` exits with the container process's exit status`,
    async run(t) {
      const b = await t.bundle(undefined, 'echo out; exit 7');
      const inv = await t.run(b);
      eq(inv.code, 7, 'exit status of `run`');
      eq(inv.stdout.trim(), 'out', 'container stdout');
    },
  },
  {
    name: 'run/stdin-passthrough',
    spec: `${CLI}: a non-terminal container reads the caller's stdin`,
    async run(t) {
      const b = await t.bundle(undefined, 'read line; echo "got $line"');
      const inv = await t.run(b, t.id(), { input: 'hello\n' });
      eq(inv.stdout.trim(), 'got hello', 'what the container read');
    },
  },
  {
    name: 'create/pid-file',
    spec: `${CLI}: \`create --pid-file\` writes the container process's pid`,
    async run(t) {
      const b = await t.bundle(undefined, 'sleep 1000');
      const pidFile = path.join(t.workDir, 'pid');
      const id = await t.create(b, t.id(), ['--pid-file', pidFile]);
      eq(Number(fs.readFileSync(pidFile, 'utf8').trim()), (await t.state(id)).pid, 'pid file versus state.pid');
    },
  },
  {
    name: 'exec/joins-container',
    spec: `${CLI}: \`exec\` runs a process inside the running container's namespaces`,
    async run(t) {
      const s = await runningSleeper(t, (c) => (c.hostname = 'exec-host'));
      const inv = await t.invoke(['exec', s.id, 'sh', '-c', 'hostname; for n in pid mnt net; do readlink /proc/self/ns/$n; done; cat /proc/1/cmdline | tr "\\0" " "']);
      if (inv.code !== 0) fail(`exec: ${describe(inv)}`);
      const [host, pidns, mntns, netns, cmd] = inv.stdout.trim().split('\n');
      eq(host, 'exec-host', 'hostname seen by exec');
      eq([pidns, mntns, netns], ['pid', 'mnt', 'net'].map((n) => fs.readlinkSync(`/proc/${s.pid}/ns/${n}`)), 'namespaces of the exec process');
      check(cmd.startsWith('sleep 1000'), `pid 1 seen by exec: ${cmd}`);
    },
  },
  {
    name: 'exec/exit-status-env-cwd-user',
    spec: `${CLI}: \`exec\` applies --env, --cwd, --user and returns the process's exit status`,
    async run(t) {
      const s = await runningSleeper(t);
      const inv = await t.invoke(['exec', '--env', 'HC_X=42', '--cwd', '/tmp', '--user', '1000:1001', s.id, 'sh', '-c', 'echo "$HC_X $(pwd) $(id -u) $(id -g)"; exit 3']);
      eq(inv.code, 3, 'exit status of `exec`');
      eq(inv.stdout.trim(), '42 /tmp 1000 1001', 'env, cwd, uid, gid of the exec process');
    },
  },
  {
    name: 'exec/process-json',
    spec: `${CLI}: \`exec --process\` runs the process described by a process.json`,
    async run(t) {
      const s = await runningSleeper(t);
      const proc = { ...s.b.config.process, args: ['sh', '-c', 'echo "$HC_Y"'], env: ['PATH=/bin', 'HC_Y=from-json'] };
      const file = path.join(t.workDir, 'process.json');
      fs.writeFileSync(file, JSON.stringify(proc));
      const inv = await t.ok(['exec', '--process', file, s.id]);
      eq(inv.stdout.trim(), 'from-json', 'output of the exec process');
    },
  },
  {
    name: 'exec/stopped-is-error',
    spec: `${CLI}: \`exec\` into a stopped container fails`,
    async run(t) {
      const b = await t.bundle(undefined, 'exit 0');
      const id = await t.create(b);
      await t.ok(['start', id]);
      await t.waitStatus(id, 'stopped');
      await t.fails(['exec', id, 'true'], 'exec into a stopped container');
    },
  },
  {
    name: 'pause/resume',
    spec: quote('runtime.md', 'Additional values MAY be defined by the runtime, however, they MUST be used to represent new runtime states not defined above.'),
    async run(t) {
      const s = await runningSleeper(t);
      await t.ok(['pause', s.id]);
      eq((await t.state(s.id)).status, 'paused', 'status after pause');
      const freezer = path.join(cgroupDir(s.pid, 'freezer'), 'freezer.state');
      if (fs.existsSync(freezer)) eq(fs.readFileSync(freezer, 'utf8').trim(), 'FROZEN', 'freezer.state');
      await t.ok(['resume', s.id]);
      eq((await t.state(s.id)).status, 'running', 'status after resume');
    },
  },
  {
    name: 'pause/not-running-is-error',
    spec: `${CLI}: \`pause\` of a container that is not running fails; \`resume\` of one not paused fails`,
    async run(t) {
      const s = await runningSleeper(t);
      await t.fails(['resume', s.id], 'resume of a running container');
      await t.fails(['pause', 'hc-no-such-container'], 'pause of a container that does not exist');
    },
  },
  {
    name: 'ps/lists-container-pids',
    spec: `${CLI}: \`ps --format json\` lists the host pids of the container's processes`,
    async run(t) {
      const s = await runningSleeper(t);
      const inv = await t.ok(['ps', '--format', 'json', s.id]);
      const pids = JSON.parse(inv.stdout) as number[];
      check(Array.isArray(pids) && pids.includes(s.pid), `ps: ${inv.stdout.trim()} does not include ${s.pid}`);
    },
  },
  {
    name: 'events/stats',
    spec: `${CLI}: \`events --stats\` prints one JSON stats event`,
    async run(t) {
      const s = await runningSleeper(t);
      const inv = await t.ok(['events', '--stats', s.id]);
      const ev = JSON.parse(inv.stdout.trim().split('\n')[0]) as { type: string; id: string; data?: { pids?: { current?: number } } };
      eq([ev.type, ev.id], ['stats', s.id], 'event type and id');
      check((ev.data?.pids?.current ?? 0) >= 1, `stats.pids.current: ${JSON.stringify(ev.data?.pids)}`);
    },
  },
  {
    name: 'update/memory-and-pids',
    spec: `${CLI}: \`update\` changes the cgroup limits of a running container`,
    async run(t) {
      t.needs(V1, missingCgroupController('memory'), missingCgroupController('pids'));
      const s = await runningSleeper(t);
      await t.ok(['update', '--memory', '64M', '--pids-limit', '77', s.id]);
      eq(fs.readFileSync(path.join(cgroupDir(s.pid, 'memory'), 'memory.limit_in_bytes'), 'utf8').trim(), String(64 << 20), 'memory.limit_in_bytes');
      eq(fs.readFileSync(path.join(cgroupDir(s.pid, 'pids'), 'pids.max'), 'utf8').trim(), '77', 'pids.max');
    },
  },
  {
    name: 'update/resources-json',
    spec: `${CLI}: \`update --resources FILE\` applies linux.resources from JSON`,
    async run(t) {
      t.needs(V1, missingCgroupController('cpu'), missingCgroupController('pids'));
      const s = await runningSleeper(t);
      const file = path.join(t.workDir, 'resources.json');
      fs.writeFileSync(file, JSON.stringify({ cpu: { shares: 512 }, pids: { limit: 55 } }));
      await t.ok(['update', '--resources', file, s.id]);
      eq(fs.readFileSync(path.join(cgroupDir(s.pid, 'cpu'), 'cpu.shares'), 'utf8').trim(), '512', 'cpu.shares');
      eq(fs.readFileSync(path.join(cgroupDir(s.pid, 'pids'), 'pids.max'), 'utf8').trim(), '55', 'pids.max');
    },
  },
  {
    name: 'features/json',
    spec: quote('features.md', 'ociVersionMin (string, REQUIRED) The minimum version of the Open Container Initiative Runtime Specification.'),
    async run(t) {
      const inv = await t.ok(['features']);
      const f = JSON.parse(inv.stdout) as { ociVersionMin?: string; ociVersionMax?: string; hooks?: string[]; mountOptions?: string[]; linux?: { namespaces?: string[] } };
      check(typeof f.ociVersionMin === 'string' && /^1\./.test(f.ociVersionMin), `ociVersionMin: ${f.ociVersionMin}`);
      check(typeof f.ociVersionMax === 'string' && /^1\./.test(f.ociVersionMax), `ociVersionMax: ${f.ociVersionMax}`);
      for (const h of ['prestart', 'createRuntime', 'createContainer', 'startContainer', 'poststart', 'poststop']) {
        check(f.hooks?.includes(h), `features.hooks lacks ${h}`);
      }
      for (const ns of ['pid', 'network', 'ipc', 'uts', 'mount', 'user', 'cgroup']) {
        check(f.linux?.namespaces?.includes(ns), `features.linux.namespaces lacks ${ns}`);
      }
      check(f.mountOptions?.includes('ro') && f.mountOptions.includes('rbind'), 'features.mountOptions lacks ro/rbind');
    },
  },
  {
    name: 'list/shows-containers',
    spec: `${CLI}: \`list --format json\` shows every container with id, status and pid`,
    async run(t) {
      const s = await runningSleeper(t);
      const inv = await t.ok(['list', '--format', 'json']);
      const all = JSON.parse(inv.stdout) as Array<{ id: string; status: string; pid: number; bundle: string }>;
      const mine = all.find((c) => c.id === s.id);
      check(mine, `list does not show ${s.id}`);
      eq([mine.status, mine.pid, mine.bundle], ['running', s.pid, s.b.dir], 'list entry (status, pid, bundle)');
    },
  },
];
