// The builder, as docker's classic one: each instruction of each stage (up
// to the target) is a step whose result is an image; RUN, COPY and ADD (and a
// WORKDIR that creates its directory) add a layer made from the step's
// overlay upper dir, the others only change the config (`empty_layer`
// history). A step whose cache key (parent image, instruction as run,
// checksums of the files it copies) was built before reuses that image.
import crypto from 'node:crypto';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { ImageConfig, ImageRecord, Images, Progress } from '@hull/images';
import { unpackLayer } from '@hull/images';
import { MNT_DETACH } from '@hull/sys/constants';
import { mount, umount2 } from '@hull/sys/libc';
import { BuildCache } from './cache';
import { archiveKind, checksumSources, collectSources, copySources, type SourceFile } from './copy';
import { expandString, expandWords, parseDockerfile, parsePairs, type Instruction } from './dockerfile';
import { BuildError } from './errors';
import { runSpec } from './runspec';
import { mkdirIn, resolveUser } from './scoped';

export interface StepRunner {
  /** Runs the container of `bundle` (config.json, rootfs mounted) to its end; its output to `output`; resolves with the exit code. */
  run(id: string, bundle: string, output: (chunk: Buffer) => void, signal: AbortSignal): Promise<number>;
}

export interface BuildRequest {
  /** The unpacked context. */
  contextDir: string;
  dockerfile: string;
  /** How the Dockerfile is named in messages. */
  dockerfileName?: string;
  tags?: string[];
  buildArgs?: Record<string, string>;
  target?: string;
  noCache?: boolean;
  pull?: boolean;
  labels?: Record<string, string>;
  /** 'none' (default) or 'host'. */
  network?: string;
}

interface Stage {
  name?: string;
  record: ImageRecord;
  config: ImageConfig;
  /** ARGs declared in this stage, with their values. */
  args: Map<string, string>;
  shell: string[];
  /** CMD seen in this stage (ENTRYPOINT then resets an inherited Cmd only). */
  cmdSet: boolean;
}

const DEFAULT_PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

const short = (id: string) => id.replace(/^sha256:/, '').slice(0, 12);
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

function envMap(env: string[] | undefined): Map<string, string> {
  const m = new Map<string, string>();
  for (const e of env ?? []) {
    const i = e.indexOf('=');
    if (i > 0) m.set(e.slice(0, i), e.slice(i + 1));
  }
  return m;
}

function setEnv(env: string[] | undefined, key: string, value: string): string[] {
  const out = (env ?? []).filter((e) => !e.startsWith(`${key}=`));
  out.push(`${key}=${value}`);
  return out;
}

/** Docker's duration flags (HEALTHCHECK --interval=30s): nanoseconds. */
function duration(text: string, what: string): number {
  const units: Record<string, number> = { ns: 1, us: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };
  let total = 0;
  const re = /(\d+(?:\.\d+)?)(ns|us|ms|s|m|h)/g;
  let m: RegExpExecArray | null;
  let seen = '';
  while ((m = re.exec(text))) { total += Number(m[1]) * units[m[2]!]!; seen += m[0]; }
  if (!seen || seen !== text) throw new BuildError(`${what}: invalid duration ${JSON.stringify(text)}`, 'invalid');
  return Math.round(total);
}

export class Builder {
  readonly cache: BuildCache;

  constructor(readonly images: Images, readonly runner: StepRunner, readonly dir: string) {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.cache = new BuildCache(path.join(dir, 'cache'));
  }

  /** Builds; `out` gets docker's step lines and the RUN output. Resolves with the image ID. */
  async build(req: BuildRequest, out: (text: string) => void, signal: AbortSignal = new AbortController().signal): Promise<string> {
    return new Run(this, req, out, signal).build();
  }
}

class Run {
  private readonly name: string;
  private readonly escape: string;
  private readonly stages: Stage[] = [];
  private readonly buildArgs: Map<string, string>;
  private readonly usedArgs = new Set<string>();
  private readonly meta = new Map<string, string>();
  private step = 0;
  private total = 0;
  private readonly ins: Instruction[];

