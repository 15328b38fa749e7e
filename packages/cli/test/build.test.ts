// hullctl build end to end: a real docker-registry on 127.0.0.1 holding a
// busybox image made from build/rootfs, a real hull-shim running each RUN
// through hull, and buildah (Debian's) building the same Dockerfiles as the
// reference: same files, modes and owners, same config.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { buildLayout, pushLayout, registryPrerequisites, startRegistry, type TestRegistry } from '../../images/test/registry';
import { cleanEnv, HULLCTL, runtimes, startEnv, uniqueName, type Env } from './helpers';
import { describeNeeds, itNeeds } from '@hull/testkit/jest';

const hull = runtimes().find((r) => r.name === 'hull')!;
const buildah = spawnSync('buildah', ['--version']).status === 0 ? undefined : 'buildah is not installed (apt-get install buildah)';
const d = describeNeeds(registryPrerequisites() ?? hull.skip ?? buildah);

// What the comparison lists: every path but the kernel's and the runtime's, with mode, owner and size.
const LIST = "find / -xdev ! -path /etc/hosts ! -path /etc/hostname ! -path /etc/resolv.conf ! -path /proc ! -path '/proc/*' ! -path /sys ! -path '/sys/*' ! -path /dev ! -path '/dev/*' ! -path /run ! -path '/run/*' | sort | while read -r f; do stat -c '%n %f %u:%g %s' \"$f\"; done";

