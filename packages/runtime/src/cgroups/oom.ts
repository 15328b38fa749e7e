// OOM notifications as a callback stream, for `hull events`:
//   v1: an eventfd registered with cgroup.event_control on memory.oom_control
//       (the kernel signals it on each OOM, and once more when the cgroup goes);
//   v2: inotify on memory.events, reporting each rise of its oom_kill counter.
import fs from 'node:fs';
import path from 'node:path';
import { parseKeyValues, readOptional, writeCgroupFile } from './files';
import type { OomWatch } from './manager';

export function watchOomV1(memDir: string, onOom: () => void): OomWatch {
  // koffi's: loaded by `events` only, not by every command that opens a cgroup.
  const { EFD_CLOEXEC, eventfd } = require('@hull/sys/eventfd') as typeof import('@hull/sys/eventfd');
  const efd = eventfd(0, EFD_CLOEXEC);
  let ctl: number | undefined;
  try {
    ctl = fs.openSync(path.join(memDir, 'memory.oom_control'), fs.constants.O_RDONLY);
    writeCgroupFile(memDir, 'cgroup.event_control', `${efd} ${ctl}`);
  } catch (e) {
    fs.closeSync(efd);
    if (ctl !== undefined) fs.closeSync(ctl);
    throw e;
  }
  let closing = false;
  let done = false;
  const finish = () => {
    if (done) return;
    done = true;
    fs.closeSync(efd);
    fs.closeSync(ctl!);
  };
  const buf = Buffer.alloc(8);
  // A blocking read in libuv's pool: the eventfd is not a stream Node can poll.
  const next = () => fs.read(efd, buf, 0, 8, null, (err) => {
    if (err || closing || !fs.existsSync(memDir)) return finish();
    onOom();
    next();
  });
  next();
  return {
    close() {
      if (closing || done) return;
      closing = true;
      // Wake the pending read; its callback closes the fds.
      const one = Buffer.alloc(8);
      one.writeBigUInt64LE(1n);
      fs.writeSync(efd, one);
    },
  };
}

function oomKills(dir: string): number | undefined {
  const text = readOptional(dir, 'memory.events');
  return text === undefined ? undefined : parseKeyValues(text).oom_kill ?? 0;
}

export function watchOomV2(dir: string, onOom: () => void): OomWatch {
  let last = oomKills(dir) ?? 0;
  const watcher = fs.watch(path.join(dir, 'memory.events'), () => {
    const now = oomKills(dir);
    if (now === undefined) return watcher.close();
    for (; last < now; last++) onOom();
  });
  // A removed cgroup makes the watch fail: the stream just ends.
  watcher.on('error', () => watcher.close());
  return { close: () => watcher.close() };
}
