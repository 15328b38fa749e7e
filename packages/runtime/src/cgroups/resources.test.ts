// The resource mapping against fake cgroupfs directories (v1 hybrid and v2).
import fs from 'node:fs';
import path from 'node:path';
import { CgroupError } from '../errors';
import { newCgroupManager, openCgroupManager } from './index';
import { blkioWeightToIoWeight, sharesToWeight, swapToV2 } from './resources';
import { parseCpuList } from './stats';
import { type FakeHost, fakeHybridHost, fakeV2Host } from './testing';

const V1_FILES: Record<string, Record<string, string>> = {
  memory: {
    'memory.limit_in_bytes': '9223372036854771712\n', 'memory.soft_limit_in_bytes': '9223372036854771712\n',
    'memory.memsw.limit_in_bytes': '9223372036854771712\n', 'memory.swappiness': '60\n', 'memory.oom_control': 'oom_kill_disable 0\n',
    'memory.kmem.limit_in_bytes': '9223372036854771712\n', 'memory.kmem.tcp.limit_in_bytes': '9223372036854771712\n',
    'memory.use_hierarchy': '1\n', 'memory.usage_in_bytes': '4096\n',
    'memory.stat': 'cache 8192\nrss 4096\n', 'memory.max_usage_in_bytes': '8192\n', 'memory.failcnt': '0\n',
  },
  cpu: {
    'cpu.shares': '1024\n', 'cpu.cfs_quota_us': '-1\n', 'cpu.cfs_period_us': '100000\n', 'cpu.cfs_burst_us': '0\n',
    'cpu.rt_runtime_us': '0\n', 'cpu.rt_period_us': '1000000\n', 'cpu.idle': '0\n', 'cpu.stat': 'nr_periods 3\nnr_throttled 1\nthrottled_time 500\n',
  },
  cpuacct: { 'cpuacct.usage': '1000\n', 'cpuacct.usage_percpu': '600 400 \n', 'cpuacct.stat': 'user 2\nsystem 1\n' },
  cpuset: { 'cpuset.cpus': '', 'cpuset.mems': '' },
  pids: { 'pids.max': 'max\n', 'pids.current': '2\n' },
  blkio: {
    'blkio.bfq.weight': '100\n', 'blkio.bfq.weight_device': '', 'blkio.throttle.read_bps_device': '', 'blkio.throttle.write_bps_device': '',
    'blkio.throttle.read_iops_device': '', 'blkio.throttle.write_iops_device': '',
    'blkio.throttle.io_service_bytes_recursive': '254:0 Read 4096\n254:0 Write 0\nTotal 4096\n',
  },
  devices: { 'devices.allow': '', 'devices.deny': '' },
  freezer: { 'freezer.state': 'THAWED\n' },
};

/** A hybrid fake host with container "c1" made and seeded with kernel files. */
function v1Container(h: FakeHost, warnings: string[] = []) {
  const m = newCgroupManager({ id: 'c1', layout: h.layout, warn: (w) => warnings.push(w) });
  m.create();
  for (const [ctrl, files] of Object.entries(V1_FILES)) h.seed(m.paths[ctrl], files);
  return m;
}

const V2_FILES: Record<string, string> = {
  'cgroup.controllers': 'cpuset cpu io memory hugetlb pids rdma\n', 'cgroup.subtree_control': '', 'cgroup.freeze': '0\n',
  'cgroup.events': 'populated 0\nfrozen 0\n', 'cgroup.procs': '',
  'memory.max': 'max\n', 'memory.low': '0\n', 'memory.swap.max': 'max\n', 'memory.current': '4096\n', 'memory.events': 'oom 0\noom_kill 0\n',
  'memory.stat': 'file 8192\nanon 4096\n', 'cpu.weight': '100\n', 'cpu.max': 'max 100000\n', 'cpu.max.burst': '0\n', 'cpu.idle': '0\n',
  'cpu.stat': 'usage_usec 5\nuser_usec 3\nsystem_usec 2\n', 'cpuset.cpus': '', 'cpuset.mems': '', 'pids.max': 'max\n', 'pids.current': '1\n',
  'io.weight': 'default 100\n', 'io.max': '', 'io.stat': '254:0 rbytes=4096 wbytes=0 rios=1 wios=0\n', 'hugetlb.2MB.max': 'max\n',
  'rdma.max': '', 'memory.oom.group': '0\n',
};

