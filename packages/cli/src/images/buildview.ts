// `hullctl build --progress tty`: the supervisor's step lines (docker's classic
// output: "Step 3/7 : RUN …", " ---> Using cache", " ---> 1a2b3c4d5e6f")
// read back into steps and drawn as BuildKit draws them on a terminal:
//
//   [+] Building 2.3s (3/7)
//    => [internal] load build context                            0.0s
//    => CACHED [2/7] WORKDIR /app                                0.0s
//    => [3/7] RUN make                                           1.2s
//    => => # the last lines the step printed
//
// This file only turns lines into frames (text); the command redraws them.

interface Step {
  /** "[3/7] RUN make" */
  name: string;
  started: number;
  ended?: number;
  cached: boolean;
  failed: boolean;
  /** What the step's command printed, line by line. */
  output: string[];
}

/** Output lines shown under a running step (BuildKit shows six). */
const TAIL = 6;
/** Output lines kept of a failed step, to show after the view. */
const KEEP = 200;

const STEP = /^Step (\d+)\/(\d+) : (.*)$/;
const IMAGE = /^ ---> [0-9a-f]{12}$/;
const NOISE = /^( ---> Running in [0-9a-f]+|Removing intermediate container [0-9a-f]+|# Executing \d+ build triggers?)$/;
const RESULT = /^Successfully (built|tagged) /;

export class BuildView {
  private readonly steps: Step[] = [];
  private total = 0;
  private partial = '';
  private context?: { bytes: string; started: number; ended: number };
  private ok = false;
  /** "Successfully built …" and "Successfully tagged …": printed as they are, after the view. */
  readonly results: string[] = [];

  constructor(private readonly started: number) {}

  /** The context went out: its size as docker prints it ("2.05kB"). */
  contextSent(size: string, now: number): void {
    this.context = { bytes: size, started: this.started, ended: now };
  }

  /** Text as the supervisor streams it; lines may come cut anywhere. */
  feed(text: string, now: number): void {
    const lines = (this.partial + text).split('\n');
    this.partial = lines.pop()!;
    for (const line of lines) this.line(line.replace(/\r$/, ''), now);
  }

  /** The build ended (`ok` false: the supervisor answered an error). */
  finish(ok: boolean, now: number): void {
    this.ok = ok;
    if (this.partial) this.line(this.partial, now);
    this.partial = '';
    const last = this.current();
    if (last && last.ended === undefined) {
      last.ended = now;
      last.failed = !ok;
    }
  }

  private current(): Step | undefined {
    return this.steps[this.steps.length - 1];
  }

  private line(line: string, now: number): void {
    const step = STEP.exec(line);
    if (step) {
      const prev = this.current();
      if (prev && prev.ended === undefined) prev.ended = now;
      this.total = Number(step[2]);
      this.steps.push({ name: `[${step[1]}/${step[2]}] ${step[3]}`, started: now, cached: false, failed: false, output: [] });
      return;
    }
    if (RESULT.test(line)) {
      this.results.push(line);
      return;
    }
    const cur = this.current();
    if (!cur) return;
    if (line === ' ---> Using cache') cur.cached = true;
    else if (IMAGE.test(line)) cur.ended ??= now;
    else if (!NOISE.test(line)) {
      cur.output.push(line);
      if (cur.output.length > KEEP) cur.output.shift();
    }
  }

  /** The view at `now`, each line at most `width` columns. `final` marks the last frame of a build. */
  frame(now: number, width: number, final = false): string {
    const done = this.steps.filter((s) => s.ended !== undefined).length;
    const head = `[+] Building ${seconds(now - this.started)} (${done}/${this.total || this.steps.length})${final && this.ok ? ' FINISHED' : ''}`;
    const rows = [head];
    const row = (label: string, took?: number) => {
      const time = took === undefined ? '' : seconds(took);
      const room = Math.max(10, width - time.length - 1);
      const text = fit(` => ${label}`, room);
      rows.push(time ? `${text}${' '.repeat(Math.max(1, width - text.length - time.length))}${time}` : text);
    };
    if (this.context) {
      row('[internal] load build context', this.context.ended - this.context.started);
      rows.push(fit(` => => transferring context: ${this.context.bytes}`, width));
    }
    for (const s of this.steps) {
      row(`${s.failed ? 'ERROR ' : s.cached ? 'CACHED ' : ''}${s.name}`, (s.ended ?? now) - s.started);
      if (s.ended === undefined) for (const o of s.output.slice(-TAIL)) rows.push(fit(` => => # ${o}`, width));
    }
    return rows.join('\n');
  }

  /** BuildKit's account of a failed step, under the view: its name and all it printed. */
  failure(): string | undefined {
    const s = this.steps.find((x) => x.failed);
    if (!s) return undefined;
    return ['------', ` > ${s.name}:`, ...s.output.map((o) => `${o}`), '------'].join('\n');
  }
}

function seconds(ms: number): string {
  return `${(Math.max(0, ms) / 1000).toFixed(1)}s`;
}

/** Cuts a line to `width` columns (…), as a terminal row must not wrap or the redraw goes wrong. */
function fit(text: string, width: number): string {
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replace(/\t/g, ' ').replace(/[\x00-\x1f\x7f]/g, '');
  return clean.length <= width ? clean : `${clean.slice(0, Math.max(0, width - 1))}…`;
}
