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

  it('packs an Any named io.containerd.cgroups.v1.Metrics; refuses a task without v1 memory', () => {
    expect(metricsAny(cgroups, root).type_url).toBe('io.containerd.cgroups.v1.Metrics');
    expect(() => metricsAny({ '': '/t' }, root)).toThrow(/only cgroup v1 metrics/);
  });
});
