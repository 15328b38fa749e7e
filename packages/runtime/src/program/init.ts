// The container init's program (create): namespaces, the rootfs, the
// runtime-side hooks' pause, createContainer hooks, pivot_root, the console,
// the cgroup, the process's credentials — then "ready", the exec fifo,
// startContainer hooks (with the container's credentials, as runc runs
// them) and execve.
import type { Log } from '../log';
import type { Hook, Spec, State } from '../spec/types';
import { CLONE } from '@hull/sys/constants';
import { F, MSG, ProgramBuilder, type Reg } from './format';
import { compileExec, compileLookup, compileProcess } from './process';
import { compileEnterRootfs, compileFinishRootfs, compileRootfs, type RootfsPlan } from './rootfs';
import { NS_FLAGS } from './namespaces';

export interface InitPlan extends Omit<RootfsPlan, 'premade'> {
  id: string;
  noNewKeyring: boolean;
  /** hull-init's fds (its layout, see container/create.ts). */
  fds: {
    fifo: number;
    cgroupProcs: number[];
    console?: number;
    /** Namespaces joined by path (not user, pid or time: hull_spawn joins those), by type. */
    join: Map<string, number>;
  };
  preserveFds: number;
  /** The mount indexes of the detached mounts sent with the program, in their order. */
  premadeIndexes: number[];
  /** The state hooks read: pid is the init's, seen from the runtime. */
  state: State;
  log: Log;
}

