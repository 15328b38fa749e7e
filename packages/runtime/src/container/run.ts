// `hull run`: create + start. In the foreground it forwards signals to the
// container, waits for it, removes it (as runc does, unless --keep) and
// returns its exit status (128+N for signal N).
import fs from 'node:fs';
import type { Log } from '../log';
import type { StateStore } from '../state/store';
import * as libc from '@hull/sys/syscalls';
import { waitForeground } from './wait';
import { create, type CreateOptions } from './create';
import { start } from './start';
import { remove } from './delete';

export interface RunOptions extends CreateOptions {
  detach?: boolean;
  /** `--keep`: leave the stopped container (state, cgroup) for `delete`, as runc. */
  keep?: boolean;
}

export async function run(store: StateStore, opts: RunOptions, log: Log): Promise<number> {
  let console: import('./console').ConsoleProxy | undefined;
  if (!opts.detach && !opts.consoleSocket) {
    if (needsConsole(opts.bundle)) {
      const { ConsoleProxy } = require('./console') as typeof import('./console'); // koffi's ioctl and recvmsg
      console = new ConsoleProxy();
      opts = { ...opts, consoleFd: console.childFd };
    }
  }
  const created = create(store, opts, log);
  const { pid } = created.record;
  console?.attach();
  try {
    start(store, opts.id, log);
  } catch (e) {
    remove(store, opts.id, true, log);
    throw e;
  }
  // EOF on the channel: the init reached execve (the socket is close-on-exec).
  try {
    created.channel.expectExec();
  } catch (e) {
    reap(pid);
    remove(store, opts.id, true, log);
    throw e;
  } finally {
    created.channel.close();
  }
  if (opts.detach) return 0;

  try {
    return await waitForeground(pid, console);
  } finally {
    if (!opts.keep) remove(store, opts.id, true, log);
  }
}

function needsConsole(bundle: string): boolean {
  try {
    return Boolean(JSON.parse(fs.readFileSync(`${bundle}/config.json`, 'utf8'))?.process?.terminal);
  } catch {
    return false; // create reports the bad config
  }
}

function reap(pid: number): void {
  try {
    libc.waitpid(pid, 0);
  } catch {
    // not ours
  }
}
