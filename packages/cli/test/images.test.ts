// hullctl's image verbs end to end: a real docker-registry on 127.0.0.1, a
// real hull-shim driving hull, images built from busybox and put there with
// skopeo.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { buildLayout, pushLayout, registryPrerequisites, startRegistry, type Layout, type TestRegistry } from '../../images/test/registry';
import { cleanEnv, runtimes, startEnv, uniqueName, type Env } from './helpers';
import { describeNeeds } from '@hull/testkit/jest';

const hull = runtimes().find((r) => r.name === 'hull')!;
const d = describeNeeds(registryPrerequisites() ?? hull.skip);

d('hullctl images against docker-registry', () => {
  let reg: TestRegistry;
  let authReg: TestRegistry;
  let env: Env;
  let layout: Layout;
  let img: string;
  const creds = { user: 'hull', password: 'pa55' };

  beforeAll(async () => {
    reg = await startRegistry();
    authReg = await startRegistry({ htpasswd: creds });
    env = await startEnv(hull);
    layout = buildLayout(path.join(env.dir, 'layout'));
    await pushLayout(layout.dir, 'latest', `${reg.host}/busybox:latest`);
    await pushLayout(layout.dir, 'latest', `${authReg.host}/private:latest`, creds);
    img = `${reg.host}/busybox`;
  });
  afterAll(async () => {
    await env?.stop();
    await reg?.stop();
    await authReg?.stop();
  });

  const ok = async (args: string[], input?: string) => {
    const r = await env.hullctl(args, { input, env: { HULL_CONFIG: path.join(env.dir, 'config') } });
    if (r.code !== 0) throw new Error(`hullctl ${args.join(' ')}: exit ${r.code}: ${r.stderr}`);
    return r.stdout;
  };
  const fails = (args: string[]) => env.hullctl(args, { env: { HULL_CONFIG: path.join(env.dir, 'config') } });

  it('pull, then run --rm IMAGE echo hi; docker-shaped output without a terminal', async () => {
    const out = await ok(['pull', img]);
    const lines = out.trim().split('\n');
    expect(lines[0]).toBe('Using default tag: latest');
    expect(lines[1]).toBe('latest: Pulling from busybox');
    expect(lines.filter((l) => /^[0-9a-f]{12}: Pull complete$/.test(l))).toHaveLength(3);
    expect(lines).toContain(`Digest: ${layout.digest}`);
    expect(lines).toContain(`Status: Downloaded newer image for ${img}:latest`);
    expect(lines[lines.length - 1]).toBe(`${img}:latest`);
    expect(out).not.toContain('\x1b[');
    expect(await ok(['run', '--rm', img, 'echo', 'hi'])).toBe('hi\n');
    expect(await ok(['container', 'ls', '-aq'])).toBe('');
    // The snapshot went with the container.
    expect(fs.readdirSync(path.join(env.stateDir, 'images/snapshots/containers'))).toEqual([]);
  });

  it("honours the image config: Cmd, Env, WorkingDir, StopSignal, Labels; the union with whiteouts", async () => {
    const name = uniqueName('cfg');
    expect(await ok(['run', '--name', name, img, 'sh', '-c', 'echo $GREETING; pwd; ls /data; ls /opaque; cat /hello.txt'])).toBe('from-image\n/data\nkept\nc\nhello from layer 2\n');
    const inspect = JSON.parse(await ok(['inspect', name]))[0];
    expect(inspect.Config.Labels).toMatchObject({ platform: 'linux/amd64', 'io.hull.image': img, 'io.containerd.image.config.stop-signal': 'SIGQUIT' });
    expect(inspect.Config.Labels['io.hull.image.exposed-ports']).toBe('["8080/tcp"]');
    await ok(['rm', name]);
    // With no command: the image's Cmd (sh), reading stdin.
    expect(await ok(['run', '--rm', '-i', img], 'echo from-cmd\n')).toBe('from-cmd\n');
    expect(await ok(['run', '--rm', '--entrypoint', 'echo', img, 'entry'])).toBe('entry\n');
    expect(await ok(['run', '--rm', '-w', '/', '-e', 'GREETING=flag', img, 'sh', '-c', 'echo $GREETING $(pwd)'])).toBe('flag /\n');
  });

  it('images, -q, --digests, --format, tag, image inspect, history, rmi', async () => {
    const id = JSON.parse(await ok(['image', 'inspect', img]))[0].Id as string;
    expect(id).toMatch(/^sha256:[0-9a-f]{64}$/);
    await ok(['tag', img, 'mine:v1']);
    const table = (await ok(['images'])).split('\n');
    expect(table[0]).toMatch(/^REPOSITORY\s+TAG\s+IMAGE ID\s+CREATED\s+SIZE$/);
    expect(table.some((l) => new RegExp(`^${img}\\s+latest\\s+${id.slice(7, 19)}\\s`).test(l))).toBe(true);
    expect(table.some((l) => new RegExp(`^mine\\s+v1\\s+${id.slice(7, 19)}\\s`).test(l))).toBe(true);
    expect(await ok(['images', '-q'])).toBe(`${id.slice(7, 19)}\n`);
    expect(await ok(['images', '--digests'])).toContain(layout.digest);
    expect(await ok(['images', '--format', '{{.Repository}}:{{.Tag}}'])).toBe(`${img}:latest\nmine:v1\n`);
    expect(await ok(['image', 'inspect', '--format', '{{.Config.WorkingDir}} {{.Os}}', 'mine:v1'])).toBe('/data linux\n');
    const hist = (await ok(['history', 'mine:v1'])).split('\n');
    expect(hist[0]).toMatch(/^IMAGE\s+CREATED\s+CREATED BY\s+SIZE\s+COMMENT$/);
    expect(hist[1]).toMatch(new RegExp(`^${id.slice(7, 19)}\\s.*CMD \\["sh"\\]\\s+0B`));
    expect(hist[4]).toMatch(/^<missing>\s.*ADD rootfs \//);
    expect((await ok(['history', '-H=false', 'mine:v1'])).split('\n')[1]).toMatch(/\s2026-12-01T00:00:03Z\s+CMD \["sh"\]\s+0$/);
    expect(await ok(['rmi', 'mine:v1'])).toBe('Untagged: mine:v1\n');
    const missing = await fails(['rmi', 'mine:v1']);
    expect(missing).toMatchObject({ code: 1, stderr: 'Error: No such image: mine:v1\n' });
    // inspect finds images too.
    expect(JSON.parse(await ok(['inspect', img]))[0].Id).toBe(id);
    const noImage = await fails(['image', 'inspect', 'nope:1']);
    expect(noImage).toMatchObject({ code: 1, stderr: 'Error: No such image: nope:1\n', stdout: '[]\n' });
  });

  it('commit → push → rmi → pull → run round-trips a change; diff shows it', async () => {
    const name = uniqueName('commit');
    await ok(['run', '--name', name, img, 'sh', '-c', 'echo changed > /data/kept; echo new > /new.txt; rm /hello.txt']);
    expect(await ok(['diff', name])).toBe('C /data\nC /data/kept\nD /hello.txt\nA /new.txt\n');
    const target = `${reg.host}/committed:v1`;
    const id = (await ok(['commit', '-m', 'my change', '-c', 'CMD ["cat", "/new.txt"]', name, target])).trim();
    expect(id).toMatch(/^sha256:[0-9a-f]{64}$/);
    await ok(['rm', name]);
    const pushed = await ok(['push', target]);
    expect(pushed.split('\n')[0]).toBe(`The push refers to repository [${reg.host}/committed]`);
    expect(pushed).toMatch(/: Pushed\n/);
    expect(pushed).toMatch(/v1: digest: sha256:[0-9a-f]{64} size: \d+\n/);
    expect(await ok(['rmi', target])).toContain(`Deleted: ${id}`);
    expect(await ok(['run', '--rm', target])).toBe('new\n');
    expect(await ok(['run', '--rm', target, 'sh', '-c', 'cat /data/kept; ls /hello.txt 2>&1 || true'])).toMatch(/^changed\nls: \/hello.txt: No such file or directory\n$/);
    expect(JSON.parse(await ok(['image', 'inspect', target]))[0].Id).toBe(id);
  });

  it('pull -a pulls every tag; commit pauses a running container and resumes it', async () => {
    const repo = `${reg.host}/tagged`;
    await pushLayout(layout.dir, 'latest', `${repo}:one`);
    await pushLayout(layout.dir, 'latest', `${repo}:two`);
    expect((await ok(['pull', '-a', '-q', repo])).trim()).toBe(repo);
    expect(await ok(['images', '--format', '{{.Tag}}', repo])).toBe('one\ntwo\n');
    const name = uniqueName('live');
    await ok(['run', '-d', '--name', name, `${repo}:one`, 'sh', '-c', 'echo x > /live.txt; sleep 300']);
    for (let i = 0; i < 100 && !(await ok(['diff', name])).includes('/live.txt'); i++) await new Promise((r) => setTimeout(r, 100));
    const id = (await ok(['commit', name, `${repo}:live`])).trim();
    expect(id).toMatch(/^sha256:/);
    expect(await ok(['ps', '--format', 'json'])).toContain('"State":"running"');
    expect(await ok(['run', '--rm', `${repo}:live`, 'cat', '/live.txt'])).toBe('x\n');
    await ok(['rm', '-f', name]);
    await ok(['rmi', `${repo}:one`, `${repo}:two`, `${repo}:live`]);
  });

  it('refuses to remove an image a container uses; -f untags', async () => {
    const name = uniqueName('inuse');
    await ok(['create', '--name', name, img, 'true']);
    const r = await fails(['rmi', img]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^Error: conflict: unable to remove repository reference "${img}" \\(must force\\) - container [0-9a-f]{12} is using its referenced image [0-9a-f]{12}\\n$`));
    // -f untags; the image stays for the container that uses it.
    const forced = await ok(['rmi', '-f', img]);
    expect(forced).toContain(`Untagged: ${img}:latest\n`);
    expect(forced).not.toContain('Deleted:');
    expect(await ok(['images', '--format', '{{.Repository}}:{{.Tag}}', '--filter', 'dangling=true'])).toBe('<none>:<none>\n');
    await ok(['rm', name]);
    await ok(['pull', '-q', img]);
  });

  it('--pull never and a missing image; errors naming the reference; nothing left behind', async () => {
    const r = await fails(['run', '--rm', '--pull', 'never', `${reg.host}/absent`, 'true']);
    expect(r).toMatchObject({ code: 125, stderr: `Error: No such image: ${reg.host}/absent\n` });
    const p = await fails(['run', '--rm', `${reg.host}/absent:v9`, 'true']);
    expect(p.code).toBe(125);
    expect(p.stderr).toBe(`Unable to find image '${reg.host}/absent:v9' locally\nError: manifest for ${reg.host}/absent:v9 not found: manifest unknown\n`);
    expect(await ok(['ps', '-aq'])).toBe('');
    expect(fs.readdirSync(path.join(env.stateDir, 'bundles'))).toEqual([]);
    expect(fs.readdirSync(path.join(env.stateDir, 'images/snapshots/containers'))).toEqual([]);
  });

  it('login/logout keep docker-shaped credentials (0600) that pull uses', async () => {
    const priv = `${authReg.host}/private`;
    const denied = await fails(['pull', priv]);
    expect(denied.code).toBe(1);
    expect(denied.stderr).toContain(`pull access denied for ${priv}:latest`);
    const bad = await fails(['login', '-u', 'hull', '--password-stdin', authReg.host]);
    expect(bad.code).not.toBe(0);
    const r = await env.hullctl(['login', '-u', 'hull', '--password-stdin', authReg.host], { input: 'pa55\n', env: { HULL_CONFIG: path.join(env.dir, 'config') } });
    expect(r).toMatchObject({ code: 0, stdout: 'Login Succeeded\n' });
    const file = path.join(env.dir, 'config/config.json');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual({ auths: { [authReg.host]: { auth: Buffer.from('hull:pa55').toString('base64') } } });
    expect(await ok(['pull', '-q', priv])).toBe(`${priv}:latest\n`);
    expect(await ok(['logout', authReg.host])).toBe(`Removing login credentials for ${authReg.host}\n`);
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual({ auths: {} });
    await ok(['rmi', priv]);
  });

  it('pull on a terminal: one line per layer, rewritten in place with a progress bar', async () => {
    const ref = `${reg.host}/tty`;
    await pushLayout(layout.dir, 'latest', `${ref}:latest`);
    // script(1) gives hullctl a pseudo-terminal.
    const hullctl = path.join(__dirname, '../bin/hullctl');
    const r = spawnSync('script', ['-qefc', `${process.execPath} ${hullctl} pull ${ref}`, '/dev/null'], {
      encoding: 'utf8', env: cleanEnv({ HULL_ADDRESS: env.address, HULL_STATE_DIR: env.stateDir }),
    });
    expect(r.status).toBe(0);
    // Layers already there (same layers as busybox) print once; the bars come with fresh ones.
    expect(r.stdout).toMatch(/[0-9a-f]{12}: (Already exists|Pull complete)/);
    expect(r.stdout).toContain(`Status: `);
    await ok(['rmi', ref]);
    await ok(['rmi', img]).catch(() => undefined);
    await ok(['image', 'prune', '-f', '-a']);
    const fresh = spawnSync('script', ['-qefc', `${process.execPath} ${hullctl} pull ${ref}`, '/dev/null'], {
      encoding: 'utf8', env: cleanEnv({ HULL_ADDRESS: env.address, HULL_STATE_DIR: env.stateDir }),
    });
    expect(fresh.status).toBe(0);
    expect(fresh.stdout).toMatch(/\x1b\[\dA\r\x1b\[2K[0-9a-f]{12}: Downloading \[=*>? *\]  \S+\/\S+/);
    expect(fresh.stdout).toMatch(/\x1b\[\dA\r\x1b\[2K[0-9a-f]{12}: Pull complete/);
    expect(fresh.stdout).toContain(`Status: Downloaded newer image for ${ref}:latest`);
    await ok(['pull', img]);
  });

  it('save and load (docker-archive that skopeo reads), system df, image prune', async () => {
    const file = path.join(env.dir, 'busybox.tar');
    await ok(['save', '-o', file, img]);
    expect(spawnSync('skopeo', ['inspect', `docker-archive:${file}`]).status).toBe(0);
    await ok(['rmi', img]);
    expect(await ok(['images', '-q'])).not.toContain('\n\n');
    expect(await ok(['load', '-i', file])).toBe(`Loaded image: ${img}:latest\n`);
    expect(await ok(['run', '--rm', '--pull', 'never', img, 'cat', '/etc/motd'])).toBe('motd\n');
    const df = (await ok(['system', 'df'])).split('\n');
    expect(df[0]).toMatch(/^TYPE\s+TOTAL\s+ACTIVE\s+SIZE\s+RECLAIMABLE$/);
    expect(df[1]).toMatch(/^Images\s+\d+\s+0\s+\S+\s+\S+ \(100%\)$/);
    await ok(['tag', img, 'dangling:x']);
    await ok(['rmi', img]);
    await ok(['rmi', 'dangling:x']);
    expect(await ok(['image', 'prune', '-f', '-a'])).toMatch(/Total reclaimed space: /);
    expect(await ok(['images', '-q'])).toBe('');
    expect(fs.readdirSync(path.join(env.stateDir, 'images/snapshots/layers'))).toEqual([]);
  });
});
