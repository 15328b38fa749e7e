// The daemon's log: one line per event on stderr, text or JSON lines.
export type Level = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<Level, number> = { debug: 0, info: 1, warn: 2, error: 3 };

export class Logger {
  constructor(private readonly format: 'text' | 'json' = 'text', private readonly min: Level = 'info') {}

  log(level: Level, msg: string, fields: Record<string, unknown> = {}): void {
    if (ORDER[level] < ORDER[this.min]) return;
    const time = new Date().toISOString();
    const line = this.format === 'json'
      ? JSON.stringify({ time, level, msg, ...fields })
      : `${time} ${level} ${msg}${Object.entries(fields).filter(([, v]) => v !== undefined).map(([k, v]) => ` ${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join('')}`;
    process.stderr.write(line + '\n');
  }
  debug(msg: string, fields?: Record<string, unknown>): void { this.log('debug', msg, fields); }
  info(msg: string, fields?: Record<string, unknown>): void { this.log('info', msg, fields); }
  warn(msg: string, fields?: Record<string, unknown>): void { this.log('warn', msg, fields); }
  error(msg: string, fields?: Record<string, unknown>): void { this.log('error', msg, fields); }
}