function v2Container(h: FakeHost, warnings: string[] = [], cgroupsPath?: string) {
  h.seed(h.root, { 'cgroup.controllers': 'cpuset cpu io memory hugetlb pids rdma\n', 'cgroup.subtree_control': '' });
  const m = newCgroupManager({ id: 'c1', cgroupsPath, layout: h.layout, warn: (w) => warnings.push(w) });
  for (let d = path.dirname(m.paths.unified); d.length > h.root.length; d = path.dirname(d)) {
    h.seed(d, { 'cgroup.controllers': 'cpuset cpu io memory hugetlb pids rdma\n', 'cgroup.subtree_control': '' });
  }
  m.create();
  h.seed(m.paths.unified, V2_FILES);
  return m;
}

let h: FakeHost;
afterEach(() => h?.cleanup());

describe('conversions (runc/crun formulas)', () => {
  it('cpu shares → weight', () => {
    expect(sharesToWeight(2)).toBe(1);
    expect(sharesToWeight(1024)).toBe(39);
    expect(sharesToWeight(262144)).toBe(10000);
    expect(sharesToWeight(0)).toBe(0);
  });
  it('blkio weight → io.weight', () => {
    expect(blkioWeightToIoWeight(10)).toBe(1);
    expect(blkioWeightToIoWeight(500)).toBe(4950);
    expect(blkioWeightToIoWeight(1000)).toBe(10000);
  });
  it('cpu lists', () => {
    expect(parseCpuList('0-2,4\n')).toEqual([0, 1, 2, 4]);
    expect(parseCpuList('')).toBeUndefined();
  });

  it('memory+swap → memory.swap.max', () => {
    expect(swapToV2(64 << 20, 32 << 20)).toBe(32 << 20);
    expect(swapToV2(-1, 32 << 20)).toBe(-1);
    expect(swapToV2(32 << 20, 32 << 20)).toBe(0);
    expect(() => swapToV2(16 << 20, 32 << 20)).toThrow(/must be >= memory.limit/);
    expect(() => swapToV2(16 << 20, 0)).toThrow(/needs a memory limit/);
  });
});

