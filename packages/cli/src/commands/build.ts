// hullctl build [-t NAME[:TAG]]… [-f FILE|-] [--build-arg K=V]… [--target]
// [--no-cache] [--pull] [--label K=V]… [--progress MODE] [-q] [--network none|host] CONTEXT:
// the context (minus .dockerignore) goes to the supervisor as a tar stream,
// which builds and answers with docker's step output and the image ID. That
// output is printed as it comes (plain), drawn as a live view of the steps
// (tty), or held back unless the build fails (quiet, -q).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { packContext } from '@hull/build/context';
import type { Context } from '../context';
import { grpcError } from '../client';
import { CliError, FlagError } from '../errors';
import { BuildView } from '../images/buildview';
import { humanSize } from '../units';
import { strings } from './common';

const BUILD_SERVICE = 'hull.build.v1.Builder';

function readStdin(): string {
  return fs.readFileSync(0, 'utf8');
}

export async function handler(ctx: Context, argv: Record<string, unknown>): Promise<number> {
  // yargs turns a lone `-` positional into `true`.
  const stdinDockerfile = argv.path === true || String(argv.path) === '-';
  // `hullctl build - < Dockerfile`: the Dockerfile from stdin and no context (an empty directory), as docker's.
  const dir = stdinDockerfile ? fs.mkdtempSync(path.join(os.tmpdir(), 'hullctl-build-')) : String(argv.path);
  try {
    return await build(ctx, argv, dir, stdinDockerfile);
  } finally {
    if (stdinDockerfile) fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function build(ctx: Context, argv: Record<string, unknown>, dir: string, stdinDockerfile: boolean): Promise<number> {
  if (stdinDockerfile && argv.file !== undefined) throw new FlagError('hullctl build: -f cannot be used with a Dockerfile from stdin (-)');
  if (!fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory()) throw new CliError(`unable to prepare context: path ${JSON.stringify(dir)} not found`, 1, 'ENOTFOUND');
  const file = argv.file === undefined ? path.join(dir, 'Dockerfile') : String(argv.file);
  let dockerfile: string;
  let name = 'Dockerfile';
  if (file === '-' || stdinDockerfile) {
    dockerfile = readStdin();
    name = '-';
  } else {
    try {
      dockerfile = fs.readFileSync(file, 'utf8');
    } catch {
      throw new CliError(`unable to prepare context: unable to evaluate symlinks in Dockerfile path: lstat ${path.resolve(file)}: no such file or directory`, 1, 'ENOTFOUND');
    }
    const rel = path.relative(dir, file);
    name = rel.startsWith('..') || path.isAbsolute(rel) ? path.basename(file) : rel;
  }
  const network = String(argv.network ?? 'none');
  if (!['none', 'host', 'default'].includes(network)) throw new FlagError(`hullctl build: --network ${network}: only none and host are supported`);
  const progress = progressMode(argv.progress, !!argv.quiet, !!process.stdout.isTTY, canRequireEsm());
  const options = {
    tags: strings(argv.tag),
    dockerfile,
    dockerfile_name: name,
    build_args: strings(argv.buildArg).map((kv) => (kv.includes('=') ? kv : `${kv}=${process.env[kv] ?? ''}`)),
    target: argv.target === undefined ? '' : String(argv.target),
    no_cache: !!argv.noCache,
    pull: !!argv.pull,
    labels: strings(argv.label).map((kv) => (kv.includes('=') ? kv : `${kv}=`)),
    network: network === 'default' ? 'none' : network,
  };
  const out = progress === 'tty' ? ttyOutput() : progress === 'quiet' ? quietOutput() : plainOutput();
  const client = ctx.client();
  const call = client.duplex(BUILD_SERVICE, 'Build');
  let imageId = '';
  const done = new Promise<void>((resolve, reject) => {
    call.on('data', (m: { stream?: Buffer; image_id?: string }) => {
      if (m.stream?.length) out.data(Buffer.from(m.stream));
      if (m.image_id) imageId = m.image_id;
    });
    call.on('error', (e) => reject(grpcError(e, client.address)));
    call.on('end', resolve);
  });
  done.catch(() => undefined); // awaited below; a failure while sending must not leave it unhandled
  try {
    call.write({ options });
    const tar = packContext(dir, name);
    let sent = 0;
    for await (const chunk of tar) {
      sent += (chunk as Buffer).length;
      if (!call.write({ context: chunk })) await new Promise((r) => call.once('drain', r));
    }
    // docker's first line; the supervisor starts once the context is whole, so it comes first.
    out.contextSent(humanSize(sent));
    call.end();
    await done;
  } catch (e) {
    out.end(false);
    const msg = (e as Error).message;
    throw new CliError(msg, 1, (e as CliError).code ?? 'EBUILD');
  }
  out.end(true);
  if (progress === 'quiet') process.stdout.write(`${imageId}\n`);
  return 0;
}

type Progress = 'plain' | 'tty' | 'quiet';

/** The tty view's library is an ES module, which require() loads from Node 20.19 on. */
function canRequireEsm(): boolean {
  return (process.features as { require_module?: boolean }).require_module === true;
}

/** --progress as docker reads it: auto is tty on a terminal, else plain; -q wins over all but a bad value. */
export function progressMode(value: unknown, quiet: boolean, terminal: boolean, esm = true): Progress {
  const mode = value === undefined ? 'auto' : String(value);
  if (!['auto', 'plain', 'tty', 'quiet'].includes(mode)) throw new FlagError(`hullctl build: invalid --progress ${JSON.stringify(mode)}: expected auto, plain, tty or quiet`);
  if (quiet || mode === 'quiet') return 'quiet';
  if (mode === 'tty' && !terminal) throw new FlagError('hullctl build: --progress tty needs a terminal on stdout (use plain, or auto)');
  if (mode === 'tty' && !esm) throw new FlagError(`hullctl build: --progress tty needs Node.js 20.19 or newer (this is ${process.version}); use plain`);
  return mode === 'auto' ? (terminal && esm ? 'tty' : 'plain') : (mode as Progress);
}

interface Output {
  data(chunk: Buffer): void;
  contextSent(size: string): void;
  end(ok: boolean): void;
}

/** docker's step lines, as the supervisor writes them. */
function plainOutput(): Output {
  return {
    data: (chunk) => process.stdout.write(chunk),
    contextSent: (size) => process.stdout.write(`Sending build context to hull-shim  ${size}\n`),
    end: () => {},
  };
}

/** Nothing unless the build fails; then all of it, on stderr (docker's rule for -q). */
function quietOutput(): Output {
  const held: Buffer[] = [];
  return {
    data: (chunk) => held.push(chunk),
    contextSent: () => {},
    end: (ok) => {
      if (!ok) process.stderr.write(Buffer.concat(held));
    },
  };
}

/**
 * A live view of the steps, redrawn in place ten times a second by log-update (sindresorhus'; it
 * erases what it drew last and fits the frame to the terminal). An ES module, required as Node 20.19+
 * requires one, and kept out of the bundle: only a tty build loads it.
 */
function ttyOutput(): Output {
  const { createLogUpdate } = require('log-update') as typeof import('log-update');
  // A terminal that reports no size (0x0) is drawn as 80x24: log-update would fit the frame to nothing.
  const width = () => process.stdout.columns || 80;
  const terminal = { write: (s: string) => process.stdout.write(s), get columns() { return width(); }, get rows() { return process.stdout.rows || 24; } };
  const draw = createLogUpdate(terminal as unknown as NodeJS.WriteStream, { showCursor: true });
  const view = new BuildView(Date.now());
  const timer = setInterval(() => draw(view.frame(Date.now(), width())), 100);
  draw(view.frame(Date.now(), width()));
  return {
    data: (chunk) => view.feed(chunk.toString(), Date.now()),
    contextSent: (size) => view.contextSent(size, Date.now()),
    end: (ok) => {
      clearInterval(timer);
      view.finish(ok, Date.now());
      draw(view.frame(Date.now(), width(), true));
      draw.done();
      const failure = view.failure();
      if (failure) process.stdout.write(`${failure}\n`);
      for (const r of view.results) process.stdout.write(`${r}\n`);
    },
  };
}
