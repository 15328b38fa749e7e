import { lastRuntimeError, classify } from './runtime';
import { parseOptions } from './mounts';
import { exitCodeOf } from './monitor';

describe('runtime output', () => {
  it('takes the last error of JSON and text log lines', () => {
    const log = [
      '{"level":"warning","msg":"w"}',
      '{"level":"error","msg":"first"}',
      'time="2026-01-01T00:00:00Z" level=error msg="container \\"c1\\" does not exist"',
    ].join('\n');
    expect(lastRuntimeError(log)).toBe('container "c1" does not exist');
    expect(lastRuntimeError('{"level":"error","msg":"criu failed\\nlog file: dump.log"}')).toBe('criu failed; log file: dump.log');
  });

  it('maps runtime messages onto containerd codes', () => {
    expect(classify('runc kill: container does not exist', {}).grpcCode).toBe(5);
    expect(classify('runc pause: container not running', {}).grpcCode).toBe(9);
    expect(classify('runc create: exec: "/x": stat /x: no such file or directory', {}).grpcCode).toBe(2);
  });
});

describe('mount options', () => {
  it('splits flags from data', () => {
    expect(parseOptions(['rbind', 'ro', 'nosuid'])).toEqual({ flags: 4096 | 16384 | 1 | 2, data: '' });
    expect(parseOptions(['lowerdir=/a', 'upperdir=/b', 'rw'])).toEqual({ flags: 0, data: 'lowerdir=/a,upperdir=/b' });
  });
});

describe('exit codes', () => {
  it('reports 128+signal for a signalled process', () => {
    expect(exitCodeOf(3 << 8)).toBe(3);
    expect(exitCodeOf(9)).toBe(137);
  });
});
