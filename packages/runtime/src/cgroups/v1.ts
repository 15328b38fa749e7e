// cgroup v1 (legacy and hybrid): one directory per mounted hierarchy; on a
// hybrid host also a directory on the cgroup2 mount, for the controllers
// that live there (hugetlb here) and because runc joins it too.
import fs from 'node:fs';
import path from 'node:path';
import { CgroupError } from '../errors';
import { sleepMs } from '../proc';
import { tryKill } from '@hull/sys/syscalls';
import { applyV1Devices, normaliseDeviceRules } from './devices';
import { fileExists, readCgroupFile, readOptional, writeCgroupFile } from './files';
import { availableControllers } from './layout';
import type { CgroupManager, OomWatch } from './manager';
import { watchOomV1 } from './oom';
import { applyResources, type Controller, type ControllerDirs } from './resources';
import { statsV1 } from './stats';
import { makeCgroupDir, removeCgroupDir, treePids } from './tree';
import type { CgroupStats, LinuxResources, Warn } from './types';
import { enableControllers, freezeV2, thawV2 } from './v2';
import { isFrozenAt } from './frozen';

export interface V1Options {
  /** Directory per key (controller name or "unified"), from resolution or state. */
  paths: Record<string, string>;
  /** Mount point per key, to know where mkdir -p starts. */
  mounts: Record<string, string>;
  created?: Record<string, string>;
  warn?: Warn;
}

const SIGKILL = 9;

export class CgroupV1Manager implements CgroupManager {
  readonly version = 1 as const;
  readonly paths: Record<string, string>;
  readonly created: Record<string, string>;
  private readonly mounts: Record<string, string>;
  private readonly warn: Warn;

  constructor(opts: V1Options) {
    this.paths = { ...opts.paths };
    this.mounts = { ...opts.mounts };
    this.created = { ...(opts.created ?? {}) };
    this.warn = opts.warn ?? (() => {});
  }

  /** Each directory once (co-mounted controllers share one), with one key naming it. */
  private dirs(): Map<string, string> {
    const byDir = new Map<string, string>();
    for (const [key, dir] of Object.entries(this.paths)) if (!byDir.has(dir)) byDir.set(dir, key);
    return byDir;
  }

  create(): void {
    const made: string[] = [];
    try {
      for (const [dir, key] of this.dirs()) {
        const mount = this.mounts[key];
        if (!mount) throw new CgroupError('EINVAL', `cgroup: no mount point known for ${key}`, { key });
        // An empty cpuset takes no task: fill pre-made parents, then each new level, from their parent (runc).
        if (key === 'cpuset') fillEmptyCpusets(mount, dir);
        const onMade = key === 'cpuset' ? copyCpusetFromParent : undefined;
        const top = makeCgroupDir(mount, dir, onMade);
        if (top) {
          // Co-mounted controllers share the directory, and so its top.
          for (const [k, d] of Object.entries(this.paths)) if (d === dir) this.created[k] = top;
          made.push(key);
        }
      }
    } catch (e) {
      // Bad input leaves nothing behind.
      for (const key of made) {
        try {
          removeCgroupDir(this.paths[key], this.created[key]);
        } catch (c) {
          if (e instanceof CgroupError) e.cleanup.push(c as Error);
        }
      }
      for (const key of Object.keys(this.created)) delete this.created[key];
      throw e;
    }
  }

  private controllerDirs(): ControllerDirs {
    const unified = this.paths.unified;
    const onUnified = (ctrl: string): boolean =>
      !!unified && !this.paths[ctrl] && availableControllers(this.mounts.unified).includes(ctrl);
    return {
      dir: (ctrl: Controller) => {
        if (this.paths[ctrl]) return this.paths[ctrl];
        if (onUnified(ctrl)) {
          enableControllers(this.mounts.unified, unified, [ctrl]);
          return unified;
        }
        return undefined;
      },
      flavour: (ctrl: Controller) => (this.paths[ctrl] ? 1 : onUnified(ctrl) ? 2 : 1),
      unifiedDir: (prefix: string) => {
        if (!unified) return undefined;
        if (prefix === 'cgroup') return unified;
        if (!onUnified(prefix)) return undefined;
        enableControllers(this.mounts.unified, unified, [prefix]);
        return unified;
      },
    };
  }

  set(resources: LinuxResources): void {
    applyResources(resources, this.controllerDirs(), { warn: this.warn });
    if (resources.devices) {
      const dir = this.paths.devices;
      if (!dir) throw new CgroupError('ENOCONTROLLER', 'linux.resources.devices: the devices cgroup controller is not mounted on this host', {});
      applyV1Devices(dir, normaliseDeviceRules(resources.devices));
    }
  }

  procsFiles(): string[] {
    return [...this.dirs().keys()].map((d) => path.join(d, 'cgroup.procs'));
  }

