// Networks and sandboxes. A network is a record (name, subnet, bridge) turned
// into a CNI configuration list: bridge (with host-local IPAM) and portmap.
// A sandbox is one container's network namespace, its endpoints (the CNI
// configuration and result of each network it is on, cached on disk so DEL
// works after a restart) and its hosts/resolv.conf files. Every change is
// made under one lock and recorded before the next.
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { exists, invalid, notFound, precondition } from '../errors';
import { readJson, Serial, writeJsonAtomic } from '../jsonfile';
import type { Logger } from '../log';
import { Cni, CNI_VERSION, type Attachment, type CniResult, type ConfList } from './cni';
import { containerResolvConf, renderHosts, type HostsPeer } from './hosts';
import { isolate, unisolate } from './isolation';
import { createNetns, removeNetns } from './netns';
import { assignPorts, type PortMapping } from './ports';
import { contains, formatCidr, freeSubnet, gatewayOf, overlaps, parseCidr, parseIp } from './subnet';

export const DEFAULT_NETWORK = 'bridge';
const DEFAULT_SUBNET = '10.210.0.0/16';
const DEFAULT_BRIDGE = 'hull0';
/** User networks get a /24 of this pool unless given a subnet. */
const USER_POOL = '10.211.0.0/16';
export const BUILTIN_NETWORKS = ['bridge', 'host', 'none'];
const NETWORK_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;
const CONTAINER_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

export interface NetworkRecord {
  id: string;
  name: string;
  subnet: string;
  gateway: string;
  bridge: string;
  labels: Record<string, string>;
  createdAt: string;
}

export interface EndpointRecord {
  network: string;
  ifname: string;
  aliases: string[];
  /** The --ip asked for, if any. */
  requestedIp: string;
  /** The configuration ADD was given: DEL gets the same. */
  conf: ConfList;
  capabilityArgs: Record<string, unknown>;
  result: CniResult;
}

export interface SandboxRecord {
  containerId: string;
  name: string;
  hostname: string;
  netns: string;
  ports: PortMapping[];
  endpoints: EndpointRecord[];
}

export interface EndpointInfo {
  containerId: string;
  containerName: string;
  network: string;
  ip: string;
  prefixLength: number;
  gateway: string;
  mac: string;
  ifname: string;
  aliases: string[];
}

export function endpointInfo(s: SandboxRecord, e: EndpointRecord): EndpointInfo {
  const addr = e.result.ips?.[0];
  const [ip = '', prefix = '0'] = (addr?.address ?? '').split('/');
  const iface = addr?.interface !== undefined ? e.result.interfaces?.[addr.interface] : e.result.interfaces?.find((i) => i.sandbox);
  return {
    containerId: s.containerId, containerName: s.name, network: e.network, ip, prefixLength: Number(prefix),
    gateway: addr?.gateway ?? '', mac: iface?.mac ?? '', ifname: e.ifname, aliases: e.aliases,
  };
}

export interface AttachRequest {
  containerId: string;
  name: string;
  hostname: string;
  network: string;
  aliases: string[];
  ip: string;
  ports: PortMapping[];
}

export class NetworkManager {
  private readonly defsDir: string;
  private readonly sandboxesDir: string;
  readonly ipamDir: string;
  private readonly serial = new Serial();

  constructor(stateDir: string, private readonly log: Logger, readonly cni = new Cni()) {
    const root = path.join(stateDir, 'networks');
    this.defsDir = path.join(root, 'defs');
    this.sandboxesDir = path.join(root, 'sandboxes');
    this.ipamDir = path.join(root, 'ipam');
    for (const d of [this.defsDir, this.sandboxesDir, this.ipamDir]) fs.mkdirSync(d, { recursive: true, mode: 0o700 });
    if (!this.readNetwork(DEFAULT_NETWORK)) {
      this.writeNetwork({
        id: crypto.randomBytes(32).toString('hex'), name: DEFAULT_NETWORK, subnet: DEFAULT_SUBNET, gateway: gatewayOf(parseCidr(DEFAULT_SUBNET), ''),
        bridge: DEFAULT_BRIDGE, labels: {}, createdAt: new Date().toISOString(),
      });
    }
  }

  // ---- records ----

  private readNetwork(name: string): NetworkRecord | undefined {
    if (!NETWORK_NAME.test(name)) return undefined;
    return readJson<NetworkRecord>(path.join(this.defsDir, `${name}.json`));
  }

