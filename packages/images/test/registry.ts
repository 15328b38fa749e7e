// Test fixtures for images: a real registry (Debian's docker-registry,
// distribution 2.8) on 127.0.0.1 with a free port, plain or with htpasswd
// basic auth, and OCI layouts built from the busybox rootfs (several layers,
// a whiteout, an opaque directory, a two-platform index), put into it with
// skopeo.
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';

export const REPO = path.resolve(__dirname, '../../..');
export const ROOTFS = path.join(REPO, 'build/rootfs');
const REGISTRY_BIN = '/usr/bin/docker-registry';

/** Why registry tests cannot run here, or undefined. */
export function registryPrerequisites(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root';
  if (!fs.existsSync(REGISTRY_BIN)) return 'docker-registry is not installed (apt-get install docker-registry)';
  if (spawnSync('skopeo', ['--version']).status !== 0) return 'skopeo is not installed (apt-get install skopeo)';
  if (!fs.existsSync(path.join(ROOTFS, 'bin/busybox'))) return 'no busybox rootfs (make rootfs)';
  return undefined;
}

export interface TestRegistry {
  host: string;
  dir: string;
  stop(): Promise<void>;
}

export interface TokenAuth {
  realm: string;
  service: string;
  issuer: string;
  /** PEM certificate whose key signs the tokens. */
  certFile: string;
}

export interface RegistryOptions {
  htpasswd?: { user: string; password: string };
  token?: TokenAuth;
  /** Serve HTTPS with this certificate and key (PEM files). */
  tls?: { cert: string; key: string; clientCAs?: string[] };
  /** Run inside this network namespace, listening on `ip` (port 5000 unless given). */
  netns?: { name: string; ip: string; port?: number };
}

function portOpen(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port }, () => { s.destroy(); resolve(true); });
    s.on('error', () => resolve(false));
  });
}

async function answersV2(host: string): Promise<boolean> {
  try {
    const res = await fetch(`http://${host}/v2/`);
    return res.status === 200 || res.status === 401;
  } catch {
    return false;
  }
}

