// The program of a process joining a running container (`hull exec`):
// hull_spawn has put hull-init in the container's user, time and pid
// namespaces (non-dumpable, from a sealed copy); it joins the others by the
// fds the parent opened (mount last), the console, the cgroup, and becomes
// the process.
import type { Log } from '../log';
import type { Linux, Process } from '../spec/types';
import { CLONE } from '@hull/sys/constants';
import { F, ProgramBuilder } from './format';
import { NS_FLAGS } from './namespaces';
import { compileExec, compileLookup, compileProcess } from './process';

export interface ExecPlan {
  proc: Process;
  linux: Linux;
  /** hull-init's fds: namespaces to join by type (not user, pid or time), cgroup.procs files, the console
   *  socket, and the init's root (/proc/<pid>/root) for a container without a mount namespace. */
  fds: { join: Map<string, number>; cgroupProcs: number[]; console?: number; root?: number };
  preserveFds: number;
  /** For the seccomp agent: the container's state. */
  notifyState?: string;
  userns: boolean;
  log: Log;
}

export function compileExecProgram(plan: ExecPlan): ProgramBuilder {
  const b = new ProgramBuilder();
  const { proc, linux, fds } = plan;
  b.add({ op: 'PRCTL', desc: 'set non-dumpable', a: [4 /* PR_SET_DUMPABLE */, 0] });
  b.add({ op: 'SETRESUID', desc: 'restore the real uid', flags: F.FROM_EUID | F.IGNORE });
  for (const [type, fd] of fds.join) {
    if (type === 'mount' || type === 'cgroup') continue;
    b.add({ op: 'SETNS', desc: `join ${type} namespace`, a: [fd, NS_FLAGS[type]] });
  }
  // The agent's socket is a host path: connect while it is still visible.
  const usesNotify = linux.seccomp?.listenerPath && linux.seccomp.syscalls?.some((s) => s.action === 'SCMP_ACT_NOTIFY');
  const agent = usesNotify ? b.reg() : undefined;
  if (agent) {
    const p = linux.seccomp!.listenerPath!;
    b.add({ op: 'CONNECT', desc: `seccomp agent at ${p}: connect ${p}`, s: [p], a: [agent.n] });
  }
  const mnt = fds.join.get('mount');
  if (mnt !== undefined) b.add({ op: 'SETNS', desc: 'join mount namespace', a: [mnt, CLONE.NEWNS] });
  // Without a mount namespace the container shares the host's: only its root is its own.
  else if (fds.root !== undefined) b.add({ op: 'CHROOT', desc: 'chroot into the container\'s root', a: [fds.root] });
  if (proc.terminal && fds.console !== undefined) {
    b.add({ op: 'SETSID', desc: 'setsid' });
    const size = proc.consoleSize ? BigInt(proc.consoleSize.height) | (BigInt(proc.consoleSize.width) << 16n) | (1n << 32n) : 0n;
    b.add({ op: 'CONSOLE', desc: 'set up the console', a: [fds.console, size, proc.user?.uid ?? 0, proc.user?.gid ?? 0] });
  }
  compileLookup(b, proc);
  const cgroupNs = fds.join.get('cgroup');
  compileProcess(b, {
    proc, linux, preserveFds: plan.preserveFds, cgroupFds: fds.cgroupProcs,
    afterCgroup: () => {
      if (cgroupNs !== undefined) b.add({ op: 'SETNS', desc: 'join cgroup namespace', a: [cgroupNs, CLONE.NEWCGROUP] });
    },
    seccompAgent: agent, notifyState: plan.notifyState, userns: plan.userns, log: plan.log,
  });
  compileExec(b, proc);
  return b;
}