  private writeNetwork(n: NetworkRecord): void {
    writeJsonAtomic(path.join(this.defsDir, `${n.name}.json`), n);
  }

  networks(): NetworkRecord[] {
    return fs.readdirSync(this.defsDir)
      .filter((f) => f.endsWith('.json'))
      .map((f) => readJson<NetworkRecord>(path.join(this.defsDir, f)))
      .filter((n): n is NetworkRecord => !!n)
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  /** By name, full id or unique id prefix. */
  network(ref: string): NetworkRecord {
    const byName = this.readNetwork(ref);
    if (byName) return byName;
    const byId = ref ? this.networks().filter((n) => n.id.startsWith(ref)) : [];
    if (byId.length === 1) return byId[0]!;
    throw notFound(`network ${ref} not found`, { network: ref });
  }

  private sandboxDir(id: string): string {
    return path.join(this.sandboxesDir, id);
  }

  sandbox(id: string): SandboxRecord | undefined {
    if (!CONTAINER_ID.test(id)) return undefined;
    return readJson<SandboxRecord>(path.join(this.sandboxDir(id), 'sandbox.json'));
  }

  private writeSandbox(s: SandboxRecord): void {
    writeJsonAtomic(path.join(this.sandboxDir(s.containerId), 'sandbox.json'), s);
  }

  sandboxes(): SandboxRecord[] {
    return fs.readdirSync(this.sandboxesDir).map((id) => this.sandbox(id)).filter((s): s is SandboxRecord => !!s);
  }

  hostsPath(id: string): string {
    return path.join(this.sandboxDir(id), 'hosts');
  }

  resolvConfPath(id: string): string {
    return path.join(this.sandboxDir(id), 'resolv.conf');
  }

  endpoints(network: string): EndpointInfo[] {
    return this.sandboxes().flatMap((s) => s.endpoints.filter((e) => e.network === network).map((e) => endpointInfo(s, e)));
  }

  // ---- networks ----

  create(name: string, subnet: string, gateway: string, labels: Record<string, string>): Promise<NetworkRecord> {
    return this.serial.run(() => {
      if (!NETWORK_NAME.test(name)) throw invalid(`invalid network name "${name}": only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
      if (BUILTIN_NETWORKS.includes(name) || this.readNetwork(name)) throw exists(`network with name ${name} already exists`, { network: name });
      const taken = this.networks().map((n) => ({ name: n.name, cidr: parseCidr(n.subnet) }));
      let cidr;
      if (subnet) {
        cidr = parseCidr(subnet);
        const clash = taken.find((t) => overlaps(t.cidr, cidr!));
        if (clash) throw invalid(`invalid pool request: Pool overlaps with other one on this address space (network ${clash.name}: ${formatCidr(clash.cidr)})`);
      } else {
        if (gateway) throw invalid('--gateway needs --subnet');
        cidr = freeSubnet(parseCidr(USER_POOL), taken.map((t) => t.cidr));
        if (!cidr) throw precondition(`no free subnet left in ${USER_POOL}: give --subnet`);
      }
      const id = crypto.randomBytes(32).toString('hex');
      const n: NetworkRecord = {
        id, name, subnet: formatCidr(cidr), gateway: gatewayOf(cidr, gateway), bridge: `hull-${id.slice(0, 10)}`,
        labels, createdAt: new Date().toISOString(),
      };
      this.writeNetwork(n);
      this.log.info('network created', { network: name, subnet: n.subnet, bridge: n.bridge });
      return n;
    });
  }

  remove(ref: string): Promise<string> {
    return this.serial.run(() => {
      if (BUILTIN_NETWORKS.includes(ref)) throw precondition(`${ref} is a pre-defined network and cannot be removed`);
      const n = this.network(ref);
      const eps = this.endpoints(n.name);
      if (eps.length > 0) throw precondition(`error while removing network: network ${n.name} id ${n.id} has active endpoints (${eps.map((e) => e.containerName).join(', ')})`, { network: n.name });
      this.destroyNetwork(n);
      return n.name;
    });
  }

  /** Removes the record, then what CNI leaves of a network once its last container is gone: the bridge and host-local's directory. */
  private destroyNetwork(n: NetworkRecord): void {
    fs.rmSync(path.join(this.defsDir, `${n.name}.json`), { force: true });
    this.removeBridge(n);
  }

  private removeBridge(n: NetworkRecord): void {
    unisolate(n.bridge);
    const r = spawnSync('ip', ['link', 'delete', n.bridge, 'type', 'bridge'], { encoding: 'utf8', env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' } });
    if (r.status !== 0 && !/Cannot find device|does not exist/.test(r.stderr)) this.log.warn('cannot remove bridge', { bridge: n.bridge, error: r.stderr.trim() || r.error?.message });
    fs.rmSync(path.join(this.ipamDir, n.name), { recursive: true, force: true });
  }

  prune(): Promise<string[]> {
    return this.serial.run(() => {
      const removed: string[] = [];
      for (const n of this.networks()) {
        if (BUILTIN_NETWORKS.includes(n.name) || this.endpoints(n.name).length > 0) continue;
        this.destroyNetwork(n);
        removed.push(n.name);
      }
      return removed;
    });
  }

  // ---- sandboxes ----

  private confList(n: NetworkRecord): ConfList {
    return {
      cniVersion: CNI_VERSION,
      name: n.name,
      plugins: [
        {
          type: 'bridge', bridge: n.bridge, isGateway: true, ipMasq: true, hairpinMode: true,
          capabilities: { ips: true },
          ipam: { type: 'host-local', ranges: [[{ subnet: n.subnet, gateway: n.gateway }]], routes: [{ dst: '0.0.0.0/0' }], dataDir: this.ipamDir },
        },
        { type: 'portmap', capabilities: { portMappings: true }, snat: true },
      ],
    };
  }

  private loopbackList(): ConfList {
    return { cniVersion: CNI_VERSION, name: 'loopback', plugins: [{ type: 'loopback' }] };
  }

  /** Makes the sandbox: namespace, loopback, the first network (with the ports), hosts and resolv.conf. */
  attach(req: AttachRequest): Promise<SandboxRecord> {
    return this.serial.run(async () => {
      if (!CONTAINER_ID.test(req.containerId)) throw invalid(`container id ${JSON.stringify(req.containerId)}: invalid`);
      if (this.sandbox(req.containerId)) throw exists(`container ${req.containerId} already has a network sandbox`);
      if (['host', 'none'].includes(req.network)) throw invalid(`network ${req.network}: has no sandbox (the container's config says it)`);
      const n = this.network(req.network || DEFAULT_NETWORK);
      const ports = await assignPorts(req.ports, this.sandboxes().flatMap((x) => x.ports));
      const dir = this.sandboxDir(req.containerId);
      fs.mkdirSync(dir, { mode: 0o711 });
      const s: SandboxRecord = { containerId: req.containerId, name: req.name, hostname: req.hostname, netns: path.join(dir, 'netns'), ports, endpoints: [] };
      try {
        createNetns(s.netns);
        this.writeSandbox(s);
        await this.cni.add(this.loopbackList(), { containerId: s.containerId, netns: s.netns, ifname: 'lo' });
        await this.addEndpoint(s, n, req.aliases, req.ip);
        fs.writeFileSync(this.resolvConfPath(s.containerId), containerResolvConf(readHostFile('/etc/resolv.conf')), { mode: 0o644 });
        this.refreshHosts();
        this.log.info('sandbox attached', { id: s.containerId, network: n.name, ip: endpointInfo(s, s.endpoints[0]!).ip });
        return s;
      } catch (e) {
        await this.teardown(s).catch((cleanup: Error) => (e as { cleanup?: Error[] }).cleanup?.push(cleanup));
        throw e;
      }
    });
  }

  connect(containerId: string, network: string, aliases: string[], ip: string): Promise<SandboxRecord> {
    return this.serial.run(async () => {
      const s = this.requireSandbox(containerId);
      const n = this.network(network);
      if (s.endpoints.some((e) => e.network === n.name)) throw exists(`endpoint with name ${s.name} already exists in network ${n.name}`);
      await this.addEndpoint(s, n, aliases, ip);
      this.refreshHosts();
      return s;
    });
  }

  disconnect(containerId: string, network: string): Promise<SandboxRecord> {
    return this.serial.run(async () => {
      const s = this.requireSandbox(containerId);
      const n = this.network(network);
      const e = s.endpoints.find((x) => x.network === n.name);
      if (!e) throw notFound(`container ${s.name} is not connected to network ${n.name}`);
      await this.cni.del(e.conf, this.attachment(s, e), e.result);
      s.endpoints = s.endpoints.filter((x) => x !== e);
      this.writeSandbox(s);
      this.refreshHosts();
      return s;
    });
  }

  /** CNI DEL for every network, then the namespace and the files. No sandbox: nothing to do. */
  detach(containerId: string): Promise<void> {
    return this.serial.run(async () => {
      const s = this.sandbox(containerId);
      if (!s) return;
      await this.teardown(s);
      this.refreshHosts();
      this.log.info('sandbox detached', { id: containerId });
    });
  }

  /** CNI CHECK of each endpoint: "" when the plugins are content, else their error. */
  async check(s: SandboxRecord): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    for (const e of s.endpoints) {
      out[e.network] = await this.cni.check(e.conf, this.attachment(s, e), e.result).then(() => '', (err: Error) => err.message);
    }
    return out;
  }

  private requireSandbox(id: string): SandboxRecord {
    const s = this.sandbox(id);
    if (!s) throw precondition(`container ${id} has no network sandbox (its network is none, host or another container's)`);
    return s;
  }

  private attachment(s: SandboxRecord, e: EndpointRecord): Attachment {
    return { containerId: s.containerId, netns: s.netns, ifname: e.ifname, capabilityArgs: e.capabilityArgs };
  }

  private async addEndpoint(s: SandboxRecord, n: NetworkRecord, aliases: string[], ip: string): Promise<void> {
    const capabilityArgs: Record<string, unknown> = {};
    if (ip) {
      const addr = parseIp(ip);
      const cidr = parseCidr(n.subnet);
      if (addr === undefined || !contains(cidr, addr)) throw invalid(`invalid --ip ${ip}: not an address of network ${n.name} (${n.subnet})`);
      capabilityArgs.ips = [`${ip}/${cidr.prefix}`];
    }
    // Ports are published on the container's first network, as docker does.
    if (s.endpoints.length === 0 && s.ports.length > 0) capabilityArgs.portMappings = s.ports;
    const used = new Set(s.endpoints.map((e) => e.ifname));
    let i = 0;
    while (used.has(`eth${i}`)) i++;
    const e: EndpointRecord = { network: n.name, ifname: `eth${i}`, aliases, requestedIp: ip, conf: this.confList(n), capabilityArgs, result: {} };
    isolate(n.bridge);
    e.result = await this.cni.add(e.conf, this.attachment(s, e));
    s.endpoints.push(e);
    this.writeSandbox(s);
  }

  /** DELs what is recorded, unpins the namespace, removes the directory; the first error is thrown after all ran. */
  private async teardown(s: SandboxRecord): Promise<void> {
    let first: Error | undefined;
    for (const e of [...s.endpoints].reverse()) {
      await this.cni.del(e.conf, this.attachment(s, e), e.result).catch((err: Error) => {
        this.log.warn('CNI DEL failed', { id: s.containerId, network: e.network, error: err.message });
        first ??= err;
      });
    }
    if (fs.existsSync(s.netns)) {
      await this.cni.del(this.loopbackList(), { containerId: s.containerId, netns: s.netns, ifname: 'lo' }, undefined).catch(() => undefined);
      try {
        removeNetns(s.netns);
      } catch (err) {
        first ??= err as Error;
      }
    }
    fs.rmSync(this.sandboxDir(s.containerId), { recursive: true, force: true });
    if (first) throw first;
  }

  /** Rewrites every sandbox's hosts file in place (it is bind-mounted: the inode must stay). */
  private refreshHosts(): void {
    const all = this.sandboxes();
    const builtin = new Set(BUILTIN_NETWORKS);
    for (const s of all) {
      const mine = new Set(s.endpoints.filter((e) => !builtin.has(e.network)).map((e) => e.network));
      const peers: HostsPeer[] = [];
      for (const p of all) {
        if (p.containerId === s.containerId) continue;
        for (const e of p.endpoints) {
          if (!mine.has(e.network)) continue;
          const info = endpointInfo(p, e);
          if (info.ip) peers.push({ ip: info.ip, names: [p.name, ...e.aliases, p.hostname] });
        }
      }
      const text = renderHosts({ hostname: s.hostname, name: s.name, ips: s.endpoints.map((e) => endpointInfo(s, e).ip).filter(Boolean) }, peers);
      try {
        fs.writeFileSync(this.hostsPath(s.containerId), text, { mode: 0o644 });
      } catch (e) {
        this.log.warn('cannot write hosts file', { id: s.containerId, error: (e as Error).message });
      }
    }
  }
}

function readHostFile(p: string): string {
  try {
    return fs.readFileSync(p, 'utf8');
  } catch {
    return '';
  }
}
