// linux.netDevices: host devices moved into the container (renamed, with
// their permanent global addresses, up), gone from the host while it runs,
// destroyed with its namespace on delete (virtual devices; the spec forbids
// moving them back), and a failed create that gives back what it moved.
// This kernel has no dummy driver: the tests use veth pairs, made through
// hull's own rtnetlink code; addresses are set and read with busybox's ip
// (busybox-static is a build dependency; iproute2 need not be installed).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { missingRoot, missingVeth } from '@hull/testkit/host';
import { describeNeeds } from '@hull/testkit/jest';
import { SysError } from '../src/errors';
import { RtNetlink } from '@hull/sys/netlink';
import { cleanupAll, leftovers, makeBundle, runtime, tempDir, uniqueId, type Config } from './helpers';

const describeRoot = describeNeeds(missingRoot(), missingVeth());

let n = 0;
/** A fresh interface name (at most 15 bytes), unique to this run. */
const ifname = () => `hn${process.pid.toString(36)}x${(n++).toString(36)}`;

const made: string[] = [];
/** A veth pair on the host: `name` is moved into the container, `peer` stays. */
function vethPair(): { name: string; peer: string } {
  const name = ifname();
  const peer = ifname();
  const nl = RtNetlink.open();
  try {
    nl.addLink(name, 'veth', peer);
  } finally {
    nl.close();
  }
  made.push(peer, name);
  return { name, peer };
}

function onHost(name: string): boolean {
  return fs.existsSync(path.join('/sys/class/net', name));
}

/**
 * Waits (bounded by a minute: the kernel tears namespaces down in a work queue, slow on a loaded
 * machine) for it to finish with a dead namespace; returns whether `name` is still on the host.
 */
function stillOnHostAfterCleanup(name: string): boolean {
  for (let i = 0; i < 1200 && onHost(name); i++) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
  return onHost(name);
}

const holders: ChildProcess[] = [];

afterEach(() => {
  cleanupAll();
  for (const h of holders.splice(0)) h.kill('SIGKILL'); // its namespace dies, and the devices moved into it
  const nl = RtNetlink.open();
  try {
    for (const name of made.splice(0)) {
      const link = nl.linkByName(name);
      try {
        if (link) nl.deleteLink(link.index, `delete test device ${name}`);
      } catch (e) {
        // The kernel may be destroying it already, with a dead namespace.
        if (!(e instanceof SysError && e.errnoName === 'ENODEV')) throw e;
      }
    }
  } finally {
    nl.close();
  }
});

function withDevices(devices: Record<string, { name?: string }>, args: string[]): (c: Config) => void {
  return (c) => {
    c.linux.netDevices = devices;
    c.process.args = args;
  };
}

