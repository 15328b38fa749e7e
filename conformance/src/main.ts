// The runner: every case against every RUNTIME, two at a time, a table, and one closing line.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Case } from './case';
import { allCases } from './cases';
import { baseRootfs } from './bundle';
import { CaseFailure, CaseSkip, Context } from './context';
import { Runtime, resolveRuntime } from './runtime';

type Verdict = 'pass' | 'fail' | 'deviation' | 'skip';

interface Outcome {
  verdict: Verdict;
  detail: string;
}

interface Options {
  runtimes: string[];
  filter?: RegExp;
  jobs: number;
  list: boolean;
  verbose: boolean;
}

function parseArgs(argv: string[]): Options {
  const opts: Options = {
    runtimes: (process.env.RUNTIME || 'hull').split(/[\s,]+/).filter(Boolean),
    jobs: 2,
    list: false,
    verbose: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a}: missing value`);
      return v;
    };
    if (a === '--filter' || a === '-f') opts.filter = new RegExp(value());
    else if (a === '--jobs' || a === '-j') opts.jobs = Math.max(1, Number(value()) || 1);
    else if (a === '--runtime') opts.runtimes = value().split(/[\s,]+/).filter(Boolean);
    else if (a === '--list') opts.list = true;
    else if (a === '--verbose' || a === '-v') opts.verbose = true;
    else if (a === '--help' || a === '-h') {
      process.stdout.write(
        'usage: RUNTIME="hull runc" conformance [--filter REGEX] [--jobs N] [--list] [--verbose]\n' +
          'Runs the OCI runtime-spec conformance cases against each runtime (default RUNTIME=hull).\n',
      );
      process.exit(0);
    } else throw new Error(`unknown argument ${a}`);
  }
  return opts;
}

async function runCase(c: Case, rt: Runtime, scratch: string): Promise<Outcome> {
  const dir = fs.mkdtempSync(path.join(scratch, `${c.name.replace(/[^\w.-]+/g, '_')}-`));
  fs.chmodSync(dir, 0o755); // a user-namespaced container's root must reach its rootfs
  const t = new Context(rt, dir);
  let outcome: Outcome;
  try {
    await c.run(t);
    outcome = { verdict: 'pass', detail: '' };
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    if (e instanceof CaseSkip) outcome = { verdict: 'skip', detail: msg };
    else {
      const why = c.deviations?.[rt.name];
      const detail = e instanceof CaseFailure ? msg : `crashed: ${e instanceof Error ? e.stack : msg}`;
      outcome = why ? { verdict: 'deviation', detail: `${detail} [known ${rt.name} deviation: ${why}]` } : { verdict: 'fail', detail };
    }
  }
  await t.cleanup();
  fs.rmSync(dir, { recursive: true, force: true });
  return outcome;
}

const label: Record<Verdict, string> = { pass: 'PASS', fail: 'FAIL', deviation: 'DEVIATION', skip: 'SKIP' };

export async function main(argv: string[]): Promise<number> {
  const opts = parseArgs(argv);
  const cases = allCases().filter((c) => !opts.filter || opts.filter.test(c.name));
  const names = new Set<string>();
  for (const c of cases) {
    if (names.has(c.name)) throw new Error(`duplicate case name ${c.name}`);
    names.add(c.name);
  }
  if (opts.list) {
    for (const c of cases) process.stdout.write(`${c.name}\t${c.spec}\n`);
    return 0;
  }
  if (process.getuid?.() !== 0) throw new Error('the conformance suite creates containers: run it as root');
  if (!fs.existsSync(path.join(baseRootfs(), 'bin', 'busybox'))) {
    throw new Error(`${baseRootfs()}: no busybox rootfs (run \`make rootfs\`)`);
  }
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'hull-conformance-'));
  fs.chmodSync(scratch, 0o755);
  const runtimes = opts.runtimes.map((spec, i) => {
    const root = path.join(scratch, `root-${i}`);
    fs.mkdirSync(root);
    return new Runtime(resolveRuntime(spec), root);
  });

  // One queue of (case, runtime) cells, `jobs` workers; results land in a grid printed in case order.
  const grid = cases.map(() => runtimes.map((): Outcome | undefined => undefined));
  const queue: Array<[number, number]> = [];
  cases.forEach((_, ci) => runtimes.forEach((_r, ri) => queue.push([ci, ri])));
  let done = 0;
  const worker = async (): Promise<void> => {
    for (let cell = queue.shift(); cell; cell = queue.shift()) {
      const [ci, ri] = cell;
      grid[ci][ri] = await runCase(cases[ci], runtimes[ri], scratch);
      done++;
      if (opts.verbose) process.stderr.write(`[${done}/${cases.length * runtimes.length}] ${cases[ci].name} ${runtimes[ri].name}: ${label[grid[ci][ri]!.verdict]}\n`);
    }
  };
  await Promise.all(Array.from({ length: opts.jobs }, worker));

  const width = Math.max(4, ...cases.map((c) => c.name.length));
  const colWidth = Math.max(9, ...runtimes.map((r) => r.name.length));
  const row = (first: string, cells: string[]): string => `${first.padEnd(width)}  ${cells.map((s) => s.padEnd(colWidth)).join('  ')}`.trimEnd();
  const lines = [row('case', runtimes.map((r) => r.name)), row('-'.repeat(width), runtimes.map(() => '-'.repeat(colWidth)))];
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  const notes: string[] = [];
  cases.forEach((c, ci) => {
    lines.push(row(c.name, grid[ci].map((o) => label[o!.verdict])));
    grid[ci].forEach((o, ri) => {
      if (o!.verdict === 'pass' || o!.verdict === 'deviation') passed++;
      else if (o!.verdict === 'fail') failed++;
      else skipped++;
      if (o!.verdict !== 'pass') notes.push(`${label[o!.verdict]} ${c.name} [${runtimes[ri].name}]: ${o!.detail}\n    spec: ${c.spec}`);
    });
  });
  process.stdout.write(`${lines.join('\n')}\n`);
  if (notes.length) process.stdout.write(`\n${notes.join('\n')}\n`);
  fs.rmSync(scratch, { recursive: true, force: true });
  process.stdout.write(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`);
  return failed ? 1 : 0;
}
