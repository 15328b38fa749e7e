// cgroup v2 (unified): one directory; controllers enabled top down through
// cgroup.subtree_control; devices through an eBPF program.
import fs from 'node:fs';
import path from 'node:path';
import { CgroupError } from '../errors';
import { sleepMs } from '../proc';
import { tryKill } from '@hull/sys/syscalls';
import { normaliseDeviceRules } from './devices';
import { fileExists, readOptional, writeCgroupFile } from './files';
import { availableControllers } from './layout';
import type { CgroupManager, OomWatch } from './manager';
import { watchOomV2 } from './oom';
import { applyResources, type Controller, type ControllerDirs } from './resources';
import { statsV2 } from './stats';
import { makeCgroupDir, removeCgroupDir, treePids } from './tree';
import type { CgroupStats, LinuxResources, Warn } from './types';
import { isFrozenV2 } from './frozen';

const SIGKILL = 9;

/**
 * Enables `ctrls` in cgroup.subtree_control of every directory from the
 * mount down to dir's parent, so dir gets their files. A controller a level
 * cannot enable (not offered, or processes inside) is skipped: set() then
 * names it as unavailable.
 */
export function enableControllers(mount: string, dir: string, ctrls: string[]): void {
  const rel = path.relative(mount, path.dirname(dir));
  const levels = [mount];
  for (const part of rel.split('/').filter((p) => p && p !== '.')) levels.push(path.join(levels[levels.length - 1], part));
  for (const level of levels) {
    const enabled = (readOptional(level, 'cgroup.subtree_control') ?? '').split(/\s+/);
    const offered = availableControllers(level);
    for (const c of ctrls) {
      if (enabled.includes(c) || !offered.includes(c)) continue;
      try {
        writeCgroupFile(level, 'cgroup.subtree_control', `+${c}`);
      } catch {
        // Reported later as "controller not available", with the key that wanted it.
      }
    }
  }
}

export function freezeV2(dir: string): void {
  writeCgroupFile(dir, 'cgroup.freeze', '1');
  for (let i = 0; !isFrozenV2(dir); i++) {
    if (i >= 1000) {
      writeCgroupFile(dir, 'cgroup.freeze', '0');
      throw new CgroupError('EBUSY', `cgroup: ${dir}/cgroup.events never shows frozen 1: cannot freeze`, { dir });
    }
    sleepMs(i < 10 ? 1 : 10);
  }
}

export function thawV2(dir: string): void {
  writeCgroupFile(dir, 'cgroup.freeze', '0');
}

export { isFrozenV2 } from './frozen';

export interface V2Options {
  dir: string;
  mount: string;
  created?: string;
  warn?: Warn;
}

export class CgroupV2Manager implements CgroupManager {
  readonly version = 2 as const;
  readonly paths: Record<string, string>;
  readonly created: Record<string, string>;
  private readonly dir: string;
  private readonly mount: string;
  private readonly warn: Warn;

  constructor(opts: V2Options) {
    this.dir = opts.dir;
    this.mount = opts.mount;
    this.paths = { unified: opts.dir };
    this.created = opts.created ? { unified: opts.created } : {};
    this.warn = opts.warn ?? (() => {});
  }

  create(): void {
    const top = makeCgroupDir(this.mount, this.dir);
    if (top) this.created.unified = top;
    try {
      // Every controller the host offers, as runc does.
      enableControllers(this.mount, this.dir, availableControllers(this.mount));
    } catch (e) {
      if (top) removeCgroupDir(this.dir, top);
      delete this.created.unified;
      throw e;
    }
  }

  private controllerDirs(): ControllerDirs {
    const has = (c: string) => availableControllers(this.dir).includes(c);
    return {
      dir: (ctrl: Controller) => {
        const name = ctrl === 'blkio' ? 'io' : ctrl;
        return has(name) ? this.dir : undefined;
      },
      flavour: () => 2,
      unifiedDir: (prefix: string) => (prefix === 'cgroup' || has(prefix) ? this.dir : undefined),
    };
  }

  set(resources: LinuxResources): void {
    if (resources.network && (resources.network.classID !== undefined || resources.network.priorities?.length)) {
      throw new CgroupError('ENOCONTROLLER', 'linux.resources.network: cgroup v2 has no net_cls/net_prio controllers', {});
    }
    applyResources(resources, this.controllerDirs(), { warn: this.warn });
    if (resources.devices) {
      // bpf(2) is koffi's: loaded by the commands that set devices, not by every one that opens a cgroup.
      const { attachDeviceFilter } = require('./bpfdevices') as typeof import('./bpfdevices');
      attachDeviceFilter(this.dir, normaliseDeviceRules(resources.devices));
    }
  }

  procsFiles(): string[] {
    return [path.join(this.dir, 'cgroup.procs')];
  }

  viewDirs(): Record<string, string> {
    return { '': this.dir };
  }

  addProcess(pid: number): void {
    writeCgroupFile(this.dir, 'cgroup.procs', String(pid));
  }

  freeze(): void {
    freezeV2(this.dir);
  }

  thaw(): void {
    thawV2(this.dir);
  }

  isFrozen(): boolean {
    return isFrozenV2(this.dir);
  }

  stats(): CgroupStats {
    return statsV2(this.dir);
  }

  pids(): number[] {
    return treePids(this.dir);
  }

  killAll(signal: number): void {
    if (signal === SIGKILL && fileExists(this.dir, 'cgroup.kill')) {
      writeCgroupFile(this.dir, 'cgroup.kill', '1');
      // Killed tasks leave a frozen cgroup2 by themselves; thaw it all the same, as runc does.
      if (readOptional(this.dir, 'cgroup.freeze')?.trim() === '1') thawV2(this.dir);
      return;
    }
    const wasFrozen = this.isFrozen();
    if (!wasFrozen) this.freeze();
    try {
      for (const pid of this.pids()) tryKill(pid, signal);
    } finally {
      if (!wasFrozen) this.thaw();
    }
  }

  watchOom(onOom: () => void): OomWatch {
    if (!fileExists(this.dir, 'memory.events')) {
      throw new CgroupError('ENOCONTROLLER', `cgroup: no ${this.dir}/memory.events (memory controller not enabled): no OOM events`, {});
    }
    return watchOomV2(this.dir, onOom);
  }

  destroy(): void {
    removeCgroupDir(this.dir, this.created.unified);
  }

  exists(): boolean {
    return fs.existsSync(this.dir);
  }
}
