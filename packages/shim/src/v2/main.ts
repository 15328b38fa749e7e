// containerd-shim-hull-v2: containerd's shim v2 binary protocol.
//   start   bind or share the namespace's daemon, print its address
//   delete  clean up a task after its daemon died, print a DeleteResponse
//   serve   (hull's own) the daemon, on the socket inherited as fd 3
import fs from 'node:fs';
import path from 'node:path';
import { VERSION } from '../constants';
import { parseFlags, type ShimFlags } from './flags';

function fail(msg: string): never {
  process.stderr.write(`containerd-shim-hull-v2: ${msg}\n`);
  process.exit(1);
}

async function main(argv: string[]): Promise<void> {
  let f: ShimFlags;
  try {
    f = parseFlags(argv);
  } catch (e) {
    return fail((e as Error).message);
  }
  switch (f.action) {
    case 'version':
      process.stdout.write(`containerd-shim-hull-v2 ${VERSION}\n`);
      return;
    case 'start': {
      const { start } = require('./start') as typeof import('./start');
      let stdin = Buffer.alloc(0);
      try {
        stdin = fs.readFileSync(0);
      } catch { /* closed */ }
      const address = await start(f, stdin);
      process.stdout.write(address);
      return process.exit(0);
    }
    case 'delete': {
      const { deleteTask } = require('./delete') as typeof import('./delete');
      process.stdout.write(await deleteTask(f));
      return process.exit(0);
    }
    case 'serve': {
      const { serveShim } = require('./daemon') as typeof import('./daemon');
      const { shimPlace, groupOf } = require('./paths') as typeof import('./paths');
      const { resolveBinary } = require('../runtime') as typeof import('../runtime');
      const { DAEMON_LISTEN_FD } = require('./start') as typeof import('./start');
      const ttrpcAddress = process.env.TTRPC_ADDRESS || `${f.address}.ttrpc`;
      const runtime = resolveBinary(f.runtimeBinary || 'hull', path.resolve(__dirname, '../../../runtime/bin/hull'));
      if (!runtime) return fail(`runtime ${f.runtimeBinary || 'hull'}: not found on PATH`);
      const place = shimPlace(ttrpcAddress, f.namespace, groupOf(f.bundle), f.runtimeRoot);
      await serveShim({ listenFd: DAEMON_LISTEN_FD, place, runtime, inProcess: !f.runtimeBinary || f.runtimeBinary === 'hull', namespace: f.namespace, ttrpcAddress, debug: f.debug });
      return;
    }
    case '':
      return fail('an action is required: start or delete (containerd runs this binary; see its shim v2 protocol)');
    default:
      return fail(`unknown action ${JSON.stringify(f.action)}: start or delete`);
  }
}

main(process.argv.slice(2)).catch((e: Error) => fail(e.message));
