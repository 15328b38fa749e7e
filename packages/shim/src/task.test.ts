import type { StatusName } from './constants';
import { GrpcCode } from './errors';
import { IllegalTransition, Task, transition, type Op } from './task';

function procIn(status: StatusName, execId = '') {
  const rec = { execId: '', terminal: false, stdin: '', stdout: '', stderr: '', status, pid: 1, monitorPid: 1 };
  const t = new Task('/nonexistent', {
    id: 't1', bundle: '/b', runtime: 'hull', rootfs: [], mounted: 0, createdAt: 0, init: rec,
    execs: execId ? { [execId]: { ...rec, execId } } : {},
  });
  return execId ? t.execs.get(execId)! : t.init;
}

describe('the transition table', () => {
  const legal: Array<[StatusName, Op, StatusName]> = [
    ['created', 'start', 'running'], ['created', 'delete', 'stopped'], ['created', 'exit', 'stopped'],
    ['running', 'pause', 'paused'], ['running', 'exec', 'running'], ['running', 'exit', 'stopped'], ['running', 'checkpoint', 'running'],
    ['paused', 'resume', 'running'], ['paused', 'update', 'paused'], ['paused', 'exit', 'stopped'],
    ['stopped', 'delete', 'stopped'],
  ];
  it.each(legal)('%s --%s--> %s', (from, op, to) => {
    expect(transition(procIn(from), op)).toBe(to);
  });

  const illegal: Array<[StatusName, Op]> = [
    ['created', 'pause'], ['created', 'exec'], ['running', 'start'], ['running', 'delete'], ['running', 'resume'],
    ['paused', 'pause'], ['paused', 'exec'], ['paused', 'delete'], ['stopped', 'start'], ['stopped', 'update'], ['stopped', 'exit'],
  ];
  it.each(illegal)('%s: %s is an IllegalTransition (FAILED_PRECONDITION)', (from, op) => {
    const p = procIn(from);
    let err: unknown;
    try {
      transition(p, op);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(IllegalTransition);
    expect(err).toMatchObject({ grpcCode: GrpcCode.FAILED_PRECONDITION, code: 'ESTATUS', message: `task t1: cannot ${op}: it is ${from}` });
  });

  it('names exec processes by their task', () => {
    expect(() => transition(procIn('running', 'e1'), 'delete')).toThrow('exec e1 of task t1: cannot delete: it is running');
  });
});
