// The cgroup managers on the real host (root): v1 here (hybrid), v2 in the
// cgroup2 guest; the host's layout picks which. Each resource is read back
// from its file, and the cheap limits are shown to bite. What a host may
// lack (a controller, swap accounting, BFQ's blkio weight, realtime groups)
// is probed first: such a test is skipped and says what is missing.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { missingCgroupController, missingCgroupFile, missingHugepages, missingOomKill, missingRoot, missingThrottleDevice, throttleDevice } from '@hull/testkit/host';
import { describeNeeds, itNeeds } from '@hull/testkit/jest';
import { until } from '@hull/testkit/wait';
import { type CgroupManager, detectCgroupLayout, newCgroupManager, openCgroupManager } from '../src/cgroups';

const layout = detectCgroupLayout();
const v2 = layout.version === 2;
const itRoot = itNeeds(missingRoot());
const noRoot = missingRoot();
/** Swap accounting: memory.memsw.* on v1 (a kernel option), memory.swap.max on v2. */
const noSwapLimit = missingCgroupFile('memory', v2 ? 'memory.swap.max' : 'memory.memsw.limit_in_bytes', { hint: 'swap accounting is off in this kernel' });
const BUSYBOX = '/bin/busybox';
const SIGKILL = 9;

let n = 0;
const live: CgroupManager[] = [];
const children: ChildProcess[] = [];

function manager(warnings: string[] = []): CgroupManager {
  const m = newCgroupManager({ id: `hull-test-${process.pid}-${n++}`, warn: (w) => warnings.push(w) });
  m.create();
  live.push(m);
  return m;
}

/** A shell that first moves itself into every hierarchy of `m`, then runs `script`. */
function inCgroup(m: CgroupManager, script: string): string[] {
  const join = m.procsFiles().map((f) => `echo $$ > ${f}`).join(' && ');
  return ['sh', '-c', `${join} && { ${script}
}`];
}

function runIn(m: CgroupManager, script: string) {
  return spawnSync(BUSYBOX, inCgroup(m, script), { encoding: 'utf8', env: { PATH: '/bin:/usr/bin' } });
}

function startIn(m: CgroupManager, script: string): ChildProcess {
  const c = spawn(BUSYBOX, inCgroup(m, script), { stdio: 'ignore', env: { PATH: '/bin:/usr/bin' } });
  children.push(c);
  return c;
}

const exited = (c: ChildProcess) => new Promise<void>((r) => (c.exitCode !== null || c.signalCode !== null ? r() : c.once('exit', () => r())));


function file(m: CgroupManager, ctrl: string, name: string): string {
  return fs.readFileSync(path.join(v2 ? m.paths.unified : m.paths[ctrl], name), 'utf8').trim();
}

function procState(pid: number): string {
  return /^State:\s+(\S)/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? '?';
}

afterEach(async () => {
  for (const c of children.splice(0)) {
    if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await exited(c);
  }
  for (const m of live.splice(0)) {
    try {
      if (m.isFrozen()) m.thaw();
      m.killAll(SIGKILL);
    } catch {
      // Already gone.
    }
    m.destroy();
  }
});