describeRoot('linux.netDevices', () => {
  it('moves and renames devices into the container, keeps global permanent addresses, sets them up; delete destroys virtual ones', () => {
    const a = vethPair();
    const b = vethPair();
    const sys = (args: string[]) => {
      const r = spawnSync('busybox', ['ip', ...args], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`ip ${args.join(' ')}: ${r.stderr}`);
    };
    sys(['addr', 'add', '169.254.77.7/32', 'dev', a.name]); // global: travels
    sys(['addr', 'add', '127.0.0.77/8', 'dev', a.name]); // host scope: stays behind
    const rt = runtime('hull');
    const id = uniqueId('netdev');
    const bundle = makeBundle(withDevices({ [a.name]: { name: 'eth9' }, [b.name]: {} }, ['sleep', '60']));
    const r = rt.run(['create', '--bundle', bundle.dir, id]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);

    // Created: the devices are already inside, gone from the host; their peers stayed.
    expect(onHost(a.name)).toBe(false);
    expect(onHost(b.name)).toBe(false);
    expect(onHost(a.peer)).toBe(true);
    const pid = JSON.parse(rt.run(['state', id]).stdout).pid;
    const dev = fs.readFileSync(`/proc/${pid}/net/dev`, 'utf8');
    expect(dev).toMatch(/^\s*eth9:/m);
    expect(dev).toMatch(new RegExp(`^\\s*${b.name}:`, 'm'));
    expect(dev).not.toMatch(new RegExp(`^\\s*${a.name}:`, 'm'));

    expect(rt.run(['start', id]).status).toBe(0);
    const inside = rt.run(['exec', id, 'sh', '-c', `cat /sys/class/net/eth9/flags /sys/class/net/${b.name}/flags; ip -o addr show dev eth9`]);
    expect(inside.status).toBe(0);
    const [flagsA, flagsB, ...addrs] = inside.stdout.trim().split('\n');
    expect(Number(flagsA) & 1).toBe(1); // IFF_UP
    expect(Number(flagsB) & 1).toBe(1);
    expect(addrs.join('\n')).toContain('inet 169.254.77.7/32');
    expect(addrs.join('\n')).not.toContain('127.0.0.77');

    // Delete: nothing is moved back (spec); the namespace dies and takes the veth pair with it.
    expect(rt.run(['delete', '--force', id]).status).toBe(0);
    expect(stillOnHostAfterCleanup(a.peer)).toBe(false);
    expect(onHost(a.name)).toBe(false);
    expect(onHost('eth9')).toBe(false);
  });

  it('a "%d" template lets the kernel pick the name inside', () => {
    const a = vethPair();
    const rt = runtime('hull');
    const bundle = makeBundle(withDevices({ [a.name]: { name: 'net%d' } }, ['cat', '/proc/net/dev']));
    const r = rt.run(['run', '--bundle', bundle.dir, uniqueId('netdev')]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^\s*net0:/m);
  });

  it('into a joined network namespace: the device stays there after delete (the namespace outlives the container)', () => {
    const a = vethPair();
    const holder = spawn('unshare', ['--net', 'sleep', '120'], { stdio: 'ignore' });
    holders.push(holder);
    const nsPath = `/proc/${holder.pid}/ns/net`;
    const own = fs.readlinkSync('/proc/self/ns/net');
    for (let i = 0; i < 2400 && (!fs.existsSync(nsPath) || fs.readlinkSync(nsPath) === own); i++) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 25);
    expect(fs.readlinkSync(nsPath)).not.toBe(own);

    const rt = runtime('hull');
    const bundle = makeBundle((c) => {
      withDevices({ [a.name]: { name: 'ctr0' } }, ['cat', '/sys/class/net/ctr0/operstate'])(c);
      c.linux.namespaces = c.linux.namespaces.map((ns: { type: string }) => (ns.type === 'network' ? { type: 'network', path: nsPath } : ns));
    });
    const r = rt.run(['run', '--bundle', bundle.dir, uniqueId('netdev')]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(onHost(a.name)).toBe(false);
    const inside = RtNetlink.openIn(nsPath);
    try {
      const link = inside.linkByName('ctr0');
      expect(link).toBeDefined();
      expect(link!.flags & 1).toBe(1);
    } finally {
      inside.close();
    }
  });

  describe('bad input fails create with one clear line and leaves the host as it was', () => {
    function createFails(cfg: (c: Config) => void): string {
      const rt = runtime('hull');
      const id = uniqueId('netdev');
      const bundle = makeBundle(cfg);
      const log = path.join(tempDir(), 'log.json');
      const r = rt.run(['--log', log, '--log-format', 'json', 'create', '--bundle', bundle.dir, id]);
      expect(r.status).not.toBe(0);
      expect(rt.run(['list', '-q']).stdout).toBe('');
      expect(fs.existsSync(path.join(rt.root, id))).toBe(false);
      expect(leftovers(id, bundle.dir)).toEqual([]);
      const text = r.stderr.trimEnd();
      expect(text).not.toContain('\n');
      return text;
    }

    it('a device the host does not have', () => {
      const missing = ifname();
      expect(createFails(withDevices({ [missing]: {} }, ['true']))).toMatch(new RegExp(`linux\\.netDevices\\.${missing}: no network device "${missing}" on the host`));
    });

    it('two devices with one name inside', () => {
      const a = vethPair();
      const b = vethPair();
      const msg = createFails(withDevices({ [a.name]: { name: 'eth1' }, [b.name]: { name: 'eth1' } }, ['true']));
      expect(msg).toMatch(new RegExp(`linux\\.netDevices\\.${b.name}: "${a.name}" and "${b.name}" would both be named "eth1" in the container`));
      expect(onHost(a.name) && onHost(b.name)).toBe(true);
    });

    it('a name taken inside: the device moved before it comes back, addresses and all', () => {
      const a = vethPair();
      const b = vethPair();
      const ip = spawnSync('busybox', ['ip', 'addr', 'add', '169.254.78.8/32', 'dev', a.name]);
      expect(ip.status).toBe(0);
      const msg = createFails(withDevices({ [a.name]: { name: 'eth9' }, [b.name]: { name: 'lo' } }, ['true']));
      expect(msg).toMatch(new RegExp(`linux\\.netDevices\\.${b.name}: cannot move "${b.name}" into the container: a device named "lo" already exists there`));
      expect(onHost(a.name)).toBe(true);
      expect(onHost(b.name)).toBe(true);
      const addrs = spawnSync('busybox', ['ip', '-o', 'addr', 'show', 'dev', a.name], { encoding: 'utf8' }).stdout;
      expect(addrs).toContain('169.254.78.8/32');
    });

    it('a step after the move fails (a createRuntime hook): the device comes back, addresses and all', () => {
      const a = vethPair();
      expect(spawnSync('busybox', ['ip', 'addr', 'add', '169.254.78.9/32', 'dev', a.name]).status).toBe(0);
      const msg = createFails((c) => {
        withDevices({ [a.name]: { name: 'eth9' } }, ['true'])(c);
        c.hooks = { createRuntime: [{ path: '/bin/false' }] };
      });
      expect(msg).toContain('createRuntime');
      expect(onHost(a.name)).toBe(true);
      const addrs = spawnSync('busybox', ['ip', '-o', 'addr', 'show', 'dev', a.name], { encoding: 'utf8' }).stdout;
      expect(addrs).toContain('169.254.78.9/32');
    });

    it('joining the runtime\'s own network namespace', () => {
      const a = vethPair();
      const msg = createFails((c) => {
        withDevices({ [a.name]: { name: 'ctr0' } }, ['true'])(c);
        c.linux.namespaces = c.linux.namespaces.map((ns: { type: string }) => (ns.type === 'network' ? { type: 'network', path: '/proc/self/ns/net' } : ns));
      });
      expect(msg).toMatch(/linux\.netDevices: the network namespace to join \(\/proc\/self\/ns\/net\) is the runtime's own: the devices would stay on the host/);
      expect(onHost(a.name)).toBe(true);
      expect(onHost('ctr0')).toBe(false);
    });

    it('without a network namespace', () => {
      const a = vethPair();
      const msg = createFails((c) => {
        withDevices({ [a.name]: {} }, ['true'])(c);
        c.linux.namespaces = c.linux.namespaces.filter((ns: { type: string }) => ns.type !== 'network');
      });
      expect(msg).toContain('linux.netDevices: given, but linux.namespaces has no "network" namespace');
      expect(onHost(a.name)).toBe(true);
    });
  });
});