export async function startRegistry(opts: RegistryOptions = {}): Promise<TestRegistry> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hull-registry-'));
  // Port 0: the registry binds a free port itself and logs which (a port probed
  // free here and bound later could be taken meanwhile by a parallel test).
  const port = opts.netns ? opts.netns.port ?? 5000 : 0;
  const ip = opts.netns?.ip ?? '127.0.0.1';
  let auth = '';
  if (opts.htpasswd) {
    execFileSync('htpasswd', ['-Bbc', path.join(dir, 'htpasswd'), opts.htpasswd.user, opts.htpasswd.password], { stdio: 'ignore' });
    auth = `auth:\n  htpasswd:\n    realm: hull-test\n    path: ${path.join(dir, 'htpasswd')}\n`;
  }
  if (opts.token) {
    const t = opts.token;
    auth = `auth:\n  token:\n    realm: ${t.realm}\n    service: ${t.service}\n    issuer: ${t.issuer}\n    rootcertbundle: ${t.certFile}\n`;
  }
  fs.writeFileSync(path.join(dir, 'config.yml'), `version: 0.1
log:
  level: info
storage:
  filesystem:
    rootdirectory: ${path.join(dir, 'data')}
  delete:
    enabled: true
http:
  addr: ${ip}:${port}
${opts.tls ? `  tls:\n    certificate: ${opts.tls.cert}\n    key: ${opts.tls.key}\n${opts.tls.clientCAs ? `    clientcas:\n${opts.tls.clientCAs.map((c) => `      - ${c}\n`).join('')}` : ''}` : ''}${auth}`);
  const cmd = opts.netns ? ['ip', ['netns', 'exec', opts.netns.name, REGISTRY_BIN, 'serve', path.join(dir, 'config.yml')]] as const : [REGISTRY_BIN, ['serve', path.join(dir, 'config.yml')]] as const;
  const child: ChildProcess = spawn(cmd[0], [...cmd[1]], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr!.on('data', (b: Buffer) => (log += b.toString()));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  let host = '';
  for (let i = 0; ; i++) {
    if (!host) {
      const bound = /level=info msg="listening on ([0-9.]+:\d+)/.exec(log)?.[1];
      if (bound) host = port === 0 ? bound : `${ip}:${port}`;
    }
    if (host && (opts.tls || opts.netns ? await portOpen(ip, Number(host.split(':')[1])) : await answersV2(host))) break;
    // Generous: a loaded machine starts a Go binary slowly.
    if (child.exitCode !== null || i > 1200) {
      child.kill('SIGKILL');
      fs.rmSync(dir, { recursive: true, force: true });
      throw new Error(`docker-registry did not start: ${log}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    host,
    dir,
    async stop() {
      child.kill('SIGTERM');
      await exited;
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

const sha = (b: Buffer) => `sha256:${crypto.createHash('sha256').update(b).digest('hex')}`;

interface Blob {
  digest: string;
  size: number;
}

function writeBlob(layout: string, data: Buffer): Blob {
  const d = sha(data);
  fs.writeFileSync(path.join(layout, 'blobs/sha256', d.slice(7)), data);
  return { digest: d, size: data.length };
}

/** A tar of `dir` (GNU tar: numeric owners, sorted, fixed times: reproducible). */
function tarOf(dir: string): Buffer {
  return execFileSync('tar', ['-C', dir, '--numeric-owner', '--sort=name', '--mtime=@1600000000', '--xattrs', '-cf', '-', '.'], { maxBuffer: 256 << 20 });
}

export interface Layout {
  dir: string;
  /** The layers' uncompressed tars' digests, bottom first. */
  diffIds: string[];
  /** The manifest's digest (for a multi-platform layout: the index's). */
  digest: string;
}

/**
 * An OCI layout of busybox in three layers:
 *  1. the busybox rootfs;
 *  2. /hello.txt, /data/gone, /data/kept, /opaque/{a,b};
 *  3. a whiteout of /data/gone, /opaque made opaque with /opaque/c, /etc/motd.
 * With `platforms`, an index with one manifest per platform (the same layers,
 * the config saying which platform, and a label naming it).
 */
export function buildLayout(dir: string, opts: { platforms?: string[]; tag?: string; extraLabel?: string; bigFile?: number } = {}): Layout {
  fs.mkdirSync(path.join(dir, 'blobs/sha256'), { recursive: true });
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'hull-layer-'));
  try {
    const l2 = path.join(scratch, 'l2');
    fs.mkdirSync(path.join(l2, 'data'), { recursive: true });
    fs.mkdirSync(path.join(l2, 'opaque'));
    fs.writeFileSync(path.join(l2, 'hello.txt'), 'hello from layer 2\n');
    fs.writeFileSync(path.join(l2, 'data/gone'), 'to be deleted\n');
    fs.writeFileSync(path.join(l2, 'data/kept'), 'kept\n');
    fs.writeFileSync(path.join(l2, 'opaque/a'), 'a\n');
    fs.writeFileSync(path.join(l2, 'opaque/b'), 'b\n');
    // Random bytes: a layer that gzip cannot shrink, for tests that need a long download.
    if (opts.bigFile) fs.writeFileSync(path.join(l2, 'big.bin'), crypto.randomBytes(opts.bigFile));
    const l3 = path.join(scratch, 'l3');
    fs.mkdirSync(path.join(l3, 'data'), { recursive: true });
    fs.mkdirSync(path.join(l3, 'opaque'));
    fs.mkdirSync(path.join(l3, 'etc'));
    fs.writeFileSync(path.join(l3, 'data/.wh.gone'), '');
    fs.writeFileSync(path.join(l3, 'opaque/.wh..wh..opq'), '');
    fs.writeFileSync(path.join(l3, 'opaque/c'), 'c\n');
    fs.writeFileSync(path.join(l3, 'etc/motd'), `${opts.extraLabel ?? 'motd'}\n`);
    const tars = [tarOf(ROOTFS), tarOf(l2), tarOf(l3)];
    const layers = tars.map((t) => ({ ...writeBlob(dir, zlib.gzipSync(t, { level: 1 })), mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip' }));
    const diffIds = tars.map(sha);
    const manifestFor = (platform: string) => {
      const [os_, arch, variant] = platform.split('/');
      const config = {
        created: '2026-12-01T00:00:00Z',
        architecture: arch, os: os_, ...(variant ? { variant } : {}),
        config: {
          Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'GREETING=from-image'],
          Cmd: ['sh'],
          WorkingDir: '/data',
          Labels: { platform, ...(opts.extraLabel ? { extra: opts.extraLabel } : {}) },
          ExposedPorts: { '8080/tcp': {} },
          StopSignal: 'SIGQUIT',
        },
        rootfs: { type: 'layers', diff_ids: diffIds },
        history: [
          { created: '2026-12-01T00:00:00Z', created_by: 'ADD rootfs /' },
          { created: '2026-12-01T00:00:01Z', created_by: 'COPY files /' },
          { created: '2026-12-01T00:00:02Z', created_by: 'RUN rm /data/gone' },
          { created: '2026-12-01T00:00:03Z', created_by: 'CMD ["sh"]', empty_layer: true },
        ],
      };
      const cfg = writeBlob(dir, Buffer.from(JSON.stringify(config)));
      const manifest = {
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...cfg },
        layers,
      };
      return { ...writeBlob(dir, Buffer.from(JSON.stringify(manifest))), platform: { os: os_, architecture: arch, ...(variant ? { variant } : {}) } };
    };
    const tag = opts.tag ?? 'latest';
    const ann = { 'org.opencontainers.image.ref.name': tag };
    let top: { digest: string; size: number; mediaType: string };
    if (opts.platforms) {
      const manifests = opts.platforms.map((p) => ({ mediaType: 'application/vnd.oci.image.manifest.v1+json', ...manifestFor(p) }));
      const idx = writeBlob(dir, Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests })));
      top = { ...idx, mediaType: 'application/vnd.oci.image.index.v1+json' };
    } else {
      const m = manifestFor('linux/amd64');
      top = { digest: m.digest, size: m.size, mediaType: 'application/vnd.oci.image.manifest.v1+json' };
    }
    fs.writeFileSync(path.join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
    fs.writeFileSync(path.join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [{ ...top, annotations: ann }] }));
    return { dir, diffIds, digest: top.digest };
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

/**
 * skopeo copy oci:DIR:TAG docker://HOST/REPO:TAG (every platform of an index).
 * Asynchronous: a token service in this process must keep answering.
 */
export function pushLayout(layout: string, tag: string, dest: string, creds?: { user: string; password: string }): Promise<void> {
  const args = ['copy', '--all', '--dest-tls-verify=false', ...(creds ? ['--dest-creds', `${creds.user}:${creds.password}`] : []),
    '--preserve-digests', `oci:${layout}:${tag}`, `docker://${dest}`];
  return new Promise((resolve, reject) => {
    const child = spawn('skopeo', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr!.on('data', (b: Buffer) => (err += b.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`skopeo ${args.join(' ')}: ${err}`))));
  });
}