  constructor(readonly b: Builder, readonly req: BuildRequest, readonly out: (text: string) => void, readonly signal: AbortSignal) {
    this.name = req.dockerfileName ?? 'Dockerfile';
    const df = parseDockerfile(req.dockerfile, this.name);
    this.escape = df.escape;
    this.ins = df.instructions;
    this.buildArgs = new Map(Object.entries(req.buildArgs ?? {}));
  }

  private line(text: string): void {
    this.out(`${text}\n`);
  }

  async build(): Promise<string> {
    const ins = this.ins;
    if (ins.length === 0) throw new BuildError(`${this.name}: the Dockerfile cannot be empty`, 'invalid');
    const firstFrom = ins.findIndex((i) => i.keyword === 'FROM');
    if (firstFrom < 0) throw new BuildError(`${this.name}: no build stage in current context`, 'invalid');
    for (const i of ins.slice(0, firstFrom)) {
      if (i.keyword !== 'ARG') throw new BuildError(`${this.name}:${i.line}: ${i.keyword} before FROM: only ARG may come first`, 'invalid', { line: i.line });
    }
    // Stages: [FROM, ...] slices; the target and those before it are built (docker's classic builder).
    const starts = ins.map((i, n) => (i.keyword === 'FROM' ? n : -1)).filter((n) => n >= 0);
    const slices = starts.map((s, k) => ins.slice(s, starts[k + 1] ?? ins.length));
    let last = slices.length - 1;
    if (this.req.target) {
      last = slices.findIndex((s) => this.stageName(s[0]!) === this.req.target!.toLowerCase());
      if (last < 0) throw new BuildError(`failed to reach build target ${this.req.target} in Dockerfile`, 'invalid', { target: this.req.target });
    }
    this.total = firstFrom + slices.slice(0, last + 1).reduce((n, s) => n + s.length, 0);
    for (const i of ins.slice(0, firstFrom)) await this.guard(i, () => this.metaArg(i));
    let stage!: Stage;
    for (const slice of slices.slice(0, last + 1)) {
      stage = await this.guard(slice[0]!, () => this.from(slice[0]!));
      await this.guardTriggers(slice[0]!, stage);
      for (const i of slice.slice(1)) {
        if (this.signal.aborted) throw new BuildError('build cancelled', 'failed');
        await this.guard(i, () => this.dispatch(stage, i));
      }
      this.stages.push(stage);
    }
    if (this.req.labels && Object.keys(this.req.labels).length) {
      const labels = this.req.labels;
      await this.configStep(stage, `LABEL ${Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(' ')}`, (c) => { c.Labels = { ...(c.Labels ?? {}), ...labels }; }, false);
    }
    const unused = [...this.buildArgs.keys()].filter((k) => !this.usedArgs.has(k));
    if (unused.length) this.line(`[Warning] One or more build-args [${unused.join(' ')}] were not consumed`);
    this.line(`Successfully built ${short(stage.record.id)}`);
    for (const t of this.req.tags ?? []) {
      await this.b.images.tag(stage.record.id, t);
      this.line(`Successfully tagged ${/:[^/]+$/.test(t) ? t : `${t}:latest`}`);
    }
    return stage.record.id;
  }

  /** Runs one instruction with its Step line; its failure names the Dockerfile line. */
  private async guard<T>(i: Instruction, fn: () => Promise<T>): Promise<T> {
    this.step++;
    this.line(`Step ${this.step}/${this.total} : ${i.original}`);
    try {
      return await fn();
    } catch (e) {
      if (e instanceof BuildError || e instanceof Error) {
        const err = e instanceof BuildError ? e : new BuildError(e.message, 'failed', {}, { cause: e });
        err.message = `${this.name}:${i.line}: ${i.keyword}: ${err.message}`;
        throw err;
      }
      throw e;
    }
  }

