// linux.namespaces (new, absent, joined by path), linux.sysctl and
// linux.cgroupsPath, asserted from inside the container and from the host;
// the same body runs with hull and with runc (the reference).
import fs from 'node:fs';
import path from 'node:path';
import { cgroupVersion, missingNamespace, missingRoot } from '@hull/testkit/host';
import { describeNeeds, itNeeds } from '@hull/testkit/jest';
import { cleanupAll, hasRunc, makeBundle, runtime, tempDir, uniqueId, type Config, type Runtime } from './helpers';

afterEach(cleanupAll);

const RUNTIMES = (hasRunc ? ['hull', 'runc'] : ['hull']) as ('hull' | 'runc')[];
const describeRoot = describeNeeds(missingRoot());
const NS = [['pid', 'pid'], ['network', 'net'], ['ipc', 'ipc'], ['uts', 'uts'], ['mount', 'mnt'], ['cgroup', 'cgroup']] as const;

function runScript(name: 'hull' | 'runc', script: string, edit?: (c: Config) => void) {
  const rt = runtime(name);
  const b = makeBundle(edit, ['sh', '-c', script]);
  const r = rt.run(['run', '--bundle', b.dir, uniqueId()]);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** `run -d` with stdio on a file: the container keeps its stdio, and spawnSync would wait for pipes to close. */
function runDetached(rt: Runtime, args: string[]): { status: number | null; output: string } {
  const file = path.join(tempDir(), 'stdio');
  const fd = fs.openSync(file, 'w+');
  try {
    const r = rt.run(args, { stdio: ['ignore', fd, fd] });
    return { status: r.status, output: fs.readFileSync(file, 'utf8') };
  } finally {
    fs.closeSync(fd);
  }
}

/** A running `sleep` container; returns its host pid. */
function startSleeper(rt: Runtime, id: string, edit?: (c: Config) => void): number {
  const b = makeBundle(edit, ['sleep', '1000']);
  const r = runDetached(rt, ['run', '-d', '--bundle', b.dir, id]);
  if (r.status !== 0) throw new Error(`run -d: ${r.output}`);
  return JSON.parse(rt.run(['state', id]).stdout).pid;
}

const hostNs = (n: string) => fs.readlinkSync(`/proc/self/ns/${n}`);

describeRoot.each(RUNTIMES)('namespaces (%s)', (name) => {
  it.each(NS)('%s: new when listed, the host\'s when not', (type, file) => {
    const script = `readlink /proc/self/ns/${file}`;
    const withNs = runScript(name, script, (c) => {
      if (!c.linux.namespaces.some((n: { type: string }) => n.type === type)) c.linux.namespaces.push({ type });
    });
    expect(withNs.stderr).toBe('');
    expect(withNs.stdout.trim()).toMatch(new RegExp(`^${file}:\\[\\d+\\]$`));
    expect(withNs.stdout.trim()).not.toBe(hostNs(file));
    if (type === 'mount') return; // a mount namespace is required (hull and runc)
    const without = runScript(name, script, (c) => {
      c.linux.namespaces = c.linux.namespaces.filter((n: { type: string }) => n.type !== type);
      if (type === 'uts') delete c.hostname;
      if (type === 'network') c.mounts = c.mounts.filter((m: { type: string }) => m.type !== 'sysfs');
    });
    expect(without.stderr).toBe('');
    expect(without.stdout.trim()).toBe(hostNs(file));
  });

  it('pid namespace: the process is PID 1 and sees only its own processes', () => {
    const r = runScript(name, 'echo $$; ps -o pid,comm | tail -n +2');
    expect(r.stdout.split('\n')[0]).toBe('1');
    expect(r.stdout).toMatch(/^\s*1 sh$/m);
    expect(r.stdout.trim().split('\n').length).toBeLessThanOrEqual(4);
  });

  it('network namespace: only lo, and up', () => {
    const r = runScript(name, 'ls /sys/class/net; cat /sys/class/net/lo/flags');
    expect(r.stdout).toBe('lo\n0x9\n'); // IFF_UP | IFF_LOOPBACK
  });

  it('cgroup namespace: the container\'s cgroup is its root', () => {
    const r = runScript(name, 'cat /proc/self/cgroup', (c) => c.linux.namespaces.push({ type: 'cgroup' }));
    const lines = r.stdout.trim().split('\n');
    expect(lines.length).toBeGreaterThan(1);
    for (const l of lines) expect(l).toMatch(/^\d+:[^:]*:\/$/);
  });

  it('network and uts namespaces joined by path: the other container\'s interfaces and hostname', () => {
    const rt = runtime(name);
    const pid = startSleeper(rt, uniqueId(), (c) => (c.hostname = 'first-box'));
    const r = runScript(name, 'hostname; readlink /proc/1/ns/net; readlink /proc/1/ns/uts', (c) => {
      delete c.hostname;
      c.linux.namespaces = c.linux.namespaces.map((n: { type: string }) =>
        n.type === 'network' ? { type: 'network', path: `/proc/${pid}/ns/net` } : n.type === 'uts' ? { type: 'uts', path: `/proc/${pid}/ns/uts` } : n,
      );
    });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(`first-box\n${fs.readlinkSync(`/proc/${pid}/ns/net`)}\n${fs.readlinkSync(`/proc/${pid}/ns/uts`)}\n`);
  });

  it('ipc and pid namespaces joined by path: the other container\'s processes', () => {
    const rt = runtime(name);
    const pid = startSleeper(rt, uniqueId());
    const r = runScript(name, 'ps -o comm | grep -c sleep; readlink /proc/self/ns/ipc', (c) => {
      c.linux.namespaces = c.linux.namespaces.map((n: { type: string }) =>
        n.type === 'pid' ? { type: 'pid', path: `/proc/${pid}/ns/pid` } : n.type === 'ipc' ? { type: 'ipc', path: `/proc/${pid}/ns/ipc` } : n,
      );
    });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(`1\n${fs.readlinkSync(`/proc/${pid}/ns/ipc`)}\n`);
  });

  it('linux.sysctl: net.* in the new network namespace and kernel.shm_rmid_forced in the new ipc namespace', () => {
    const hostForward = fs.readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8');
    const hostRmid = fs.readFileSync('/proc/sys/kernel/shm_rmid_forced', 'utf8');
    const r = runScript(name, 'cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/shm_rmid_forced /proc/sys/net/ipv4/ping_group_range', (c) => {
      c.linux.sysctl = { 'net.ipv4.ip_forward': hostForward.trim() === '1' ? '0' : '1', 'kernel.shm_rmid_forced': hostRmid.trim() === '1' ? '0' : '1', 'net.ipv4.ping_group_range': '7 8' };
    });
    expect(r.stderr).toBe('');
    const flip = (v: string) => (v.trim() === '1' ? '0' : '1');
    expect(r.stdout.split('\n').slice(0, 3).map((l) => l.replace(/\s+/g, ' '))).toEqual([flip(hostForward), flip(hostRmid), '7 8']);
    // The host's values are unchanged.
    expect(fs.readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8')).toBe(hostForward);
    expect(fs.readFileSync('/proc/sys/kernel/shm_rmid_forced', 'utf8')).toBe(hostRmid);
  });

  it('linux.cgroupsPath without a cgroup namespace: /proc/self/cgroup inside shows the path on every hierarchy', () => {
    const cgPath = `/hull-cfgtest-${process.pid}/${uniqueId()}`;
    try {
      const r = runScript(name, 'cat /proc/self/cgroup', (c) => (c.linux.cgroupsPath = cgPath));
      expect(r.stderr).toBe('');
      const lines = r.stdout.trim().split('\n');
      expect(lines.length).toBe(fs.readFileSync('/proc/self/cgroup', 'utf8').trim().split('\n').length);
      for (const l of lines) expect(l).toMatch(new RegExp(`^\\d+:[^:]*:${cgPath}$`));
    } finally {
      for (const ctrl of ['', ...fs.readdirSync('/sys/fs/cgroup').map((c) => `/${c}`)]) {
        try {
          fs.rmdirSync(`/sys/fs/cgroup${ctrl}/hull-cfgtest-${process.pid}`);
        } catch {
          // absent, or another test's container is still in it
        }
      }
    }
  });

  itNeeds(missingNamespace('cgroup'))('linux.cgroupsPath: the process is in that cgroup on every hierarchy, v1 and the cgroup2 mount', () => {
    const rt = runtime(name);
    const id = uniqueId();
    const cgPath = `/hull-cfgtest-${process.pid}/${id}`;
    try {
      const pid = startSleeper(rt, id, (c) => {
        c.linux.cgroupsPath = cgPath;
        c.linux.namespaces.push({ type: 'cgroup' });
      });
      const lines = fs.readFileSync(`/proc/${pid}/cgroup`, 'utf8').trim().split('\n');
      // Every hierarchy the host mounts (v1 controllers, name=systemd, the cgroup2 "0::" line).
      const hierarchies = fs.readFileSync('/proc/self/cgroup', 'utf8').trim().split('\n').map((l) => l.split(':').slice(0, 2).join(':'));
      expect(lines.map((l) => l.split(':').slice(0, 2).join(':')).sort()).toEqual(hierarchies.sort());
      for (const l of lines) {
        expect(l.endsWith(`:${cgPath}`)).toBe(true);
      }
      // The hierarchies this host has: one tree on v2; on v1 the controllers' and a cgroup2 mount beside them if there is one.
      const trees = cgroupVersion() === 2 ? [''] : ['/memory', '/pids', '/cpu', '/devices', '/freezer', '/unified'].filter((t) => fs.existsSync(`/sys/fs/cgroup${t}/cgroup.procs`));
      expect(trees.length).toBeGreaterThan(0);
      for (const tree of trees) {
        const procs = fs.readFileSync(`/sys/fs/cgroup${tree}${cgPath}/cgroup.procs`, 'utf8');
        expect(procs.split('\n')).toContain(String(pid));
      }
      // delete removes the container's cgroup from every hierarchy (its parent was made for it too, and stays).
      expect(rt.run(['delete', '--force', id]).status).toBe(0);
      for (const ctrl of fs.readdirSync('/sys/fs/cgroup')) expect(fs.existsSync(`/sys/fs/cgroup/${ctrl}${cgPath}`)).toBe(false);
    } finally {
      rt.run(['delete', '--force', id]);
      for (const ctrl of ['', ...fs.readdirSync('/sys/fs/cgroup').map((c) => `/${c}`)]) {
        try {
          fs.rmdirSync(`/sys/fs/cgroup${ctrl}/hull-cfgtest-${process.pid}`);
        } catch {
          // absent, or not a directory
        }
      }
    }
  });
});