describe('v1 (hybrid) mapping', () => {
  it('writes every resource to its legacy file', () => {
    h = fakeHybridHost();
    const warnings: string[] = [];
    const m = v1Container(h, warnings);
    m.set({
      memory: { limit: 32 << 20, reservation: 16 << 20, swap: 64 << 20, swappiness: 30, kernelTCP: 1 << 20, disableOOMKiller: true },
      cpu: { shares: 512, quota: 50000, period: 200000, burst: 1000, realtimeRuntime: 1000, realtimePeriod: 500000, cpus: '0-1', mems: '0', idle: 1 },
      pids: { limit: 20 },
      blockIO: { weight: 500, throttleReadBpsDevice: [{ major: 254, minor: 0, rate: 1048576 }], throttleWriteIOPSDevice: [{ major: 254, minor: 0, rate: 100 }] },
      devices: [{ allow: false, access: 'rwm' }, { allow: true, type: 'c', major: 1, minor: 3, access: 'rw' }, { allow: true, type: 'c', major: 136, access: 'rwm' }],
    });
    const mem = m.paths.memory;
    expect(h.read(mem, 'memory.limit_in_bytes')).toBe(String(32 << 20));
    expect(h.read(mem, 'memory.memsw.limit_in_bytes')).toBe(String(64 << 20));
    expect(h.read(mem, 'memory.soft_limit_in_bytes')).toBe(String(16 << 20));
    expect(h.read(mem, 'memory.swappiness')).toBe('30');
    expect(h.read(mem, 'memory.kmem.tcp.limit_in_bytes')).toBe(String(1 << 20));
    expect(h.read(mem, 'memory.oom_control')).toBe('1');
    expect(h.read(m.paths.cpu, 'cpu.shares')).toBe('512');
    expect(h.read(m.paths.cpu, 'cpu.cfs_quota_us')).toBe('50000');
    expect(h.read(m.paths.cpu, 'cpu.cfs_period_us')).toBe('200000');
    expect(h.read(m.paths.cpu, 'cpu.cfs_burst_us')).toBe('1000');
    expect(h.read(m.paths.cpu, 'cpu.rt_runtime_us')).toBe('1000');
    expect(h.read(m.paths.cpu, 'cpu.rt_period_us')).toBe('500000');
    expect(h.read(m.paths.cpu, 'cpu.idle')).toBe('1');
    expect(h.read(m.paths.cpuset, 'cpuset.cpus')).toBe('0-1');
    expect(h.read(m.paths.cpuset, 'cpuset.mems')).toBe('0');
    expect(h.read(m.paths.pids, 'pids.max')).toBe('20');
    // No blkio.weight on this kernel: the BFQ file takes it.
    expect(h.read(m.paths.blkio, 'blkio.bfq.weight')).toBe('500');
    expect(h.read(m.paths.blkio, 'blkio.throttle.read_bps_device')).toBe('254:0 1048576');
    expect(h.read(m.paths.blkio, 'blkio.throttle.write_iops_device')).toBe('254:0 100');
    // The fake keeps only the last write of each file.
    expect(h.read(m.paths.devices, 'devices.deny')).toBe('a *:* rwm');
    expect(h.read(m.paths.devices, 'devices.allow')).toBe('c 136:* rwm');
    expect(warnings).toEqual([]);
  });

  it('paths: absent cgroupsPath is the id under our own cgroup, absolute is under each mount', () => {
    h = fakeHybridHost({ ownMemory: '/process_api/abc' });
    const rel = newCgroupManager({ id: 'c1', layout: h.layout });
    expect(rel.paths.memory).toBe(`${h.root}/memory/process_api/abc/c1`);
    expect(rel.paths.cpu).toBe(`${h.root}/cpu/c1`);
    expect(rel.paths.unified).toBe(`${h.root}/unified/c1`);
    const abs = newCgroupManager({ id: 'c1', cgroupsPath: '/a/b', layout: h.layout });
    expect(abs.paths.memory).toBe(`${h.root}/memory/a/b`);
    expect(abs.viewDirs()).toMatchObject({ memory: `${h.root}/memory/a/b`, unified: `${h.root}/unified/a/b` });
    // ".." never climbs out of the hierarchy, as runc's CleanPath.
    expect(newCgroupManager({ id: 'c1', cgroupsPath: '../../x', layout: h.layout }).paths.cpu).toBe(`${h.root}/cpu/x`);
    expect(() => newCgroupManager({ id: 'c1', cgroupsPath: '/..', layout: h.layout })).toThrow(/names the root of the hierarchy/);
  });

  it('create makes nested dirs, destroy removes exactly those, leaving pre-existing parents', () => {
    h = fakeHybridHost();
    fs.mkdirSync(`${h.root}/pids/shared`);
    const m = newCgroupManager({ id: 'x', cgroupsPath: '/shared/mid/leaf', layout: h.layout });
    m.create();
    expect(m.created.pids).toBe(`${h.root}/pids/shared/mid`);
    expect(m.created.memory).toBe(`${h.root}/memory/shared`);
    expect(fs.existsSync(`${h.root}/memory/shared/mid/leaf`)).toBe(true);
    // Reattached from state, as `hull delete` does.
    const again = openCgroupManager(m.paths, { created: m.created, layout: h.layout });
    again.destroy();
    expect(fs.existsSync(`${h.root}/pids/shared`)).toBe(true);
    expect(fs.existsSync(`${h.root}/pids/shared/mid`)).toBe(false);
    expect(fs.existsSync(`${h.root}/memory/shared`)).toBe(false);
    expect(again.exists()).toBe(false);
  });

  it('cpuset: a new level gets its parent\'s cpus and mems', () => {
    h = fakeHybridHost();
    h.seed(`${h.root}/cpuset`, { 'cpuset.cpus': '0-1\n', 'cpuset.mems': '0\n' });
    // The kernel makes the files empty on mkdir; the fake makes them as the dir is created.
    const m = newCgroupManager({ id: 'c1', layout: h.layout });
    const orig = fs.mkdirSync;
    const spy = jest.spyOn(fs, 'mkdirSync').mockImplementation(((p: fs.PathLike, o?: fs.MakeDirectoryOptions) => {
      const r = orig(p, o);
      if (String(p).startsWith(`${h.root}/cpuset/`)) for (const f of ['cpuset.cpus', 'cpuset.mems']) fs.writeFileSync(path.join(String(p), f), '');
      return r;
    }) as typeof fs.mkdirSync);
    try {
      m.create();
    } finally {
      spy.mockRestore();
    }
    expect(h.read(m.paths.cpuset, 'cpuset.cpus')).toBe('0-1');
    expect(h.read(m.paths.cpuset, 'cpuset.mems')).toBe('0');
  });

  it('cpuset: a pre-made parent with empty cpus and mems is filled from its own parent (runc)', () => {
    h = fakeHybridHost();
    h.seed(`${h.root}/cpuset`, { 'cpuset.cpus': '0-1\n', 'cpuset.mems': '0\n' });
    h.seed(`${h.root}/cpuset/premade`, { 'cpuset.cpus': '', 'cpuset.mems': '\n' });
    h.seed(`${h.root}/cpuset/premade/c1`, { 'cpuset.cpus': '', 'cpuset.mems': '' });
    const m = newCgroupManager({ id: 'c1', cgroupsPath: '/premade/c1', layout: h.layout });
    m.create();
    expect(h.read(`${h.root}/cpuset/premade`, 'cpuset.cpus')).toBe('0-1');
    expect(h.read(`${h.root}/cpuset/premade`, 'cpuset.mems')).toBe('0');
    expect(h.read(m.paths.cpuset, 'cpuset.cpus')).toBe('0-1');
  });

  it('cpuset: a parent that cannot be filled fails naming the file', () => {
    h = fakeHybridHost();
    h.seed(`${h.root}/cpuset`, { 'cpuset.cpus': '0-1\n' });
    h.seed(`${h.root}/cpuset/premade`, { 'cpuset.cpus': '', 'cpuset.mems': '' });
    const m = newCgroupManager({ id: 'c1', cgroupsPath: '/premade/c1', layout: h.layout });
    expect(() => m.create()).toThrow(`cgroup: read ${h.root}/cpuset/cpuset.mems: ENOENT`);
    expect(fs.existsSync(`${h.root}/memory/premade`)).toBe(false);
  });

  it('SIGKILL through cgroup.kill thaws a frozen v1 freezer so the kill lands (a paused container)', () => {
    h = fakeHybridHost();
    const m = v1Container(h);
    h.seed(m.paths.unified, { 'cgroup.kill': '', 'cgroup.procs': '' });
    h.seed(m.paths.freezer, { 'freezer.state': 'FROZEN\n' });
    m.killAll(9);
    expect(h.read(m.paths.unified, 'cgroup.kill')).toBe('1');
    expect(h.read(m.paths.freezer, 'freezer.state')).toBe('THAWED');
  });

  it('v2: SIGKILL through cgroup.kill thaws a frozen cgroup too, as runc', () => {
    h = fakeV2Host();
    const m = v2Container(h);
    h.seed(m.paths.unified, { 'cgroup.kill': '', 'cgroup.freeze': '1\n' });
    m.killAll(9);
    expect(h.read(m.paths.unified, 'cgroup.kill')).toBe('1');
    expect(h.read(m.paths.unified, 'cgroup.freeze')).toBe('0');
  });

  it('destroy leaves a cgroup it did not make while other processes are in it', () => {
    h = fakeHybridHost();
    h.seed(`${h.root}/pids/shared`, { 'cgroup.procs': '4242\n' });
    const m = openCgroupManager({ pids: `${h.root}/pids/shared` }, { layout: h.layout });
    m.destroy();
    expect(fs.existsSync(`${h.root}/pids/shared`)).toBe(true);
  });

  it('refuses what the host lacks, naming it', () => {
    h = fakeHybridHost();
    const m = v1Container(h);
    expect(() => m.set({ network: { classID: 0x100001 } })).toThrow(/network.classID: the net_cls cgroup controller is not available/);
    expect(() => m.set({ rdma: { mlx4_0: { hcaHandles: 2 } } })).toThrow(/rdma\[mlx4_0\]: the rdma cgroup controller is not available/);
    expect(() => m.set({ unified: { 'memory.high': '1000' } })).toThrow(/unified\["memory.high"\]: the memory controller is not available on a cgroup v2 hierarchy/);
    expect(() => m.set({ memory: { swappiness: 101 } })).toThrow(/swappiness: 101 is outside 0-100/);
    expect(() => m.set({ hugepageLimits: [{ pageSize: '2MB', limit: 1 }] })).toThrow(CgroupError);
  });

  it('a write the kernel refuses names the value, the file and the errno', () => {
    h = fakeHybridHost();
    const m = newCgroupManager({ id: 'c1', layout: h.layout });
    m.create();
    // No kernel files seeded: the write fails as it would on a missing controller file.
    expect(() => m.set({ pids: { limit: 5 } })).toThrow(`cgroup: write 5 to ${m.paths.pids}/pids.max: ENOENT`);
  });

  it('hybrid: hugetlb and unified keys go to the cgroup2 directory when it has the controller', () => {
    h = fakeHybridHost();
    h.seed(`${h.root}/unified`, { 'cgroup.controllers': 'hugetlb\n', 'cgroup.subtree_control': '' });
    const m = v1Container(h);
    h.seed(m.paths.unified, { 'hugetlb.2MB.max': 'max\n', 'hugetlb.2MB.rsvd.max': 'max\n', 'hugetlb.1GB.max': 'max\n' });
    m.set({ hugepageLimits: [{ pageSize: '2MB', limit: 4 << 20 }], unified: { 'hugetlb.1GB.max': '0' } });
    expect(h.read(`${h.root}/unified`, 'cgroup.subtree_control')).toBe('+hugetlb');
    expect(h.read(m.paths.unified, 'hugetlb.2MB.max')).toBe(String(4 << 20));
    expect(h.read(m.paths.unified, 'hugetlb.2MB.rsvd.max')).toBe(String(4 << 20));
    expect(h.read(m.paths.unified, 'hugetlb.1GB.max')).toBe('0');
    expect(() => m.set({ hugepageLimits: [{ pageSize: '3MB', limit: 1 }] })).toThrow(/hugepageLimits\[3MB\]: page size not supported/);
  });

  it('warns where the kernel ignores a setting', () => {
    h = fakeHybridHost();
    const warnings: string[] = [];
    const m = v1Container(h, warnings);
    m.set({ blockIO: { leafWeight: 300 } });
    expect(warnings[0]).toMatch(/blockIO.leafWeight: ignored, this kernel has no .*blkio.leaf_weight/);
  });

  it('growing memory past memsw raises memsw first (the kernel wants memory <= memsw)', () => {
    h = fakeHybridHost();
    const m = v1Container(h);
    const mem = m.paths.memory;
    fs.writeFileSync(path.join(mem, 'memory.limit_in_bytes'), String(16 << 20));
    const order: string[] = [];
    const orig = fs.openSync;
    const spy = jest.spyOn(fs, 'openSync').mockImplementation(((p: fs.PathLike, f?: fs.OpenMode, mo?: fs.Mode) => {
      order.push(path.basename(String(p)));
      return orig(p, f, mo);
    }) as typeof fs.openSync);
    try {
      m.set({ memory: { limit: 64 << 20, swap: 128 << 20 } });
    } finally {
      spy.mockRestore();
    }
    expect(order).toEqual(['memory.memsw.limit_in_bytes', 'memory.limit_in_bytes']);
  });

  it('stats: runc\'s shape', () => {
    h = fakeHybridHost();
    const m = v1Container(h);
    const s = m.stats();
    expect(s.cpu.usage).toEqual({ total: 1000, percpu: [600, 400], kernel: 1e7, user: 2e7 });
    expect(s.cpu.throttling).toEqual({ periods: 3, throttledPeriods: 1, throttledTime: 500 });
    expect(s.memory.cache).toBe(8192);
    expect(s.memory.usage).toEqual({ limit: 9223372036854771712, usage: 4096, max: 8192, failcnt: 0 });
    expect(s.memory.raw).toEqual({ cache: 8192, rss: 4096 });
    expect(s.pids).toEqual({ current: 2 });
    expect(s.cpuset).toMatchObject({ cpu_exclusive: 0, sched_load_balance: 0 });
    expect(s.blkio.ioServiceBytesRecursive).toEqual([{ major: 254, op: 'Read', value: 4096 }, { major: 254, op: 'Write' }]);
  });
});