  /** The base image's ONBUILD triggers, run right after FROM (docker's rule); the child does not inherit them. */
  private async guardTriggers(from: Instruction, s: Stage): Promise<void> {
    const c = s.config.config as Record<string, unknown> | undefined;
    const triggers = (c?.OnBuild as string[] | undefined) ?? [];
    if (!triggers.length) return;
    s.config = clone(s.config);
    delete (s.config.config as Record<string, unknown>).OnBuild;
    this.line(`# Executing ${triggers.length} build trigger${triggers.length > 1 ? 's' : ''}`);
    for (const t of triggers) {
      const ins = { ...parseDockerfile(t, this.name).instructions[0]!, line: from.line };
      try {
        await this.dispatch(s, ins);
      } catch (e) {
        const err = e instanceof BuildError ? e : new BuildError((e as Error).message, 'failed', {}, { cause: e });
        err.message = `${this.name}:${from.line}: ONBUILD ${t}: ${err.message}`;
        throw err;
      }
    }
  }

  private stageName(from: Instruction): string | undefined {
    const w = from.args.split(/\s+/);
    return w.length >= 3 && w[1]!.toLowerCase() === 'as' ? w[2]!.toLowerCase() : undefined;
  }

  private async metaArg(i: Instruction): Promise<void> {
    for (const [k, v] of this.argPairs(i, this.meta)) {
      const value = this.buildArgs.has(k) ? this.buildArgs.get(k)! : v;
      if (this.buildArgs.has(k)) this.usedArgs.add(k);
      if (value !== undefined) this.meta.set(k, value);
      else this.meta.delete(k);
    }
  }

  /** ARG's `name[=default]` words. */
  private argPairs(i: Instruction, env: Map<string, string>): [string, string | undefined][] {
    const words = expandWords(i.args, env, this.escape);
    if (!words.length) throw new BuildError('ARG requires at least one argument', 'invalid');
    return words.map((w) => {
      const eq = w.indexOf('=');
      return eq < 0 ? [w, undefined] : [w.slice(0, eq), w.slice(eq + 1)];
    });
  }

  // ---- FROM ----

  private async from(i: Instruction): Promise<Stage> {
    const words = expandWords(i.args, this.meta, this.escape);
    const image = words[0];
    if (!image || (words.length !== 1 && (words.length !== 3 || words[1]!.toLowerCase() !== 'as'))) {
      throw new BuildError('FROM requires either one or three arguments (FROM <image> [AS <name>])', 'invalid');
    }
    const name = words[2]?.toLowerCase();
    if (name && this.stages.some((s) => s.name === name)) throw new BuildError(`duplicate name ${name}`, 'invalid');
    const record = await this.baseImage(image);
    const config = await this.b.images.content.readJson<ImageConfig>(record.configDigest);
    this.line(` ---> ${short(record.id)}`);
    return { name, record, config, args: new Map(), shell: ((config.config as Record<string, unknown> | undefined)?.Shell as string[] | undefined) ?? ['/bin/sh', '-c'], cmdSet: false };
  }

  private async baseImage(image: string): Promise<ImageRecord> {
    if (image.toLowerCase() === 'scratch') return this.scratch();
    const stage = this.stages.find((s) => s.name === image.toLowerCase());
    if (stage) return stage.record;
    if (!this.req.pull) {
      try {
        return await this.b.images.resolve(image);
      } catch { /* pull it */ }
    }
    const progress = (p: Progress) => { if (!p.current) this.line(p.id ? `${p.id}: ${p.status}` : p.status); };
    return this.b.images.pull(image, { progress });
  }

