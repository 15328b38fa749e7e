// The container's init: PID 1 of the new pid namespace, started by the
// native primitive. It builds the container around itself, reports
// "created", blocks on the exec fifo until `start`, then becomes the
// container process with execve.
//
// Rules (see DESIGN.md): after the first unshare only synchronous fs calls
// or FFI; every module and library is loaded before pivot_root; fds 0-2
// belong to the container process and are never written here.
import fs from 'node:fs';
import { errorMessage } from '../errors';
import type { Level } from '../log';
import { SyncChannel } from '../sync';
import type { InitConfig } from './config';
import { SYNC_FD_ENV } from './config';

// Everything the init needs after pivot_root is required up front.
import * as libc from '../sys/libc';
import { execve } from '../sys/native';
import { F_GETFD, F_SETFD, FD_CLOEXEC, O, PR } from '../sys/constants';
import { enterCgroupNamespace, enterNamespaces, loopbackUp } from './namespaces';
import { enterRootfs, maskPaths, prepareRootfs, readonlyPaths, readonlyRoot } from './rootfs';
import { applyOomScoreAdj, applyRlimits, applySysctl, lookPath, withHome } from './process';
import { setupConsole } from './terminal';
import { switchUser } from './capabilities';
import { runHooks } from '../hooks';
import { compileSeccomp, connectNotifyAgent, sendNotifyFdOn } from '../seccomp';

const channel = new SyncChannel(Number(process.env[SYNC_FD_ENV]));

function log(level: Level, msg: string): void {
  try {
    channel.send({ type: 'log', level, msg });
  } catch {
    // the parent is gone (after `create` returned): nowhere to log
  }
}

function main(): void {
  const first = channel.recv<{ type: string; config: InitConfig }>();
  if (!first || first.type !== 'config') throw new Error(`sync: expected config, got ${first?.type ?? 'EOF'}`);
  const cfg = first.config;
  const { spec } = cfg;
  const linux = spec.linux ?? {};
  const namespaces = linux.namespaces ?? [];
  const proc = spec.process;
  if (!proc) throw new Error('process: missing');

  libc.setsid();
  enterNamespaces(namespaces);
  if (namespaces.some((n) => n.type === 'uts')) {
    if (spec.hostname !== undefined) libc.sethostname(spec.hostname);
    if (spec.domainname !== undefined) libc.setdomainname(spec.domainname);
  }
  if (namespaces.some((n) => n.type === 'network' && !n.path)) loopbackUp();

  // Opened now: after pivot_root the host's cgroupfs is out of reach.
  const cgroupFds = cfg.cgroupProcs.map((f) => libc.open(f, O.WRONLY | O.CLOEXEC));

  prepareRootfs({ rootfs: cfg.rootfs, spec, cgroups: { dirs: cfg.cgroupDirs }, userns: cfg.userns });

  // prestart and createRuntime hooks run in the parent, in the runtime's namespaces.
  channel.send({ type: 'mounts' });
  const go = channel.recv<{ type: string }>();
  if (go?.type !== 'continue') throw new Error(`sync: expected continue, got ${go?.type ?? 'EOF'}`);

  runHooks(spec.hooks?.createContainer, cfg.state, 'createContainer', { log: logger });

  // The seccomp agent's socket is a host path: connect while it is visible.
  const seccompAgent = linux.seccomp?.listenerPath && linux.seccomp.syscalls?.some((s) => s.action === 'SCMP_ACT_NOTIFY')
    ? connectNotifyAgent(linux.seccomp.listenerPath)
    : undefined;
  enterRootfs(cfg.rootfs, cfg.noPivot);
  applySysctl(linux.sysctl);
  readonlyPaths(linux.readonlyPaths);
  maskPaths(linux.maskedPaths);
  if (spec.root?.readonly) readonlyRoot();
  if (proc.terminal && cfg.consoleFd !== undefined) setupConsole(cfg.consoleFd, proc.consoleSize);

  const user = proc.user ?? { uid: 0, gid: 0 };
  const env = withHome(proc.env ?? [], user.uid);
  if (proc.cwd) libc.chdir(proc.cwd);
  const file = lookPath(proc.args?.[0] ?? '', env);
  const seccomp = linux.seccomp ? compileSeccomp(linux.seccomp, { log: logger }) : undefined;

  channel.send({ type: 'ready' });
  waitForStart(cfg.fifoFd);

  runHooks(spec.hooks?.startContainer, { ...cfg.state, status: 'created' }, 'startContainer', { log: logger });

  // Joining the cgroup last keeps Node's own memory and threads out of the container's limits.
  for (const fd of cgroupFds) {
    fs.writeSync(fd, '0');
    libc.close(fd);
  }
  enterCgroupNamespace(namespaces);

  applyRlimits(proc.rlimits);
  applyOomScoreAdj(proc.oomScoreAdj);
  if (proc.noNewPrivileges) libc.prctl(PR.SET_NO_NEW_PRIVS, 1, 0, 0, 0, 'set no_new_privs');
  // Without no_new_privs, loading a filter needs CAP_SYS_ADMIN: load before dropping it.
  let notifyFd: number | undefined;
  if (seccomp && !proc.noNewPrivileges) notifyFd = seccomp.load();
  switchUser(user.uid, user.gid, user.additionalGids ?? [], proc.capabilities);
  libc.umask(user.umask ?? 0o022);
  if (proc.cwd) libc.chdir(proc.cwd);
  if (seccomp && proc.noNewPrivileges) notifyFd = seccomp.load();
  if (notifyFd !== undefined && seccompAgent !== undefined) {
    // cfg.state.pid is this process's pid on the host; process.pid is 1 here.
    sendNotifyFdOn(seccompAgent, notifyFd, { ...cfg.state, status: 'running' }, linux.seccomp?.listenerMetadata, linux.seccomp?.listenerPath);
    libc.close(notifyFd);
    libc.close(seccompAgent);
  }

  // Only 0-2 and the preserved fds cross execve.
  for (let fd = 0; fd < 3 + cfg.preserveFds; fd++) {
    try {
      libc.fcntl(fd, F_SETFD, libc.fcntl(fd, F_GETFD) & ~FD_CLOEXEC);
    } catch {
      // a preserved fd the caller did not open
    }
  }
  libc.closeRange(3 + cfg.preserveFds, 0xffffffff, 4 /* CLOSE_RANGE_CLOEXEC */);
  execve(file, proc.args ?? [], env);
}

/** Opening the fifo for writing blocks until `hull start` opens it for reading. */
function waitForStart(fifoFd: number): void {
  const fd = libc.open(`/proc/self/fd/${fifoFd}`, O.WRONLY | O.CLOEXEC);
  libc.write(fd, Buffer.from('0'));
  libc.close(fd);
  libc.close(fifoFd);
}

const logger = {
  debug: (m: string) => log('debug', m),
  info: (m: string) => log('info', m),
  warn: (m: string) => log('warning', m),
  error: (m: string) => log('error', m),
};

try {
  main();
} catch (e) {
  try {
    channel.send({ type: 'error', msg: errorMessage(e), code: (e as { code?: string }).code });
  } catch {
    // parent gone
  }
  process.exit(1);
}
