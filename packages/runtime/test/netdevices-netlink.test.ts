// hull's rtnetlink (sys/netlink.ts) against the real kernel: lookups, dumps,
// link creation, addresses, moving a link into another process's network
// namespace and back, and errors that name the device and the kernel's reason.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { missingRoot, missingVeth } from '@hull/testkit/host';
import { describeNeeds } from '@hull/testkit/jest';
import { IFA_F_PERMANENT, RT_SCOPE_UNIVERSE, RtNetlink, formatAddress } from '@hull/sys/netlink';
import { SysError } from '../src/errors';
import { isRoot } from './helpers';

const describeRoot = describeNeeds(missingRoot(), missingVeth());

let n = 0;
const ifname = () => `hl${process.pid.toString(36)}x${(n++).toString(36)}`;

let nl: RtNetlink;
const made: string[] = [];
const children: ChildProcess[] = [];

beforeEach(() => {
  if (isRoot) nl = RtNetlink.open();
});

afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
  if (!isRoot) return;
  for (const name of made.splice(0)) {
    const link = nl.linkByName(name);
    try {
      if (link) nl.deleteLink(link.index, `delete test device ${name}`);
    } catch (e) {
      // Deleting one end of a veth pair takes the other with it.
      if (!(e instanceof SysError && e.errnoName === 'ENODEV')) throw e;
    }
  }
  nl.close();
});

function veth(): [string, string] {
  const [a, b] = [ifname(), ifname()];
  nl.addLink(a, 'veth', b);
  made.push(a, b);
  return [a, b];
}

function sysIndex(name: string): number {
  return Number(fs.readFileSync(`/sys/class/net/${name}/ifindex`, 'utf8'));
}

describeRoot('rtnetlink', () => {
  it('looks links up by name and lists them, as sysfs shows them', () => {
    const lo = nl.linkByName('lo');
    expect(lo?.index).toBe(sysIndex('lo'));
    expect(lo!.flags & 1).toBe(1); // IFF_UP
    expect(nl.linkByName(ifname())).toBeUndefined();
    const names = nl.links().map((l) => l.name).sort();
    expect(names).toEqual(fs.readdirSync('/sys/class/net').filter((d) => fs.existsSync(`/sys/class/net/${d}/ifindex`)).sort());
  });

  it('creates a veth pair; a second one with a taken name fails naming it; an unknown kind says why', () => {
    const [a, b] = veth();
    expect(nl.linkByName(a)?.index).toBe(sysIndex(a));
    expect(nl.linkByName(b)?.index).toBe(sysIndex(b));
    expect(() => nl.addLink(a, 'veth', ifname())).toThrow(`create veth network device "${a}": EEXIST`);
    let err: unknown;
    try {
      nl.addLink(ifname(), 'hull-no-such-kind');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SysError);
    expect((err as SysError).errnoName).toMatch(/^E(OPNOTSUPP|NOTSUP)$/);
    expect((err as Error).message).toMatch(/: E(OPNOTSUPP|NOTSUP) \(.+\)$/); // the kernel's extended-ack text
  });

  it('lists a link\'s addresses with their flags and scope', () => {
    const [a] = veth();
    expect(spawnSync('busybox', ['ip', 'addr', 'add', '169.254.79.9/32', 'dev', a]).status).toBe(0);
    expect(spawnSync('busybox', ['ip', 'addr', 'add', '127.0.0.79/8', 'dev', a]).status).toBe(0);
    const addrs = nl.addresses(nl.linkByName(a)!.index);
    const global = addrs.find((x) => formatAddress(x) === '169.254.79.9/32');
    const host = addrs.find((x) => formatAddress(x) === '127.0.0.79/8');
    expect(global && global.flags & IFA_F_PERMANENT).toBeTruthy();
    expect(global?.scope).toBe(RT_SCOPE_UNIVERSE);
    expect(host?.scope).not.toBe(RT_SCOPE_UNIVERSE);
  });

  it('moves a link into another network namespace renamed, sets it up there, copies an address, and moves it back', () => {
    const [a] = veth();
    const child = spawn('unshare', ['--net', 'sleep', '60'], { stdio: 'ignore' });
    children.push(child);
    const nsPath = `/proc/${child.pid}/ns/net`;
    // unshare(1) execs sleep once the namespace exists: wait (bounded) until the link differs from ours.
    const own = fs.readlinkSync('/proc/self/ns/net');
    for (let i = 0; i < 2400 && (!fs.existsSync(nsPath) || fs.readlinkSync(nsPath) === own); i++) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 25);
    expect(fs.readlinkSync(nsPath)).not.toBe(own);

    const inside = RtNetlink.openIn(nsPath);
    try {
      expect(fs.readlinkSync('/proc/thread-self/ns/net')).toBe(own); // the thread came back
      expect(spawnSync('busybox', ['ip', 'addr', 'add', '169.254.80.1/32', 'dev', a]).status).toBe(0);
      const link = nl.linkByName(a)!;
      const [addr] = nl.addresses(link.index).filter((x) => formatAddress(x) === '169.254.80.1/32');
      const nsFd = fs.openSync(nsPath, 'r');
      try {
        nl.moveLink(link.index, nsFd, 'moved0', `move ${a}`);
      } finally {
        fs.closeSync(nsFd);
      }
      expect(nl.linkByName(a)).toBeUndefined();
      const there = inside.linkByName('moved0')!;
      expect(there).toBeDefined();
      expect(there.flags & 1).toBe(0);
      inside.setUp(there.index, 'set moved0 up');
      expect(inside.linkByName('moved0')!.flags & 1).toBe(1);
      inside.addAddress(there.index, addr, 'add address');
      expect(inside.addresses(there.index).map(formatAddress)).toContain('169.254.80.1/32');
      const hostFd = fs.openSync('/proc/self/ns/net', 'r');
      try {
        inside.moveLink(there.index, hostFd, a, `move moved0 back as ${a}`);
      } finally {
        fs.closeSync(hostFd);
      }
      expect(nl.linkByName(a)?.index).toBe(sysIndex(a));
    } finally {
      inside.close();
    }
  });
});
