// hullctl exec: a new process in a running container, with the container's
// process settings as defaults and -e/-w/-u/-t on top.
import crypto from 'node:crypto';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { attach } from '../attach';
import { PROCESS_SPEC_TYPE, Status } from '@hull/shim/constants';
import { resolveContainer, startFailure } from '../containers';
import type { Context } from '../context';
import { CliError, FlagError } from '../errors';
import { hostCapabilities } from '../spec/capabilities';
import { mergeEnv, parseEnvFlags, readEnvFile } from '../spec/env';
import type { Process } from '@hull/runtime/spec';
import { resolveUser } from '../spec/user';
import { checkTty, detachKeys, strings } from './common';

export async function handler(ctx: Context, argv: Record<string, unknown>): Promise<number> {
  const ref = String(argv.container);
  const command = strings(argv.command);
  if (command.length === 0) throw new FlagError('"hullctl exec" requires at least 2 arguments.');
  const keys = detachKeys(argv);
  checkTty(argv);
  const c = await resolveContainer(ctx, ref);
  if (c.info.status === Status.PAUSED) throw new CliError(`Container ${c.id} is paused, unpause the container before exec`, 1, 'ESTATUS');
  if (c.info.status !== Status.RUNNING) throw new CliError(`Container ${c.id} is not running`, 1, 'ESTATUS');
  const base = c.spec?.process;
  const tty = !!argv.tty;
  const proc: Process = {
    ...(base ?? { user: { uid: 0, gid: 0 }, cwd: '/', env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'] }),
    args: command,
    terminal: tty,
  };
  if (argv.workdir !== undefined) {
    const w = String(argv.workdir);
    if (!path.isAbsolute(w)) throw new FlagError(`the working directory '${w}' is invalid, it needs to be an absolute path`);
    proc.cwd = w;
  }
  if (argv.user !== undefined) {
    const u = resolveUser(String(argv.user), c.spec?.root.path ?? '/nonexistent');
    proc.user = { uid: u.uid, gid: u.gid };
  }
  const env = [...strings(argv.envFile).flatMap((f) => readEnvFile(f)), ...parseEnvFlags(strings(argv.env))];
  proc.env = mergeEnv(proc.env ?? [], tty ? ['TERM=xterm'] : [], env);
  if (argv.privileged) {
    const caps = hostCapabilities();
    proc.capabilities = { bounding: caps, effective: caps, permitted: caps };
  }

  const execId = `exec-${crypto.randomBytes(8).toString('hex')}`;
  // Our own directory: the container's bundle may not be hullctl's to write in.
  const dir = path.join(ctx.stateDir, 'exec');
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const files = {
    stdin: path.join(dir, `${c.id}-${execId}.stdin`),
    stdout: path.join(dir, `${c.id}-${execId}.stdout`),
    stderr: path.join(dir, `${c.id}-${execId}.stderr`),
  };
  const detached = !!argv.detach;
  const interactive = !!argv.interactive && !detached;
  const cleanup = () => Object.values(files).forEach((f) => fs.rmSync(f, { force: true }));
  const client = ctx.client();
  try {
    if (interactive) execFileSync('mkfifo', ['-m', '0600', files.stdin]);
    await client.call('Exec', {
      id: c.id,
      exec_id: execId,
      terminal: tty,
      stdin: interactive ? files.stdin : '',
      stdout: detached ? '' : pathToFileURL(files.stdout).href,
      stderr: detached || tty ? '' : pathToFileURL(files.stderr).href,
      spec: { type_url: PROCESS_SPEC_TYPE, value: Buffer.from(JSON.stringify(proc)) },
    }, ref);
  } catch (e) {
    cleanup();
    throw e;
  }
  if (detached) {
    try {
      await client.call('Start', { id: c.id, exec_id: execId }, ref);
    } catch (e) {
      await client.call('Delete', { id: c.id, exec_id: execId }).catch(() => undefined);
      throw startFailure(e);
    }
    return 0;
  }
  const a = attach(ctx, {
    id: c.id,
    execId,
    ref,
    stdoutFile: files.stdout,
    stderrFile: tty ? undefined : files.stderr,
    stdinFifo: interactive ? files.stdin : undefined,
    tty,
    detachKeys: keys,
  });
  try {
    try {
      await client.call('Start', { id: c.id, exec_id: execId }, ref);
    } catch (e) {
      a.finish();
      await client.call('Delete', { id: c.id, exec_id: execId }).catch(() => undefined);
      throw startFailure(e);
    }
    a.started();
    try {
      const waited = client.call<{ exit_status: number }>('Wait', { id: c.id, exec_id: execId }, ref);
      if (await Promise.race([waited.then(() => false), a.detached])) return 0;
      const { exit_status } = await waited;
      await client.call('Delete', { id: c.id, exec_id: execId }).catch(() => undefined);
      return exit_status;
    } finally {
      a.finish();
    }
  } finally {
    cleanup();
  }
}
