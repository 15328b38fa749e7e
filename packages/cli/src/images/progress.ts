// docker's pull/push output. On a terminal: one line per layer, rewritten in
// place, with a 50-column bar ("[=====>     ]  1.2MB/3.4MB"). Otherwise: a
// line per change of status, no bars (what a log file wants).

export interface ProgressMessage {
  id: string;
  status: string;
  current: number;
  total: number;
}

/** docker's HumanSize: decimal units, four significant digits ("772.8kB", "2.31MB"). */
export function humanSize(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];
  let n = bytes;
  let i = 0;
  while (n >= 1000 && i < units.length - 1) {
    n /= 1000;
    i++;
  }
  return `${Number(n.toPrecision(4))}${units[i]}`;
}

export function progressBar(current: number, total: number): string {
  if (total <= 0) return humanSize(current);
  const width = 50;
  const filled = Math.min(width, Math.floor((width * current) / total));
  const bar = filled >= width ? '='.repeat(width) : `${'='.repeat(filled)}>${' '.repeat(width - filled - 1)}`;
  return `[${bar}]  ${humanSize(current)}/${humanSize(total)}`;
}

const BAR_STATUSES = new Set(['Downloading', 'Extracting', 'Pushing']);

export class ProgressPrinter {
  private readonly order: string[] = [];
  private readonly lines = new Map<string, string>();
  private readonly lastStatus = new Map<string, string>();

  constructor(private readonly out: NodeJS.WriteStream, private readonly tty: boolean) {}

  update(m: ProgressMessage): void {
    if (!m.status) return;
    if (!m.id) {
      this.out.write(`${m.status}\n`);
      return;
    }
    const withBar = BAR_STATUSES.has(m.status) && m.total > 0;
    const line = `${m.id}: ${m.status}${withBar && this.tty ? ` ${progressBar(m.current, m.total)}` : ''}`;
    if (!this.tty) {
      if (this.lastStatus.get(m.id) === m.status) return;
      this.lastStatus.set(m.id, m.status);
      this.out.write(`${line}\n`);
      return;
    }
    const at = this.order.indexOf(m.id);
    if (at < 0) {
      this.order.push(m.id);
      this.lines.set(m.id, line);
      this.out.write(`${line}\n`);
      return;
    }
    this.lines.set(m.id, line);
    const up = this.order.length - at;
    // Up to the layer's line, rewrite it, back down.
    this.out.write(`\x1b[${up}A\r\x1b[2K${line}\r\x1b[${up}B`);
  }
}
