// runc's command line where the spec is silent but engines rely on it (containerd's runc shim, docker,
// people): paused and stopped containers, update from stdin, exec's exit codes and flags, run --keep,
// cgroups made by someone else, --version. Every case passes against runc 1.1 as the proof it is right.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { cgroupVersion, missingCgroupController, missingCgroupFile } from '@hull/testkit/host';
import type { Case } from '../case';
import { type Context, check, eq, fail, sleep } from '../context';
import { cgroupsNamed, leftovers } from '../leftovers';
import { describe } from '../runtime';
import { cgroupDir } from './operations';

const RUNC = 'runc 1.1 (what engines built on runc expect)';
const V1 = cgroupVersion() === 2 ? 'needs cgroup v1 (the case reads v1 files)' : undefined;

async function runningSleeper(t: Context, mutate?: Parameters<Context['bundle']>[0]) {
  const b = await t.bundle(mutate, 'touch /ready; exec sleep 1000');
  const id = await t.create(b);
  await t.ok(['start', id]);
  await t.waitFile(path.join(b.rootfs, 'ready'));
  return { b, id, pid: (await t.waitStatus(id, 'running')).pid! };
}

/** Polls until `cond` holds (the host's pace, not a timing assertion). */
async function until(what: string, cond: () => boolean, limitMs = 60_000): Promise<void> {
  const end = Date.now() + limitMs;
  while (!cond()) {
    if (Date.now() > end) fail(`${what}: still not the case after ${limitMs} ms`);
    await sleep(50);
  }
}

