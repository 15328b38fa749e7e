// Hands a seccomp notify fd to the agent at linux.seccomp.listenerPath, in
// the runtime-spec's ContainerProcessState shape (config-linux.md,
// "seccomp"): one message, the JSON as data and the fd attached (SCM_RIGHTS).
// The path is a host path: connect while it is visible (before pivot_root),
// send once the filter is loaded.
import { HullError, SysError } from '../errors';
import { close } from '@hull/sys/libc';
import { connectUnix, sendFds } from '@hull/sys/scm';
import type { ContainerProcessState, State } from '../spec/types';

/** The container state (state.md) and the message a seccomp agent receives. */
export type NotifyState = State;
export type { ContainerProcessState };

export const SECCOMP_FD_NAME = 'seccompFd';

export function containerProcessState(state: NotifyState, metadata?: string): ContainerProcessState {
  const msg: ContainerProcessState = { ociVersion: state.ociVersion, fds: [SECCOMP_FD_NAME], pid: state.pid ?? 0, state };
  if (metadata) msg.metadata = metadata;
  return msg;
}

/**
 * Connects to the agent at `listenerPath`. The init calls this early, while
 * the host's paths are still visible (before pivot_root), and sends on the
 * connection once the filter is loaded (sendNotifyFdOn).
 */
export function connectNotifyAgent(listenerPath: string): number {
  try {
    return connectUnix(listenerPath);
  } catch (e) {
    throw agentError(listenerPath, e);
  }
}

/** Sends the state with `fd` attached on a connection from connectNotifyAgent. */
export function sendNotifyFdOn(sock: number, fd: number, state: NotifyState, metadata?: string, listenerPath = `fd ${sock}`): void {
  try {
    sendFds(sock, [fd], JSON.stringify(containerProcessState(state, metadata)));
  } catch (e) {
    throw agentError(listenerPath, e);
  }
}

/** Connects to the agent, sends the state with `fd` attached, and closes the connection. */
export function sendNotifyFd(listenerPath: string, fd: number, state: NotifyState, metadata?: string): void {
  const sock = connectNotifyAgent(listenerPath);
  try {
    sendNotifyFdOn(sock, fd, state, metadata, listenerPath);
  } finally {
    close(sock);
  }
}

function agentError(listenerPath: string, e: unknown): unknown {
  if (!(e instanceof SysError)) return e;
  return new HullError('ESECCOMPAGENT', `seccomp agent at ${listenerPath}: ${e.message}`, { listenerPath }, { cause: e });
}
