// Runs a program through hull-init in the caller's own namespaces, for tests
// of the process steps (user, capabilities, seccomp, exec) without a
// container around them. The calling process (a Node child of the test) then
// ends as hull-init's process did: same exit code, or killed by the same signal.
import { errorMessage } from '../errors';
import type { Linux, Process } from '../spec/types';
import { AF_UNIX, SOCK_CLOEXEC, SOCK_STREAM } from '@hull/sys/constants';
import * as libc from '@hull/sys/libc';
import { spawn } from '@hull/sys/native';
import { InitChannel } from './channel';
import { ProgramBuilder } from './format';
import { HULL_INIT, sealedInit } from './launch';
import { compileExec, compileLookup, compileProcess } from './process';

const stderrLog = {
  debug() {},
  info() {},
  warn: (m: string) => process.stderr.write(`warning: ${m}\n`),
  error: (m: string) => process.stderr.write(`error: ${m}\n`),
};

/** The process steps of `proc` (and linux.seccomp), then execve. */
export function processProgram(proc: Process, linux: Linux = {}): ProgramBuilder {
  const b = new ProgramBuilder();
  compileLookup(b, proc);
  compileProcess(b, { proc, linux, preserveFds: 0, cgroupFds: [], userns: false, log: stderrLog });
  compileExec(b, proc);
  return b;
}

/** Only execve: `file` with argv and env, under whatever the caller set up (a filter loaded...). */
export function execProgram(file: string, argv: string[], env: string[]): ProgramBuilder {
  const b = new ProgramBuilder();
  b.add({ op: 'KEEP_FDS', desc: 'close the runtime\'s fds on exec', a: [3] });
  b.add({ op: 'LOOKUP', desc: 'exec', s: [file, env], a: [0, env.length] });
  b.add({ op: 'EXEC', desc: 'exec', s: [argv, env], a: [argv.length, env.length] });
  return b;
}

/** Runs `program` in hull-init with this process's stdio, waits, and exits as it did. */
export function runAndExit(program: ProgramBuilder): never {
  const [parentFd, childFd] = libc.socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC);
  const child = spawn({ path: HULL_INIT, execFd: sealedInit(), argv: ['hull-init', '3'], env: [], fds: [0, 1, 2, childFd] });
  libc.close(childFd);
  child.result();
  const channel = new InitChannel(parentFd, program, stderrLog, 'init', () => 'died');
  try {
    channel.send(program.encode(), []);
    channel.expectExec();
  } catch (e) {
    process.stderr.write(`${errorMessage(e)}\n`);
  }
  const [, status] = libc.waitpid(child.pid, 0);
  if ((status & 0x7f) === 0) process.exit((status >> 8) & 0xff);
  process.kill(process.pid, status & 0x7f);
  // A signal Node handles itself (none of the ones tests use): exit as a shell would say it.
  process.exit(128 + (status & 0x7f));
}