d('hullctl build', () => {
  let reg: TestRegistry;
  let env: Env;
  let base: string;
  let work: string;
  const buildahArgs = () => ['--root', path.join(work, 'buildah/root'), '--runroot', path.join(work, 'buildah/run'), '--storage-driver', 'vfs'];

  beforeAll(async () => {
    reg = await startRegistry();
    env = await startEnv(hull);
    work = path.join(env.dir, 'work');
    fs.mkdirSync(work);
    const layout = buildLayout(path.join(env.dir, 'layout'));
    base = `${reg.host}/busybox:latest`;
    await pushLayout(layout.dir, 'latest', base);
  });
  afterAll(async () => {
    if (work) {
      spawnSync('buildah', [...buildahArgs(), 'rm', '--all'], { stdio: 'ignore' });
      spawnSync('buildah', [...buildahArgs(), 'rmi', '--all', '--force'], { stdio: 'ignore' });
      spawnSync('umount', ['-R', path.join(work, 'buildah/root')], { stdio: 'ignore' });
    }
    await env?.stop();
    await reg?.stop();
  });

  const hullctl = (args: string[], input?: string) => env.hullctl(args, { input });
  const ok = async (args: string[], input?: string) => {
    const r = await hullctl(args, input);
    if (r.code !== 0) throw new Error(`hullctl ${args.join(' ')}: exit ${r.code}: ${r.stdout}${r.stderr}`);
    return r.stdout;
  };
  const context = (files: Record<string, string | { mode: number; text: string }>) => {
    const dir = path.join(work, uniqueName('ctx'));
    for (const [name, v] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
      const f = typeof v === 'string' ? { mode: 0o644, text: v } : v;
      fs.writeFileSync(path.join(dir, name), f.text);
      fs.chmodSync(path.join(dir, name), f.mode);
    }
    return dir;
  };
  const nothingLeft = () => {
    expect(fs.readdirSync(path.join(env.stateDir, 'images/snapshots/containers'))).toEqual([]);
    expect(fs.readdirSync(path.join(env.stateDir, 'build')).filter((n) => n !== 'cache')).toEqual([]);
    expect(fs.readFileSync('/proc/self/mountinfo', 'utf8')).not.toContain(env.stateDir);
    const root = path.join(env.dir, 'runtime-root');
    expect(fs.existsSync(root) ? fs.readdirSync(root) : []).toEqual([]);
  };

  /** Polls a condition (no timing asserted: jest's timeout is the bound). */
  const until = async (cond: () => boolean) => {
    while (!cond()) await new Promise((r) => setTimeout(r, 100));
  };

  /** buildah's build of the same context: its rootfs listing (chroot into its mount, the image's own busybox) and config. */
  const buildahBuild = (dir: string, extra: string[] = []) => {
    const tag = `localhost/${uniqueName('ref')}`;
    const b = spawnSync('buildah', [...buildahArgs(), 'bud', '--tls-verify=false', '--isolation', 'chroot', '--format', 'docker', '-t', tag, ...extra, dir], { encoding: 'utf8' });
    if (b.status !== 0) throw new Error(`buildah bud: ${b.stderr}`);
    const ctr = spawnSync('buildah', [...buildahArgs(), 'from', '--pull-never', tag], { encoding: 'utf8' }).stdout.trim();
    const mnt = spawnSync('buildah', [...buildahArgs(), 'mount', ctr], { encoding: 'utf8' }).stdout.trim();
    const list = spawnSync('chroot', [mnt, '/bin/sh', '-c', LIST], { encoding: 'utf8' }).stdout;
    spawnSync('buildah', [...buildahArgs(), 'rm', ctr], { stdio: 'ignore' });
    const config = JSON.parse(spawnSync('buildah', [...buildahArgs(), 'inspect', '--type', 'image', tag], { encoding: 'utf8' }).stdout).Docker.config;
    return { list, config };
  };
  const hullListing = (image: string) => ok(['run', '--rm', '--entrypoint', '/bin/sh', image, '-c', LIST]);
  // An empty list and none are one thing to a runtime (buildah writes [], docker null).
  const list = (v: unknown) => (Array.isArray(v) && v.length ? v : null);
  const pick = (c: Record<string, unknown>) => ({
    Env: c.Env ?? null, Cmd: list(c.Cmd), Entrypoint: list(c.Entrypoint), WorkingDir: c.WorkingDir ?? '', User: c.User ?? '', ExposedPorts: c.ExposedPorts ?? null,
  });
  const sameAsBuildah = async (dir: string, image: string, extra: string[] = []) => {
    const ref = buildahBuild(dir, extra);
    expect(await hullListing(image)).toBe(ref.list);
    const ours = JSON.parse(await ok(['image', 'inspect', image]))[0].Config;
    expect(pick(ours)).toEqual(pick(ref.config));
  };

  it("the tutorials' example: build -t app . && run --rm app; the same image as buildah's", async () => {
    const dir = context({
      Dockerfile: [
        `FROM ${base}`,
        'WORKDIR /app',
        'COPY . /app',
        'RUN chmod 0750 /app/run.sh && echo built > /app/built.txt',
        'EXPOSE 80',
        'ENV NAME World',
        'CMD ["/app/run.sh"]',
        '',
      ].join('\n'),
      'run.sh': { mode: 0o755, text: '#!/bin/sh\necho "Hello $NAME from $(cat /app/built.txt)"\n' },
      'requirements.txt': 'flask\n',
    });
    const out = await ok(['build', '-t', 'app', dir]);
    const lines = out.split('\n');
    expect(lines[0]).toMatch(/^Sending build context to hull-shim {2}\d+(\.\d+)?kB$/);
    expect(lines[1]).toBe(`Step 1/7 : FROM ${base}`);
    expect(lines).toContain('Step 4/7 : RUN chmod 0750 /app/run.sh && echo built > /app/built.txt');
    expect(lines.filter((l) => /^ ---> [0-9a-f]{12}$/.test(l))).toHaveLength(7);
    expect(out).toMatch(/\nSuccessfully built [0-9a-f]{12}\nSuccessfully tagged app:latest\n$/);
    expect(await ok(['run', '--rm', 'app'])).toBe('Hello World from built\n');
    const inspect = JSON.parse(await ok(['image', 'inspect', 'app']))[0];
    expect(inspect.Config).toMatchObject({ WorkingDir: '/app', Cmd: ['/app/run.sh'], ExposedPorts: { '80/tcp': {} } });
    expect(inspect.Config.Env).toContain('NAME=World');
    const history = await ok(['history', '--no-trunc', 'app']);
    expect(history).toMatch(/RUN \/bin\/sh -c chmod 0750/);
    await sameAsBuildah(dir, 'app');
    nothingLeft();
  });

  it("COPY and ADD's placement rules, --chown by name, a RUN's deletion: the same rootfs as buildah's", async () => {
    const dir = context({
      'a.txt': { mode: 0o600, text: 'a\n' },
      'b.txt': 'b\n',
      'sp ace.txt': 'space\n',
      'one.md': '1\n',
      'two.md': '2\n',
      'dir/x': { mode: 0o755, text: 'x\n' },
      'dir/sub/y': 'y\n',
      'files/inner/z': 'z\n',
    });
    fs.chmodSync(path.join(dir, 'dir/sub'), 0o700);
    spawnSync('tar', ['-czf', path.join(dir, 'files.tar.gz'), '-C', path.join(dir, 'files'), '.']);
    fs.writeFileSync(path.join(dir, 'Dockerfile'), [
      `FROM ${base}`,
      'COPY a.txt /newfile',
      'COPY a.txt b.txt /multi/',
      'COPY dir /copied-dir',
      'COPY dir/ /etc/extra/',
      'COPY --chown=daemon:nogroup dir/sub /owned/',
      'WORKDIR /w',
      'COPY a.txt rel.txt',
      'COPY ["sp ace.txt", "/spaces/"]',
      'COPY *.md /md/',
      'ADD files.tar.gz /unpacked/',
      'RUN mkdir -p /run-made && touch /run-made/x && rm /etc/motd /data/kept',
      '',
    ].join('\n'));
    await ok(['build', '-t', 'rules', dir]);
    await sameAsBuildah(dir, 'rules');
    nothingLeft();
  });

  it('multi-stage with ARG before FROM, --build-arg, COPY --from, --chown, USER, ENTRYPOINT, -f and --target', async () => {
    const dir = context({
      'build.Dockerfile': [
        'ARG BASE',
        'FROM ${BASE} AS builder',
        'ARG VERSION=1.0',
        'RUN mkdir -p /out/bin && echo "version $VERSION" > /out/version && echo junk > /out/junk',
        'COPY src/*.txt /out/',
        '',
        'FROM ${BASE}',
        'COPY --from=builder /out/version /out/a.txt /opt/',
        'COPY --chown=1000:1000 src/ /srv/',
        'USER 1000',
        'ENTRYPOINT ["cat"]',
        'CMD ["/opt/version"]',
        '',
      ].join('\n'),
      'src/a.txt': 'a\n',
      'src/b.md': 'b\n',
    });
    const args = ['--build-arg', `BASE=${base}`, '--build-arg', 'VERSION=2.5', '-f', path.join(dir, 'build.Dockerfile')];
    const out = await ok(['build', '-t', 'multi:v1', ...args, dir]);
    expect(out).toContain('Step 2/11 : FROM ${BASE} AS builder');
    expect(await ok(['run', '--rm', 'multi:v1'])).toBe('version 2.5\n');
    expect(await ok(['run', '--rm', '--entrypoint', 'sh', 'multi:v1', '-c', 'id -u; ls /opt; stat -c "%u:%g %n" /srv/a.txt /srv/b.md'])).toBe('1000\na.txt\nversion\n1000:1000 /srv/a.txt\n1000:1000 /srv/b.md\n');
    await sameAsBuildah(dir, 'multi:v1', args);
    // The same build args hit the cache; a changed one misses from its ARG on, and the RUN sees it.
    expect((await ok(['build', ...args, dir])).split('\n').filter((l) => l === ' ---> Using cache')).toHaveLength(8);
    const changed = await ok(['build', '-t', 'multi:v2', ...args, '--build-arg', 'VERSION=2.6', '--build-arg', 'UNUSED=1', dir]);
    expect(changed.split('\n').filter((l) => l === ' ---> Using cache')).toHaveLength(0);
    expect(changed).toContain('[Warning] One or more build-args [UNUSED] were not consumed');
    expect(await ok(['run', '--rm', 'multi:v2'])).toBe('version 2.6\n');
    // --target stops at the first stage: its files, not the final one's.
    const t = await ok(['build', '-q', '-t', 'multi:builder', '--target', 'builder', ...args, dir]);
    expect(t).toMatch(/^sha256:[0-9a-f]{64}\n$/);
    expect(await ok(['run', '--rm', 'multi:builder', 'cat', '/out/version', '/out/junk'])).toBe('version 2.5\njunk\n');
    const bad = await hullctl(['build', '--target', 'nope', ...args, dir]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('failed to reach build target nope in Dockerfile');
    nothingLeft();
  });

  it('the cache: hits on a rebuild, misses from the changed COPY on, --no-cache; .dockerignore keeps files out and out of the key', async () => {
    const dir = context({
      Dockerfile: `FROM ${base}\nRUN echo one > /one\nCOPY . /ctx/\nRUN ls /ctx > /listing\nCMD ["cat", "/listing"]\n`,
      '.dockerignore': '# comment\n*.log\nsecret/\n!secret/keep.txt\n',
      'app.txt': 'v1\n',
      'debug.log': 'noise\n',
      'secret/key.pem': 'private\n',
      'secret/keep.txt': 'kept\n',
    });
    const first = await ok(['build', '-t', 'cached', dir]);
    expect(first).not.toContain('Using cache');
    const intermediate = first.split('\n').filter((l) => /^ ---> [0-9a-f]{12}$/.test(l))[1]!.slice(6);
    expect(await ok(['run', '--rm', 'cached', 'sh', '-c', 'cat /listing; ls /ctx/secret'])).toBe('Dockerfile\napp.txt\nsecret\nkeep.txt\n');
    const id1 = JSON.parse(await ok(['image', 'inspect', 'cached']))[0].Id;
    const second = await ok(['build', '-t', 'cached', dir]);
    expect(second.split('\n').filter((l) => l === ' ---> Using cache')).toHaveLength(4);
    expect(JSON.parse(await ok(['image', 'inspect', 'cached']))[0].Id).toBe(id1);
    // An ignored file changes nothing.
    fs.writeFileSync(path.join(dir, 'debug.log'), 'more noise\n');
    expect((await ok(['build', dir])).split('\n').filter((l) => l === ' ---> Using cache')).toHaveLength(4);
    // A sent file changes the COPY's checksum: hits before it, misses from it on.
    fs.writeFileSync(path.join(dir, 'app.txt'), 'v2\n');
    const third = (await ok(['build', '-t', 'cached', dir])).split('\n');
    const at = (n: number) => third.slice(third.findIndex((l) => l.startsWith(`Step ${n}/5`)) + 1)[0];
    expect(at(2)).toBe(' ---> Using cache');
    expect(at(3)).not.toBe(' ---> Using cache');
    expect(at(4)).not.toBe(' ---> Using cache');
    expect(await ok(['run', '--rm', 'cached', 'cat', '/ctx/app.txt'])).toBe('v2\n');
    expect(await ok(['build', '--no-cache', dir])).not.toContain('Using cache');
    // Intermediate images are not listed (docker's rule), but they are there, and image prune keeps them: the cache survives it.
    expect(await ok(['images', '-q'])).not.toContain(intermediate);
    expect(await ok(['images', '-a', '-q'])).toContain(intermediate);
    expect((await hullctl(['image', 'inspect', intermediate])).code).toBe(0);
    await ok(['image', 'prune', '-f']);
    expect((await hullctl(['image', 'inspect', intermediate])).code).toBe(0);
    expect((await ok(['build', dir])).split('\n').filter((l) => l === ' ---> Using cache')).toHaveLength(4);
    nothingLeft();
  });

  /** hullctl on a real terminal: util-linux's script gives it a pty of 40x120; everything it drew comes back. */
  const inPty = (args: string[]) => new Promise<{ code: number | null; out: string }>((resolve, reject) => {
    const quote = (a: string) => `'${a.replace(/'/g, `'\\''`)}'`;
    const cmd = `stty rows 40 cols 120; exec ${[process.execPath, '--', HULLCTL, ...args].map(quote).join(' ')}`;
    const child = spawn('script', ['-qfec', cmd, '/dev/null'], { env: cleanEnv({ HULL_ADDRESS: env.address, HULL_STATE_DIR: env.stateDir }), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out }));
  });
  const hasScript = spawnSync('script', ['--version']).status === 0 ? undefined : "needs util-linux's script (a pty for hullctl)";

  itNeeds(hasScript)('--progress: plain prints docker\'s step lines; tty draws a live view of the steps on a terminal; auto picks by stdout', async () => {
    const dir = context({ 'a.txt': 'a\n', Dockerfile: `FROM ${base}\nWORKDIR /app\nRUN echo built-here; sleep 1; echo done-here\n` });
    // plain, and auto with stdout a pipe: the step lines, no escape sequences.
    const plain = await ok(['build', '--progress', 'plain', '-t', 'prog:1', dir]);
    expect(plain).toMatch(/^Sending build context to hull-shim {2}\S+\nStep 1\/3 : FROM /);
    expect(plain).toContain('Step 3/3 : RUN echo built-here; sleep 1; echo done-here\n');
    expect(plain).toContain('built-here\n');
    expect(plain).toContain('Successfully tagged prog:1\n');
    expect(plain).not.toContain('\x1b');
    const auto = await ok(['build', dir]);
    expect(auto.split('\n').filter((l) => l === ' ---> Using cache')).toHaveLength(2);
    expect(auto).not.toContain('[+] Building');

    // tty on a pty: the view, redrawn in place (log-update erases the lines it drew: ESC[2K, ESC[1A).
    const tty = await inPty(['build', '--progress', 'tty', '--no-cache', '-t', 'prog:2', dir]);
    expect({ code: tty.code, out: tty.out }).toMatchObject({ code: 0 });
    expect(tty.out).toContain('\x1b[2K');
    expect(tty.out).toContain('\x1b[1A');
    expect(tty.out).toMatch(/ => \[internal\] load build context +\d+\.\ds/);
    expect(tty.out).toMatch(/ => \[1\/3\] FROM \S+busybox:latest +\d+\.\ds/);
    expect(tty.out).toMatch(/ => \[3\/3\] RUN echo built-here; sleep 1; echo done-here +\d+\.\ds/);
    // While the RUN sleeps, the view shows what it printed so far.
    expect(tty.out).toContain(' => => # built-here');
    expect(tty.out).toMatch(/\[\+\] Building \d+\.\ds \(3\/3\) FINISHED/);
    expect(tty.out).toMatch(/Successfully tagged prog:2\r?\n/);
    expect(tty.out).not.toContain('Step 1/3 :');
    // auto on a terminal is tty: the rebuild shows its cached steps.
    const cached = await inPty(['build', dir]);
    expect(cached.code).toBe(0);
    expect(cached.out).toMatch(/ => CACHED \[2\/3\] WORKDIR \/app/);
    expect(cached.out).toMatch(/ => CACHED \[3\/3\] RUN echo built-here/);
    // plain on a terminal is still plain.
    const plainTty = await inPty(['build', '--progress', 'plain', dir]);
    expect(plainTty.out).toContain('Step 3/3 : RUN');
    expect(plainTty.out).not.toContain('[+] Building');

    // A failing RUN on the view: ERROR on its row, all it printed under the view, the error, exit 1, nothing left.
    const broken = context({ Dockerfile: `FROM ${base}\nRUN echo about-to-fail; exit 3\n` });
    const failed = await inPty(['build', '--progress', 'tty', broken]);
    expect(failed.code).toBe(1);
    expect(failed.out).toMatch(/ => ERROR \[2\/2\] RUN echo about-to-fail; exit 3 +\d+\.\ds/);
    expect(failed.out).toMatch(/------\r?\n > \[2\/2\] RUN echo about-to-fail; exit 3:\r?\nabout-to-fail\r?\n------/);
    expect(failed.out).toContain("Error: Dockerfile:2: RUN: The command '/bin/sh -c echo about-to-fail; exit 3' returned a non-zero code: 3");
    nothingLeft();

    // Bad modes: usage errors before anything reaches the supervisor.
    const bad = await hullctl(['build', '--progress', 'fancy', dir]);
    expect(bad).toMatchObject({ code: 125, stderr: expect.stringContaining('invalid --progress "fancy": expected auto, plain, tty or quiet') });
    const noTerminal = await hullctl(['build', '--progress', 'tty', dir]);
    expect(noTerminal).toMatchObject({ code: 125, stderr: expect.stringContaining('--progress tty needs a terminal on stdout') });
  });

  it('a failing RUN names its line and exit code, shows its output, exits 1 and leaves nothing behind', async () => {
    const dir = context({ Dockerfile: `FROM ${base}\nENV X=1\n\nRUN echo to-stdout; \\\n    echo to-stderr >&2; \\\n    exit 7\nCMD ["true"]\n` });
    const r = await hullctl(['build', '-t', 'broken', dir]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('Step 3/4 : RUN echo to-stdout;     echo to-stderr >&2;     exit 7');
    expect(r.stdout).toContain('to-stdout\n');
    expect(r.stdout).toContain('to-stderr\n');
    expect(r.stderr).toBe("Error: Dockerfile:4: RUN: The command '/bin/sh -c echo to-stdout;     echo to-stderr >&2;     exit 7' returned a non-zero code: 7\n");
    expect((await hullctl(['image', 'inspect', 'broken'])).code).toBe(1);
    nothingLeft();
    // -q: nothing but the failure's output and the error.
    const q = await hullctl(['build', '-q', dir]);
    expect(q.code).toBe(1);
    expect(q.stdout).toBe('');
    expect(q.stderr).toContain('to-stderr');
    nothingLeft();
    // Interrupted mid-RUN: the supervisor kills the step's container and removes its snapshot.
    const slow = context({ Dockerfile: `FROM ${base}\nRUN echo started; sleep 600\n` });
    const child = env.spawnHullctl(['build', slow]);
    await until(() => child.stdout().includes('started\n'));
    await child.interrupt();
    await until(() => {
      try {
        nothingLeft();
        return true;
      } catch {
        return false;
      }
    });
    // Bad input: an unknown instruction names its line; a missing COPY source names it.
    const noContext = await hullctl(['build', '-q', '-'], `FROM ${base}\nRUN test ! -e /anything\nCMD ["true"]\n`);
    expect(noContext).toMatchObject({ code: 0, stdout: expect.stringMatching(/^sha256:[0-9a-f]{64}\n$/) });
    const bad = await hullctl(['build', '-f', '-', dir], `FROM ${base}\nFROBNICATE x\n`);
    expect(bad.stderr).toContain('-:2: unknown instruction: FROBNICATE');
    const missing = await hullctl(['build', '-f', '-', dir], `FROM ${base}\nCOPY nope.txt /\n`);
    expect(missing.stderr).toContain('COPY failed: file not found in build context or excluded by .dockerignore: stat nope.txt: file does not exist');
    nothingLeft();
  });

  it('ADD extracts a local tar, refuses an unreachable URL naming it; LABEL, STOPSIGNAL, VOLUME, HEALTHCHECK, ONBUILD, SHELL, --label recorded', async () => {
    const dir = context({ 'files/inner/x.txt': 'x\n' });
    spawnSync('tar', ['-czf', path.join(dir, 'files.tar.gz'), '-C', path.join(dir, 'files'), '.']);
    fs.writeFileSync(path.join(dir, 'Dockerfile'), [
      `FROM ${base}`,
      'ADD files.tar.gz /unpacked/',
      'LABEL a=1 "b c"="d e"',
      'STOPSIGNAL SIGTERM',
      'VOLUME /data',
      'HEALTHCHECK --interval=5s --retries=2 CMD wget -q localhost || exit 1',
      'ONBUILD RUN echo child',
      'SHELL ["/bin/sh", "-ec"]',
      'RUN echo "shell is $0"',
      '',
    ].join('\n'));
    const out = await ok(['build', '-t', 'meta', '--label', 'from=cli', dir]);
    expect(out).toContain('shell is /bin/sh');
    expect(await ok(['run', '--rm', 'meta', 'cat', '/unpacked/inner/x.txt'])).toBe('x\n');
    const c = JSON.parse(await ok(['image', 'inspect', 'meta']))[0].Config;
    expect(c.Labels).toMatchObject({ a: '1', 'b c': 'd e', from: 'cli' });
    expect(c).toMatchObject({ StopSignal: 'SIGTERM', Volumes: { '/data': {} }, OnBuild: ['RUN echo child'], Shell: ['/bin/sh', '-ec'] });
    expect(c.Healthcheck).toEqual({ Test: ['CMD-SHELL', 'wget -q localhost || exit 1'], Interval: 5e9, Retries: 2 });
    // A child built FROM it runs the trigger and does not inherit it.
    const child = await ok(['build', '-t', 'meta-child', '-f', '-', dir], 'FROM meta\nCMD ["true"]\n');
    expect(child).toContain('# Executing 1 build trigger');
    expect(child).toContain('child\n');
    expect(JSON.parse(await ok(['image', 'inspect', 'meta-child']))[0].Config.OnBuild ?? null).toBeNull();
    // ADD of a reachable URL: the file, mode 0600, its Last-Modified as mtime.
    const server = http.createServer((_req, res) => {
      res.writeHead(200, { 'Last-Modified': 'Tue, 01 Dec 2026 00:00:00 GMT', 'Content-Type': 'text/plain' });
      res.end('downloaded\n');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    try {
      const port = (server.address() as AddressInfo).port;
      await ok(['build', '-t', 'fetched', '-f', '-', dir], `FROM ${base}\nADD http://127.0.0.1:${port}/files/note.txt /fetched/\n`);
      expect(await ok(['run', '--rm', 'fetched', 'stat', '-c', '%a %Y %n', '/fetched/note.txt'])).toBe(`600 ${Date.UTC(2026, 11, 1) / 1000} /fetched/note.txt\n`);
    } finally {
      server.close();
    }
    const url = await hullctl(['build', '-f', '-', dir], `FROM ${base}\nADD http://127.0.0.1:9/nothing.tar /x\n`);
    expect(url.code).toBe(1);
    expect(url.stderr).toContain('ADD failed: http://127.0.0.1:9/nothing.tar:');
    nothingLeft();
  });
});