  viewDirs(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [dir, key] of this.dirs()) {
      const mount = this.mounts[key];
      if (mount) out[path.basename(mount)] = dir;
    }
    return out;
  }

  addProcess(pid: number): void {
    for (const dir of this.dirs().keys()) writeCgroupFile(dir, 'cgroup.procs', String(pid));
  }

  freeze(): void {
    const dir = this.freezerDir();
    if (!dir) return freezeV2(this.needUnified('freeze'));
    // FREEZING until every task stops; writing FROZEN again nudges stragglers.
    for (let i = 0; ; i++) {
      writeCgroupFile(dir, 'freezer.state', 'FROZEN');
      const state = readCgroupFile(dir, 'freezer.state').trim();
      if (state === 'FROZEN') return;
      if (i >= 1000) {
        writeCgroupFile(dir, 'freezer.state', 'THAWED');
        throw new CgroupError('EBUSY', `cgroup: ${dir}/freezer.state stays ${state}: cannot freeze`, { dir });
      }
      sleepMs(i < 10 ? 1 : 10);
    }
  }

  thaw(): void {
    const dir = this.freezerDir();
    if (!dir) return thawV2(this.needUnified('thaw'));
    writeCgroupFile(dir, 'freezer.state', 'THAWED');
  }

  isFrozen(): boolean {
    return isFrozenAt(this.paths);
  }

  private freezerDir(): string | undefined {
    return this.paths.freezer;
  }

  private needUnified(op: string): string {
    if (!this.paths.unified) throw new CgroupError('ENOCONTROLLER', `cgroup: cannot ${op}: no freezer hierarchy on this host`, {});
    return this.paths.unified;
  }

  stats(): CgroupStats {
    const cd = this.controllerDirs();
    const huge = this.paths.hugetlb ?? (this.paths.unified && availableControllers(this.mounts.unified).includes('hugetlb') ? this.paths.unified : undefined);
    return statsV1({
      cpu: this.paths.cpu,
      cpuacct: this.paths.cpuacct,
      cpuset: this.paths.cpuset,
      memory: this.paths.memory,
      pids: this.paths.pids,
      blkio: this.paths.blkio,
      hugetlb: huge ? { dir: huge, flavour: cd.flavour('hugetlb') } : undefined,
    });
  }

  pids(): number[] {
    // Every hierarchy holds every process; the first one answers (pids or freezer preferred).
    const dir = this.paths.pids ?? this.paths.freezer ?? this.paths.memory ?? Object.values(this.paths)[0];
    return dir ? treePids(dir) : [];
  }

  killAll(signal: number): void {
    // Hybrid hosts: the cgroup2 directory holds every process too, and cgroup.kill is race-free.
    if (signal === SIGKILL && this.paths.unified && fileExists(this.paths.unified, 'cgroup.kill')) {
      writeCgroupFile(this.paths.unified, 'cgroup.kill', '1');
      // A v1 freezer holds the killed tasks until it thaws (a paused container).
      if (this.paths.freezer && readOptional(this.paths.freezer, 'freezer.state')?.trim() !== 'THAWED') this.thaw();
      return;
    }
    // Frozen, no process can fork a child we would miss.
    const canFreeze = !!this.paths.freezer;
    const wasFrozen = canFreeze && this.isFrozen();
    if (canFreeze && !wasFrozen) this.freeze();
    try {
      for (const pid of this.pids()) tryKill(pid, signal);
    } finally {
      if (canFreeze && !wasFrozen) this.thaw();
    }
    if (signal === SIGKILL && wasFrozen) this.thaw();
  }

  watchOom(onOom: () => void): OomWatch {
    if (!this.paths.memory) throw new CgroupError('ENOCONTROLLER', 'cgroup: no memory hierarchy on this host: no OOM events', {});
    return watchOomV1(this.paths.memory, onOom);
  }

  destroy(): void {
    const errors: Error[] = [];
    for (const [dir, key] of this.dirs()) {
      try {
        removeCgroupDir(dir, this.created[key]);
      } catch (e) {
        errors.push(e as Error);
      }
    }
    if (errors.length) {
      const first = errors[0] as CgroupError;
      if (first instanceof CgroupError) first.cleanup.push(...errors.slice(1));
      throw first;
    }
  }

  exists(): boolean {
    return [...this.dirs().keys()].every((d) => fs.existsSync(d));
  }
}

/** Each existing level between the mount and `dir`, top down, whose cpus or mems are empty. */
function fillEmptyCpusets(mount: string, dir: string): void {
  let cur = mount;
  for (const part of path.relative(mount, dir).split('/').filter(Boolean)) {
    cur = path.join(cur, part);
    if (!fs.existsSync(cur)) return;
    copyCpusetFromParent(cur);
  }
}

function copyCpusetFromParent(dir: string): void {
  const parent = path.dirname(dir);
  for (const file of ['cpuset.cpus', 'cpuset.mems']) {
    const own = readOptional(dir, file);
    if (own !== undefined && own.trim() === '') writeCgroupFile(dir, file, readCgroupFile(parent, file).trim());
  }
}