  /** The empty image: no layers, no created time, so one ID everywhere. */
  private async scratch(): Promise<ImageRecord> {
    const arch = ({ x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x' } as Record<string, string>)[process.arch] ?? process.arch;
    const id = await this.b.images.writeImage({ architecture: arch, os: 'linux', config: {}, rootfs: { type: 'layers', diff_ids: [] }, history: [] }, undefined);
    return this.b.images.resolve(id);
  }

  // ---- the other instructions ----

  /** Variables for expansion: the stage's ARGs, then its ENV over them. */
  private vars(s: Stage): Map<string, string> {
    return new Map([...s.args, ...envMap(s.config.config?.Env)]);
  }

  private async dispatch(s: Stage, i: Instruction): Promise<void> {
    const vars = this.vars(s);
    const expand = (t: string) => expandString(t, vars, this.escape);
    switch (i.keyword) {
      case 'RUN':
        return this.run(s, i);
      case 'COPY':
      case 'ADD':
        return this.copy(s, i);
      case 'WORKDIR': {
        const dir = path.posix.resolve(s.config.config?.WorkingDir || '/', expand(i.args));
        return this.layerStep(s, `WORKDIR ${dir}`, [], (c) => { c.WorkingDir = dir; }, async (rootfs) => { mkdirIn(rootfs, dir); }, true);
      }
      case 'ARG': {
        const pairs = this.argPairs(i, vars);
        for (const [k, v] of pairs) {
          let value = v;
          if (this.buildArgs.has(k)) { value = this.buildArgs.get(k)!; this.usedArgs.add(k); }
          else if (value === undefined && this.meta.has(k)) value = this.meta.get(k);
          if (value !== undefined) s.args.set(k, value);
          else s.args.delete(k);
        }
        // The key holds the values, so a changed --build-arg misses from here on (docker's rule).
        return this.configStep(s, `ARG ${pairs.map(([k]) => (s.args.has(k) ? `${k}=${s.args.get(k)}` : k)).join(' ')}`, () => {});
      }
      case 'ENV': {
        const pairs = parsePairs(i, vars, this.escape);
        return this.configStep(s, `ENV ${pairs.map(([k, v]) => `${k}=${v}`).join(' ')}`, (c) => {
          for (const [k, v] of pairs) c.Env = setEnv(c.Env, k, v);
        });
      }
      case 'LABEL': {
        const pairs = parsePairs(i, vars, this.escape);
        return this.configStep(s, `LABEL ${pairs.map(([k, v]) => `${k}=${v}`).join(' ')}`, (c) => {
          c.Labels = { ...(c.Labels ?? {}) };
          for (const [k, v] of pairs) c.Labels[k] = v;
        });
      }
      case 'MAINTAINER':
        return this.configStep(s, `MAINTAINER ${i.args}`, () => {}, true, (cfg) => { cfg.author = i.args; });
      case 'EXPOSE': {
        const ports = expandWords(i.args, vars, this.escape).map((p) => {
          const m = /^(\d+)(?:-(\d+))?(?:\/(tcp|udp|sctp))?$/i.exec(p);
          if (!m) throw new BuildError(`invalid containerPort: ${p}`, 'invalid');
          const proto = (m[3] ?? 'tcp').toLowerCase();
          const [a, b] = [Number(m[1]), Number(m[2] ?? m[1])];
          return Array.from({ length: b - a + 1 }, (_, k) => `${a + k}/${proto}`);
        }).flat();
        return this.configStep(s, `EXPOSE ${ports.join(' ')}`, (c) => {
          c.ExposedPorts = { ...(c.ExposedPorts ?? {}) };
          for (const p of ports) c.ExposedPorts[p] = {};
        });
      }
      case 'USER': {
        const user = expand(i.args);
        if (!user) throw new BuildError('USER requires exactly one argument', 'invalid');
        return this.configStep(s, `USER ${user}`, (c) => { c.User = user; });
      }
      case 'VOLUME': {
        const vols = i.json ?? expandWords(i.args, vars, this.escape);
        if (!vols.length || vols.some((v) => !v)) throw new BuildError('VOLUME specified can not be an empty string', 'invalid');
        return this.configStep(s, `VOLUME [${vols.map((v) => JSON.stringify(v)).join(' ')}]`, (c) => {
          c.Volumes = { ...(c.Volumes ?? {}) };
          for (const v of vols) c.Volumes[v] = {};
        });
      }
      case 'STOPSIGNAL': {
        const sig = expand(i.args);
        if (!/^(SIG)?[A-Z0-9+-]+$|^\d+$/i.test(sig)) throw new BuildError(`invalid signal: ${sig}`, 'invalid');
        return this.configStep(s, `STOPSIGNAL ${sig}`, (c) => { c.StopSignal = sig; });
      }
      case 'CMD': {
        const cmd = i.json ?? [...s.shell, i.args];
        s.cmdSet = true;
        return this.configStep(s, `CMD ${JSON.stringify(cmd)}`, (c) => { c.Cmd = cmd; });
      }
      case 'ENTRYPOINT': {
        const ep = i.json ?? (i.args ? [...s.shell, i.args] : []);
        const reset = !s.cmdSet;
        return this.configStep(s, `ENTRYPOINT ${JSON.stringify(ep)}`, (c) => {
          c.Entrypoint = ep.length ? ep : null;
          // docker: an ENTRYPOINT drops the Cmd inherited from the base image.
          if (reset) c.Cmd = null;
        });
      }
      case 'SHELL': {
        if (!i.json || !i.json.length) throw new BuildError('SHELL requires the arguments to be in JSON form', 'invalid');
        s.shell = i.json;
        return this.configStep(s, `SHELL ${JSON.stringify(i.json)}`, (c) => { (c as Record<string, unknown>).Shell = i.json; });
      }
      case 'HEALTHCHECK':
        return this.healthcheck(s, i);
      case 'ONBUILD': {
        const trigger = i.args.trim();
        const kw = trigger.split(/\s+/)[0]!.toUpperCase();
        if (['ONBUILD', 'FROM', 'MAINTAINER'].includes(kw)) throw new BuildError(`${kw} isn't allowed as an ONBUILD trigger`, 'invalid');
        return this.configStep(s, `ONBUILD ${trigger}`, (c) => {
          const r = c as Record<string, unknown>;
          r.OnBuild = [...((r.OnBuild as string[] | undefined) ?? []), trigger];
        });
      }
      default:
        throw new BuildError(`unknown instruction: ${i.keyword}`, 'invalid');
    }
  }

  private healthcheck(s: Stage, i: Instruction): Promise<void> {
    const args = i.args.trim();
    if (/^none$/i.test(args)) return this.configStep(s, 'HEALTHCHECK NONE', (c) => { (c as Record<string, unknown>).Healthcheck = { Test: ['NONE'] }; });
    const m = /^CMD\s+([\s\S]+)$/i.exec(args);
    if (!m) throw new BuildError('HEALTHCHECK: expected NONE or CMD <command>', 'invalid');
    let json: string[] | undefined;
    try {
      const v = JSON.parse(m[1]!) as unknown;
      if (Array.isArray(v) && v.every((x) => typeof x === 'string')) json = v as string[];
    } catch { /* shell form */ }
    const hc: Record<string, unknown> = { Test: json ? ['CMD', ...json] : ['CMD-SHELL', m[1]!] };
    const f = i.flags;
    for (const [flag, key] of [['interval', 'Interval'], ['timeout', 'Timeout'], ['start-period', 'StartPeriod'], ['start-interval', 'StartInterval']] as const) {
      if (f[flag]) hc[key] = duration(f[flag]!, `HEALTHCHECK --${flag}`);
    }
    if (f.retries) {
      const n = Number(f.retries);
      if (!Number.isInteger(n) || n < 0) throw new BuildError(`HEALTHCHECK --retries: invalid value ${f.retries}`, 'invalid');
      hc.Retries = n;
    }
    return this.configStep(s, `HEALTHCHECK ${JSON.stringify(hc)}`, (c) => { (c as Record<string, unknown>).Healthcheck = hc; });
  }

  // ---- steps ----

  /** A cached image for `key`, when it and its layers are still here. */
  private async cached(key: string): Promise<ImageRecord | undefined> {
    if (this.req.noCache) return undefined;
    for (const id of this.b.cache.get(key)) {
      try {
        const rec = await this.b.images.resolve(id);
        if (rec.layers.every((l) => this.b.images.snapshots.hasLayer(l.diffId) && this.b.images.content.has(l.digest))) return rec;
      } catch { /* gone: the next one */ }
    }
    return undefined;
  }

  private async adopt(s: Stage, rec: ImageRecord): Promise<void> {
    s.record = rec;
    s.config = await this.b.images.content.readJson<ImageConfig>(rec.configDigest);
  }

  private history(createdBy: string, empty: boolean) {
    return { created: new Date().toISOString(), created_by: createdBy, ...(empty ? { empty_layer: true } : {}) };
  }

  /** A step that only changes the config. */
  private async configStep(s: Stage, createdBy: string, change: (c: NonNullable<ImageConfig['config']>) => void, print = true, top?: (cfg: ImageConfig) => void): Promise<void> {
    const key = BuildCache.key([s.record.id, createdBy]);
    const hit = await this.cached(key);
    if (hit) {
      if (print) this.line(' ---> Using cache');
      await this.adopt(s, hit);
    } else {
      const cfg = clone(s.config);
      cfg.config ??= {};
      change(cfg.config);
      top?.(cfg);
      cfg.created = new Date().toISOString();
      cfg.history = [...(cfg.history ?? []), this.history(createdBy, true)];
      const id = await this.b.images.writeImage(cfg, s.record);
      this.b.cache.put(key, id);
      await this.adopt(s, await this.b.images.resolve(id));
    }
    if (print) this.line(` ---> ${short(s.record.id)}`);
  }

  /**
   * A step that changes files: a snapshot of the stage's image mounted, `work`
   * on it, its upper dir the new layer (none, with `emptyIfUnchanged`, when
   * nothing changed). Nothing of it remains after, success or not.
   */
  private async layerStep(s: Stage, createdBy: string, keyParts: string[], change: (c: NonNullable<ImageConfig['config']>) => void,
    work: (rootfs: string, stepId: string) => Promise<void>, emptyIfUnchanged = false): Promise<void> {
    const key = BuildCache.key([s.record.id, createdBy, ...keyParts]);
    const hit = await this.cached(key);
    if (hit) {
      this.line(' ---> Using cache');
      await this.adopt(s, hit);
      this.line(` ---> ${short(s.record.id)}`);
      return;
    }
    const id = await this.withSnapshot(s.record.id, async (rootfs, stepId, upper) => {
      await work(rootfs, stepId);
      return async () => {
        const empty = emptyIfUnchanged && fs.readdirSync(upper).length === 0;
        const cfg = clone(s.config);
        cfg.config ??= {};
        change(cfg.config);
        cfg.created = new Date().toISOString();
        cfg.history = [...(cfg.history ?? []), this.history(createdBy, empty)];
        return this.b.images.writeImage(cfg, s.record, empty ? undefined : upper);
      };
    });
    this.b.cache.put(key, id);
    await this.adopt(s, await this.b.images.resolve(id));
    this.line(` ---> ${short(s.record.id)}`);
  }

  /**
   * Mounts a fresh snapshot of `imageId` at <dir>/<stepId>/rootfs and runs
   * `fn`; what `fn` returns runs after the unmount (the commit). The
   * snapshot, mount and directory go in every case.
   */
  private async withSnapshot<T>(imageId: string, fn: (rootfs: string, stepId: string, upper: string) => Promise<() => Promise<T>>): Promise<T> {
    const stepId = `build-${crypto.randomBytes(6).toString('hex')}`;
    const dir = path.join(this.b.dir, stepId);
    const rootfs = path.join(dir, 'rootfs');
    let mounted = false;
    try {
      const p = await this.b.images.prepare(stepId, imageId);
      fs.mkdirSync(rootfs, { recursive: true, mode: 0o755 });
      const m = p.mounts[0]!;
      mount(m.source, rootfs, m.type, 0, m.options.join(','), `build: mount the snapshot of ${short(imageId)}`);
      mounted = true;
      const after = await fn(rootfs, stepId, this.b.images.snapshots.upperDir(stepId));
      umount2(rootfs, 0);
      mounted = false;
      return await after();
    } finally {
      if (mounted) {
        try { umount2(rootfs, 0); } catch { umount2(rootfs, MNT_DETACH); }
      }
      await this.b.images.removeSnapshot(stepId).catch(() => undefined);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }

  private async run(s: Stage, i: Instruction): Promise<void> {
    const argv = i.json ?? [...s.shell, i.args];
    // docker's history and cache key name the build args a RUN saw: `|2 A=1 B=2 /bin/sh -c …`.
    const args = [...s.args].filter(([k]) => !envMap(s.config.config?.Env).has(k)).map(([k, v]) => `${k}=${v}`);
    const createdBy = `RUN ${args.length ? `|${args.length} ${args.join(' ')} ` : ''}${argv.join(' ')}`;
    const c = s.config.config ?? {};
    const env = [...args, ...(c.Env ?? [])];
    if (!env.some((e) => e.startsWith('PATH='))) env.unshift(DEFAULT_PATH);
    await this.layerStep(s, createdBy, [this.req.network ?? 'none'], () => {}, async (rootfs, stepId) => {
      const cwd = c.WorkingDir || '/';
      mkdirIn(rootfs, cwd);
      const user = c.User ? resolveUser(rootfs, c.User, 'USER') : { uid: 0, gid: 0 };
      const bundle = path.dirname(rootfs);
      fs.writeFileSync(path.join(bundle, 'config.json'), JSON.stringify(runSpec({ args: argv, env, cwd, ...user, network: this.req.network ?? 'none' })));
      this.line(` ---> Running in ${stepId.slice(6, 18)}`);
      const code = await this.b.runner.run(stepId, bundle, (chunk) => this.out(chunk.toString()), this.signal);
      if (code !== 0) throw new BuildError(`The command '${argv.join(' ')}' returned a non-zero code: ${code}`, 'failed', { exitCode: code });
      this.line(`Removing intermediate container ${stepId.slice(6, 18)}`);
    });
  }

  private async copy(s: Stage, i: Instruction): Promise<void> {
    const what = i.keyword;
    const vars = this.vars(s);
    const words = i.json ? i.json.map((w) => expandString(w.replace(/\s/g, '\\ '), vars, this.escape) || w) : expandWords(i.args, vars, this.escape);
    if (words.length < 2) throw new BuildError(`${what} requires at least two arguments, but only ${words.length} provided`, 'invalid');
    const srcs = words.slice(0, -1);
    let dest = words[words.length - 1]!;
    if (!dest.startsWith('/')) dest = path.posix.join(s.config.config?.WorkingDir || '/', dest) + (dest.endsWith('/') || dest === '.' ? '/' : '');
    const from = i.flags.from;
    if (from && what === 'ADD') throw new BuildError('ADD --from is not supported: use COPY --from', 'invalid');
    const chown = i.flags.chown ? expandString(i.flags.chown, vars, this.escape) : undefined;
    const chmod = i.flags.chmod;
    if (chmod && !/^[0-7]{3,4}$/.test(chmod)) throw new BuildError(`invalid --chmod=${chmod}: an octal mode`, 'invalid');
    const urls = what === 'ADD' ? srcs.filter((x) => /^https?:\/\//i.test(x)) : [];
    const locals = srcs.filter((x) => !urls.includes(x));
    const tmp = fs.mkdtempSync(path.join(this.b.dir, 'add-'));
    try {
      const fetched = await Promise.all(urls.map((u, n) => this.download(u, path.join(tmp, String(n)))));
      await this.withSource(from, async (root, scoped) => {
        const sources: SourceFile[] = [...collectSources(root, locals, what, scoped), ...fetched];
        const sum = checksumSources(sources);
        const createdBy = `${what} ${from ? `--from=${from} ` : ''}${chown ? `--chown=${chown} ` : ''}${chmod ? `--chmod=${chmod} ` : ''}${srcs.join(' ')} ${dest}`;
        await this.layerStep(s, createdBy, [sum], () => {}, async (rootfs) => {
          const owner = chown ? resolveUser(rootfs, chown, '--chown') : undefined;
          for (const src of sources) {
            const st = fs.statSync(src.host);
            const kind = what === 'ADD' && st.isFile() && !fetched.includes(src) ? archiveKind(src.host) : undefined;
            if (kind) await this.extract(src.host, kind, mkdirIn(rootfs, dest));
            else copySources(rootfs, [src], sources.length > 1 && !dest.endsWith('/') ? `${dest}/` : dest, { owner });
          }
          if (chmod) for (const src of sources) chmodCopied(rootfs, src, dest, sources.length > 1, Number.parseInt(chmod, 8));
        });
      });
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  }

  /** The root COPY reads from: the context, or a stage's or image's root file system mounted for the step. */
  private async withSource(from: string | undefined, fn: (root: string, scoped: boolean) => Promise<void>): Promise<void> {
    if (!from) return fn(this.req.contextDir, false);
    const byName = this.stages.find((st) => st.name === from.toLowerCase()) ?? (/^\d+$/.test(from) ? this.stages[Number(from)] : undefined);
    const rec = byName ? byName.record : await this.baseImage(from);
    await this.withSnapshot(rec.id, async (rootfs) => {
      await fn(rootfs, true);
      return async () => undefined;
    });
  }

  private async extract(file: string, kind: string, dir: string): Promise<void> {
    let input: Readable = fs.createReadStream(file);
    if (kind === 'bzip2' || kind === 'xz') {
      const child = spawn(kind === 'xz' ? 'xz' : 'bzip2', ['-dc', file], { stdio: ['ignore', 'pipe', 'inherit'] });
      input = child.stdout!;
    }
    // unpackLayer takes plain and gzip tars and never writes outside `dir`.
    await unpackLayer(input, dir, `ADD ${path.basename(file)}`);
  }

  /** ADD URL: the file, named by the URL's last path component; mode 0600 as docker's. */
  private async download(url: string, dir: string): Promise<SourceFile> {
    fs.mkdirSync(dir, { recursive: true });
    let res: Response;
    try {
      res = await fetch(url, { signal: AbortSignal.timeout(60_000) });
    } catch (e) {
      throw new BuildError(`ADD failed: ${url}: ${(e as Error & { cause?: Error }).cause?.message ?? (e as Error).message}`, 'failed', { url });
    }
    if (!res.ok) throw new BuildError(`ADD failed: ${url}: ${res.status} ${res.statusText}`, 'failed', { url });
    const name = path.posix.basename(new URL(url).pathname) || 'index.html';
    const host = path.join(dir, name);
    fs.writeFileSync(host, Buffer.from(await res.arrayBuffer()), { mode: 0o600 });
    fs.chmodSync(host, 0o600);
    const lm = res.headers.get('last-modified');
    if (lm) fs.utimesSync(host, new Date(lm), new Date(lm));
    return { rel: name, host };
  }
}

/** --chmod: the mode of what a COPY wrote. */
function chmodCopied(rootfs: string, src: SourceFile, dest: string, many: boolean, mode: number): void {
  const st = fs.statSync(src.host);
  const base = path.posix.join(dest, st.isDirectory() ? '' : many || dest.endsWith('/') ? path.basename(src.rel) : '');
  const apply = (p: string) => {
    const host = path.join(rootfs, p);
    const s = fs.lstatSync(host, { throwIfNoEntry: false });
    if (!s || s.isSymbolicLink()) return;
    fs.chmodSync(host, mode);
  };
  if (st.isDirectory()) {
    const walk = (rel: string) => {
      for (const n of fs.readdirSync(path.join(src.host, rel))) {
        const r = path.posix.join(rel, n);
        apply(path.posix.join(base, r));
        if (fs.lstatSync(path.join(src.host, r)).isDirectory()) walk(r);
      }
    };
    walk('');
  } else apply(base);
}
