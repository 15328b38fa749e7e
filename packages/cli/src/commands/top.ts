// hullctl top: the container's processes (from the supervisor's Pids) as
// the host's ps shows them, like docker top.
import { execFileSync } from 'node:child_process';
import { resolveContainer } from '../containers';
import type { Context } from '../context';
import { CliError } from '../errors';
import { renderTable } from '../format/table';
import { isRunning } from './lifecycle';

const COLUMNS = ['UID', 'PID', 'PPID', 'C', 'STIME', 'TTY', 'TIME', 'CMD'];

export async function handler(ctx: Context, argv: Record<string, unknown>): Promise<number> {
  const ref = String(argv.container);
  const c = await resolveContainer(ctx, ref);
  if (!isRunning(c)) throw new CliError(`container ${c.id} is not running`, 1, 'ESTATUS');
  const { processes } = await ctx.client().call<{ processes: { pid: number }[] }>('Pids', { id: c.id }, ref);
  const pids = processes.map((p) => p.pid).filter((p) => p > 0);
  let rows: string[][] = [];
  if (pids.length > 0) {
    let out = '';
    try {
      out = execFileSync('ps', ['-o', 'user=,pid=,ppid=,c=,stime=,tty=,time=,args=', '-p', pids.join(',')], { encoding: 'utf8' });
    } catch (e) {
      out = (e as { stdout?: string }).stdout ?? ''; // exit 1 when a pid ended meanwhile
    }
    rows = out.split('\n').filter(Boolean).map((line) => {
      const f = line.trim().split(/\s+/);
      return [...f.slice(0, 7), f.slice(7).join(' ')];
    });
  }
  process.stdout.write(renderTable(COLUMNS, rows));
  return 0;
}
