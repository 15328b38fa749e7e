// The parts of the OCI runtime spec (config.json) that hullctl writes.
// Loose on purpose: a --bundle's config may carry anything, and it is kept.

export interface Mount {
  destination: string;
  type?: string;
  source?: string;
  options?: string[];
}

export interface Process {
  terminal?: boolean;
  user: { uid: number; gid: number; additionalGids?: number[] };
  args?: string[];
  env?: string[];
  cwd: string;
  capabilities?: { bounding?: string[]; effective?: string[]; permitted?: string[]; inheritable?: string[]; ambient?: string[] };
  rlimits?: { type: string; hard: number; soft: number }[];
  noNewPrivileges?: boolean;
  [key: string]: unknown;
}

export interface LinuxResources {
  devices?: { allow: boolean; access?: string; type?: string; major?: number; minor?: number }[];
  memory?: { limit?: number; swap?: number; [key: string]: unknown };
  cpu?: { shares?: number; quota?: number; period?: number; [key: string]: unknown };
  pids?: { limit: number };
  [key: string]: unknown;
}

export interface Spec {
  ociVersion: string;
  process: Process;
  root: { path: string; readonly?: boolean };
  hostname?: string;
  mounts?: Mount[];
  annotations?: Record<string, string>;
  linux?: {
    resources?: LinuxResources;
    namespaces?: { type: string; path?: string }[];
    maskedPaths?: string[];
    readonlyPaths?: string[];
    seccomp?: unknown;
    [key: string]: unknown;
  };
  [key: string]: unknown;
}
