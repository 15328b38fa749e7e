// hull-shim's command line: `hull-shim serve ...`.
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_ADDRESS, DEFAULT_STATE_DIR, VERSION } from './constants';

const HELP = `Usage: hull-shim serve [options]

Serves containerd's Task API (containerd.task.v2.Task) and hull.shim.v1.Hull
over gRPC on a unix socket, driving a runc-compatible runtime.

Options:
  --address <path>       unix socket to listen on (default ${DEFAULT_ADDRESS}; created 0600)
  --state-dir <dir>      where task records live (default ${DEFAULT_STATE_DIR})
  --runtime <binary>     runtime binary, on PATH or a path (default hull)
  --runtime-root <dir>   the runtime's --root (default: the runtime's own default)
  --insecure-registry <host[:port]>
                         reach this registry over plain HTTP (repeatable;
                         127.0.0.0/8 and localhost always are)
  --certs-dir <dir>      TLS per registry: <dir>/<host[:port]>/*.crt (CAs), NAME.cert
                         and NAME.key (a client certificate) (default /etc/hull/certs.d,
                         as docker's /etc/docker/certs.d)
  --registry-mirror <url>
                         a mirror of docker.io, tried before it (repeatable;
                         http(s)://host[:port])
  --log-format <fmt>     text or json (default text), to stderr
  --debug                log debug lines
  -h, --help             this text
  -v, --version          print the version

SIGTERM or SIGINT stops the daemon; containers keep running and are taken
back by the next daemon started with the same --state-dir.
`;

function fail(msg: string): never {
  process.stderr.write(`hull-shim: ${msg}\n`);
  process.exit(2);
}

function main(argv: string[]): void {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        address: { type: 'string', default: DEFAULT_ADDRESS },
        'state-dir': { type: 'string', default: DEFAULT_STATE_DIR },
        runtime: { type: 'string', default: 'hull' },
        'runtime-root': { type: 'string' },
        'log-format': { type: 'string', default: 'text' },
        'insecure-registry': { type: 'string', multiple: true, default: [] },
        'registry-mirror': { type: 'string', multiple: true, default: [] },
        'certs-dir': { type: 'string', default: '/etc/hull/certs.d' },
        debug: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
        version: { type: 'boolean', short: 'v', default: false },
      },
    });
  } catch (e) {
    fail(`${(e as Error).message}\n\n${HELP}`);
  }
  const { values, positionals } = parsed;
  if (values.help) return void process.stdout.write(HELP);
  if (values.version) return void process.stdout.write(`hull-shim ${VERSION}\n`);
  if (positionals[0] !== 'serve' || positionals.length > 1) fail(`unknown command ${JSON.stringify(positionals.join(' '))}: try "hull-shim serve" or --help`);
  const format = values['log-format'];
  if (format !== 'text' && format !== 'json') fail(`--log-format: ${JSON.stringify(format)}: must be text or json`);
  // hull's own runtime: the CLI beside the library this daemon runs in-process (same version, same
  // state format; a `hull` first on PATH may be another, such as a package manager's shim), else on PATH.
  const fallback = values.runtime === 'hull' ? path.resolve(__dirname, '../../runtime/bin/hull') : undefined;
  const { resolveBinary } = require('./runtime') as typeof import('./runtime');
  const runtime = fallback && fs.existsSync(fallback) ? fallback : resolveBinary(values.runtime!, fallback);
  if (!runtime) fail(`--runtime: ${values.runtime}: not found on PATH${fallback ? ` nor at ${fallback}` : ''}`);
  const address = values.address!.replace(/^unix:\/\//, '');
  if (!path.isAbsolute(address)) fail(`--address: ${address}: must be an absolute socket path`);
  const stateDir = path.resolve(values['state-dir']!);
  const mirrors = values['registry-mirror'] ?? [];
  for (const m of mirrors) {
    if (!/^https?:\/\/[^/?#@]+\/?$/.test(m)) fail(`--registry-mirror: ${JSON.stringify(m)}: expected http(s)://host[:port]`);
  }
  const { serve } = require('./daemon') as typeof import('./daemon');
  serve({ address, stateDir, runtime, inProcess: values.runtime === 'hull', runtimeRoot: values['runtime-root'], logFormat: format, debug: values.debug!, insecureRegistries: values['insecure-registry'], mirrors, certsDir: path.resolve(values['certs-dir']!) }).catch((e: Error) => {
    process.stderr.write(format === 'json' ? JSON.stringify({ time: new Date().toISOString(), level: 'error', msg: e.message }) + '\n' : `hull-shim: ${e.message}\n`);
    process.exit(1);
  });
}

if (!fs.existsSync('/proc/self')) fail('needs Linux /proc');
main(process.argv.slice(2));