describe('v2 mapping', () => {
  it('writes every resource to its unified file with runc\'s conversions', () => {
    h = fakeV2Host();
    const warnings: string[] = [];
    const m = v2Container(h, warnings);
    m.set({
      memory: { limit: 32 << 20, reservation: 16 << 20, swap: 64 << 20, swappiness: 30, kernel: 1 << 20, disableOOMKiller: true },
      cpu: { shares: 1024, quota: 50000, period: 100000, burst: 1000, cpus: '0', mems: '0', idle: 1 },
      pids: { limit: -1 },
      blockIO: { weight: 500, weightDevice: [{ major: 8, minor: 0, weight: 10 }], throttleReadBpsDevice: [{ major: 254, minor: 0, rate: 0 }], throttleWriteIOPSDevice: [{ major: 254, minor: 0, rate: 100 }] },
      hugepageLimits: [{ pageSize: '2MB', limit: -1 }],
      rdma: { mlx4_0: { hcaHandles: 2, hcaObjects: 2000 } },
      unified: { 'memory.oom.group': '1' },
    });
    const d = m.paths.unified;
    expect(h.read(d, 'memory.max')).toBe(String(32 << 20));
    expect(h.read(d, 'memory.swap.max')).toBe(String(32 << 20));
    expect(h.read(d, 'memory.low')).toBe(String(16 << 20));
    expect(h.read(d, 'cpu.weight')).toBe('39');
    expect(h.read(d, 'cpu.max')).toBe('50000 100000');
    expect(h.read(d, 'cpu.max.burst')).toBe('1000');
    expect(h.read(d, 'cpu.idle')).toBe('1');
    expect(h.read(d, 'cpuset.cpus')).toBe('0');
    expect(h.read(d, 'pids.max')).toBe('max');
    expect(h.read(d, 'io.weight')).toBe(`8:0 ${blkioWeightToIoWeight(10)}`);
    expect(h.read(d, 'io.max')).toBe('254:0 wiops=100');
    expect(h.read(d, 'hugetlb.2MB.max')).toBe('max');
    expect(h.read(d, 'rdma.max')).toBe('mlx4_0 hca_handle=2 hca_object=2000');
    expect(h.read(d, 'memory.oom.group')).toBe('1');
    expect(warnings).toEqual([
      'linux.resources.memory.kernel: ignored, cgroup v2 has no kernel memory limit',
      'linux.resources.memory.swappiness: ignored, cgroup v2 has no per-cgroup swappiness',
      'linux.resources.memory.disableOOMKiller: ignored, cgroup v2 cannot disable the OOM killer',
    ]);
  });

  it('quota without a period, and an unlimited quota', () => {
    h = fakeV2Host();
    const m = v2Container(h);
    m.set({ cpu: { quota: 20000 } });
    expect(h.read(m.paths.unified, 'cpu.max')).toBe('20000');
    m.set({ cpu: { quota: -1, period: 50000 } });
    expect(h.read(m.paths.unified, 'cpu.max')).toBe('max 50000');
    m.set({ blockIO: { weight: 1000 } });
    expect(h.read(m.paths.unified, 'io.weight')).toBe('default 10000');
  });

  it('relative paths go under the parent of our own cgroup; create enables controllers top down', () => {
    h = fakeV2Host('/user.slice/session');
    for (const d of [h.root, `${h.root}/user.slice`]) h.seed(d, { 'cgroup.controllers': 'cpu memory rdma\n', 'cgroup.subtree_control': 'cpu\n' });
    const m = newCgroupManager({ id: 'c1', cgroupsPath: 'pod/c1', layout: h.layout });
    m.create();
    expect(m.paths.unified).toBe(`${h.root}/user.slice/pod/c1`);
    expect(m.created.unified).toBe(`${h.root}/user.slice/pod`);
    // The fake keeps the last write; the real file accumulates "+memory +rdma"; cpu was on already.
    expect(h.read(`${h.root}/user.slice`, 'cgroup.subtree_control')).toBe('+rdma');
    m.destroy();
    expect(fs.existsSync(`${h.root}/user.slice/pod`)).toBe(false);
    expect(fs.existsSync(`${h.root}/user.slice`)).toBe(true);
  });

  it('refuses bad or unknown unified keys, realtime, net_cls; checks usage before update', () => {
    h = fakeV2Host();
    const m = v2Container(h);
    expect(() => m.set({ unified: { '../../etc/passwd': 'x' } })).toThrow(/not a cgroup v2 file name/);
    expect(() => m.set({ unified: { 'memory.nosuch': '1' } })).toThrow(/unified\["memory.nosuch"\]: no such cgroup file/);
    expect(() => m.set({ unified: { 'misc.max': '1' } })).toThrow(/the misc controller is not available/);
    expect(() => m.set({ cpu: { realtimeRuntime: 1000 } })).toThrow(/no realtime group scheduling/);
    expect(() => m.set({ network: { classID: 1 } })).toThrow(/no net_cls\/net_prio/);
    expect(() => m.set({ memory: { limit: 1024, checkBeforeUpdate: true } })).toThrow(/1024 is below the current usage 4096/);
    expect(() => m.set({ memory: { limit: 1 << 20, swap: 1 << 19 } })).toThrow(/must be >= memory.limit/);
  });

  it('swap equal to memory disables swap; no swap file is fine for max and 0 only', () => {
    h = fakeV2Host();
    const m = v2Container(h);
    m.set({ memory: { limit: 1 << 20, swap: 1 << 20 } });
    expect(h.read(m.paths.unified, 'memory.swap.max')).toBe('0');
    fs.rmSync(path.join(m.paths.unified, 'memory.swap.max'));
    m.set({ memory: { limit: 1 << 20, swap: -1 } });
    expect(() => m.set({ memory: { limit: 1 << 20, swap: 2 << 20 } })).toThrow(/no swap accounting/);
  });

  it('stats: runc\'s shape from v2 files', () => {
    h = fakeV2Host();
    const m = v2Container(h);
    const s = m.stats();
    expect(s.cpu.usage).toEqual({ total: 5000, kernel: 2000, user: 3000 });
    expect(s.memory.usage).toEqual({ limit: 18446744073709551615, usage: 4096, failcnt: 0 });
    expect(s.memory.cache).toBe(8192);
    expect(s.pids).toEqual({ current: 1 });
    expect(s.blkio.ioServicedRecursive).toEqual([{ major: 254, op: 'Read', value: 1 }, { major: 254, op: 'Write' }]);
  });

  it('OOM events: each rise of memory.events oom_kill is reported', async () => {
    h = fakeV2Host();
    const m = v2Container(h);
    let count = 0;
    let resolve!: () => void;
    const twice = new Promise<void>((r) => (resolve = r));
    const w = m.watchOom(() => {
      if (++count === 2) resolve();
    });
    try {
      fs.writeFileSync(path.join(m.paths.unified, 'memory.events'), 'oom 2\noom_kill 2\n');
      await twice;
    } finally {
      w.close();
    }
    expect(count).toBe(2);
  });
});
