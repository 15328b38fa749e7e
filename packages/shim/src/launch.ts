// Launch: runs a runtime command (create, exec) under a new monitor, wires
// the process's stdio or pty, and reports the runtime's own error on failure.
import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pidfdOpen, pidfdGetfd, closeFd } from '@hull/sys/process';
import { runtimeFailed } from './errors';
import { socketpair } from '@hull/sys/libc';
import { startMonitor, startTime, type Monitor, type MonitorReport } from './monitor';
import { Runtime, lastRuntimeError } from './runtime';
import type { RuntimeJob } from './runtimeThreads';
import { ProcIo, MONITOR_MASTER_FD, MONITOR_STDERR_FD, MONITOR_STDOUT_FD } from './stdio';
import type { Proc } from './task';

const AF_UNIX = 1;
const SOCK_STREAM = 1;
const SOCK_CLOEXEC = 0o2000000;

export class Launcher {
  readonly consoleDir: string;

  constructor(readonly runtime: Runtime, stateDir: string) {
    // Socket paths are limited to 107 bytes; fall back to /tmp for deep state dirs.
    const consoleDir = path.join(stateDir, 'console');
    this.consoleDir = consoleDir.length < 80 ? consoleDir : path.join(os.tmpdir(), 'hull-shim-console');
    fs.mkdirSync(this.consoleDir, { recursive: true, mode: 0o700 });
  }

  /**
   * Runs `args` (given the console-socket flags to splice in) under a
   * monitor; on success `p` has its pid, monitor, child and stdio, and
   * `onMonitorExit` is called when the monitor ends.
   */
  async launch(p: Proc, args: (console: string[]) => string[], onMonitorExit: () => void): Promise<void> {
    const io = new ProcIo(p.rec).open();
    const consoleSocket = p.rec.terminal ? path.join(this.consoleDir, `${crypto.randomBytes(8).toString('hex')}.sock`) : undefined;
    const runtimeArgs = args(consoleSocket ? ['--console-socket', consoleSocket] : []);
    const logFile = path.join(p.task.dir, 'runtime.log');
    await fsp.rm(p.exitFile, { force: true });
    await fsp.rm(p.pidFile, { force: true });
    let mon: Monitor;
    try {
      const slots = io.makePipes();
      mon = startMonitor({
        exitFile: p.exitFile, pidFile: p.pidFile, consoleSocket,
        command: [this.runtime.binary, ...this.runtime.globalArgs(logFile), ...runtimeArgs],
        stdio: slots,
      });
      io.spawned();
    } catch (e) {
      io.destroy();
      throw e;
    }
    const what = `${this.runtime.name} ${runtimeArgs[0]} ${p.task.rec.id}`;
    let report;
    try {
      report = await mon.report;
    } catch (e) {
      io.destroy();
      throw runtimeFailed(`${what}: ${(e as Error).message}`, { id: p.task.rec.id });
    }
    if (report.runtimeStatus !== 0 || report.pid <= 0) {
      io.destroy();
      if (consoleSocket) await fsp.rm(consoleSocket, { force: true });
      const log = await fsp.readFile(logFile, 'utf8').catch(() => '');
      const msg = lastRuntimeError(log) || (report.runtimeStatus === 127 << 8 ? `cannot execute ${this.runtime.binary}` : `exited with wait status ${report.runtimeStatus}`);
      throw runtimeFailed(`${what}: ${msg}`, { id: p.task.rec.id });
    }
    adopt(p, io, mon, report, onMonitorExit);
  }

  /**
   * hull in-process: runs the runtime's create or exec on one of its threads,
   * with the monitor (started here when the thread asks) cloning hull-init;
   * on success `p` is set up as by `launch`.
   */
  async launchInProcess(p: Proc, job: DistributiveOmit<RuntimeJob, 'spawn' | 'consoleFd'>, onMonitorExit: () => void): Promise<void> {
    const what = `hull ${job.op} ${p.task.rec.id}`;
    const io = new ProcIo(p.rec).open();
    await fsp.rm(p.exitFile, { force: true });
    await fsp.rm(p.pidFile, { force: true });
    let mon: Monitor | undefined;
    let consoleFds: [number, number] | undefined;
    try {
      const slots = io.makePipes();
      if (p.rec.terminal) {
        consoleFds = socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC);
        slots[7] = consoleFds[1];
      }
      const spawn = { exitFile: p.exitFile, pidFile: p.pidFile, slots };
      await this.runtime.lib!.jobs.run({ ...job, consoleFd: consoleFds?.[0], spawn } as RuntimeJob, (args) => {
        mon = startMonitor(args);
        io.spawned();
        return mon.pid;
      });
    } catch (e) {
      io.destroy();
      throw e;
    } finally {
      if (consoleFds) for (const fd of consoleFds) closeFd(fd);
    }
    if (!mon) throw runtimeFailed(`${what}: no monitor was started`, { id: p.task.rec.id });
    const report = await (mon as Monitor).report.catch((e: Error) => {
      io.destroy();
      throw runtimeFailed(`${what}: ${e.message}`, { id: p.task.rec.id });
    });
    if (report.pid <= 0) {
      io.destroy();
      throw runtimeFailed(`${what}: its monitor found no process to keep`, { id: p.task.rec.id });
    }
    adopt(p, io, mon, report, onMonitorExit);
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

function adopt(p: Proc, io: ProcIo, mon: Monitor, report: MonitorReport, onMonitorExit: () => void): void {
  p.rec.pid = report.pid;
  p.rec.monitorPid = mon.pid;
  p.rec.monitorStart = startTime(mon.pid);
  p.child = mon.child;
  p.io = io;
  mon.child.on('exit', onMonitorExit);
  if (p.rec.terminal && report.master >= 0) attachFromMonitor(p, io);
}

/**
 * Takes a process's outputs to FIFOs (or its pty master, twice: one fd to read,
 * one to write) from its monitor: at launch, and again after a daemon restart.
 * Outputs to logs stay with the monitor, which writes them.
 */
export function attachFromMonitor(p: Proc, io: ProcIo): void {
  const pidfd = pidfdOpen(p.rec.monitorPid);
  try {
    if (p.rec.terminal) io.attachPty(io.copies(1) ? pidfdGetfd(pidfd, MONITOR_MASTER_FD) : undefined, pidfdGetfd(pidfd, MONITOR_MASTER_FD));
    else io.attachOutputs(io.copies(1) ? pidfdGetfd(pidfd, MONITOR_STDOUT_FD) : undefined, io.copies(2) ? pidfdGetfd(pidfd, MONITOR_STDERR_FD) : undefined);
  } finally {
    closeFd(pidfd);
  }
}
