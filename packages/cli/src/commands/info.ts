// hullctl info: counts of containers, the supervisor and the host.
import fs from 'node:fs';
import os from 'node:os';
import { Status } from '@hull/shim/constants';
import type { Context } from '../context';
import { bytesSize } from '../units';

export async function handler(ctx: Context): Promise<number> {
  const client = ctx.client();
  const [tasks, conn] = await Promise.all([client.list(), client.call<{ shim_pid: number; version: string }>('Connect', { id: '' })]);
  const count = (s: number) => tasks.filter((t) => t.status === s).length;
  const runtimes = [...new Set(tasks.map((t) => t.runtime).filter(Boolean))];
  const cgroup = fs.existsSync('/sys/fs/cgroup/cgroup.controllers') ? '2' : '1';
  const lines = [
    'Client:',
    ` Version:         ${(require('../../package.json') as { version: string }).version}`,
    '',
    'Server:',
    ` Containers:      ${tasks.length}`,
    `  Running:        ${count(Status.RUNNING)}`,
    `  Paused:         ${count(Status.PAUSED)}`,
    `  Stopped:        ${count(Status.STOPPED)}`,
    `  Created:        ${count(Status.CREATED)}`,
    ` Server Version:  hull-shim ${conn.version}`,
    ` Supervisor Pid:  ${conn.shim_pid}`,
    ` Address:         ${ctx.address}`,
    ` State Dir:       ${ctx.stateDir}`,
    ` Runtimes:        ${runtimes.length ? runtimes.join(' ') : '(none in use)'}`,
    ` Cgroup Version:  ${cgroup}`,
    ` Kernel Version:  ${os.release()}`,
    ` OSType:          ${os.type().toLowerCase()}`,
    ` Architecture:    ${os.arch()}`,
    ` CPUs:            ${os.availableParallelism()}`,
    ` Total Memory:    ${bytesSize(os.totalmem())}`,
    ` Name:            ${os.hostname()}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}