describe(`cgroup manager on this host (v${layout.version})`, () => {
  itRoot('create makes the directory on every hierarchy; destroy removes it, nested cgroups included', () => {
    const m = manager();
    for (const dir of Object.values(m.paths)) expect(fs.statSync(dir).isDirectory()).toBe(true);
    const nested = path.join(Object.values(m.paths)[0], 'child', 'grandchild');
    fs.mkdirSync(nested, { recursive: true });
    // Reattach from what state.json would hold.
    const again = openCgroupManager(JSON.parse(JSON.stringify(m.paths)), { created: m.created });
    again.destroy();
    live.splice(live.indexOf(m), 1);
    for (const dir of Object.values(m.paths)) expect(fs.existsSync(dir)).toBe(false);
  });

  itNeeds(noRoot, ...['memory', 'cpu', 'cpuset', 'pids'].map(missingCgroupController))('each resource reads back from its file', () => {
    const warnings: string[] = [];
    const m = manager(warnings);
    m.set({
      memory: { limit: 32 << 20, reservation: 16 << 20, ...(v2 ? {} : { swappiness: 30 }) },
      cpu: { shares: 512, quota: 50000, period: 100000, cpus: '0', mems: '0' },
      pids: { limit: 20 },
    });
    expect(file(m, 'memory', v2 ? 'memory.max' : 'memory.limit_in_bytes')).toBe(String(32 << 20));
    expect(file(m, 'memory', v2 ? 'memory.low' : 'memory.soft_limit_in_bytes')).toBe(String(16 << 20));
    if (!v2) expect(file(m, 'memory', 'memory.swappiness')).toBe('30');
    expect(file(m, 'cpu', v2 ? 'cpu.weight' : 'cpu.shares')).toBe(v2 ? '20' : '512');
    if (v2) expect(file(m, 'cpu', 'cpu.max')).toBe('50000 100000');
    else expect([file(m, 'cpu', 'cpu.cfs_quota_us'), file(m, 'cpu', 'cpu.cfs_period_us')]).toEqual(['50000', '100000']);
    expect(file(m, 'cpuset', 'cpuset.cpus')).toBe('0');
    expect(file(m, 'pids', 'pids.max')).toBe('20');
    expect(warnings).toEqual([]);
  });

  itNeeds(noRoot, noSwapLimit)('the swap limit reads back', () => {
    const m = manager();
    m.set({ memory: { limit: 32 << 20, swap: 32 << 20 } });
    expect(file(m, 'memory', v2 ? 'memory.swap.max' : 'memory.memsw.limit_in_bytes')).toBe(v2 ? '0' : String(32 << 20));
  });

  (v2 ? itNeeds('needs cgroup v1 (v2 has no kernel TCP limit)') : itNeeds(noRoot, missingCgroupFile('memory', 'memory.kmem.tcp.limit_in_bytes', { hint: 'kernel memory accounting is off' })))(
    'v1: the kernel TCP memory limit reads back', () => {
      const m = manager();
      m.set({ memory: { kernelTCP: 64 << 20 } });
      expect(file(m, 'memory', 'memory.kmem.tcp.limit_in_bytes')).toBe(String(64 << 20));
    });

  (v2 ? itNeeds('needs cgroup v1 (v2 has no realtime runtime)') : itNeeds(noRoot, missingCgroupFile('cpu', 'cpu.rt_runtime_us', { value: '1000', hint: 'realtime group scheduling (CONFIG_RT_GROUP_SCHED)' })))(
    'v1: the realtime runtime reads back', () => {
      const m = manager();
      m.set({ cpu: { realtimeRuntime: 1000, realtimePeriod: 1000000 } });
      expect(file(m, 'cpu', 'cpu.rt_runtime_us')).toBe('1000');
    });

  // BFQ's weight files exist only when the kernel has the BFQ scheduler; v1 blkio.weight only with CFQ (gone since 5.0).
  const weightFiles = v2 ? ['io.bfq.weight', 'io.weight'] : ['blkio.weight', 'blkio.bfq.weight'];
  itNeeds(noRoot, missingCgroupFile(v2 ? 'io' : 'blkio', weightFiles, { value: v2 ? 'default 100' : '500', hint: 'no BFQ I/O scheduler in this kernel' }))('the block I/O weight reads back', () => {
    const m = manager();
    m.set({ blockIO: { weight: 500 } });
    const blk = v2 ? m.paths.unified : m.paths.blkio;
    const weightFile = weightFiles.find((f) => fs.existsSync(path.join(blk, f)))!;
    expect(fs.readFileSync(path.join(blk, weightFile), 'utf8')).toMatch(weightFile === 'io.weight' ? /default 4950/ : /500/);
  });

  itNeeds(noRoot, missingThrottleDevice())('a block I/O throttle reads back', () => {
    const { major, minor } = throttleDevice()!;
    const m = manager();
    m.set({ blockIO: { throttleReadBpsDevice: [{ major, minor, rate: 1048576 }] } });
    expect(file(m, 'blkio', v2 ? 'io.max' : 'blkio.throttle.read_bps_device')).toMatch(new RegExp(`^${major}:${minor} (rbps=)?1048576`));
  });

  // hugetlb lives on the cgroup2 mount on hybrid hosts (enabled there on demand), in the one tree on v2.
  const hugetlbDir = (m: CgroupManager) => (v2 ? m.paths.unified : m.paths.hugetlb ?? m.paths.unified);
  itNeeds(noRoot, missingHugepages('2048kB'))('hugepage limits and unified keys read back (hugetlb here lives on cgroup2)', () => {
    const m = manager();
    m.set({ hugepageLimits: [{ pageSize: '2MB', limit: 4 << 20 }], unified: { 'hugetlb.2MB.max': String(8 << 20) } });
    const dir = hugetlbDir(m);
    const v1Names = !v2 && m.paths.hugetlb !== undefined;
    // The unified key is written last and wins, as in runc.
    expect(fs.readFileSync(path.join(dir, v1Names ? 'hugetlb.2MB.limit_in_bytes' : 'hugetlb.2MB.max'), 'utf8').trim()).toBe(String(v1Names ? 4 << 20 : 8 << 20));
    expect(() => m.set({ hugepageLimits: [{ pageSize: '3MB', limit: 1 }] })).toThrow(/page size not supported/);
  });

  itNeeds(noRoot, missingOomKill(true))('a process over the memory limit is OOM-killed, and the OOM watch reports it', async () => {
    const m = manager();
    m.set({ memory: { limit: 16 << 20, ...(noSwapLimit ? {} : { swap: 16 << 20 }) } });
    let ooms = 0;
    const watch = m.watchOom(() => ooms++);
    try {
      // dd's 64 MiB buffer is touched as it reads: it cannot fit in 16 MiB.
      const c = startIn(m, `exec ${BUSYBOX} dd if=/dev/zero of=/dev/null bs=64M count=1`);
      await exited(c);
      expect(c.signalCode).toBe('SIGKILL');
      await until('the OOM event arrives', () => ooms > 0);
    } finally {
      watch.close();
    }
    const kills = v2 ? /oom_kill (\d+)/.exec(file(m, 'memory', 'memory.events'))?.[1] : /oom_kill (\d+)/.exec(file(m, 'memory', 'memory.oom_control'))?.[1];
    expect(Number(kills)).toBeGreaterThanOrEqual(1);
  });

  itNeeds(noRoot, missingCgroupController('pids'))('pids.max makes fork fail', () => {
    const m = manager();
    m.set({ pids: { limit: 1 } });
    // The shell itself is the one process allowed: it cannot fork another.
    const r = runIn(m, `${BUSYBOX} true && echo forked`);
    expect(r.stdout).not.toMatch(/forked/);
    expect(r.stderr).toMatch(/fork|Resource temporarily unavailable/i);
    expect(file(m, 'pids', 'pids.events')).toMatch(/max [1-9]/);
  });

  itNeeds(noRoot, v2 ? undefined : missingCgroupController('freezer'))('freeze stops every process (state D), thaw resumes them; killAll empties the cgroup', async () => {
    const m = manager();
    startIn(m, `${BUSYBOX} sleep 100 & ${BUSYBOX} sleep 100 & exec ${BUSYBOX} sleep 100`);
    await until('three processes are in the cgroup', () => m.pids().length === 3);
    const pids = m.pids();
    m.freeze();
    expect(m.isFrozen()).toBe(true);
    // v1 frozen tasks show state D; v2's stay S, and cgroup.events (isFrozen) is the kernel's word.
    if (!v2) for (const pid of pids) expect(procState(pid)).toBe('D');
    else expect(file(m, 'freezer', 'cgroup.events')).toMatch(/^frozen 1$/m);
    m.thaw();
    expect(m.isFrozen()).toBe(false);
    await until('no process is left stopped', () => pids.every((pid) => procState(pid) !== 'D'));
    m.killAll(SIGKILL);
    await until('the cgroup is empty', () => m.pids().length === 0);
  });

  itNeeds(noRoot, v2 ? undefined : missingCgroupController('devices'))('a device rule makes /dev/null unopenable', () => {
    const m = manager();
    const open = `(: < /dev/null) 2>/dev/null && echo OPENED || echo DENIED`;
    m.set({ devices: [{ allow: false, access: 'rwm' }, { allow: true, type: 'c', major: 1, minor: 3, access: 'rwm' }] });
    expect(runIn(m, open).stdout.trim()).toBe('OPENED');
    m.set({ devices: [{ allow: false, access: 'rwm' }, { allow: true, type: 'c', major: 1, minor: 5, access: 'rwm' }] });
    expect(runIn(m, open).stdout.trim()).toBe('DENIED');
  });

  itNeeds(noRoot, missingCgroupController('memory'), missingCgroupController('pids'))('stats: runc\'s shape with live numbers', async () => {
    const m = manager();
    m.set({ memory: { limit: 64 << 20 }, pids: { limit: 10 } });
    const c = startIn(m, `${BUSYBOX} dd if=/dev/zero of=/dev/null bs=1M count=200; exec ${BUSYBOX} sleep 100`);
    await until('dd is done and sleep runs', () => m.pids().length === 1 && /sleep/.test(fs.readFileSync(`/proc/${m.pids()[0]}/cmdline`, 'utf8')));
    const s = m.stats();
    expect(s.cpu.usage.total).toBeGreaterThan(0);
    expect(s.memory.usage.limit).toBe(64 << 20);
    expect(s.memory.usage.usage).toBeGreaterThan(0);
    expect(s.pids.limit).toBe(10);
    expect(s.pids.current).toBeGreaterThanOrEqual(1);
    expect(Object.keys(s).sort()).toEqual(['blkio', 'cpu', 'cpuset', 'hugetlb', 'memory', 'pids']);
    expect(s.cpuset.cpus?.length).toBeGreaterThan(0);
    c.kill('SIGKILL');
  });

  itRoot('bad input leaves nothing behind', () => {
    const m = manager();
    expect(() => m.set({ memory: { swappiness: 500 } })).toThrow(/swappiness: 500/);
    expect(() => m.set({ cpu: { shares: 1 << 30 } })).toThrow(/cpu/);
    m.destroy();
    live.splice(live.indexOf(m), 1);
    expect(m.exists()).toBe(false);
    for (const dir of Object.values(m.paths)) expect(fs.existsSync(dir)).toBe(false);
  });
});

