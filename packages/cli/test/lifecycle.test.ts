// hullctl end to end against a real hull-shim: run, ps, exec, logs, stop,
// rm and the rest, with the container's view checked from inside it.
import fs from 'node:fs';
import path from 'node:path';
import { itNeeds } from '@hull/testkit/jest';
import { ROOTFS, bundles, prerequisites, runtimes, startEnv, uniqueName, type Env } from './helpers';

jest.setTimeout(120_000);
const missing = prerequisites();

describe.each(runtimes())('hullctl over hull-shim --runtime $name', (rt) => {
  const skip = missing ?? rt.skip;
  const it_ = itNeeds(skip);

  let env: Env;
  beforeAll(async () => {
    if (!skip) env = await startEnv(rt);
  });
  afterAll(async () => {
    await env?.stop();
  });

  const run = (args: string[], input?: string) => env.hullctl(['run', ...args], { input });

  it_('run attaches stdout and stderr separately and exits with the container status', async () => {
    const r = await run(['--rm', '--rootfs', ROOTFS, 'sh', '-c', 'echo out; echo err >&2; exit 3']);
    expect(r).toMatchObject({ code: 3, stdout: 'out\n', stderr: 'err\n' });
  });

  it_('run -d, ps, logs, exec, stop, ps -a, rm: the docker sequence', async () => {
    const name = uniqueName('seq');
    const d = await run(['-d', '--name', name, '--rootfs', ROOTFS, 'sh', '-c', 'echo ready; trap "exit 0" TERM; while true; do sleep 0.1; done']);
    expect(d.code).toBe(0);
    const id = d.stdout.trim();
    expect(id).toMatch(/^[0-9a-f]{64}$/);

    const ps = await env.hullctl(['ps']);
    const lines = ps.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^CONTAINER ID\s{3}COMMAND\s+CREATED\s+STATUS\s+PORTS\s+NAMES$/);
    const row = lines.find((l) => l.startsWith(id.slice(0, 12)))!;
    expect(row).toContain(`Up `);
    expect(row).toContain('"sh -c echo ready; t…"');
    expect(row.endsWith(name)).toBe(true);

    // The first line may not be written the very moment run returns.
    let logs = await env.hullctl(['logs', name]);
    for (let i = 0; i < 100 && logs.stdout === ''; i++) logs = await env.hullctl(['logs', name]);
    expect(logs).toMatchObject({ code: 0, stdout: 'ready\n' });

    const ex = await env.hullctl(['exec', name, 'sh', '-c', 'echo $(hostname); exit 5']);
    expect(ex).toMatchObject({ code: 5, stdout: `${id.slice(0, 12)}\n` });
    // By id prefix too.
    expect(await env.hullctl(['exec', id.slice(0, 8), 'true'])).toMatchObject({ code: 0, stderr: '' });

    expect(await env.hullctl(['stop', name])).toMatchObject({ code: 0, stdout: `${name}\n` });
    const psa = await env.hullctl(['ps', '-a']);
    expect(psa.stdout).toMatch(new RegExp(`Exited \\(0\\) .* ago\\s+${name}`));
    expect((await env.hullctl(['ps', '-q'])).stdout).not.toContain(id.slice(0, 12));

    expect(await env.hullctl(['rm', name])).toMatchObject({ code: 0, stdout: `${name}\n` });
    expect((await env.hullctl(['ps', '-a'])).stdout).not.toContain(name);
    expect(bundles(env.stateDir)).not.toContain(id);
    expect(await env.hullctl(['rm', name])).toMatchObject({ code: 1, stderr: `Error: No such container: ${name}\n` });
  });

  it_('version and info answer from the supervisor', async () => {
    const v = await env.hullctl(['version']);
    expect(v.code).toBe(0);
    expect(v.stdout).toMatch(/^Client:\n Version: +\d+\.\d+\.\d+\n/);
    expect(v.stdout).toContain(`Pid:         ${env.shim!.pid}\n`);
    const name = uniqueName('info');
    expect((await run(['-d', '--name', name, '--rootfs', ROOTFS, 'sleep', '60'])).code).toBe(0);
    const info = await env.hullctl(['info']);
    expect(info.stdout).toMatch(/ Containers: +\d+\n  Running: +[1-9]\d*\n/);
    expect(info.stdout).toContain(` Runtimes:        ${rt.binary}`);
    expect((await env.hullctl(['rm', '-f', name])).code).toBe(0);
  });

  it_('--rm removes the container and frees its name', async () => {
    const name = uniqueName('rm');
    expect((await run(['--rm', '--name', name, '--rootfs', ROOTFS, 'true'])).code).toBe(0);
    expect((await env.hullctl(['ps', '-a'])).stdout).not.toContain(name);
    expect((await run(['--rm', '--name', name, '--rootfs', ROOTFS, 'sh', '-c', 'exit 9'])).code).toBe(9);
    expect((await env.hullctl(['ps', '-a'])).stdout).not.toContain(name);
    // Detached: nobody waits on it, so the next listing removes it once it exited.
    const d = await run(['-d', '--rm', '--name', name, '--rootfs', ROOTFS, 'true']);
    expect(d.code).toBe(0);
    expect((await env.hullctl(['wait', name])).stdout).toBe('0\n');
    expect((await env.hullctl(['ps', '-a'])).stdout).not.toContain(name);
    expect(bundles(env.stateDir)).not.toContain(d.stdout.trim());
  });

  it_('signals sent to an attached run reach the container (docker\'s --sig-proxy)', async () => {
    const name = uniqueName('sig');
    const attached = env.spawnHullctl(['run', '--rm', '--name', name, '--rootfs', ROOTFS, 'sh', '-c', 'trap "echo got INT; exit 42" INT; echo ready; while true; do sleep 0.1; done']);
    for (let i = 0; i < 500 && !attached.stdout().includes('ready'); i++) await new Promise((r) => setTimeout(r, 20));
    expect(attached.stdout()).toBe('ready\n');
    expect(await attached.interrupt()).toBe(42);
    expect(attached.stdout()).toBe('ready\ngot INT\n');
  });

  it_('capabilities: docker\'s default set, --cap-drop ALL, --cap-add, --privileged', async () => {
    const capEff = async (...flags: string[]) => {
      const r = await run(['--rm', ...flags, '--rootfs', ROOTFS, 'sh', '-c', 'grep CapEff /proc/self/status | cut -f2']);
      expect(r.code).toBe(0);
      return r.stdout.trim();
    };
    expect(await capEff()).toBe('00000000a80425fb');
    expect(await capEff('--cap-drop', 'ALL')).toBe('0000000000000000');
    expect(await capEff('--cap-drop', 'ALL', '--cap-add', 'NET_ADMIN')).toBe('0000000000001000');
    const hostBnd = /^CapBnd:\s*(\w+)$/m.exec(fs.readFileSync('/proc/self/status', 'utf8'))![1];
    expect(await capEff('--privileged')).toBe(hostBnd);
  });

  it_('/etc/hostname, /etc/hosts and /etc/resolv.conf are the container\'s where the rootfs has them, and the rootfs is left as it was', async () => {
    const rootfs = path.join(env.dir, 'rootfs-etc');
    fs.cpSync(ROOTFS, rootfs, { recursive: true, verbatimSymlinks: true });
    for (const f of ['hostname', 'hosts', 'resolv.conf']) fs.writeFileSync(path.join(rootfs, 'etc', f), `image ${f}\n`);
    const r = await run(['--rm', '--hostname', 'web1', '--rootfs', rootfs, 'sh', '-c', 'cat /etc/hostname; grep web1 /etc/hosts; cat /etc/resolv.conf']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`web1\n127.0.1.1\tweb1\n${fs.existsSync('/etc/resolv.conf') ? fs.readFileSync('/etc/resolv.conf', 'utf8') : ''}`);
    for (const f of ['hostname', 'hosts', 'resolv.conf']) expect(fs.readFileSync(path.join(rootfs, 'etc', f), 'utf8')).toBe(`image ${f}\n`);
    // Without them in the rootfs, nothing is added.
    expect((await run(['--rm', '--rootfs', ROOTFS, 'sh', '-c', 'ls /etc/hosts 2>&1 || true'])).stdout).toMatch(/No such file/);
  });

  it_('--network none has only lo; --network host sees the host\'s interfaces', async () => {
    const ifaces = (text: string) => text.split('\n').slice(2).map((l) => l.split(':')[0]!.trim()).filter(Boolean).sort();
    const none = await run(['--rm', '--rootfs', ROOTFS, 'cat', '/proc/net/dev']);
    expect(ifaces(none.stdout)).toEqual(['lo']);
    const host = await run(['--rm', '--network', 'host', '--rootfs', ROOTFS, 'cat', '/proc/net/dev']);
    expect(ifaces(host.stdout)).toEqual(ifaces(fs.readFileSync('/proc/net/dev', 'utf8')));
  });

  it_('exit codes: 127 for a command not found, 126 for one that cannot run, nothing left behind', async () => {
    const before = bundles(env.stateDir).length;
    const nf = await run(['--name', uniqueName('nf'), '--rootfs', ROOTFS, 'no-such-command']);
    expect(nf.code).toBe(127);
    expect(nf.stderr).toMatch(/^Error: .*no-such-command/);
    const na = await run(['--rootfs', ROOTFS, '/etc']);
    expect(na.code).toBe(126);
    expect(bundles(env.stateDir).length).toBe(before);
    // A signal's death is 128 + its number.
    const killed = await run(['--rm', '--rootfs', ROOTFS, 'sh', '-c', 'sleep 30 & kill -9 $!; wait $!']);
    expect(killed.code).toBe(137);
  });

  it_('-e, --env-file, -w, -u, -v, --tmpfs, --hostname and --read-only are what the container sees', async () => {
    const vol = fs.mkdtempSync(path.join(env.dir, 'vol-'));
    fs.chmodSync(vol, 0o777); // the container's user 1000 writes there
    fs.writeFileSync(path.join(vol, 'in.txt'), 'from host\n', { mode: 0o644 });
    const envFile = path.join(env.dir, 'env.list');
    fs.writeFileSync(envFile, '# comment\nFROM_FILE=file value\n\nSHARED=file\n');
    const script = [
      'echo "A=$A FROM_FILE=$FROM_FILE SHARED=$SHARED HOST_ONLY=$HOST_ONLY"',
      'pwd',
      'echo "$(id -u):$(id -g)"',
      'cat /data/in.txt',
      'echo written > /data/out.txt',
      'hostname',
      'grep " /scratch " /proc/mounts | cut -d" " -f3',
      'touch /rootfs-write 2>/dev/null && echo rw || echo ro',
    ].join('; ');
    const r = await env.hullctl(
      ['run', '--rm', '-e', 'A=1', '-e', 'SHARED=flag', '-e', 'HOST_ONLY', '--env-file', envFile, '-w', '/tmp', '-u', '1000:1000',
        '-v', `${vol}:/data`, '--tmpfs', '/scratch', '--hostname', 'box1', '--read-only', '--rootfs', ROOTFS, 'sh', '-c', script],
      { env: { HOST_ONLY: 'from-env' } },
    );
    expect(r.stderr).toBe('');
    expect(r.stdout.split('\n')).toEqual([
      'A=1 FROM_FILE=file value SHARED=flag HOST_ONLY=from-env',
      '/tmp',
      '1000:1000',
      'from host',
      'box1',
      'tmpfs',
      'ro',
      '',
    ]);
    expect(fs.readFileSync(path.join(vol, 'out.txt'), 'utf8')).toBe('written\n');
    const ro = await run(['--rm', '-v', `${vol}:/data:ro`, '--rootfs', ROOTFS, 'sh', '-c', 'echo x > /data/x 2>/dev/null || echo denied']);
    expect(ro.stdout).toBe('denied\n');
  });

  it_('--memory, --cpus, --cpu-shares and --pids-limit are set in the container\'s cgroup, and update changes them', async () => {
    const v2 = fs.existsSync('/sys/fs/cgroup/cgroup.controllers');
    const files = v2
      ? ['/sys/fs/cgroup/memory.max', '/sys/fs/cgroup/cpu.max', '/sys/fs/cgroup/pids.max']
      : ['/sys/fs/cgroup/memory/memory.limit_in_bytes', '/sys/fs/cgroup/cpu/cpu.cfs_quota_us', '/sys/fs/cgroup/pids/pids.max', '/sys/fs/cgroup/cpu/cpu.shares'];
    const name = uniqueName('lim');
    const d = await run(['-d', '--name', name, '--memory', '64m', '--cpus', '0.5', '--cpu-shares', '512', '--pids-limit', '20', '--rootfs', ROOTFS, 'sleep', '60']);
    expect(d.code).toBe(0);
    const r = await env.hullctl(['exec', name, 'cat', ...files]);
    expect(r.code).toBe(0);
    const [mem, cpu, pids] = r.stdout.trim().split('\n');
    expect(mem).toBe(String(64 * 1024 * 1024));
    expect(cpu).toBe(v2 ? '50000 100000' : '50000');
    expect(pids).toBe('20');
    if (!v2) expect(r.stdout.trim().split('\n')[3]).toBe('512');

    expect((await env.hullctl(['update', '--memory', '128m', '--pids-limit', '30', name])).code).toBe(0);
    const u = await env.hullctl(['exec', name, 'cat', files[0]!, files[2]!]);
    expect(u.stdout.trim().split('\n')).toEqual([String(128 * 1024 * 1024), '30']);

    const inspect = JSON.parse((await env.hullctl(['inspect', name])).stdout);
    expect(inspect[0]).toMatchObject({ Name: `/${name}`, State: { Status: 'running', Running: true }, HostConfig: { Memory: 128 * 1024 * 1024, NanoCpus: 5e8, CpuShares: 512 } });

    const stats = await env.hullctl(['stats', '--no-stream', name]);
    expect(stats.code).toBe(0);
    const [head, row] = stats.stdout.trimEnd().split('\n');
    expect(head).toMatch(/^CONTAINER ID\s+NAME\s+CPU %\s+MEM USAGE \/ LIMIT\s+MEM %\s+PIDS$/);
    expect(row).toMatch(new RegExp(`^${d.stdout.slice(0, 12)}\\s+${name}\\s+\\d+\\.\\d\\d%\\s+[\\d.]+[KMG]?i?B / 128MiB\\s+\\d+\\.\\d\\d%\\s+1$`));
    expect((await env.hullctl(['rm', '-f', name])).code).toBe(0);
  });

  it_('names are unique: a second container cannot take a name in use, and nothing is left of it', async () => {
    const name = uniqueName('dup');
    expect((await env.hullctl(['create', '--name', name, '--rootfs', ROOTFS, 'true'])).code).toBe(0);
    const before = bundles(env.stateDir).length;
    const dup = await run(['--name', name, '--rootfs', ROOTFS, 'true']);
    expect(dup.code).toBe(125);
    expect(dup.stderr).toMatch(new RegExp(`^Error: Conflict. The container name "${name}" is already in use by container "[0-9a-f]{64}"`));
    expect(bundles(env.stateDir).length).toBe(before);
    expect((await env.hullctl(['rm', name])).code).toBe(0);
  });

  it_('create then start -a; start again after it exited; restart; wait', async () => {
    const name = uniqueName('cs');
    const c = await env.hullctl(['create', '--name', name, '--rootfs', ROOTFS, 'sh', '-c', 'echo run; exit 4']);
    expect(c.code).toBe(0);
    expect((await env.hullctl(['ps', '-a'])).stdout).toMatch(new RegExp(`Created\\s+${name}`));
    expect(await env.hullctl(['start', '-a', name])).toMatchObject({ code: 4, stdout: 'run\n' });
    expect(await env.hullctl(['start', name])).toMatchObject({ code: 0, stdout: `${name}\n` });
    expect(await env.hullctl(['wait', name])).toMatchObject({ code: 0, stdout: '4\n' });
    expect((await env.hullctl(['logs', name])).stdout).toBe('run\nrun\n');
    expect((await env.hullctl(['logs', '--tail', '1', name])).stdout).toBe('run\n');
    expect((await env.hullctl(['restart', name])).code).toBe(0);
    expect(await env.hullctl(['wait', name])).toMatchObject({ stdout: '4\n' });
    expect((await env.hullctl(['rm', name])).code).toBe(0);
  });

  it_('pause, unpause, kill -s, top, logs -f', async () => {
    const name = uniqueName('pk');
    const d = await run(['-d', '--name', name, '--rootfs', ROOTFS, 'sh', '-c', 'trap "echo got USR1; exit 7" USR1; echo up; while true; do sleep 0.1; done']);
    expect(d.code).toBe(0);
    const top = await env.hullctl(['top', name]);
    expect(top.stdout.split('\n')[0]).toMatch(/^UID\s+PID\s+PPID\s+C\s+STIME\s+TTY\s+TIME\s+CMD$/);
    expect(top.stdout).toContain('sh -c trap');
    expect((await env.hullctl(['pause', name])).code).toBe(0);
    expect((await env.hullctl(['ps'])).stdout).toMatch(new RegExp(`Up .* \\(Paused\\)\\s+${name}`));
    expect((await env.hullctl(['unpause', name])).code).toBe(0);
    const follow = env.hullctl(['logs', '-f', name]);
    expect((await env.hullctl(['kill', '-s', 'USR1', name])).code).toBe(0);
    expect(await follow).toMatchObject({ code: 0, stdout: 'up\ngot USR1\n' });
    expect((await env.hullctl(['wait', name])).stdout).toBe('7\n');
    expect(await env.hullctl(['kill', name])).toMatchObject({ code: 1 });
    expect((await env.hullctl(['rm', name])).code).toBe(0);
  });

  it_('-i passes stdin through and closes it at its end', async () => {
    const r = await run(['-i', '--rm', '--rootfs', ROOTFS, 'sh', '-c', 'cat; echo done'], 'line one\nline two\n');
    expect(r).toMatchObject({ code: 0, stdout: 'line one\nline two\ndone\n' });
    const name = uniqueName('ei');
    expect((await run(['-d', '--name', name, '--rootfs', ROOTFS, 'sleep', '60'])).code).toBe(0);
    const e = await env.hullctl(['exec', '-i', name, 'wc', '-l'], { input: 'a\nb\nc\n' });
    expect(e).toMatchObject({ code: 0, stdout: '3\n' });
    expect((await env.hullctl(['rm', '-f', name])).code).toBe(0);
  });

  it_('events streams the supervisor\'s events as docker names them', async () => {
    const name = uniqueName('ev');
    const events = env.spawnHullctl(['events', '--filter', 'event=start', '--filter', 'event=die', '--format', 'json']);
    try {
      // Subscribing takes a moment: run containers until one's events show.
      let i = 0;
      for (; i < 50 && !events.stdout().includes(`"name":"${name}-`); i++) {
        expect((await run(['--rm', '--name', `${name}-${i}`, '--rootfs', ROOTFS, 'sh', '-c', 'exit 2'])).code).toBe(2);
      }
      const last = `${name}-${i - 1}`;
      for (let j = 0; j < 100 && !events.stdout().includes(`"name":"${last}"},"time"`) ; j++) await new Promise((r) => setTimeout(r, 20));
      const mine = events.stdout().split('\n').filter((l) => l.includes(`"name":"${last}"`)).map((l) => JSON.parse(l));
      expect(mine.map((e) => e.Action)).toEqual(['start', 'die']);
      expect(mine[1].Actor.Attributes).toEqual({ name: last, exitCode: '2' });
    } finally {
      expect(await events.interrupt()).toBe(0);
    }
  });
});