function alive(pid: number): boolean {
  try {
    // A zombie is dead for our purpose: its cgroup can go.
    return !/^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

function readPids(procs: string): number[] {
  try {
    return fs.readFileSync(procs, 'utf8').split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** The host's cgroup hierarchies: each v1 mount (and cgroup2 on a hybrid host), or the cgroup2 root. */
function hierarchies(): string[] {
  const root = '/sys/fs/cgroup';
  if (fs.existsSync(path.join(root, 'cgroup.procs'))) return [root];
  const out: string[] = [];
  for (const name of fs.readdirSync(root)) {
    const dir = path.join(root, name);
    // cpu and cpuacct are links to cpu,cpuacct: one hierarchy, once.
    if (fs.lstatSync(dir).isSymbolicLink()) continue;
    if (fs.existsSync(path.join(dir, 'cgroup.procs'))) out.push(dir);
  }
  return out;
}

/** The container's cgroup directory in each hierarchy it is in, from /proc/PID/cgroup. */
function containerCgroupDirs(pid: number): Record<string, string> {
  const out: Record<string, string> = {};
  const unified = fs.existsSync('/sys/fs/cgroup/cgroup.procs') ? '/sys/fs/cgroup' : '/sys/fs/cgroup/unified';
  for (const line of fs.readFileSync(`/proc/${pid}/cgroup`, 'utf8').trim().split('\n')) {
    const [, ctrls, rel] = line.split(':');
    const mount = ctrls === '' ? unified : path.join('/sys/fs/cgroup', ctrls.replace(/^name=/, ''));
    if (fs.existsSync(mount)) out[ctrls] = path.join(mount, rel);
  }
  return out;
}

/** An empty v1 cpuset takes no task: give a hand-made one its parent's cpus and mems. */
function fillCpuset(dir: string): void {
  for (const f of ['cpuset.cpus', 'cpuset.mems']) {
    const file = path.join(dir, f);
    if (fs.existsSync(file) && !fs.readFileSync(file, 'utf8').trim()) {
      fs.writeFileSync(file, fs.readFileSync(path.join(path.dirname(dir), f), 'utf8').trim());
    }
  }
}

function rmdirQuiet(dir: string): void {
  try {
    fs.rmdirSync(dir);
  } catch {
    // gone, or still busy: nothing more to do
  }
}

/** A `sleep` on the host; `stop()` kills it and resolves once it is reaped (out of every cgroup). */
function hostSleeper(): { pid: number; stop(): Promise<void> } {
  const child = spawn('sleep', ['1000'], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    pid: child.pid!,
    stop: () => {
      child.kill('SIGKILL');
      return exited;
    },
  };
}

/** No pid namespace: the init's children outlive it, in the container's cgroup. */
async function stoppedWithChildren(t: Context) {
  const b = await t.bundle((c) => {
    c.linux.namespaces = c.linux.namespaces.filter((n: { type: string }) => n.type !== 'pid');
  }, 'sleep 1000 & sleep 1000 & exit 0');
  const id = await t.create(b);
  await t.ok(['start', id]);
  await t.waitStatus(id, 'stopped');
  const pidsDir = cgroupsNamed(id).find((d) => d.startsWith('/sys/fs/cgroup/pids/')) ?? cgroupsNamed(id)[0];
  check(pidsDir, `no cgroup named after ${id}`);
  const procs = path.join(pidsDir, 'cgroup.procs');
  await until('both children in the cgroup', () => readPids(procs).length === 2);
  const children = readPids(procs);
  // Whatever happens to the case, the children do not outlive it.
  t.defer(() => {
    for (const pid of children) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  });
  return { b, id, procs, children };
}

export const runcCases: Case[] = [
  {
    name: 'delete/force-paused',
    spec: `${RUNC}: \`delete --force\` of a paused container kills it (the freezer thawed so SIGKILL lands) and removes everything`,
    async run(t) {
      const s = await runningSleeper(t);
      await t.ok(['pause', s.id]);
      eq((await t.state(s.id)).status, 'paused', 'status after pause');
      await t.ok(['delete', '--force', s.id], { timeoutMs: 20_000 });
      await until(`init ${s.pid} gone`, () => !alive(s.pid));
      eq(await leftovers(t, s.id, s.b.dir), [], 'left behind by delete --force of a paused container');
    },
  },
  {
    name: 'kill/all-stopped-container',
    spec: `${RUNC}: \`kill --all\` of a stopped container without a pid namespace signals what is left in its cgroup (containerd's runc shim calls it); \`delete\` then succeeds`,
    async run(t) {
      const s = await stoppedWithChildren(t);
      await t.ok(['kill', '--all', s.id, 'KILL']);
      await until('the cgroup emptied by kill --all', () => readPids(s.procs).length === 0);
      check(s.children.every((p) => !alive(p)), `children ${s.children.join(', ')} outlived kill --all`);
      await t.ok(['delete', s.id]);
      eq(await leftovers(t, s.id, s.b.dir), [], 'left behind after kill --all and delete');
    },
  },
  {
    name: 'delete/stopped-kills-children-without-pid-namespace',
    spec: `${RUNC}: \`delete\` of a stopped container without a pid namespace kills the processes left in its cgroup and removes it`,
    async run(t) {
      const s = await stoppedWithChildren(t);
      await t.ok(['delete', s.id]);
      await until(`children ${s.children.join(', ')} killed`, () => s.children.every((p) => !alive(p)));
      eq(await leftovers(t, s.id, s.b.dir), [], 'left behind by delete');
    },
  },
  {
    name: 'update/resources-from-stdin',
    spec: `${RUNC}: \`update --resources - ID\` (and \`-r -\`) reads linux.resources from stdin, as containerd's runc shim sends it`,
    async run(t) {
      t.needs(V1, missingCgroupController('pids'));
      const s = await runningSleeper(t);
      const pidsMax = path.join(cgroupDir(s.pid, 'pids'), 'pids.max');
      await t.ok(['update', '--resources', '-', s.id], { input: JSON.stringify({ pids: { limit: 61 } }) });
      eq(fs.readFileSync(pidsMax, 'utf8').trim(), '61', 'pids.max after --resources -');
      await t.ok(['update', '-r', '-', s.id], { input: JSON.stringify({ pids: { limit: 62 } }) });
      eq(fs.readFileSync(pidsMax, 'utf8').trim(), '62', 'pids.max after -r -');
    },
  },
  {
    name: 'update/memory-unlimited-with-swap-limit',
    spec: `${RUNC}: \`update --memory -1\` while a swap limit is set makes memory and swap unlimited`,
    async run(t) {
      t.needs(V1, missingCgroupFile('memory', 'memory.memsw.limit_in_bytes', { hint: 'no swap accounting' }));
      const s = await runningSleeper(t);
      const dir = cgroupDir(s.pid, 'memory');
      const memsw = path.join(dir, 'memory.memsw.limit_in_bytes');
      await t.ok(['update', '--memory', '64M', '--memory-swap', '128M', s.id]);
      eq(fs.readFileSync(memsw, 'utf8').trim(), String(128 << 20), 'memsw limit');
      await t.ok(['update', '--memory', '-1', s.id]);
      const unlimited = fs.readFileSync(path.join(path.dirname(dir), 'memory.limit_in_bytes'), 'utf8').trim();
      eq(fs.readFileSync(path.join(dir, 'memory.limit_in_bytes'), 'utf8').trim(), unlimited, 'memory limit after --memory -1 (the parent\'s: unlimited)');
      eq(fs.readFileSync(memsw, 'utf8').trim(), unlimited, 'memsw limit after --memory -1');
    },
  },
  {
    name: 'cgroups/premade-parent-with-empty-cpuset',
    spec: `${RUNC}: a container under a pre-made parent cgroup whose cpuset.cpus/mems are empty runs: the runtime fills them from their own parent`,
    async run(t) {
      t.needs(V1, missingCgroupController('cpuset'));
      const root = '/sys/fs/cgroup/cpuset';
      const parent = `hc-premade-${t.id()}`;
      fs.mkdirSync(path.join(root, parent));
      t.defer(() => {
        for (const h of hierarchies()) rmdirQuiet(path.join(h, parent));
      });
      eq(fs.readFileSync(path.join(root, parent, 'cpuset.cpus'), 'utf8').trim(), '', 'a new cpuset starts empty');
      const id = t.id();
      const b = await t.bundle((c) => (c.linux.cgroupsPath = `/${parent}/${id}`), 'grep cpuset /proc/self/cgroup');
      const inv = await t.run(b, id);
      if (inv.code !== 0) fail(`run under /${parent}: ${describe(inv)}`);
      check(inv.stdout.includes(`:cpuset:/${parent}/${id}`), `cpuset of the container: ${inv.stdout.trim()}`);
      eq(fs.readFileSync(path.join(root, parent, 'cpuset.cpus'), 'utf8').trim(), fs.readFileSync(path.join(root, 'cpuset.cpus'), 'utf8').trim(), 'the parent\'s cpuset.cpus, filled from its parent');
    },
  },
  {
    name: 'cgroups/non-empty-cgroup-warns',
    spec: `${RUNC}: a container put in a pre-existing cgroup that holds processes runs, with the warning "container's cgroup is not empty: N process(es) found", and leaves those processes alone`,
    async run(t) {
      const name = `hc-busy-${t.id()}`;
      const dirs = hierarchies().map((h) => path.join(h, name));
      const sleeper = hostSleeper();
      t.defer(async () => {
        await sleeper.stop();
        for (const d of dirs) rmdirQuiet(d);
      });
      for (const d of dirs) {
        fs.mkdirSync(d);
        fillCpuset(d);
        fs.writeFileSync(path.join(d, 'cgroup.procs'), String(sleeper.pid));
      }
      const b = await t.bundle((c) => (c.linux.cgroupsPath = `/${name}`), 'true');
      const inv = await t.run(b);
      if (inv.code !== 0) fail(`run in a non-empty cgroup: ${describe(inv)}`);
      check(inv.stderr.includes("container's cgroup is not empty: 1 process(es) found"), `no warning about the non-empty cgroup in: ${inv.stderr.trim().slice(0, 300)}`);
      check(alive(sleeper.pid), 'the process that was in the cgroup before was killed');
    },
  },
  {
    name: 'exec/runtime-failure-exits-255',
    spec: `${RUNC}: \`exec\` exits 255 when the runtime fails (missing binary, unwritable --pid-file, unknown container), and with the process's own status otherwise`,
    async run(t) {
      const s = await runningSleeper(t);
      eq((await t.invoke(['exec', s.id, 'sh', '-c', 'exit 3'])).code, 3, 'exit status of a process that exits 3');
      eq((await t.invoke(['exec', s.id, '/no/such/binary'])).code, 255, 'exit status for a missing binary');
      const pidFile = path.join(t.workDir, 'no-such-dir', 'pid');
      eq((await t.invoke(['exec', '--pid-file', pidFile, s.id, 'sleep', '997'])).code, 255, 'exit status for an unwritable --pid-file');
      const inv = await t.ok(['exec', s.id, 'ps', '-o', 'args']);
      check(!inv.stdout.includes('sleep 997'), `the process of the failed exec still runs: ${inv.stdout.trim()}`);
      eq((await t.invoke(['exec', 'hc-no-such-container', 'true'])).code, 255, 'exit status for an unknown container');
    },
  },
  {
    name: 'exec/paused-is-error',
    spec: `${RUNC}: \`exec\` into a paused container fails with "cannot exec in a paused container (use --ignore-paused to override)"`,
    async run(t) {
      const s = await runningSleeper(t);
      await t.ok(['pause', s.id]);
      const inv = await t.fails(['exec', s.id, 'true'], 'exec into a paused container');
      eq(inv.code, 255, 'exit status');
      check(inv.stderr.includes('cannot exec in a paused container (use --ignore-paused to override)'), `message: ${inv.stderr.trim()}`);
      await t.ok(['resume', s.id]);
    },
  },
  {
    name: 'exec/ignore-paused',
    spec: `${RUNC}: \`exec --ignore-paused\` into a paused container is accepted; the process runs once the container is resumed`,
    async run(t) {
      const s = await runningSleeper(t);
      await t.ok(['pause', s.id]);
      const pending = t.invoke(['exec', '--ignore-paused', s.id, 'sh', '-c', 'echo ran > /exec-ran'], { timeoutMs: 30_000 });
      // The exec blocks in the frozen cgroup; give it a moment to get there, then thaw.
      await sleep(500);
      await t.ok(['resume', s.id]);
      const inv = await pending;
      if (inv.code !== 0) fail(`exec --ignore-paused: ${describe(inv)}`);
      eq(fs.readFileSync(path.join(s.b.rootfs, 'exec-ran'), 'utf8').trim(), 'ran', 'what the exec process wrote');
    },
  },
  {
    name: 'exec/cgroup-sub-cgroup',
    spec: `${RUNC}: \`exec --cgroup [<controller>:]<path>\` runs the process in an existing sub-cgroup of the container's`,
    async run(t) {
      const s = await runningSleeper(t);
      // Only the hierarchies where the container has a cgroup of its own (named after its id).
      const dirs = Object.fromEntries(Object.entries(containerCgroupDirs(s.pid)).filter(([, d]) => path.basename(d) === s.id));
      check(Object.keys(dirs).length, `no cgroup named ${s.id} in /proc/${s.pid}/cgroup`);
      const v1 = !fs.existsSync('/sys/fs/cgroup/cgroup.procs');
      // The bare form: the same sub-cgroup on every hierarchy.
      for (const d of Object.values(dirs)) {
        fs.mkdirSync(path.join(d, 'all'), { recursive: true });
        fillCpuset(path.join(d, 'all'));
      }
      const own = (inv: { stdout: string }) => inv.stdout.trim().split('\n').map((l) => l.split(':'));
      const all = own(await t.ok(['exec', '--cgroup', 'all', s.id, 'cat', '/proc/self/cgroup']));
      for (const [, ctrls, rel] of all) if (ctrls in dirs) check(rel.endsWith('/all'), `bare --cgroup all: ${ctrls || 'cgroup2'} is ${rel}`);
      if (!v1) return;
      // controller:path on one v1 controller moves only that one.
      fs.mkdirSync(path.join(dirs.pids, 'p2'));
      const one = own(await t.ok(['exec', '--cgroup', 'pids:p2', s.id, 'cat', '/proc/self/cgroup']));
      for (const [, ctrls, rel] of one) {
        if (ctrls === 'pids') check(rel.endsWith('/p2'), `--cgroup pids:p2: pids is ${rel}`);
        else if (ctrls === 'memory') check(!rel.endsWith('/p2') && !rel.endsWith('/all'), `--cgroup pids:p2: memory is ${rel}`);
      }
      await t.fails(['exec', '--cgroup', 'no-such-sub', s.id, 'true'], 'exec into a sub-cgroup that does not exist');
      await t.fails(['exec', '--cgroup', '../escape', s.id, 'true'], 'exec into a cgroup outside the container\'s');
    },
  },
  {
    name: 'exec/unknown-flag',
    spec: `${RUNC}: an unknown \`exec\` flag is an error naming it ("flag provided but not defined")`,
    async run(t) {
      const s = await runningSleeper(t);
      const inv = await t.fails(['exec', '--no-such-flag', s.id, 'true'], 'exec with an unknown flag');
      check(inv.stderr.includes('flag provided but not defined') && inv.stderr.includes('-no-such-flag'), `message: ${inv.stderr.trim().split('\n').pop()}`);
    },
  },
  {
    name: 'run/keep',
    spec: `${RUNC}: \`run --keep\` leaves the stopped container for \`delete\`; \`ps\` of it prints the header alone`,
    async run(t) {
      const b = await t.bundle(undefined, 'exit 5');
      const id = t.id();
      const inv = await t.invoke(['run', '--keep', '--bundle', b.dir, id]);
      eq(inv.code, 5, 'exit status of run --keep');
      eq((await t.state(id)).status, 'stopped', 'status after run --keep');
      const table = (await t.ok(['ps', id])).stdout.trim().split('\n');
      eq(table.length, 1, `lines of \`ps\` of a stopped container (${table.join(' | ')})`);
      check(/\bPID\b/.test(table[0]), `ps header: ${table[0]}`);
      const json = JSON.parse((await t.ok(['ps', '--format', 'json', id])).stdout) as number[] | null;
      eq(json ?? [], [], '`ps --format json` of a stopped container');
      await t.ok(['delete', id]);
      eq(await leftovers(t, id, b.dir), [], 'left behind after delete');
    },
  },
  {
    name: 'cli/version',
    spec: `${RUNC}: \`--version\` prints "<name> version X", then "commit: …", "spec: 1.x.y" and "libseccomp: x.y.z" lines`,
    async run(t) {
      const inv = await t.ok(['--version']);
      const lines = inv.stdout.trim().split('\n');
      check(/^\S+ version \S+$/.test(lines[0]), `first line: ${lines[0]}`);
      check(lines.some((l) => /^commit: \S+/.test(l)), `no commit line in: ${lines.join(' | ')}`);
      check(lines.some((l) => /^spec: 1\.\d+\.\d+/.test(l)), `no spec line in: ${lines.join(' | ')}`);
      check(lines.some((l) => /^libseccomp: \d+\.\d+\.\d+$/.test(l)), `no libseccomp line in: ${lines.join(' | ')}`);
    },
  },
  {
    name: 'cli/unknown-command',
    spec: `${RUNC}: an unknown command fails, also with -h`,
    async run(t) {
      await t.fails(['no-such-command'], 'an unknown command');
      await t.fails(['no-such-command', '-h'], 'an unknown command with -h');
      await t.ok(['state', '-h']);
    },
  },
];
