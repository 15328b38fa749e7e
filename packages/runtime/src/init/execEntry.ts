// The exec entry: a process joining a running container (`hull exec`).
// The native primitive has already put it in the container's user and pid
// namespaces, from a read-only bind of the node binary; here it makes
// itself non-dumpable first, joins the other namespaces (mount last), the
// cgroup, and becomes the process.
import * as libc from '../sys/libc';
import { CLONE, O, PR } from '../sys/constants';

// Before anything else: nothing in the container may reach this process's memory or fds.
// The native side exec'd us with real uid nobody so that execve left us non-dumpable;
// take the real uid back now that the flag is ours to keep.
libc.prctl(PR.SET_DUMPABLE, 0, 0, 0, 0, 'set non-dumpable');
libc.setresuid(0);

import type { Linux, LinuxSeccomp, Personality, Process, State } from '../spec/types';
import { logger, receiveConfig, runEntry } from './entry';
import { NS_FLAGS, NS_PROC_NAMES } from './namespaces';
import { setupConsole } from './terminal';
import { becomeProcess, connectSeccompAgent, prepareProcess } from './finalize';

export interface ExecConfig {
  process: Process;
  /** Host pid of the container's init: its /proc/<pid>/ns/* are joined. */
  initPid: number;
  /** Namespace types to join here (user and pid are joined before exec by the native primitive). */
  namespaces: string[];
  /** Fds of the container's cgroup.procs files, opened by the parent. */
  cgroupFds: number[];
  consoleFd?: number;
  preserveFds: number;
  seccomp?: LinuxSeccomp;
  state: State;
  personality?: Personality;
  memoryPolicy?: Linux['memoryPolicy'];
}



function main(): void {
  const cfg = receiveConfig<ExecConfig>();

  // Host paths, opened while they are visible.
  const nsFds = new Map<string, number>();
  for (const type of cfg.namespaces) nsFds.set(type, libc.open(`/proc/${cfg.initPid}/ns/${NS_PROC_NAMES[type]}`, O.RDONLY | O.CLOEXEC));
  const seccompAgent = connectSeccompAgent(cfg.seccomp);

  for (const [type, fd] of nsFds) {
    if (type === 'mount' || type === 'cgroup') continue;
    libc.setns(fd, NS_FLAGS[type], `join ${type} namespace of pid ${cfg.initPid}`);
    libc.close(fd);
  }
  const mnt = nsFds.get('mount');
  if (mnt !== undefined) {
    // Threads share one fs_struct: setns into a mount namespace wants our own.
    libc.unshare(CLONE.FS);
    libc.setns(mnt, CLONE.NEWNS, `join mount namespace of pid ${cfg.initPid}`);
    libc.close(mnt);
  }
  if (mnt === undefined) {
    // The container shares the host's mount namespace (we are in the private one that sealed
    // the node binary): go back to it, then into the init's chroot.
    const hostMnt = libc.open(`/proc/${cfg.initPid}/ns/mnt`, O.RDONLY | O.CLOEXEC);
    libc.unshare(CLONE.FS);
    libc.setns(hostMnt, CLONE.NEWNS, `join mount namespace of pid ${cfg.initPid}`);
    libc.close(hostMnt);
    libc.chroot(`/proc/${cfg.initPid}/root`);
    libc.chdir('/');
  }
  if (cfg.process.terminal && cfg.consoleFd !== undefined) {
    libc.setsid();
    setupConsole(cfg.consoleFd, cfg.process.consoleSize, false);
  }
  const prep = prepareProcess(cfg.process, cfg.seccomp, logger);
  const cgroupNs = nsFds.get('cgroup');
  becomeProcess(cfg.process, prep, {
    cgroupFds: cfg.cgroupFds,
    afterCgroup: () => {
      if (cgroupNs === undefined) return;
      libc.setns(cgroupNs, CLONE.NEWCGROUP, `join cgroup namespace of pid ${cfg.initPid}`);
      libc.close(cgroupNs);
    },
    preserveFds: cfg.preserveFds,
    seccompSpec: cfg.seccomp,
    seccompAgent,
    state: cfg.state,
    personality: cfg.personality,
    log: logger,
    memoryPolicy: cfg.memoryPolicy,
  });
}

runEntry(main);
