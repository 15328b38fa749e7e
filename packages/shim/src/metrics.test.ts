import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { decode, encode, messageType } from './proto';
import { METRICS_V1_TYPE, metricsAny, metricsV1 } from './metrics';

describe('cgroup v1 Metrics', () => {
  let root: string;
  const put = (file: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), text);
  };
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'metrics-'));
    put('pids/t/pids.current', '3\n');
    put('pids/t/pids.max', 'max\n');
    put('cpuacct/t/cpuacct.usage', '123456789\n');
    put('cpuacct/t/cpuacct.usage_percpu', '100000000 23456789 \n');
    put('cpuacct/t/cpuacct.stat', 'user 7\nsystem 2\n');
    put('cpu/t/cpu.stat', 'nr_periods 10\nnr_throttled 4\nthrottled_time 5000\n');
    put('memory/t/memory.stat', 'cache 4096\nrss 8192\npgfault 11\nhierarchical_memory_limit 1048576\ntotal_cache 4096\ntotal_rss 8192\n');
    put('memory/t/memory.usage_in_bytes', '12288\n');
    put('memory/t/memory.limit_in_bytes', '1048576\n');
    put('memory/t/memory.max_usage_in_bytes', '20000\n');
    put('memory/t/memory.failcnt', '1\n');
    put('blkio/t/blkio.throttle.io_service_bytes_recursive', '8:0 Read 512\n8:0 Write 1024\nTotal 1536\n');
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  const cgroups = { pids: '/t', cpuacct: '/t', cpu: '/t', memory: '/t', blkio: '/t' };

  it('reads the v1 files into containerd\'s message, which round-trips through the protobuf', () => {
    const m = metricsV1(cgroups, root);
    const back = decode(messageType(METRICS_V1_TYPE), encode(messageType(METRICS_V1_TYPE), m));
    expect(back.pids).toEqual({ current: 3, limit: 0 });
    expect(back.cpu.usage).toEqual({ total: 123456789, kernel: 2e7, user: 7e7, per_cpu: [100000000, 23456789] });
    expect(back.cpu.throttling).toEqual({ periods: 10, throttled_periods: 4, throttled_time: 5000 });
    expect(back.memory).toMatchObject({ cache: 4096, rss: 8192, pg_fault: 11, hierarchical_memory_limit: 1048576, total_cache: 4096, total_rss: 8192 });
    expect(back.memory.usage).toEqual({ limit: 1048576, usage: 12288, max: 20000, failcnt: 1 });
    expect(back.blkio.io_service_bytes_recursive).toEqual([
      { op: 'Read', device: '', major: 8, minor: 0, value: 512 }, { op: 'Write', device: '', major: 8, minor: 0, value: 1024 },
    ]);
  });

  it('usage sits at field 33 of MemoryStat, as containerd/cgroups numbers it', () => {
    const bytes = encode(messageType('io.containerd.cgroups.v1.MemoryStat'), { usage: { usage: 1 } });
    // tag (33 << 3 | 2) = 266 = varint 0x8a 0x02, length 2, then field 2 varint 1.
    expect(bytes.toString('hex')).toBe('8a0202' + '1001');
  });

  it('packs an Any named io.containerd.cgroups.v1.Metrics where v1 memory holds the task', () => {
    expect(metricsAny(cgroups, root).type_url).toBe('io.containerd.cgroups.v1.Metrics');
    expect(() => metricsAny({ '': '/absent' }, root)).toThrow(/neither a v1 memory cgroup nor a unified one/);
  });

  it('on the unified hierarchy alone: v2 Metrics from cpu.stat, memory.*, pids.*, io.stat', () => {
    put('unified/u/cpu.stat', 'usage_usec 500\nuser_usec 300\nsystem_usec 200\nnr_periods 0\nnr_throttled 0\nthrottled_usec 0\n');
    put('unified/u/memory.stat', 'anon 4096\nfile 8192\npgfault 9\nworkingset_refault_anon 1\nworkingset_refault_file 2\n');
    put('unified/u/memory.current', '12288\n');
    put('unified/u/memory.max', 'max\n');
    put('unified/u/memory.events', 'low 0\nhigh 0\nmax 2\noom 1\noom_kill 1\n');
    put('unified/u/pids.current', '2\n');
    put('unified/u/pids.max', '64\n');
    put('unified/u/io.stat', '8:0 rbytes=4096 wbytes=0 rios=1 wios=0 dbytes=0 dios=0\n');
    const any = metricsAny({ '': '/u' }, root);
    expect(any.type_url).toBe('io.containerd.cgroups.v2.Metrics');
    const m = decode(messageType('io.containerd.cgroups.v2.Metrics'), any.value);
    expect(m.pids).toEqual({ current: 2, limit: 64 });
    expect(m.cpu).toMatchObject({ usage_usec: 500, user_usec: 300, system_usec: 200 });
    expect(m.memory).toMatchObject({ anon: 4096, file: 8192, pgfault: 9, workingset_refault: 3, usage: 12288 });
    expect(m.memory.usage_limit).toBeGreaterThan(1e19);
    expect(m.memory_events).toMatchObject({ max: 2, oom: 1, oom_kill: 1 });
    expect(m.io.usage).toEqual([{ major: 8, minor: 0, rbytes: 4096, wbytes: 0, rios: 1, wios: 0 }]);
  });
});
