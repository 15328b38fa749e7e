// Escapes through the config: sysctls written into the host's namespaces (6)
// or not namespaced at all, and device rules that allow what the config
// denies (8). Each is run against runc as well.
import fs from 'node:fs';
import { cleanupAll, type Config, hasRunc, makeBundle, runtime, uniqueId } from '../helpers';
import { expectHostUntouched, hostSnapshot, readSysctl } from './sec';

import { describeNeeds } from '@hull/testkit/jest';
import { missingRoot } from '@hull/testkit/host';

afterEach(cleanupAll);

const describeRoot = describeNeeds(missingRoot());
const RUNTIMES = (hasRunc ? ['hull', 'runc'] : ['hull']) as ('hull' | 'runc')[];

/** Joins the host's namespace of `type` by path (this test runs in the host's; pid 1 may be out of reach). */
function joinHost(c: Config, type: string, file: string): void {
  c.linux.namespaces = c.linux.namespaces.filter((n: { type: string }) => n.type !== type);
  c.linux.namespaces.push({ type, path: `/proc/${process.pid}/ns/${file}` });
}

describeRoot('sysctl', () => {
  test.each(RUNTIMES)('escape 6: a net.* sysctl with the host\'s network namespace joined by path is refused (%s)', (name) => {
    const rt = runtime(name);
    const key = 'net.ipv4.tcp_keepalive_probes';
    const was = readSysctl(key);
    const host = hostSnapshot();
    const b = makeBundle((c) => {
      joinHost(c, 'network', 'net');
      c.linux.sysctl = { [key]: String(Number(was) + 1) };
    }, ['true']);
    const r = rt.run(['run', '--bundle', b.dir, uniqueId('sec-netsysctl')]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/sysctl \\?"net\.ipv4\.tcp_keepalive_probes\\?" not allowed in host network namespace/);
    if (name === 'hull') expect(r.stderr).toMatch(/linux\.sysctl\[\\?"net\.ipv4\.tcp_keepalive_probes\\?"\]/);
    expect(readSysctl(key)).toBe(was);
    expectHostUntouched(host);
  }, 120_000);

  test('escape 6 (ipc): kernel.msgmax with the host\'s ipc namespace joined by path is refused (runc 1.1.5 writes it)', () => {
    const rt = runtime();
    const was = readSysctl('kernel.msgmax');
    const host = hostSnapshot();
    const b = makeBundle((c) => {
      joinHost(c, 'ipc', 'ipc');
      c.linux.sysctl = { 'kernel.msgmax': String(Number(was) + 1), 'fs.mqueue.msg_max': '11' };
    }, ['true']);
    const r = rt.run(['run', '--bundle', b.dir, uniqueId('sec-ipcsysctl')]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/linux\.sysctl\[\\?"kernel\.msgmax\\?"\]: sysctl \\?"kernel\.msgmax\\?" not allowed in host ipc namespace/);
    expect(readSysctl('kernel.msgmax')).toBe(was);
    expectHostUntouched(host);
  }, 120_000);

  test('escape 6 (uts): kernel.hostname with the host\'s uts namespace joined by path is refused', () => {
    const rt = runtime();
    const host = hostSnapshot();
    const b = makeBundle((c) => {
      joinHost(c, 'uts', 'uts');
      delete c.hostname;
      c.linux.sysctl = { 'kernel.hostname': 'pwned-by-container' };
    }, ['true']);
    const r = rt.run(['run', '--bundle', b.dir, uniqueId('sec-utssysctl')]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/not allowed in host uts namespace/);
    expectHostUntouched(host);
  }, 120_000);

  test('a net.* sysctl in the container\'s own network namespace still works', () => {
    const rt = runtime();
    const b = makeBundle((c) => (c.linux.sysctl = { 'net.ipv4.tcp_keepalive_probes': '7' }), ['cat', '/proc/sys/net/ipv4/tcp_keepalive_probes']);
    const r = rt.run(['run', '--bundle', b.dir, uniqueId('sec-ownsysctl')]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('7\n');
  }, 120_000);

  test.each(RUNTIMES.flatMap((rt) => ['vm.overcommit_memory', 'kernel.panic', 'kernel.core_pattern'].map((k) => [rt, k])))('a sysctl that is not namespaced is refused (%s, %s)', (name, key) => {
    const rt = runtime(name as 'hull' | 'runc');
    const host = hostSnapshot();
    const b = makeBundle((c) => (c.linux.sysctl = { [key]: key === 'kernel.core_pattern' ? '|/pwn' : '1' }), ['true']);
    const r = rt.run(['run', '--bundle', b.dir, uniqueId('sec-sysctl')]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain(key);
    expectHostUntouched(host);
  }, 120_000);
});

/** Reads a byte of `dev` in a container whose rules deny everything but whose linux.devices lists `dev`. */
function readDenied(name: 'hull' | 'runc', edit: (c: Config) => void, script: string): string {
  const rt = runtime(name);
  const b = makeBundle((c) => {
    c.linux.resources = { devices: [{ allow: false, access: 'rwm' }] };
    edit(c);
  }, ['sh', '-c', script]);
  const r = rt.run(['run', '--bundle', b.dir, uniqueId('sec-dev')]);
  return r.stdout + r.stderr;
}

describeRoot('device cgroup rules', () => {
  const kmsg = fs.existsSync('/dev/kmsg');
  test.each(RUNTIMES)('escape 8: /dev/kmsg listed in linux.devices stays denied by a deny-all rule (%s)', (name) => {
    if (!kmsg) return;
    const host = hostSnapshot();
    const out = readDenied(name, (c) => (c.linux.devices = [{ path: '/dev/kmsg', type: 'c', major: 1, minor: 11, fileMode: 0o644 }]),
      'if head -c 1 /dev/kmsg > /dev/null 2>&1; then echo readable; else head -c 1 /dev/kmsg 2>&1 > /dev/null; fi');
    expect(out).not.toMatch(/readable/);
    expect(out).toMatch(/Operation not permitted/);
    expectHostUntouched(host);
  }, 120_000);

  test.each(RUNTIMES)('escape 8: an explicit deny of /dev/null stands when linux.devices lists /dev/null (runc drops that default) (%s)', (name) => {
    const out = readDenied(name, (c) => {
      c.linux.resources.devices = [{ allow: true, type: 'c', major: 1, minor: 5, access: 'rwm' }, { allow: false, type: 'c', major: 1, minor: 3, access: 'rwm' }];
      c.linux.devices = [{ path: '/dev/null', type: 'c', major: 1, minor: 3, fileMode: 0o666 }];
    }, 'if echo x > /dev/null; then echo null-writable; else echo null-denied; fi; if head -c 1 /dev/zero | wc -c; then :; fi');
    // runc's own init cannot reopen /dev/null then, and says so; hull's process finds it denied.
    expect(out).toMatch(/null-denied|open \/dev\/null: operation not permitted/);
    expect(out).not.toMatch(/null-writable/);
    // The config's own allow of /dev/zero applies.
    if (name === 'hull') expect(out).toMatch(/^1$/m);
  }, 120_000);
});
