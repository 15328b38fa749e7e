// Attaching a device filter program to a cgroup2 directory, replacing the
// one attached before: attach the new program first, then detach the old
// ones, so the cgroup is never left without a filter.
import fs from 'node:fs';
import {
  BPF_CGROUP_DEVICE, BPF_F_ALLOW_MULTI, BPF_PROG_TYPE_CGROUP_DEVICE,
  progAttach, progDetach, progGetFdById, progLoad, progQuery,
} from '@hull/sys/bpf';
import { deviceFilterProgram, encodeProgram } from './devicefilter';
import type { DeviceRule } from './devices';

export function attachDeviceFilter(dir: string, rules: DeviceRule[]): void {
  const insns = encodeProgram(deviceFilterProgram(rules));
  const dirFd = fs.openSync(dir, fs.constants.O_RDONLY | fs.constants.O_DIRECTORY);
  try {
    const old = progQuery(dirFd, BPF_CGROUP_DEVICE, dir);
    const progFd = progLoad(BPF_PROG_TYPE_CGROUP_DEVICE, insns);
    try {
      progAttach(dirFd, progFd, BPF_CGROUP_DEVICE, BPF_F_ALLOW_MULTI, dir);
    } finally {
      // The attachment holds the program; our fd is no longer needed.
      fs.closeSync(progFd);
    }
    for (const id of old) {
      const fd = progGetFdById(id);
      try {
        progDetach(dirFd, fd, BPF_CGROUP_DEVICE, dir);
      } finally {
        fs.closeSync(fd);
      }
    }
  } finally {
    fs.closeSync(dirFd);
  }
}

/** Ids of the device programs attached to `dir` itself. */
export function attachedDeviceFilters(dir: string): number[] {
  const dirFd = fs.openSync(dir, fs.constants.O_RDONLY | fs.constants.O_DIRECTORY);
  try {
    return progQuery(dirFd, BPF_CGROUP_DEVICE, dir);
  } finally {
    fs.closeSync(dirFd);
  }
}