export function compileInit(plan: InitPlan): ProgramBuilder {
  const b = new ProgramBuilder();
  const { spec } = plan;
  const linux = spec.linux ?? {};
  const namespaces = linux.namespaces ?? [];
  const has = (t: string) => namespaces.some((n) => n.type === t);
  const proc = spec.process;

  // Nothing in the container may reach this process's memory or fds. hull_spawn exec'd us
  // with the real uid of nobody so that execve left us non-dumpable: take our uid back.
  b.add({ op: 'PRCTL', desc: 'set non-dumpable', a: [4 /* PR_SET_DUMPABLE */, 0] });
  b.add({ op: 'SETRESUID', desc: 'restore the real uid', flags: F.FROM_EUID | F.IGNORE });
  b.add({ op: 'SETSID', desc: 'setsid' });

  let unshare = 0;
  for (const ns of namespaces) {
    if (ns.type === 'pid' || ns.type === 'user' || ns.type === 'cgroup' || (ns.type === 'time' && ns.path)) continue;
    const fd = plan.fds.join.get(ns.type);
    if (ns.path && fd !== undefined) b.add({ op: 'SETNS', desc: `join ${ns.type} namespace ${ns.path}`, a: [fd, NS_FLAGS[ns.type]] });
    else if (!ns.path) unshare |= NS_FLAGS[ns.type];
  }
  if (unshare) b.add({ op: 'UNSHARE', desc: 'unshare namespaces', a: [unshare] });
  // A session keyring of the container's own (as runc); kernels without keyrings go on too.
  if (!plan.noNewKeyring) b.add({ op: 'KEYRING', desc: 'join a session keyring', flags: F.IGNORE, s: [`_ses.${plan.id}`] });
  if (namespaces.some((n) => n.type === 'time' && !n.path)) {
    const lines = Object.entries(linux.timeOffsets ?? {}).map(([clock, o]) => `${clock} ${o?.secs ?? 0} ${o?.nanosecs ?? 0}`);
    if (lines.length) {
      const text = lines.join('\n') + '\n';
      b.add({ op: 'WRITE', desc: 'linux.timeOffsets: write /proc/self/timens_offsets', s: ['/proc/self/timens_offsets', text], a: [Buffer.byteLength(text)] });
    }
  }
  if (has('uts')) {
    if (spec.hostname !== undefined) b.add({ op: 'SETHOSTNAME', desc: `set hostname ${spec.hostname}`, s: [spec.hostname] });
    if (spec.domainname !== undefined) b.add({ op: 'SETDOMAINNAME', desc: `set domainname ${spec.domainname}`, s: [spec.domainname] });
  }
  if (namespaces.some((n) => n.type === 'network' && !n.path)) b.add({ op: 'LO_UP', desc: 'bring lo up' });

  const premade = new Map<number, Reg>(plan.premadeIndexes.map((index, i) => [index, b.received(i)]));
  const rootfsPlan: RootfsPlan = { ...plan, premade };
  const prepared = compileRootfs(b, rootfsPlan);
  const { root } = prepared;

  // prestart and createRuntime hooks run in the parent, in the runtime's namespaces.
  b.add({ op: 'REPORT', desc: 'report mounts', a: [MSG.MOUNTS] });
  b.add({ op: 'WAIT_CONTINUE', desc: 'wait for the runtime\'s hooks' });
  compileHooks(b, spec.hooks?.createContainer, 'createContainer', { ...plan.state, status: 'creating' }, root);

  // The agent's socket is a host path: connect while it is still visible.
  const usesNotify = linux.seccomp?.listenerPath && linux.seccomp.syscalls?.some((s) => s.action === 'SCMP_ACT_NOTIFY');
  let agent: Reg | undefined;
  if (usesNotify) {
    agent = b.reg();
    const p = linux.seccomp!.listenerPath!;
    b.add({ op: 'CONNECT', desc: `seccomp agent at ${p}: connect ${p}`, s: [p], a: [agent.n] });
  }
  compileEnterRootfs(b, rootfsPlan, root);
  compileFinishRootfs(b, rootfsPlan, prepared);
  if (proc?.terminal && plan.fds.console !== undefined) {
    const size = proc.consoleSize ? BigInt(proc.consoleSize.height) | (BigInt(proc.consoleSize.width) << 16n) | (1n << 32n) : 0n;
    b.add({ op: 'CONSOLE', desc: 'set up the console', flags: F.BIND_CONSOLE, a: [plan.fds.console, size, proc.user?.uid ?? 0, proc.user?.gid ?? 0] });
  }
  if (proc) compileLookup(b, proc);

  // The spec: once created, everything but the process is applied, the cgroup and its
  // namespace included. The init is a few pages of C: its footprint is negligible.
  const cgroupNs = namespaces.find((n) => n.type === 'cgroup');
  const enterCgroupNs = () => {
    if (!cgroupNs) return;
    const fd = plan.fds.join.get('cgroup');
    if (cgroupNs.path && fd !== undefined) b.add({ op: 'SETNS', desc: `join cgroup namespace ${cgroupNs.path}`, a: [fd, CLONE.NEWCGROUP] });
    else b.add({ op: 'UNSHARE', desc: 'unshare the cgroup namespace', a: [CLONE.NEWCGROUP] });
  };
  if (proc) {
    compileProcess(b, {
      proc, linux, preserveFds: plan.preserveFds, cgroupFds: plan.fds.cgroupProcs, afterCgroup: enterCgroupNs,
      seccompAgent: agent, notifyState: notifyState(plan.state, linux.seccomp?.listenerMetadata), userns: plan.userns, log: plan.log,
    });
  } else {
    // The spec requires process only at start: without one, create succeeds and start fails.
    for (const fd of plan.fds.cgroupProcs) b.add({ op: 'WRITE', desc: 'join the container\'s cgroup', flags: F.FD, a: [1, 0, fd], s: [undefined, '0'] });
    enterCgroupNs();
  }
  b.add({ op: 'REPORT', desc: 'report ready', a: [MSG.READY] });
  b.add({ op: 'WAIT_FIFO', desc: 'wait for start', a: [plan.fds.fifo] });
  compileHooks(b, spec.hooks?.startContainer, 'startContainer', { ...plan.state, status: 'created' });
  if (!proc) b.add({ op: 'FAIL', desc: 'process: is required to start the container' });
  else compileExec(b, proc);
  return b;
}

/** Hooks run by hull-init: fork, exec with their env, the state on stdin, killed after their timeout. */
function compileHooks(b: ProgramBuilder, hooks: Hook[] | undefined, phase: string, state: State, cwd?: Reg): void {
  const input = JSON.stringify(state);
  (hooks ?? []).forEach((h, i) => {
    const args = h.args?.length ? h.args : [h.path];
    const env = h.env ?? [];
    b.add({
      op: 'HOOK', desc: `${phase} hook [${i}] ${h.path}`, flags: cwd ? F.FD : 0,
      s: [h.path, args, env, input], a: [args.length, env.length, h.timeout ?? 0, cwd?.fd ?? -1],
    });
  });
}

/** What a seccomp agent receives with the notify fd (config-linux.md, "seccomp"). */
function notifyState(state: State, metadata?: string): string {
  const msg: Record<string, unknown> = { ociVersion: state.ociVersion, fds: ['seccompFd'], pid: state.pid ?? 0, state: { ...state, status: 'running' } };
  if (metadata) msg.metadata = metadata;
  return JSON.stringify(msg);
}
