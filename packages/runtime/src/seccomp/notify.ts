// Hands a seccomp notify fd to the agent at linux.seccomp.listenerPath, in
// the runtime-spec's ContainerProcessState shape (config-linux.md,
// "seccomp"): one message, the JSON as data and the fd attached (SCM_RIGHTS).
// Runs in the runtime's namespaces (the parent side), where the path is
// visible: the init passes the fd up over its sync socket first.
import { HullError, SysError } from '../errors';
import { close } from '../sys/libc';
import { connectUnix, sendFds } from '../sys/scm';

/** The container state as the runtime-spec defines it (state.md). */
export interface NotifyState {
  ociVersion: string;
  id: string;
  status: string;
  pid?: number;
  bundle: string;
  annotations?: Record<string, string>;
}

/** The message the agent receives; `fds` names the attached fds in order. */
export interface ContainerProcessState {
  ociVersion: string;
  fds: string[];
  pid: number;
  metadata?: string;
  state: NotifyState;
}

export const SECCOMP_FD_NAME = 'seccompFd';

export function containerProcessState(state: NotifyState, metadata?: string): ContainerProcessState {
  const msg: ContainerProcessState = { ociVersion: state.ociVersion, fds: [SECCOMP_FD_NAME], pid: state.pid ?? 0, state };
  if (metadata) msg.metadata = metadata;
  return msg;
}

/** Connects to the agent, sends the state with `fd` attached, and closes the connection. */
export function sendNotifyFd(listenerPath: string, fd: number, state: NotifyState, metadata?: string): void {
  let sock: number;
  try {
    sock = connectUnix(listenerPath);
  } catch (e) {
    if (e instanceof SysError) throw new HullError('ESECCOMPAGENT', `seccomp agent at ${listenerPath}: ${e.message}`, { listenerPath }, { cause: e });
    throw e;
  }
  try {
    sendFds(sock, [fd], JSON.stringify(containerProcessState(state, metadata)));
  } catch (e) {
    if (e instanceof SysError) throw new HullError('ESECCOMPAGENT', `seccomp agent at ${listenerPath}: ${e.message}`, { listenerPath }, { cause: e });
    throw e;
  } finally {
    close(sock);
  }
}
