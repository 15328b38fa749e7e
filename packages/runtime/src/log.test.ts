import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Logger } from './log';

function logTo(format: 'text' | 'json', debug = false): [Logger, () => string[]] {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'log-')), 'log');
  const log = new Logger({ file, format, debug });
  return [log, () => fs.readFileSync(file, 'utf8').trim().split('\n')];
}

describe('Logger', () => {
  it('writes runc\'s JSON lines: level, msg, time in seconds', () => {
    const [log, lines] = logTo('json');
    log.error('boom "quoted"');
    log.close();
    const obj = JSON.parse(lines()[0]);
    expect(Object.keys(obj)).toEqual(['level', 'msg', 'time']);
    expect(obj).toMatchObject({ level: 'error', msg: 'boom "quoted"' });
    expect(obj.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it('writes logrus-style text lines', () => {
    const [log, lines] = logTo('text');
    log.warn('careful');
    log.close();
    expect(lines()[0]).toMatch(/^time="[^"]+" level=warning msg="careful"$/);
  });

  it('drops debug lines unless --debug', () => {
    const [quiet, q] = logTo('json');
    quiet.debug('hidden');
    quiet.info('shown');
    quiet.close();
    expect(q()).toHaveLength(1);
    const [loud, l] = logTo('json', true);
    loud.debug('kept');
    loud.close();
    expect(JSON.parse(l()[0]).level).toBe('debug');
  });
});
