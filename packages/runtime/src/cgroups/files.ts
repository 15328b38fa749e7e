// Reading and writing cgroup files with errors that name the file:
//   cgroup: write 4194304 to /sys/fs/cgroup/memory/x/memory.limit_in_bytes: EBUSY
import fs from 'node:fs';
import path from 'node:path';
import { CgroupError } from '../errors';

function errnoOf(e: unknown): string {
  return (e as NodeJS.ErrnoException).code ?? String(e);
}

export function writeCgroupFile(dir: string, file: string, value: string): void {
  const p = path.join(dir, file);
  try {
    // One write() call: cgroup files take one value per write. No O_CREAT:
    // a missing file is an error, also in a fake cgroupfs.
    const fd = fs.openSync(p, fs.constants.O_WRONLY | fs.constants.O_TRUNC);
    try {
      fs.writeSync(fd, value);
    } finally {
      fs.closeSync(fd);
    }
  } catch (e) {
    const code = errnoOf(e);
    throw new CgroupError(code, `cgroup: write ${value} to ${p}: ${code}`, { file: p, value }, { cause: e });
  }
}

export function readCgroupFile(dir: string, file: string): string {
  const p = path.join(dir, file);
  try {
    return fs.readFileSync(p, 'utf8');
  } catch (e) {
    const code = errnoOf(e);
    throw new CgroupError(code, `cgroup: read ${p}: ${code}`, { file: p }, { cause: e });
  }
}

/** The file's content, or undefined when it does not exist. */
export function readOptional(dir: string, file: string): string | undefined {
  try {
    return fs.readFileSync(path.join(dir, file), 'utf8');
  } catch {
    return undefined;
  }
}

export function fileExists(dir: string, file: string): boolean {
  return fs.existsSync(path.join(dir, file));
}

/** A number file ("max" and v1's 9223372036854771712 read as Infinity-like max u64). */
export function parseUint(text: string): number {
  const t = text.trim();
  if (t === 'max') return MAX_UINT64;
  const n = Number(t);
  return Number.isFinite(n) ? n : 0;
}

/** runc reports "max" as the largest uint64 (JSON shows it as 18446744073709551615). */
export const MAX_UINT64 = 18446744073709551615;

/** "key value" lines (memory.stat, cpu.stat, memory.events) → record. */
export function parseKeyValues(text: string | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of (text ?? '').split('\n')) {
    const [k, v] = line.trim().split(/\s+/);
    if (k && v !== undefined) out[k] = parseUint(v);
  }
  return out;
}
