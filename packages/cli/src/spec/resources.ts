// --memory, --memory-swap, --cpus, --cpu-shares, --pids-limit as the spec's
// linux.resources, with docker's checks and wording.
import fs from 'node:fs';
import os from 'node:os';
import { FlagError, invalidFlag } from '../errors';
import { parseCpus, parseInteger, parseSize, parseSwap } from '../units';
import type { LinuxResources } from '@hull/runtime/spec';

export interface ResourceFlags {
  memory?: string;
  memorySwap?: string;
  cpus?: string;
  cpuShares?: string;
  pidsLimit?: string;
}

const CPU_PERIOD = 100_000;
const MIN_MEMORY = 6 * 1024 * 1024;

function flag<T>(value: string, name: string, parse: (s: string) => T): T {
  try {
    return parse(value);
  } catch (e) {
    throw invalidFlag(value, name, (e as Error).message);
  }
}

/** Whether the host can limit swap (cgroup v1 without memsw cannot). */
function swapLimitSupported(): boolean {
  const v1 = '/sys/fs/cgroup/memory';
  return !fs.existsSync(v1) || fs.existsSync(`${v1}/memory.memsw.limit_in_bytes`);
}

/**
 * The resources asked for; `current` is what the container has now (for
 * update), so swap can be checked against the memory limit in force.
 */
export function buildResources(f: ResourceFlags, current: LinuxResources = {}, forUpdate = false): LinuxResources {
  const r: LinuxResources = {};
  const memory = f.memory !== undefined ? flag(f.memory, '-m, --memory', parseSize) : undefined;
  const swap = f.memorySwap !== undefined ? flag(f.memorySwap, '--memory-swap', parseSwap) : undefined;
  if (memory !== undefined && memory > 0 && memory < MIN_MEMORY) throw new FlagError('Minimum memory limit allowed is 6MB');
  const effectiveMemory = memory ?? current.memory?.limit;
  if (swap !== undefined && swap !== 0) {
    if (!effectiveMemory || effectiveMemory <= 0) throw new FlagError('You should always set the Memory limit when using Memoryswap limit, see usage');
    if (swap > 0 && swap < effectiveMemory) throw new FlagError('Minimum memoryswap limit should be larger than memory limit, see usage');
  }
  const currentSwap = current.memory?.swap;
  if (forUpdate && memory !== undefined && swap === undefined && currentSwap !== undefined && currentSwap > 0 && memory > currentSwap) {
    throw new FlagError('Memory limit should be smaller than already set memoryswap limit, update the memoryswap at the same time');
  }
  if (memory !== undefined && memory > 0) {
    r.memory = { limit: memory };
    // docker's default: as much swap as memory (memory+swap = 2 × memory).
    if (swapLimitSupported()) r.memory.swap = swap ?? (forUpdate ? undefined : memory * 2);
    if (r.memory.swap === undefined) delete r.memory.swap;
  } else if (swap !== undefined && swapLimitSupported()) {
    r.memory = { swap };
  }
  if (f.cpus !== undefined) {
    const nano = flag(f.cpus, '--cpus', parseCpus);
    const ncpu = os.availableParallelism();
    if (nano !== 0 && (nano < 1e7 || nano > ncpu * 1e9)) {
      throw new FlagError(`Range of CPUs is from 0.01 to ${ncpu}.00, as there are only ${ncpu} CPUs available`);
    }
    if (nano > 0) r.cpu = { ...r.cpu, quota: Math.round((nano * CPU_PERIOD) / 1e9), period: CPU_PERIOD };
  }
  if (f.cpuShares !== undefined) {
    const shares = flag(f.cpuShares, '-c, --cpu-shares', parseInteger);
    if (shares < 0) throw invalidFlag(f.cpuShares, '-c, --cpu-shares', 'must not be negative');
    if (shares > 0) r.cpu = { ...r.cpu, shares };
  }
  if (f.pidsLimit !== undefined) {
    const limit = flag(f.pidsLimit, '--pids-limit', parseInteger);
    r.pids = { limit: limit > 0 ? limit : -1 };
  }
  return r;
}
