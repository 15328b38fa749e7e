// The container's cgroup as the lifecycle needs it: made (with its
// resources) before the init starts, joined by the init last, shown inside
// the rootfs, frozen, killed and removed.
import fs from 'node:fs';
import path from 'node:path';
import type { Log } from '../log';
import type { Spec } from '../spec/types';
import type { ContainerRecord } from '../state/store';
import { sleepMs } from '../proc';
import { hostCgroupLayout } from '../cgroups/layout';
import { resolveCgroupPath, cgroupDir } from '../cgroups/path';

export interface ContainerCgroup {
  /** Hierarchy key ("memory", "cpu", "unified"...) → the container's directory; saved in state. */
  paths: Record<string, string>;
  /** Every cgroup.procs the init writes itself into. */
  procsFiles: string[];
  /** What the container's cgroup mount shows: directory name → host directory. */
  viewDirs: Record<string, string>;
  destroy(): void;
}

export interface OpenCgroup {
  isFrozen(): boolean;
  killAll(signal: number): void;
  pids(): number[];
  destroy(): void;
}

/** Makes the container's cgroup on every hierarchy the host has, and applies linux.resources. */
export function setupCgroup(spec: Spec, id: string, log: Log): ContainerCgroup {
  const layout = hostCgroupLayout();
  const inner = resolveCgroupPath(spec.linux?.cgroupsPath, id);
  const paths: Record<string, string> = {};
  const viewDirs: Record<string, string> = {};
  const seen = new Set<string>();
  const made: string[] = [];
  const cg: ContainerCgroup = { paths, procsFiles: [], viewDirs, destroy: () => removeDirs(made) };
  try {
    for (const [ctrl, h] of Object.entries(layout.v1)) {
      const dir = cgroupDir(h, inner, false);
      paths[ctrl] = dir;
      if (seen.has(dir)) continue;
      seen.add(dir);
      made.push(...mkdirs(dir));
      cg.procsFiles.push(path.join(dir, 'cgroup.procs'));
      viewDirs[path.basename(h.mount)] = dir;
    }
    if (layout.unified) {
      const dir = cgroupDir(layout.unified, inner, true);
      paths.unified = dir;
      made.push(...mkdirs(dir));
      cg.procsFiles.push(path.join(dir, 'cgroup.procs'));
      if (layout.version === 2) viewDirs[''] = dir;
      else viewDirs[path.basename(layout.unified.mount)] = dir;
    }
    applyResources(spec, paths, log);
  } catch (e) {
    cg.destroy();
    throw e;
  }
  return cg;
}

function applyResources(spec: Spec, paths: Record<string, string>, log: Log): void {
  // Replaced by the CgroupManager once it lands (cgroups/).
  void spec; void paths; void log;
}

/** mkdir -p, returning the directories it made (deepest last). */
function mkdirs(dir: string): string[] {
  const made: string[] = [];
  let d = dir;
  while (!fs.existsSync(d)) {
    made.unshift(d);
    d = path.dirname(d);
  }
  for (const m of made) {
    fs.mkdirSync(m);
    // A new v1 cpuset starts empty and refuses tasks: inherit the parent's.
    for (const f of ['cpuset.cpus', 'cpuset.mems']) {
      const file = path.join(m, f);
      if (fs.existsSync(file) && !fs.readFileSync(file, 'utf8').trim()) fs.writeFileSync(file, fs.readFileSync(path.join(path.dirname(m), f)));
    }
  }
  return made;
}

function removeDirs(dirs: string[]): void {
  for (const d of [...dirs].reverse()) {
    for (let i = 0; ; i++) {
      try {
        fs.rmdirSync(d);
        break;
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') break;
        if (code !== 'EBUSY' || i > 200) throw e;
        sleepMs(5); // processes still leaving
      }
    }
  }
}

export function openCgroup(rec: ContainerRecord): OpenCgroup {
  const paths = rec.cgroupPaths;
  const dirs = [...new Set(Object.values(paths))];
  const pids = (): number[] => {
    const dir = paths.pids ?? paths.memory ?? paths.unified ?? dirs[0];
    const out = new Set<number>();
    const walk = (d: string) => {
      try {
        for (const l of fs.readFileSync(path.join(d, 'cgroup.procs'), 'utf8').split('\n')) if (l) out.add(Number(l));
        for (const e of fs.readdirSync(d, { withFileTypes: true })) if (e.isDirectory()) walk(path.join(d, e.name));
      } catch {
        // gone
      }
    };
    if (dir) walk(dir);
    return [...out];
  };
  return {
    isFrozen() {
      if (paths.freezer) return fs.readFileSync(path.join(paths.freezer, 'freezer.state'), 'utf8').trim() === 'FROZEN';
      if (paths.unified && fs.existsSync(path.join(paths.unified, 'cgroup.freeze'))) {
        return fs.readFileSync(path.join(paths.unified, 'cgroup.freeze'), 'utf8').trim() === '1';
      }
      return false;
    },
    killAll(signal: number) {
      for (const pid of pids()) {
        try {
          process.kill(pid, signal);
        } catch {
          // exited meanwhile
        }
      }
    },
    pids,
    destroy() {
      // Only the container's own leaf directories: parents may be shared.
      removeDirs(dirs.sort((a, b) => a.length - b.length));
    },
  };
}
