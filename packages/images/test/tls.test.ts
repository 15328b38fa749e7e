// TLS as docker does it, against docker-registry serving HTTPS with a
// certificate from a CA this test makes. A secure registry needs a
// non-loopback address (127.0.0.0/8 is always insecure, as in docker): the
// registry runs in a network namespace the test creates, reached over a veth
// pair; no traffic leaves the machine.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { closeRegistryConnections, Images } from '../src';
import { buildLayout, pushLayout, registryPrerequisites, startRegistry, type TestRegistry } from './registry';
import { describeNeeds } from '@hull/testkit/jest';

function netnsProbe(): string | undefined {
  if (spawnSync('ip', ['-V']).status !== 0) return 'iproute2 (ip) is not installed';
  if (spawnSync('openssl', ['version']).status !== 0) return 'openssl is not installed';
  const name = `hullprobe${process.pid}`;
  const r = spawnSync('ip', ['netns', 'add', name], { encoding: 'utf8' });
  if (r.status !== 0) return `cannot create a network namespace: ${r.stderr.trim()}`;
  spawnSync('ip', ['netns', 'del', name]);
  return undefined;
}

const d = describeNeeds(registryPrerequisites() ?? netnsProbe());

const sh = (cmd: string, args: string[]) => execFileSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });

d('registries over TLS', () => {
  const n = process.pid % 250;
  const ns = `hullimg${process.pid}`;
  const hostIf = `vhi${process.pid}`.slice(0, 15);
  const ip = `10.213.${n}.2`;
  let tmp: string;
  let reg: TestRegistry;

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hull-tls-'));
    // A CA, and the registry's certificate for its IP signed by it.
    const f = (x: string) => path.join(tmp, x);
    sh('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('ca.key'), '-out', f('ca.crt'), '-days', '2', '-subj', '/CN=hull test CA']);
    sh('openssl', ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('reg.key'), '-out', f('reg.csr'), '-subj', `/CN=${ip}`]);
    fs.writeFileSync(f('ext.cnf'), `subjectAltName=IP:${ip}\n`);
    sh('openssl', ['x509', '-req', '-in', f('reg.csr'), '-CA', f('ca.crt'), '-CAkey', f('ca.key'), '-CAcreateserial', '-out', f('reg.crt'), '-days', '2', '-extfile', f('ext.cnf')]);
    sh('ip', ['netns', 'add', ns]);
    sh('ip', ['link', 'add', hostIf, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns]);
    sh('ip', ['addr', 'add', `10.213.${n}.1/30`, 'dev', hostIf]);
    sh('ip', ['link', 'set', hostIf, 'up']);
    sh('ip', ['-n', ns, 'addr', 'add', `${ip}/30`, 'dev', 'eth0']);
    sh('ip', ['-n', ns, 'link', 'set', 'eth0', 'up']);
    sh('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    reg = await startRegistry({ tls: { cert: f('reg.crt'), key: f('reg.key') }, netns: { name: ns, ip } });
    await pushLayout(buildLayout(f('layout')).dir, 'latest', `${reg.host}/secure:latest`);
  });
  afterAll(async () => {
    await reg?.stop();
    spawnSync('ip', ['netns', 'del', ns]);
    spawnSync('ip', ['link', 'del', hostIf]);
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('refuses a registry whose certificate no known CA signed, naming it', async () => {
    const images = new Images({ root: path.join(tmp, 's1'), certsDir: path.join(tmp, 'no-certs') });
    await expect(images.pull(`${reg.host}/secure`)).rejects.toThrow(new RegExp(`^${reg.host.replace(/\./g, '\\.')}/secure:latest: cannot reach registry ${reg.host.replace(/\./g, '\\.')}: .*certificate`));
  });

  it('pulls over verified TLS with the CA in certs.d/<host:port>/ca.crt', async () => {
    const certs = path.join(tmp, 'certs.d');
    fs.mkdirSync(path.join(certs, reg.host), { recursive: true });
    fs.copyFileSync(path.join(tmp, 'ca.crt'), path.join(certs, reg.host, 'ca.crt'));
    const images = new Images({ root: path.join(tmp, 's2'), certsDir: certs });
    expect((await images.pull(`${reg.host}/secure`)).layers).toHaveLength(3);
  });

  it('an insecure registry is tried over HTTPS without verification first', async () => {
    const images = new Images({ root: path.join(tmp, 's3'), insecureRegistries: [reg.host] });
    expect((await images.pull(`${reg.host}/secure`)).layers).toHaveLength(3);
  });
});

afterAll(() => closeRegistryConnections());