// On a hybrid host the cgroup2 mount has no controllers, but the v2
// manager's core (freeze, cgroup.kill, pids, device programs, cleanup)
// works there: exercised here so it is not left to the guest alone.
const hybridUnified = layout.version === 1 && layout.unified && fs.existsSync(`${layout.unified.mount}/cgroup.procs`) ? layout.unified : undefined;

describeNeeds(noRoot, v2 ? 'needs a hybrid host (this one is pure cgroup v2: the v2 manager runs above)' : hybridUnified ? undefined : 'no cgroup2 mount beside the v1 hierarchies')('v2 manager on the hybrid host\'s cgroup2 mount', () => {

  function v2Manager(): CgroupManager {
    const m = newCgroupManager({ id: `hull-test-${process.pid}-${n++}`, cgroupsPath: `/hull-test-${process.pid}-v2/${n}`, layout: { version: 2, v1: {}, unified: hybridUnified! } });
    m.create();
    live.push(m);
    return m;
  }

  it('freeze/thaw through cgroup.freeze, kill through cgroup.kill, nested cleanup', async () => {
    const m = v2Manager();
    expect(m.version).toBe(2);
    startIn(m, `${BUSYBOX} sleep 100 & exec ${BUSYBOX} sleep 100`);
    await until('two processes are in the cgroup', () => m.pids().length === 2);
    const pids = m.pids();
    m.freeze();
    // cgroup.events says "frozen 1" only once every task has stopped (v2 tasks stay in state S).
    expect(m.isFrozen()).toBe(true);
    expect(fs.readFileSync(`/proc/${pids[0]}/cgroup`, 'utf8')).toContain(`0::/hull-test-${process.pid}-v2/`);
    m.thaw();
    expect(m.isFrozen()).toBe(false);
    m.killAll(SIGKILL);
    await until('the cgroup is empty', () => m.pids().length === 0);
    m.destroy();
    live.splice(live.indexOf(m), 1);
    expect(fs.existsSync(`${hybridUnified!.mount}/hull-test-${process.pid}-v2`)).toBe(false);
  });

  it('devices through an eBPF program, replaced on update', () => {
    const m = v2Manager();
    const open = `(: < /dev/null) 2>/dev/null && echo OPENED || echo DENIED`;
    m.set({ devices: [{ allow: false, access: 'rwm' }] });
    expect(runIn(m, open).stdout.trim()).toBe('DENIED');
    m.set({ devices: [{ allow: false, access: 'rwm' }, { allow: true, type: 'c', major: 1, minor: 3, access: 'rw' }] });
    expect(runIn(m, open).stdout.trim()).toBe('OPENED');
    expect(() => m.set({ memory: { limit: 1 << 20 } })).toThrow(/linux.resources.memory: the memory cgroup controller is not available/);
  });
});
