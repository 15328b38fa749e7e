// hullctl build [-t NAME[:TAG]]… [-f FILE|-] [--build-arg K=V]… [--target]
// [--no-cache] [--pull] [--label K=V]… [-q] [--network none|host] CONTEXT:
// the context (minus .dockerignore) goes to the supervisor as a tar stream,
// which builds and answers with docker's step output and the image ID.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { packContext } from '@hull/build/context';
import type { Context } from '../context';
import { grpcError } from '../client';
import { CliError, FlagError } from '../errors';
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
  const quiet = !!argv.quiet;
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
  const client = ctx.client();
  const call = client.duplex(BUILD_SERVICE, 'Build');
  const held: Buffer[] = [];
  let imageId = '';
  const done = new Promise<void>((resolve, reject) => {
    call.on('data', (m: { stream?: Buffer; image_id?: string }) => {
      if (m.stream?.length) {
        if (quiet) held.push(Buffer.from(m.stream));
        else process.stdout.write(m.stream);
      }
      if (m.image_id) imageId = m.image_id;
    });
    call.on('error', (e) => reject(grpcError(e, client.address)));
    call.on('end', resolve);
  });
  call.write({ options });
  const tar = packContext(dir, name);
  let sent = 0;
  for await (const chunk of tar) {
    sent += (chunk as Buffer).length;
    if (!call.write({ context: chunk })) await new Promise((r) => call.once('drain', r));
  }
  // docker's first line; the supervisor starts once the context is whole, so it comes first.
  if (!quiet) process.stdout.write(`Sending build context to hull-shim  ${humanSize(sent)}\n`);
  call.end();
  try {
    await done;
  } catch (e) {
    // -q hides the output unless the build fails (docker's rule).
    if (quiet) process.stderr.write(Buffer.concat(held));
    const msg = (e as Error).message;
    throw new CliError(msg, 1, (e as CliError).code ?? 'EBUILD');
  }
  if (quiet) process.stdout.write(`${imageId}\n`);
  return 0;
}
