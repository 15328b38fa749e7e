// hullctl import and export end to end: a real hull-shim driving hull,
// images made from a busybox rootfs tar with odd owners, modes and links;
// a container exported, imported again and run; bad input leaves nothing.
// The binary-xattr round trip goes through a real docker-registry.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import zlib from 'node:zlib';
import { buildLayout, registryPrerequisites, startRegistry, type TestRegistry } from '../../images/test/registry';
import { cleanEnv, HULLCTL, prerequisites, ROOTFS, runtimes, startEnv, type Env, type Result } from './helpers';
import { describeNeeds, itNeeds } from '@hull/testkit/jest';

const hull = runtimes().find((r) => r.name === 'hull')!;
const d = describeNeeds(prerequisites(), hull.skip);

interface Listed { type: string; mode: string; owner: string; size: string; target: string }

/** `tar -tv` of an archive, by name (without "./"): type, mode, numeric owner, size, link target. */
function listing(file: string): Map<string, Listed> {
  const r = spawnSync('tar', ['--numeric-owner', '-tvf', file], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`tar -tvf ${file}: ${r.stderr}`);
  const out = new Map<string, Listed>();
  for (const line of r.stdout.split('\n').filter(Boolean)) {
    const m = /^(\S)(\S{9})\s+(\d+\/\d+)\s+(\S+)\s+\S+\s+\S+\s+(.+?)(?: (?:->|link to) (.+))?$/.exec(line);
    if (!m) throw new Error(`unexpected tar -tv line: ${line}`);
    const name = m[5]!.replace(/^\.\//, '').replace(/\/$/, '');
    if (name === '' || name === '.') continue;
    out.set(name, { type: m[1]!, mode: m[2]!, owner: m[3]!, size: m[1] === 'd' ? '0' : m[4]!, target: m[6] ?? '' });
  }
  return out;
}

/** Everything the image store holds, to compare before and after a failure. */
function storeState(stateDir: string): string[] {
  const root = path.join(stateDir, 'images');
  const ls = (rel: string) => { try { return fs.readdirSync(path.join(root, rel)).map((n) => `${rel}/${n}`); } catch { return []; } };
  return [...ls('content/blobs/sha256'), ...ls('content/ingest'), ...ls('snapshots/layers'), ...ls('meta/images'), ...ls('snapshots/containers')].sort();
}

d('hullctl import and export', () => {
  let env: Env;
  let baseTar: string;

  const hullctl = (args: string[], input?: Buffer): Promise<Result> => new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--', HULLCTL, ...args], { env: cleanEnv({ HULL_ADDRESS: env.address, HULL_STATE_DIR: env.stateDir }), stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString('latin1')));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
  const ok = async (args: string[], input?: Buffer) => {
    const r = await hullctl(args, input);
    if (r.code !== 0) throw new Error(`hullctl ${args.join(' ')}: exit ${r.code}: ${r.stderr}`);
    return r.stdout;
  };
  const idOf = async (name: string) => (JSON.parse(await ok(['inspect', name])) as { Id: string }[])[0]!.Id;

  beforeAll(async () => {
    env = await startEnv(hull);
    // A root filesystem with what a layer must keep: owners, set-id and sticky modes, hardlinks, a fifo, a symlink.
    const stage = path.join(env.dir, 'stage');
    expect(spawnSync('cp', ['-a', ROOTFS, stage]).status).toBe(0);
    fs.writeFileSync(path.join(stage, 'owned'), 'x\n');
    fs.chownSync(path.join(stage, 'owned'), 1234, 5678);
    fs.chmodSync(path.join(stage, 'owned'), 0o640);
    fs.writeFileSync(path.join(stage, 'suid'), '#!/bin/sh\n');
    fs.chmodSync(path.join(stage, 'suid'), 0o4755);
    fs.mkdirSync(path.join(stage, 'shared'), { mode: 0o1777 });
    fs.chmodSync(path.join(stage, 'shared'), 0o1777);
    fs.writeFileSync(path.join(stage, 'hard1'), 'same\n');
    fs.linkSync(path.join(stage, 'hard1'), path.join(stage, 'hard2'));
    expect(spawnSync('mkfifo', [path.join(stage, 'fifo')]).status).toBe(0);
    fs.symlinkSync('owned', path.join(stage, 'link'));
    baseTar = path.join(env.dir, 'base.tar');
    expect(spawnSync('tar', ['--numeric-owner', '-C', stage, '-cf', baseTar, '.']).status).toBe(0);
  }, 120_000);
  afterAll(async () => {
    await env?.stop();
  });

  it('import a tarball, run it, export the container, import that and run it: files, modes and owners survive', async () => {
    expect(await ok(['import', '-m', 'first', baseTar, 'base:1'])).toMatch(/^sha256:[0-9a-f]{64}\n$/);
    await ok(['run', '--name', 'ie-c1', 'base:1', 'sh', '-c', 'echo new > /new && chown 7:8 /new && chmod 604 /new && rm /hard2 && rm -r /home && chmod 700 /owned']);
    const c1Tar = path.join(env.dir, 'c1.tar');
    await ok(['export', '-o', c1Tar, 'ie-c1']);
    const l1 = listing(c1Tar);
    expect(l1.get('new')).toMatchObject({ type: '-', mode: 'rw----r--', owner: '7/8', size: '4' });
    expect(l1.get('owned')).toMatchObject({ type: '-', mode: 'rwx------', owner: '1234/5678' });
    expect(l1.get('suid')).toMatchObject({ mode: 'rwsr-xr-x' });
    expect(l1.get('shared')).toMatchObject({ type: 'd', mode: 'rwxrwxrwt' });
    expect(l1.get('fifo')).toMatchObject({ type: 'p' });
    expect(l1.get('link')).toMatchObject({ type: 'l', target: 'owned' });
    expect(l1.get('bin/busybox')).toMatchObject({ type: '-', mode: 'rwxr-xr-x' });
    expect(l1.has('hard2')).toBe(false);
    expect(l1.has('home')).toBe(false);
    // Nothing of overlayfs shows: no whiteout, no .wh. name.
    expect([...l1.keys()].filter((n) => n.includes('.wh.'))).toEqual([]);

    await ok(['import', c1Tar, 'round:1']);
    expect((await ok(['history', '--no-trunc', 'round:1'])).split('\n')[1]).toContain(`Imported from ${c1Tar}`);
    expect(await ok(['run', '--rm', 'round:1', 'stat', '-c', '%a %u %g %s', '/new', '/owned', '/suid'])).toBe('604 7 8 4\n700 1234 5678 2\n4755 0 0 10\n');
    await ok(['run', '--name', 'ie-c2', 'round:1', 'true']);
    const c2Tar = path.join(env.dir, 'c2.tar');
    await ok(['export', '-o', c2Tar, 'ie-c2']);
    // The same tree, entry for entry (times aside).
    expect(Object.fromEntries(listing(c2Tar))).toEqual(Object.fromEntries(l1));
    // Hardlinks stay hardlinks through export and import.
    const pair = await ok(['run', '--rm', 'base:1', 'sh', '-c', 'stat -c %i /hard1 /hard2']);
    const [i1, i2] = pair.trim().split('\n');
    expect(i1).toBe(i2);
  });

  const compressors = ['gzip', 'bzip2', 'xz', 'zstd'].filter((tool) => spawnSync(tool, ['--version']).status === 0);
  itNeeds(compressors.length === 4 ? undefined : `needs Debian's gzip, bzip2, xz-utils and zstd (found ${compressors.join(', ')})`)('import of gzip, bzip2, xz and zstd tarballs made by Debian\'s tools: the same layer as the plain tar', async () => {
    await ok(['import', baseTar, 'plain:1']);
    const layers = async (ref: string) => (JSON.parse(await ok(['image', 'inspect', ref])) as { RootFS: { Layers: string[] } }[])[0]!.RootFS.Layers;
    const plain = await layers('plain:1');
    for (const tool of compressors) {
      const packed = path.join(env.dir, `base.tar.${tool}`);
      const r = spawnSync(tool, ['-c', baseTar], { maxBuffer: 64 << 20 });
      expect(r.status).toBe(0);
      fs.writeFileSync(packed, r.stdout);
      await ok(['import', packed, `packed-${tool}:1`]);
      // The layer's DiffID is the digest of the tar inside: the same tar, whatever wrapped it.
      expect({ tool, layers: await layers(`packed-${tool}:1`) }).toEqual({ tool, layers: plain });
    }
    expect(await ok(['run', '--rm', 'packed-xz:1', 'stat', '-c', '%a %u %g', '/owned', '/suid'])).toBe('640 1234 5678\n4755 0 0\n');
    expect(await ok(['run', '--rm', 'packed-bzip2:1', 'cat', '/hard2'])).toBe('same\n');
  });

  it('import from stdin and from a URL with -c, -m and --platform', async () => {
    const changes = ['ENV A=b', 'WORKDIR /tmp', 'USER 1234', 'EXPOSE 8080/udp', 'LABEL k=v', 'STOPSIGNAL SIGINT', 'VOLUME /v', 'ENTRYPOINT ["/bin/sh","-c"]', 'CMD ["echo $A $(pwd) $(id -u)"]'];
    const id = await ok(['import', ...changes.flatMap((c) => ['-c', c]), '-m', 'from stdin', '--platform', 'linux/amd64', '-', 'piped:1'], fs.readFileSync(baseTar));
    const [img] = JSON.parse(await ok(['image', 'inspect', 'piped:1']));
    expect(img.Id).toBe(id.trim());
    expect(img.Comment).toBe('from stdin');
    expect(img.Architecture).toBe('amd64');
    expect(img.Os).toBe('linux');
    expect(img.Config).toEqual({
      Env: ['A=b'], WorkingDir: '/tmp', User: '1234', ExposedPorts: { '8080/udp': {} }, Labels: { k: 'v' },
      StopSignal: 'SIGINT', Volumes: { '/v': {} }, Entrypoint: ['/bin/sh', '-c'], Cmd: ['echo $A $(pwd) $(id -u)'],
    });
    expect(await ok(['run', '--rm', 'piped:1'])).toBe('b /tmp 1234\n');

    // A gzip tarball over HTTP (docker import URL), and a URL that answers 404.
    const gz = zlib.gzipSync(fs.readFileSync(baseTar));
    const server = http.createServer((req, res) => {
      if (req.url === '/base.tar.gz') res.end(gz);
      else { res.statusCode = 404; res.end('no'); }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      await ok(['import', `${url}/base.tar.gz`, 'fromurl:1']);
      expect((await ok(['history', '--no-trunc', 'fromurl:1'])).split('\n')[1]).toContain(`Imported from ${url}/base.tar.gz`);
      expect(await ok(['run', '--rm', 'fromurl:1', 'cat', '/owned'])).toBe('x\n');
      const before = storeState(env.stateDir);
      const r = await hullctl(['import', `${url}/missing.tar`, 'nope:1']);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`import ${url}/missing.tar: the server answered 404`);
      expect(storeState(env.stateDir)).toEqual(before);
    } finally {
      server.close();
    }
  });

  it('bad input: a clear error, exit 1, and nothing left behind', async () => {
    await ok(['import', baseTar, 'base:1']);
    const before = storeState(env.stateDir);
    const images = await ok(['images', '-q']);
    const text = path.join(env.dir, 'notes.txt');
    fs.writeFileSync(text, 'hello, this is not a tar archive\n'.repeat(40));
    const gzText = path.join(env.dir, 'notes.txt.gz');
    fs.writeFileSync(gzText, zlib.gzipSync(fs.readFileSync(text)));
    // Debian's bzip2 and xz: a compressed text is no tar; a cut-off xz stream names xz.
    const bzText = path.join(env.dir, 'notes.txt.bz2');
    const xzCut = path.join(env.dir, 'base.tar.cut.xz');
    const haveTools = spawnSync('bzip2', ['--version']).status === 0 && spawnSync('xz', ['--version']).status === 0;
    if (haveTools) {
      fs.writeFileSync(bzText, spawnSync('bzip2', ['-c', text]).stdout);
      const xz = spawnSync('xz', ['-c', baseTar], { maxBuffer: 64 << 20 }).stdout;
      fs.writeFileSync(xzCut, xz.subarray(0, xz.length >> 1));
    }
    const empty = path.join(env.dir, 'empty.tar');
    fs.writeFileSync(empty, '');
    for (const [args, words] of [
      [['import', text, 'bad:1'], `import ${text}: not a tar archive`],
      [['import', gzText, 'bad:1'], `import ${gzText}: not a tar archive`],
      [['import', empty], `import ${empty}: empty file: not a tar archive`],
      ...(haveTools ? [[['import', bzText, 'bad:1'], `import ${bzText}: not a tar archive`], [['import', xzCut, 'bad:1'], `import ${xzCut}: xz: truncated data`]] : []),
      [['import', path.join(env.dir, 'absent.tar')], `open ${path.join(env.dir, 'absent.tar')}: no such file or directory`],
      [['import', '-c', 'FROM scratch', baseTar], 'FROM is not a valid change command'],
      [['import', '--platform', 'linux', baseTar], 'platform "linux": expected os/arch[/variant]'],
      [['import', baseTar, 'bad@sha256:' + 'a'.repeat(64)], 'refusing to create a tag with a digest reference'],
      [['export', '-o', path.join(env.dir, 'never.tar'), 'no-such-container'], 'No such container: no-such-container'],
    ] as [string[], string][]) {
      const r = await hullctl(args);
      expect({ args, code: r.code, stderr: r.stderr }).toEqual({ args, code: 1, stderr: expect.stringContaining(words) });
    }
    expect(fs.existsSync(path.join(env.dir, 'never.tar'))).toBe(false);
    expect(storeState(env.stateDir)).toEqual(before);
    expect(await ok(['images', '-q'])).toBe(images);
  });

  itNeeds(spawnSync('script', ['--version']).status === 0 ? undefined : "needs util-linux's script (a terminal for stdout)")('export refuses a terminal stdout, as docker does', async () => {
    await ok(['run', '--name', 'ie-tty', 'base:1', 'true']);
    const cmd = [process.execPath, '--', HULLCTL, 'export', 'ie-tty'].map((a) => `'${a}'`).join(' ');
    const r = spawnSync('script', ['-qec', cmd, '/dev/null'], { env: cleanEnv({ HULL_ADDRESS: env.address, HULL_STATE_DIR: env.stateDir }), encoding: 'utf8', input: '' });
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('cowardly refusing to save to a terminal. Use the -o flag or redirect');
    // Redirected, the same export is a tar.
    const out = await ok(['export', 'ie-tty']);
    expect(Buffer.from(out, 'latin1').subarray(257, 262).toString()).toBe('ustar');
  });

  it('export of a container made with --rootfs is its root directory', async () => {
    const rootfs = path.join(env.dir, 'rootfs-copy');
    expect(spawnSync('cp', ['-a', ROOTFS, rootfs]).status).toBe(0);
    await ok(['run', '--name', 'ie-rootfs', '--rootfs', rootfs, 'sh', '-c', 'echo hi > /made-here']);
    const file = path.join(env.dir, 'rootfs.tar');
    await ok(['export', '-o', file, await idOf('ie-rootfs')]);
    const l = listing(file);
    expect(l.get('made-here')).toMatchObject({ type: '-', size: '3' });
    expect(l.get('bin/busybox')).toMatchObject({ type: '-' });
  });
});

const dx = describeNeeds(prerequisites(), hull.skip, registryPrerequisites());

dx('binary xattrs through commit, push, pull and unpack; zstd layers', () => {
  let env: Env;
  let reg: TestRegistry;
  // security.capability, VFS_CAP_REVISION_2 with the effective flag: cap_net_admin, cap_net_raw, cap_setfcap (bytes ≥ 0x80).
  const CAP = Buffer.from('0100000200300080000000000000000000000000', 'hex');

  beforeAll(async () => {
    reg = await startRegistry();
    env = await startEnv(hull);
  }, 120_000);
  afterAll(async () => {
    await env?.stop();
    await reg?.stop();
  });
  const ok = async (args: string[]) => {
    const r = await env.hullctl(args);
    if (r.code !== 0) throw new Error(`hullctl ${args.join(' ')}: exit ${r.code}: ${r.stderr}`);
    return r.stdout;
  };
  const getCap = (file: string) => {
    const r = spawnSync('python3', ['-c', 'import os,sys; sys.stdout.write(os.getxattr(sys.argv[1], "security.capability", follow_symlinks=False).hex())', file], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`getxattr ${file}: ${r.stderr}`);
    return Buffer.from(r.stdout, 'hex');
  };

  itNeeds(spawnSync('zstd', ['--version']).status === 0 ? undefined : 'needs the zstd tool (Debian zstd)')('pulls and runs an image whose layers skopeo pushed zstd-compressed', async () => {
    const layout = buildLayout(path.join(env.dir, 'zlayout'));
    const ref = `${reg.host}/zstd:1`;
    const push = spawnSync('skopeo', ['copy', '--dest-tls-verify=false', '--dest-compress-format', 'zstd', `oci:${layout.dir}:latest`, `docker://${ref}`], { encoding: 'utf8' });
    expect(push.stderr).toBe('');
    const manifest = JSON.parse(spawnSync('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${ref}`], { encoding: 'utf8' }).stdout);
    expect(manifest.layers.map((l: { mediaType: string }) => l.mediaType)).toEqual(Array(3).fill('application/vnd.oci.image.layer.v1.tar+zstd'));
    await ok(['pull', ref]);
    // The union of three zstd layers, whiteouts and opaque dir included.
    expect(await ok(['run', '--rm', ref, 'sh', '-c', 'cat /etc/motd; ls /data; ls /opaque'])).toBe('motd\nkept\nc\n');
    await ok(['rmi', ref]);
  });

  it('a security.capability set in a container comes back byte for byte from the registry', async () => {
    const tar = path.join(env.dir, 'base.tar');
    expect(spawnSync('tar', ['-C', ROOTFS, '-cf', tar, '.']).status).toBe(0);
    await ok(['import', tar, 'capbase:1']);
    await ok(['run', '--name', 'cap', 'capbase:1', 'cp', '/bin/busybox', '/ping']);
    const id = (JSON.parse(await ok(['inspect', 'cap'])) as { Id: string }[])[0]!.Id;
    const upper = path.join(env.stateDir, 'images/snapshots/containers', id, 'upper');
    const set = spawnSync('python3', ['-c', 'import os,sys; os.setxattr(sys.argv[1], "security.capability", bytes.fromhex(sys.argv[2]))', path.join(upper, 'ping'), CAP.toString('hex')], { encoding: 'utf8' });
    expect(set.stderr).toBe('');
    const ref = `${reg.host}/cap:1`;
    await ok(['commit', 'cap', ref]);
    await ok(['push', ref]);
    await ok(['rm', 'cap']);
    await ok(['rmi', ref]);
    await ok(['rmi', 'capbase:1']);
    expect(fs.readdirSync(path.join(env.stateDir, 'images/snapshots/layers'))).toEqual([]);
    await ok(['pull', ref]);
    const layers = path.join(env.stateDir, 'images/snapshots/layers');
    const holders = fs.readdirSync(layers).filter((l) => fs.existsSync(path.join(layers, l, 'ping')));
    expect(holders).toHaveLength(1);
    expect(getCap(path.join(layers, holders[0]!, 'ping'))).toEqual(CAP);
    // And in the container's view of the image.
    await ok(['run', '--name', 'cap2', ref, 'true']);
    const exported = path.join(env.dir, 'cap2.tar');
    await ok(['export', '-o', exported, 'cap2']);
    const x = spawnSync('tar', ['--xattrs', '--xattrs-include=security.*', '-C', env.dir, '-xf', exported, 'ping'], { encoding: 'utf8' });
    expect(x.status).toBe(0);
    expect(getCap(path.join(env.dir, 'ping'))).toEqual(CAP);
  });
});
