import type { TaskInfo } from '@hull/shim/messages';
import { ago, humanDuration } from './duration';
import { statsRow } from './stats';
import { containerRow, statusText } from './status';
import { ellipsis, renderTable } from './table';

describe('humanDuration (docker units.HumanDuration)', () => {
  const s = 1000;
  const m = 60 * s;
  const h = 60 * m;
  it.each([
    [500, 'Less than a second'],
    [1 * s, '1 second'],
    [3 * s, '3 seconds'],
    [59 * s, '59 seconds'],
    [60 * s, 'About a minute'],
    [119 * s, 'About a minute'],
    [2 * m, '2 minutes'],
    [59 * m, '59 minutes'],
    [60 * m, 'About an hour'],
    [90 * m, '2 hours'],
    [47 * h, '47 hours'],
    [48 * h, '2 days'],
    [14 * 24 * h, '2 weeks'],
    [60 * 24 * h, '2 months'],
    [2 * 365 * 24 * h, '2 years'],
  ])('%d ms → %s', (ms, text) => expect(humanDuration(ms)).toBe(text));

  it('ago never goes negative', () => {
    expect(ago(new Date(2000), new Date(1000))).toBe('Less than a second ago');
  });
});

describe('tables', () => {
  it('pads columns to the widest cell plus three, at least ten, and leaves the last unpadded', () => {
    const out = renderTable(['CONTAINER ID', 'NAMES'], [['abc', 'x'], ['0123456789abcdef', 'long_name']]);
    expect(out).toBe('CONTAINER ID       NAMES\nabc                x\n0123456789abcdef   long_name\n');
    expect(renderTable(['A', 'B'], [])).toBe('A         B\n');
  });
  it('cuts long text with an ellipsis counted as one character', () => {
    expect(ellipsis('sh -c echo ready; trap', 20)).toBe('sh -c echo ready; t…');
    expect(ellipsis('short', 20)).toBe('short');
    expect([...ellipsis('x'.repeat(30), 20)].length).toBe(20);
  });
});

describe('STATUS', () => {
  const now = new Date('2026-01-01T00:10:00Z');
  const ts = (iso: string) => ({ seconds: Date.parse(iso) / 1000, nanos: 0 });
  const info = (o: Partial<TaskInfo>): TaskInfo => ({
    id: 'x', bundle: '', pid: 1, status: 2, exit_status: 0, exited_at: null, created_at: ts('2026-01-01T00:00:00Z'), started_at: null,
    terminal: false, stdin: '', stdout: '', stderr: '', execs: [], runtime: 'runc', ...o,
  });
  const text = (o: Partial<TaskInfo>) => statusText(containerRow({ id: 'x', name: 'x', info: info(o) }), now);
  it('follows docker', () => {
    expect(text({ status: 1 })).toBe('Created');
    expect(text({ status: 2, started_at: ts('2026-01-01T00:09:57Z') })).toBe('Up 3 seconds');
    expect(text({ status: 4, started_at: ts('2026-01-01T00:08:00Z') })).toBe('Up 2 minutes (Paused)');
    expect(text({ status: 3, exit_status: 4, exited_at: ts('2026-01-01T00:08:00Z') })).toBe('Exited (4) 2 minutes ago');
  });
});

describe('stats', () => {
  it('CPU % is CPU time over wall time; memory against the limit, or the host', () => {
    const r = statsRow({ at: 0, cpu: { usage_ns: 0 } }, { at: 1000, cpu: { usage_ns: 5e8 }, memory: { usage: 32 * 1024 ** 2, limit: 128 * 1024 ** 2 }, pids: { current: 3 } });
    expect(r).toEqual({ cpuPerc: '50.00%', memUsage: '32MiB / 128MiB', memPerc: '25.00%', pids: '3' });
    const first = statsRow(undefined, { at: 1000, cpu: { usage_ns: 5e8 }, memory: { usage: 1024 } });
    expect(first.cpuPerc).toBe('0.00%');
    expect(first.memUsage).toMatch(/^1KiB \/ [\d.]+[MG]iB$/);
  });
});
