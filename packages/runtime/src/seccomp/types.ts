// The shape of config.json's linux.seccomp (runtime-spec config-linux.md),
// as far as the filter compiler reads it. Structurally compatible with the
// spec layer's types, so either can be passed in.

export interface LinuxSeccompArg {
  index: number;
  /** JSON numbers lose precision above 2^53: a bigint or a decimal/0x string is accepted too. */
  value: number | bigint | string;
  valueTwo?: number | bigint | string;
  op: string;
}

export interface LinuxSyscall {
  names: string[];
  action: string;
  errnoRet?: number;
  args?: LinuxSeccompArg[];
}

export interface LinuxSeccomp {
  defaultAction: string;
  defaultErrnoRet?: number;
  architectures?: string[];
  flags?: string[];
  listenerPath?: string;
  listenerMetadata?: string;
  syscalls?: LinuxSyscall[];
}
