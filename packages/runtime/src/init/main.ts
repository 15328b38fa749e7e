// The container's init: PID 1 of the new pid namespace, started by the
// native primitive. It builds the container around itself, reports
// "created", blocks on the exec fifo until `start`, then becomes the
// container process with execve.
//
// Rules (see DESIGN.md): after the first unshare only synchronous fs calls
// or FFI; every module and library is loaded before pivot_root; fds 0-2
// belong to the container process and are never written here.
import fs from 'node:fs';
import { ConfigError, errorMessage } from '../errors';
import { channel, logger, receiveConfig, runEntry } from './entry';
import type { InitConfig } from './config';

// Everything the init needs after pivot_root is required up front.
import * as libc from '../sys/libc';
import { O } from '../sys/constants';
import { enterCgroupNamespace, enterNamespaces, loopbackUp } from './namespaces';
import { applyRootPropagation, enterRootfs, maskPaths, prepareRootfs, readonlyPaths, readonlyRoot } from './rootfs';
import { applyOomScoreAdj, applySysctl, checkRlimits, writeTimeOffsets } from './process';
import { setupConsole } from './terminal';
import { becomeProcess, connectSeccompAgent, joinCgroup, prepareProcess } from './finalize';
import { runHooks } from '../hooks';



function main(): void {
  const cfg = receiveConfig<InitConfig>();
  const { spec } = cfg;
  const linux = spec.linux ?? {};
  const namespaces = linux.namespaces ?? [];
  // The spec requires process only at start: without one, create succeeds and start fails.
  const proc = spec.process;

  libc.setsid();
  enterNamespaces(namespaces);
  if (!cfg.noNewKeyring) joinKeyring(cfg.id);
  if (namespaces.some((n) => n.type === 'time' && !n.path)) writeTimeOffsets(linux.timeOffsets);
  if (namespaces.some((n) => n.type === 'uts')) {
    if (spec.hostname !== undefined) libc.sethostname(spec.hostname);
    if (spec.domainname !== undefined) libc.setdomainname(spec.domainname);
  }
  if (namespaces.some((n) => n.type === 'network' && !n.path)) loopbackUp();
  // Both are also applied right before execve; checked now (the host's /proc is still here)
  // so that a refused value fails create, as with runc.
  applyOomScoreAdj(proc?.oomScoreAdj);
  checkRlimits(proc?.rlimits, cfg.userns);


  const hostMountNs = !namespaces.some((n) => n.type === 'mount');
  prepareRootfs({ rootfs: cfg.rootfs, bundle: cfg.bundle, spec, cgroups: { dirs: cfg.cgroupDirs }, userns: cfg.userns, hostMountNs });

  // prestart and createRuntime hooks run in the parent, in the runtime's namespaces.
  channel.send({ type: 'mounts' });
  const go = channel.recv<{ type: string }>();
  if (go?.type !== 'continue') throw new Error(`sync: expected continue, got ${go?.type ?? 'EOF'}`);

  runHooks(spec.hooks?.createContainer, cfg.state, 'createContainer', { log: logger });

  const seccompAgent = connectSeccompAgent(linux.seccomp);
  enterRootfs(cfg.rootfs, cfg.noPivot, hostMountNs);
  if (!hostMountNs) applyRootPropagation(linux.rootfsPropagation);
  applySysctl(linux.sysctl);
  readonlyPaths(linux.readonlyPaths);
  maskPaths(linux.maskedPaths);
  if (spec.root?.readonly) readonlyRoot();
  if (proc?.terminal && cfg.consoleFd !== undefined) setupConsole(cfg.consoleFd, proc.consoleSize);

  const prep = proc ? prepareProcess(proc, linux.seccomp, logger) : undefined;

  // The spec: once created, everything but the process is applied, the cgroup and the
  // cgroup namespace included. Joining now still keeps the runtime's footprint out of the
  // container's limits: pages Node touched stay charged where they were, and pids.max
  // limits forks, not moves; only what the init does from here on counts.
  joinCgroup(cfg.cgroupFds);
  enterCgroupNamespace(namespaces);

  channel.send({ type: 'ready' });
  const startFd = waitForStart(cfg.fifoFd);
  try {
    runHooks(spec.hooks?.startContainer, { ...cfg.state, status: 'created' }, 'startContainer', { log: logger });
    if (!proc || !prep) throw new ConfigError('process', 'is required to start the container');
    becomeProcess(proc, prep, {
      preserveFds: cfg.preserveFds,
      seccompSpec: linux.seccomp,
      seccompAgent,
      state: cfg.state,
      personality: linux.personality,
      log: logger,
      memoryPolicy: linux.memoryPolicy,
    });
  } catch (e) {
    // `start` is reading the fifo: it reports this as its own failure.
    try {
      libc.write(startFd, Buffer.from(errorMessage(e)));
    } catch {
      // start gave up
    }
    throw e;
  }
}

/** A session keyring of the container's own, so it does not share the host's keys (as runc). */
function joinKeyring(id: string): void {
  try {
    libc.joinSessionKeyring(`_ses.${id}`);
  } catch (e) {
    // Kernels without keyrings (ENOSYS) or that forbid them here: runc goes on too.
    logger.debug(`session keyring not created: ${errorMessage(e)}`);
  }
}

/**
 * Opening the fifo for writing blocks until `hull start` opens it for reading.
 * One byte says "connected"; then either an error message (the startContainer
 * hooks or the last steps failed) or nothing: the fd is close-on-exec, so
 * start sees EOF once the process runs.
 */
function waitForStart(fifoFd: number): number {
  const fd = libc.open(`/proc/self/fd/${fifoFd}`, O.WRONLY | O.CLOEXEC);
  libc.close(fifoFd);
  libc.write(fd, Buffer.from('0'));
  return fd;
}


runEntry(main);
