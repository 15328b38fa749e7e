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
  let mtls: TestRegistry;

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
    // A second registry that wants a client certificate signed by a CA of its own (distribution's tls.clientcas).
    sh('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('client-ca.key'), '-out', f('client-ca.crt'), '-days', '2', '-subj', '/CN=hull test client CA']);
    sh('openssl', ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('client.key'), '-out', f('client.csr'), '-subj', '/CN=hull client']);
    sh('openssl', ['x509', '-req', '-in', f('client.csr'), '-CA', f('client-ca.crt'), '-CAkey', f('client-ca.key'), '-CAcreateserial', '-out', f('client.cert'), '-days', '2']);
    mtls = await startRegistry({ tls: { cert: f('reg.crt'), key: f('reg.key'), clientCAs: [f('client-ca.crt')] }, netns: { name: ns, ip, port: 5001 } });
    // skopeo (docker's certs.d layout too) pushes the image there with the client certificate.
    const skopeoCerts = f('skopeo-certs');
    fs.mkdirSync(skopeoCerts);
    for (const x of ['client.cert', 'client.key']) fs.copyFileSync(f(x), path.join(skopeoCerts, x));
    sh('skopeo', ['copy', '--all', '--dest-tls-verify=false', '--dest-cert-dir', skopeoCerts, '--preserve-digests', `oci:${f('layout')}:latest`, `docker://${mtls.host}/mutual:latest`]);
  });
  afterAll(async () => {
    await reg?.stop();
    await mtls?.stop();
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

  it('presents the client certificate of certs.d/<host:port>/client.cert and client.key to a registry that asks for one', async () => {
    const certs = path.join(tmp, 'certs-mtls.d');
    const dir = path.join(certs, mtls.host);
    fs.mkdirSync(dir, { recursive: true });
    fs.copyFileSync(path.join(tmp, 'ca.crt'), path.join(dir, 'ca.crt'));
    // Without it the handshake is refused, and the error names the registry.
    const without = new Images({ root: path.join(tmp, 's4'), certsDir: certs });
    await expect(without.pull(`${mtls.host}/mutual`)).rejects.toThrow(new RegExp(`^${mtls.host.replace(/\./g, '\\.')}/mutual:latest: cannot reach registry ${mtls.host.replace(/\./g, '\\.')}: `));
    // A key without its certificate is refused before anything is sent (docker's rule).
    fs.copyFileSync(path.join(tmp, 'client.key'), path.join(dir, 'client.key'));
    const lone = new Images({ root: path.join(tmp, 's5'), certsDir: certs });
    await expect(lone.pull(`${mtls.host}/mutual`)).rejects.toThrow(`registry ${mtls.host}: missing client certificate client.cert for key ${path.join(dir, 'client.key')}`);
    fs.copyFileSync(path.join(tmp, 'client.cert'), path.join(dir, 'client.cert'));
    const images = new Images({ root: path.join(tmp, 's6'), certsDir: certs });
    expect((await images.pull(`${mtls.host}/mutual`)).layers).toHaveLength(3);
    // And the other way: a certificate without its key.
    fs.rmSync(path.join(dir, 'client.key'));
    await expect(new Images({ root: path.join(tmp, 's7'), certsDir: certs }).pull(`${mtls.host}/mutual`)).rejects.toThrow('missing key client.key for client certificate');
  });

  it('an insecure registry is tried over HTTPS without verification first', async () => {
    const images = new Images({ root: path.join(tmp, 's3'), insecureRegistries: [reg.host] });
    expect((await images.pull(`${reg.host}/secure`)).layers).toHaveLength(3);
  });
});

afterAll(() => closeRegistryConnections());
