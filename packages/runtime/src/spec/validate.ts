// Validation of a parsed config.json against the runtime spec (1.0.0 to 1.3.x,
// Linux). Checks every field hull reads: its type, required fields, enum values,
// ranges, absolute paths, and the rules that join fields (a hostname needs a UTS
// namespace, a user namespace needs mappings...). It stops at the first error,
// walking the document in a fixed order, so the error is deterministic; the
// message starts with "config.json: <json path>: " and names the value.
// Unknown properties are ignored, as the spec requires (extensions).

import { ConfigError } from '../errors';
import { isCapabilityName } from './capabilities';
import type { Process, Spec } from './types';
import { SPEC_VERSION_MIN, SPEC_MAJOR, SPEC_MINOR_MAX, isSupportedVersion, parseSemVer } from './version';

export interface ValidateOptions {
  /** Receives what is accepted but worth a warning (unknown capability, relative mount destination). */
  warn?: (message: string) => void;
}

type Obj = Record<string, unknown>;

// Limits of the spec's integer types. JSON numbers are doubles: 2^64-1 reads as 2^64.
const UINT16_MAX = 0xffff;
const UINT32_MAX = 0xffffffff;
const UINT64_MAX = 2 ** 64;
const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;
const INT64_MIN = -(2 ** 63);
const INT64_MAX = 2 ** 63;

const NAMESPACES = ['pid', 'network', 'mount', 'ipc', 'uts', 'user', 'cgroup', 'time'] as const;
const RLIMITS = [
  'RLIMIT_CPU', 'RLIMIT_FSIZE', 'RLIMIT_DATA', 'RLIMIT_STACK', 'RLIMIT_CORE', 'RLIMIT_RSS', 'RLIMIT_NPROC',
  'RLIMIT_NOFILE', 'RLIMIT_MEMLOCK', 'RLIMIT_AS', 'RLIMIT_LOCKS', 'RLIMIT_SIGPENDING', 'RLIMIT_MSGQUEUE',
  'RLIMIT_NICE', 'RLIMIT_RTPRIO', 'RLIMIT_RTTIME',
] as const;
const CAPABILITY_SETS = ['bounding', 'effective', 'inheritable', 'permitted', 'ambient'] as const;
const HOOKS = ['prestart', 'createRuntime', 'createContainer', 'startContainer', 'poststart', 'poststop'] as const;
const SCHED_POLICIES = [
  'SCHED_OTHER', 'SCHED_FIFO', 'SCHED_RR', 'SCHED_BATCH', 'SCHED_ISO', 'SCHED_IDLE', 'SCHED_DEADLINE',
] as const;
const SCHED_FLAGS = [
  'SCHED_FLAG_RESET_ON_FORK', 'SCHED_FLAG_RECLAIM', 'SCHED_FLAG_DL_OVERRUN', 'SCHED_FLAG_KEEP_POLICY',
  'SCHED_FLAG_KEEP_PARAMS', 'SCHED_FLAG_UTIL_CLAMP_MIN', 'SCHED_FLAG_UTIL_CLAMP_MAX',
] as const;
const IOPRIO_CLASSES = ['IOPRIO_CLASS_RT', 'IOPRIO_CLASS_BE', 'IOPRIO_CLASS_IDLE'] as const;
const DEVICE_TYPES = ['c', 'b', 'u', 'p'] as const;
const CGROUP_DEVICE_TYPES = ['a', 'c', 'b'] as const;
// The spec lists four; runc also takes the recursive forms, and so do configs in the wild.
const ROOTFS_PROPAGATIONS = ['private', 'shared', 'slave', 'unbindable', 'rprivate', 'rshared', 'rslave', 'runbindable'] as const;
const SECCOMP_ACTIONS = [
  'SCMP_ACT_KILL', 'SCMP_ACT_KILL_PROCESS', 'SCMP_ACT_KILL_THREAD', 'SCMP_ACT_TRAP', 'SCMP_ACT_ERRNO',
  'SCMP_ACT_TRACE', 'SCMP_ACT_ALLOW', 'SCMP_ACT_LOG', 'SCMP_ACT_NOTIFY',
] as const;
const SECCOMP_OPERATORS = [
  'SCMP_CMP_NE', 'SCMP_CMP_LT', 'SCMP_CMP_LE', 'SCMP_CMP_EQ', 'SCMP_CMP_GE', 'SCMP_CMP_GT', 'SCMP_CMP_MASKED_EQ',
] as const;
const SECCOMP_FLAGS = [
  'SECCOMP_FILTER_FLAG_TSYNC', 'SECCOMP_FILTER_FLAG_LOG', 'SECCOMP_FILTER_FLAG_SPEC_ALLOW',
  'SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV',
] as const;
export const SECCOMP_ARCHES = [
  'SCMP_ARCH_X86', 'SCMP_ARCH_X86_64', 'SCMP_ARCH_X32', 'SCMP_ARCH_ARM', 'SCMP_ARCH_AARCH64',
  'SCMP_ARCH_LOONGARCH64', 'SCMP_ARCH_M68K', 'SCMP_ARCH_MIPS', 'SCMP_ARCH_MIPS64', 'SCMP_ARCH_MIPS64N32',
  'SCMP_ARCH_MIPSEL', 'SCMP_ARCH_MIPSEL64', 'SCMP_ARCH_MIPSEL64N32', 'SCMP_ARCH_PPC', 'SCMP_ARCH_PPC64',
  'SCMP_ARCH_PPC64LE', 'SCMP_ARCH_S390', 'SCMP_ARCH_S390X', 'SCMP_ARCH_SH', 'SCMP_ARCH_SHEB',
  'SCMP_ARCH_PARISC', 'SCMP_ARCH_PARISC64', 'SCMP_ARCH_RISCV64',
] as const;
const PERSONALITY_DOMAINS = ['LINUX', 'LINUX32'] as const;
const MPOL_MODES = [
  'MPOL_DEFAULT', 'MPOL_BIND', 'MPOL_INTERLEAVE', 'MPOL_WEIGHTED_INTERLEAVE', 'MPOL_PREFERRED',
  'MPOL_PREFERRED_MANY', 'MPOL_LOCAL',
] as const;
const MPOL_FLAGS = ['MPOL_F_NUMA_BALANCING', 'MPOL_F_RELATIVE_NODES', 'MPOL_F_STATIC_NODES'] as const;
const TIME_CLOCKS = ['monotonic', 'boottime'] as const;

export { NAMESPACES, RLIMITS, HOOKS, SECCOMP_ACTIONS, SECCOMP_OPERATORS, SECCOMP_FLAGS, MPOL_MODES, MPOL_FLAGS };

// ---------------------------------------------------------------------------
// Paths, values, failure

// The file named at the head of every message: config.json, or process.json for `exec --process`.
let file = 'config.json';

function fail(path: string, message: string): never {
  throw new ConfigError(path, message, { file }).wrap(file);
}

/** `linux` + `namespaces` -> "linux.namespaces"; keys that are not identifiers go in brackets. */
function key(path: string, k: string): string {
  if (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(k)) return path ? `${path}.${k}` : k;
  return `${path}[${JSON.stringify(k)}]`;
}

function index(path: string, i: number): string {
  return `${path}[${i}]`;
}

/** A value as the message shows it: JSON, cut short. */
function show(v: unknown): string {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

function kind(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return 'a string';
  if (typeof v === 'number') return 'a number';
  if (typeof v === 'boolean') return 'a boolean';
  return typeof v;
}

function wrongType(path: string, expected: string, v: unknown): never {
  fail(path, `must be ${expected}, got ${v === null ? 'null' : `${kind(v)} ${show(v)}`}`);
}

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

// ---------------------------------------------------------------------------
// Field readers: each takes the parent object, the key and the parent's path.
// null counts as absent, as it does for runc's Go decoder.

function has(o: Obj, k: string): boolean {
  return o[k] !== undefined && o[k] !== null;
}

function required(o: Obj, k: string, path: string): void {
  if (!has(o, k)) fail(key(path, k), 'required field is missing');
}

function object(o: Obj, k: string, path: string, req = false): Obj | undefined {
  if (req) required(o, k, path);
  const v = o[k];
  if (v === undefined || v === null) return undefined;
  if (!isObj(v)) wrongType(key(path, k), 'an object', v);
  return v;
}

function array(o: Obj, k: string, path: string, req = false): unknown[] | undefined {
  if (req) required(o, k, path);
  const v = o[k];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) wrongType(key(path, k), 'an array', v);
  return v;
}

/** Each element of an array field that must hold objects, with its path. */
function objects(o: Obj, k: string, path: string, req = false): [Obj, string][] {
  const items = array(o, k, path, req) ?? [];
  return items.map((item, i) => {
    const p = index(key(path, k), i);
    if (!isObj(item)) wrongType(p, 'an object', item);
    return [item, p];
  });
}

interface StringRules {
  required?: boolean;
  nonEmpty?: boolean;
  absolute?: boolean;
  noNewline?: boolean;
}

function checkString(v: unknown, p: string, rules: StringRules = {}): string {
  if (typeof v !== 'string') wrongType(p, 'a string', v);
  if (rules.nonEmpty && v === '') fail(p, 'must not be empty');
  if (rules.absolute && !v.startsWith('/')) fail(p, `must be an absolute path, got ${show(v)}`);
  if (rules.noNewline && /[\r\n]/.test(v)) fail(p, `must not contain a newline, got ${show(v)}`);
  return v;
}

function string(o: Obj, k: string, path: string, rules: StringRules = {}): string | undefined {
  if (rules.required) required(o, k, path);
  if (!has(o, k)) return undefined;
  return checkString(o[k], key(path, k), rules);
}

function strings(o: Obj, k: string, path: string, rules: StringRules = {}): string[] | undefined {
  const items = array(o, k, path, rules.required);
  if (!items) return undefined;
  const p = key(path, k);
  items.forEach((item, i) => checkString(item, index(p, i), rules));
  return items as string[];
}

function boolean(o: Obj, k: string, path: string): boolean | undefined {
  if (!has(o, k)) return undefined;
  const v = o[k];
  if (typeof v !== 'boolean') wrongType(key(path, k), 'a boolean', v);
  return v;
}

function checkInteger(v: unknown, p: string, min: number, max: number, what: string): number {
  if (typeof v !== 'number') wrongType(p, what, v);
  if (!Number.isInteger(v)) fail(p, `must be ${what}, got ${show(v)}`);
  if (v < min || v > max) fail(p, `${show(v)} is out of range for ${what} (${rangeText(min, max)})`);
  return v;
}

function rangeText(min: number, max: number): string {
  const text = (n: number): string =>
    n === UINT64_MAX ? '2^64-1' : n === INT64_MAX ? '2^63-1' : n === INT64_MIN ? '-2^63' : String(n);
  return `${text(min)} to ${text(max)}`;
}

function integer(o: Obj, k: string, path: string, min: number, max: number, what: string, req = false): number | undefined {
  if (req) required(o, k, path);
  if (!has(o, k)) return undefined;
  return checkInteger(o[k], key(path, k), min, max, what);
}

const uint16 = (o: Obj, k: string, path: string, req = false) => integer(o, k, path, 0, UINT16_MAX, 'a uint16', req);
const uint32 = (o: Obj, k: string, path: string, req = false) => integer(o, k, path, 0, UINT32_MAX, 'a uint32', req);
const uint64 = (o: Obj, k: string, path: string, req = false) => integer(o, k, path, 0, UINT64_MAX, 'a uint64', req);
const int32 = (o: Obj, k: string, path: string, req = false) => integer(o, k, path, INT32_MIN, INT32_MAX, 'an int32', req);
const int64 = (o: Obj, k: string, path: string, req = false) => integer(o, k, path, INT64_MIN, INT64_MAX, 'an int64', req);

function checkOneOf<T extends string>(v: unknown, p: string, values: readonly T[], what: string): T {
  if (typeof v !== 'string') wrongType(p, 'a string', v);
  if (!(values as readonly string[]).includes(v)) {
    const hint = values.length <= 9 ? ` (expected ${values.join(', ')})` : '';
    fail(p, `unknown ${what} ${show(v)}${hint}`);
  }
  return v as T;
}

function oneOf<T extends string>(o: Obj, k: string, path: string, values: readonly T[], what: string, req = false): T | undefined {
  if (req) required(o, k, path);
  if (!has(o, k)) return undefined;
  return checkOneOf(o[k], key(path, k), values, what);
}

/** A map of string to string (annotations, sysctl, unified). Keys must not be empty. */
function stringMap(o: Obj, k: string, path: string): Record<string, string> | undefined {
  const m = object(o, k, path);
  if (!m) return undefined;
  const p = key(path, k);
  for (const [name, v] of Object.entries(m)) {
    if (name === '') fail(p, 'keys must not be empty');
    checkString(v, key(p, name));
  }
  return m as Record<string, string>;
}

/** A map of name to object (netDevices, rdma, timeOffsets). */
function objectMap(o: Obj, k: string, path: string): [string, Obj, string][] {
  const m = object(o, k, path);
  if (!m) return [];
  const p = key(path, k);
  return Object.entries(m).map(([name, v]) => {
    const itemPath = key(p, name);
    if (name === '') fail(p, 'keys must not be empty');
    if (!isObj(v)) wrongType(itemPath, 'an object', v);
    return [name, v, itemPath];
  });
}

/** "0-3,7": a CPU or memory node list as cpuset and set_mempolicy read it. */
function checkList(s: string, p: string): void {
  if (s.trim() === '') return;
  for (const part of s.split(',')) {
    const m = /^\s*([0-9]+)(?:-([0-9]+))?\s*$/.exec(part);
    if (!m || (m[2] !== undefined && Number(m[2]) < Number(m[1]))) {
      fail(p, `invalid list ${show(s)}: expected numbers and ranges like "0-3,7"`);
    }
  }
}

// ---------------------------------------------------------------------------
// The document

/** Checks a parsed config.json and returns it typed. Throws ConfigError on the first problem. */
export function validateConfig(raw: unknown, opts: ValidateOptions = {}): Spec {
  const warn = opts.warn ?? (() => {});
  return withFile('config.json', () => {
    if (!isObj(raw)) fail('', `must be a JSON object, got ${kind(raw)}`);
    dropNulls(raw);
    checkVersion(raw);
    checkRoot(raw);
    checkMounts(raw, warn);
    checkProcess(raw, warn);
    string(raw, 'hostname', '');
    string(raw, 'domainname', '');
    checkHooks(raw);
    stringMap(raw, 'annotations', '');
    checkLinux(raw);
    checkAcrossFields(raw);
    return raw as Spec;
  });
}

/**
 * Checks a process object on its own, as `exec --process process.json` reads it.
 * Paths in messages start at the process ("process.json: args: ...").
 */
export function validateProcess(raw: unknown, opts: ValidateOptions & { file?: string } = {}): Process {
  const warn = opts.warn ?? (() => {});
  return withFile(opts.file ?? 'process.json', () => {
    if (!isObj(raw)) fail('', `must be a JSON object, got ${kind(raw)}`);
    dropNulls(raw);
    checkProcess({ process: raw }, warn, '');
    return raw as unknown as Process;
  });
}

/**
 * null counts as absent (runc's Go decoder): the keys are removed, so the
 * code after validation never meets a null where it expects a value or
 * undefined ("rlimits": null once crashed the init). Array elements stay:
 * a null there is a type error.
 */
function dropNulls(v: unknown): void {
  if (Array.isArray(v)) {
    v.forEach(dropNulls);
  } else if (isObj(v)) {
    for (const [k, x] of Object.entries(v)) {
      if (x === null) delete v[k];
      else dropNulls(x);
    }
  }
}

function withFile<T>(name: string, run: () => T): T {
  const outer = file;
  file = name;
  try {
    return run();
  } finally {
    file = outer;
  }
}

function checkVersion(c: Obj): void {
  const s = string(c, 'ociVersion', '', { required: true });
  const v = parseSemVer(s as string);
  if (!v) fail('ociVersion', `${show(s)} is not a SemVer 2.0.0 version`);
  if (!isSupportedVersion(v)) {
    fail('ociVersion', `unsupported version ${show(s)}: hull supports ${SPEC_VERSION_MIN} to ${SPEC_MAJOR}.${SPEC_MINOR_MAX}.x`);
  }
}

function checkRoot(c: Obj): void {
  // config.md: REQUIRED on every platform but Windows Hyper-V.
  const root = object(c, 'root', '', true) as Obj;
  string(root, 'path', 'root', { required: true, nonEmpty: true });
  boolean(root, 'readonly', 'root');
}

function checkIDMappings(o: Obj, k: string, path: string): void {
  const taken: { from: string; container: [number, number]; host: [number, number] }[] = [];
  for (const [m, p] of objects(o, k, path)) {
    const containerID = uint32(m, 'containerID', p, true) as number;
    const hostID = uint32(m, 'hostID', p, true) as number;
    const size = uint32(m, 'size', p, true) as number;
    if (size === 0) fail(key(p, 'size'), 'must be at least 1');
    if (containerID + size - 1 > UINT32_MAX) fail(p, `containerID ${containerID} + size ${size} goes past 2^32-1`);
    if (hostID + size - 1 > UINT32_MAX) fail(p, `hostID ${hostID} + size ${size} goes past 2^32-1`);
    const container: [number, number] = [containerID, containerID + size - 1];
    const host: [number, number] = [hostID, hostID + size - 1];
    // The kernel refuses a map whose ranges overlap, on either side.
    for (const t of taken) {
      if (overlap(t.container, container)) fail(p, `containerID range ${container.join('-')} overlaps ${t.from}`);
      if (overlap(t.host, host)) fail(p, `hostID range ${host.join('-')} overlaps ${t.from}`);
    }
    taken.push({ from: p, container, host });
  }
}

function overlap(a: [number, number], b: [number, number]): boolean {
  return a[0] <= b[1] && b[0] <= a[1];
}

function checkMounts(c: Obj, warn: (m: string) => void): void {
  for (const [m, p] of objects(c, 'mounts', '')) {
    const dest = string(m, 'destination', p, { required: true, nonEmpty: true }) as string;
    // config.md (Linux): relative destinations are deprecated, read as relative to "/".
    if (!dest.startsWith('/')) warn(`config.json: ${key(p, 'destination')}: ${show(dest)} is not absolute (deprecated; read as relative to "/")`);
    string(m, 'type', p);
    string(m, 'source', p);
    const options = strings(m, 'options', p) ?? [];
    checkIDMappings(m, 'uidMappings', p);
    checkIDMappings(m, 'gidMappings', p);
    const uid = has(m, 'uidMappings') && (m.uidMappings as unknown[]).length > 0;
    const gid = has(m, 'gidMappings') && (m.gidMappings as unknown[]).length > 0;
    if (uid !== gid) fail(key(p, uid ? 'gidMappings' : 'uidMappings'), `required with ${uid ? 'uidMappings' : 'gidMappings'}`);
    if ((options.includes('bind') || options.includes('rbind')) && !has(m, 'source')) {
      fail(key(p, 'source'), 'required for a bind mount');
    }
    options.forEach((o, i) => {
      if (o === '') fail(index(key(p, 'options'), i), 'must not be empty');
    });
  }
}

function checkProcess(c: Obj, warn: (m: string) => void, p = 'process'): void {
  const proc = object(c, 'process', '');
  if (!proc) return;
  const at = (k: string) => key(p, k);
  boolean(proc, 'terminal', p);
  const box = object(proc, 'consoleSize', p);
  if (box) {
    uint32(box, 'height', at('consoleSize'), true);
    uint32(box, 'width', at('consoleSize'), true);
  }
  const user = object(proc, 'user', p);
  if (user) {
    const up = at('user');
    uint32(user, 'uid', up, true);
    uint32(user, 'gid', up, true);
    uint32(user, 'umask', up);
    const gids = array(user, 'additionalGids', up) ?? [];
    gids.forEach((g, i) => checkInteger(g, index(key(up, 'additionalGids'), i), 0, UINT32_MAX, 'a uint32'));
    string(user, 'username', up);
  }
  // config.md: args needs at least one entry on Linux; it is what gets executed.
  const args = strings(proc, 'args', p, { required: true }) as string[];
  if (args.length === 0) fail(at('args'), 'must have at least one entry (the program to run)');
  string(proc, 'commandLine', p);
  (strings(proc, 'env', p) ?? []).forEach((e, i) => checkEnv(e, index(at('env'), i)));
  string(proc, 'cwd', p, { required: true, absolute: true });
  checkCapabilities(proc, p, warn);
  checkRlimits(proc, p);
  boolean(proc, 'noNewPrivileges', p);
  string(proc, 'apparmorProfile', p);
  // The kernel's range for /proc/<pid>/oom_score_adj.
  integer(proc, 'oomScoreAdj', p, -1000, 1000, 'an OOM score adjustment');
  const sched = object(proc, 'scheduler', p);
  if (sched) {
    const sp = at('scheduler');
    oneOf(sched, 'policy', sp, SCHED_POLICIES, 'scheduler policy', true);
    int32(sched, 'nice', sp);
    int32(sched, 'priority', sp);
    (array(sched, 'flags', sp) ?? []).forEach((f, i) => checkOneOf(f, index(key(sp, 'flags'), i), SCHED_FLAGS, 'scheduler flag'));
    uint64(sched, 'runtime', sp);
    uint64(sched, 'deadline', sp);
    uint64(sched, 'period', sp);
  }
  string(proc, 'selinuxLabel', p);
  const io = object(proc, 'ioPriority', p);
  if (io) {
    oneOf(io, 'class', at('ioPriority'), IOPRIO_CLASSES, 'I/O priority class', true);
    integer(io, 'priority', at('ioPriority'), 0, 7, 'an I/O priority', true);
  }
  const affinity = object(proc, 'execCPUAffinity', p);
  if (affinity) {
    for (const k of ['initial', 'final']) {
      const s = string(affinity, k, at('execCPUAffinity'));
      if (s !== undefined) checkList(s, key(at('execCPUAffinity'), k));
    }
  }
}

function checkEnv(e: string, p: string): void {
  const eq = e.indexOf('=');
  if (eq < 0) fail(p, `${show(e)} is not NAME=value`);
  if (eq === 0) fail(p, `${show(e)} has an empty name`);
  if (e.includes('\0')) fail(p, `${show(e)} contains a NUL byte`);
}

function checkCapabilities(proc: Obj, p: string, warn: (m: string) => void): void {
  const caps = object(proc, 'capabilities', p);
  if (!caps) return;
  const cp = key(p, 'capabilities');
  for (const set of CAPABILITY_SETS) {
    const names = strings(caps, set, cp) ?? [];
    names.forEach((name, i) => {
      // config.md: capabilities that cannot be mapped are warned about, not fatal (as runc does).
      if (!isCapabilityName(name)) warn(`${file}: ${index(key(cp, set), i)}: unknown capability ${show(name)} ignored`);
    });
  }
}

function checkRlimits(proc: Obj, path: string): void {
  const seen = new Map<string, string>();
  for (const [r, p] of objects(proc, 'rlimits', path)) {
    const type = oneOf(r, 'type', p, RLIMITS, 'rlimit', true) as string;
    const soft = uint64(r, 'soft', p, true) as number;
    const hard = uint64(r, 'hard', p, true) as number;
    const first = seen.get(type);
    if (first) fail(key(p, 'type'), `duplicate rlimit ${show(type)} (also ${first})`);
    seen.set(type, p);
    if (soft > hard) fail(p, `soft limit ${soft} is above hard limit ${hard}`);
  }
}

function checkHooks(c: Obj): void {
  const hooks = object(c, 'hooks', '');
  if (!hooks) return;
  for (const name of HOOKS) {
    for (const [h, p] of objects(hooks, name, 'hooks')) {
      string(h, 'path', p, { required: true, absolute: true });
      strings(h, 'args', p);
      strings(h, 'env', p);
      integer(h, 'timeout', p, 1, INT32_MAX, 'a timeout in seconds');
    }
  }
}

// ---------------------------------------------------------------------------
// linux

function checkLinux(c: Obj): void {
  const linux = object(c, 'linux', '');
  if (!linux) return;
  const p = 'linux';
  checkNamespaces(linux);
  checkIDMappings(linux, 'uidMappings', p);
  checkIDMappings(linux, 'gidMappings', p);
  for (const [clock, t, tp] of objectMap(linux, 'timeOffsets', p)) {
    checkOneOf(clock, tp, TIME_CLOCKS, 'clock');
    int64(t, 'secs', tp);
    integer(t, 'nanosecs', tp, 0, 999_999_999, 'nanoseconds');
  }
  for (const [d, dp] of objects(linux, 'devices', p)) {
    const type = oneOf(d, 'type', dp, DEVICE_TYPES, 'device type', true);
    string(d, 'path', dp, { required: true, absolute: true });
    int64(d, 'major', dp, type !== 'p');
    int64(d, 'minor', dp, type !== 'p');
    integer(d, 'fileMode', dp, 0, 0o7777, 'a file mode (0o7777 at most)');
    uint32(d, 'uid', dp);
    uint32(d, 'gid', dp);
  }
  for (const [name, d, dp] of objectMap(linux, 'netDevices', p)) {
    checkInterfaceName(name, dp);
    const inside = string(d, 'name', dp);
    if (inside !== undefined) checkInterfaceName(inside, key(dp, 'name'));
  }
  string(linux, 'cgroupsPath', p);
  checkResources(linux);
  oneOf(linux, 'rootfsPropagation', p, ROOTFS_PROPAGATIONS, 'rootfs propagation');
  checkSeccomp(linux);
  stringMap(linux, 'sysctl', p);
  strings(linux, 'maskedPaths', p, { absolute: true });
  strings(linux, 'readonlyPaths', p, { absolute: true });
  string(linux, 'mountLabel', p);
  checkIntelRdt(linux);
  const pers = object(linux, 'personality', p);
  if (pers) {
    oneOf(pers, 'domain', `${p}.personality`, PERSONALITY_DOMAINS, 'personality domain', true);
    // config-linux.md: "Currently no flag values are supported."
    const flags = strings(pers, 'flags', `${p}.personality`) ?? [];
    if (flags.length > 0) fail(`${p}.personality.flags[0]`, `unsupported personality flag ${show(flags[0])} (none are defined)`);
  }
  checkMemoryPolicy(linux);
}

function checkNamespaces(linux: Obj): void {
  const seen = new Map<string, string>();
  for (const [ns, p] of objects(linux, 'namespaces', 'linux')) {
    const type = oneOf(ns, 'type', p, NAMESPACES, 'namespace', true) as string;
    string(ns, 'path', p, { absolute: true });
    const first = seen.get(type);
    if (first) fail(key(p, 'type'), `duplicate namespace ${show(type)} (also ${first})`);
    seen.set(type, p);
  }
}

function checkInterfaceName(name: string, p: string): void {
  // IFNAMSIZ is 16 with the NUL; "%d" lets the kernel pick a free number.
  if (name.length === 0 || name.length > 15 || name === '.' || name === '..' || /[/:\s]/.test(name)) {
    fail(p, `invalid network interface name ${show(name)}`);
  }
}

function checkResources(linux: Obj): void {
  const res = object(linux, 'resources', 'linux');
  if (!res) return;
  const p = 'linux.resources';
  for (const [d, dp] of objects(res, 'devices', p)) {
    required(d, 'allow', dp);
    boolean(d, 'allow', dp);
    oneOf(d, 'type', dp, CGROUP_DEVICE_TYPES, 'device type');
    // -1 is how runc's own configs write "any".
    integer(d, 'major', dp, -1, INT64_MAX, 'a device number or -1');
    integer(d, 'minor', dp, -1, INT64_MAX, 'a device number or -1');
    const access = string(d, 'access', dp);
    if (access !== undefined && !/^[rwm]*$/.test(access)) fail(key(dp, 'access'), `${show(access)} is not made of "r", "w" and "m"`);
  }
  const mem = object(res, 'memory', p);
  if (mem) {
    const mp = `${p}.memory`;
    for (const k of ['limit', 'reservation', 'swap', 'kernel', 'kernelTCP']) {
      integer(mem, k, mp, -1, INT64_MAX, 'a byte count or -1');
    }
    integer(mem, 'swappiness', mp, 0, 100, 'a swappiness');
    boolean(mem, 'disableOOMKiller', mp);
    boolean(mem, 'useHierarchy', mp);
    boolean(mem, 'checkBeforeUpdate', mp);
  }
  const cpu = object(res, 'cpu', p);
  if (cpu) {
    const cp = `${p}.cpu`;
    uint64(cpu, 'shares', cp);
    const quota = int64(cpu, 'quota', cp);
    const burst = uint64(cpu, 'burst', cp);
    uint64(cpu, 'period', cp);
    int64(cpu, 'realtimeRuntime', cp);
    uint64(cpu, 'realtimePeriod', cp);
    for (const k of ['cpus', 'mems']) {
      const s = string(cpu, k, cp);
      if (s !== undefined) checkList(s, `${cp}.${k}`);
    }
    int64(cpu, 'idle', cp);
    if (quota !== undefined && quota > 0 && burst !== undefined && burst > quota) {
      fail(`${cp}.burst`, `${burst} is larger than quota ${quota}`);
    }
  }
  const pids = object(res, 'pids', p);
  if (pids) int64(pids, 'limit', `${p}.pids`, true);
  const bio = object(res, 'blockIO', p);
  if (bio) {
    const bp = `${p}.blockIO`;
    uint16(bio, 'weight', bp);
    uint16(bio, 'leafWeight', bp);
    for (const [w, wp] of objects(bio, 'weightDevice', bp)) {
      int64(w, 'major', wp, true);
      int64(w, 'minor', wp, true);
      const weight = uint16(w, 'weight', wp);
      const leaf = uint16(w, 'leafWeight', wp);
      if (weight === undefined && leaf === undefined) fail(wp, 'needs weight or leafWeight');
    }
    for (const k of ['throttleReadBpsDevice', 'throttleWriteBpsDevice', 'throttleReadIOPSDevice', 'throttleWriteIOPSDevice']) {
      for (const [t, tp] of objects(bio, k, bp)) {
        int64(t, 'major', tp, true);
        int64(t, 'minor', tp, true);
        uint64(t, 'rate', tp, true);
      }
    }
  }
  for (const [h, hp] of objects(res, 'hugepageLimits', p)) {
    const size = string(h, 'pageSize', hp, { required: true }) as string;
    if (!/^[1-9][0-9]*[KMG]B$/.test(size)) fail(key(hp, 'pageSize'), `invalid page size ${show(size)} (expected a size like "2MB", "64KB", "1GB")`);
    uint64(h, 'limit', hp, true);
  }
  const net = object(res, 'network', p);
  if (net) {
    uint32(net, 'classID', `${p}.network`);
    for (const [pr, pp] of objects(net, 'priorities', `${p}.network`)) {
      string(pr, 'name', pp, { required: true, nonEmpty: true });
      uint32(pr, 'priority', pp, true);
    }
  }
  for (const [, r, rp] of objectMap(res, 'rdma', p)) {
    const handles = uint32(r, 'hcaHandles', rp);
    const objs = uint32(r, 'hcaObjects', rp);
    if (handles === undefined && objs === undefined) fail(rp, 'needs hcaHandles or hcaObjects');
  }
  const unified = stringMap(res, 'unified', p) ?? {};
  for (const file of Object.keys(unified)) {
    // Each key names a file in the container's own cgroup directory.
    if (file.includes('/') || file === '.' || file === '..') fail(key(`${p}.unified`, file), `${show(file)} is not a cgroup file name`);
  }
}

function checkSeccomp(linux: Obj): void {
  const sc = object(linux, 'seccomp', 'linux');
  if (!sc) return;
  const p = 'linux.seccomp';
  const def = oneOf(sc, 'defaultAction', p, SECCOMP_ACTIONS, 'seccomp action', true) as string;
  if (has(sc, 'defaultErrnoRet')) {
    uint32(sc, 'defaultErrnoRet', p);
    if (!takesErrno(def)) fail(`${p}.defaultErrnoRet`, `cannot be used with defaultAction ${show(def)} (only SCMP_ACT_ERRNO and SCMP_ACT_TRACE return an errno)`);
  }
  (array(sc, 'architectures', p) ?? []).forEach((a, i) => checkOneOf(a, index(`${p}.architectures`, i), SECCOMP_ARCHES, 'seccomp architecture'));
  (array(sc, 'flags', p) ?? []).forEach((f, i) => checkOneOf(f, index(`${p}.flags`, i), SECCOMP_FLAGS, 'seccomp flag'));
  const listener = string(sc, 'listenerPath', p, { nonEmpty: true });
  string(sc, 'listenerMetadata', p);
  if (has(sc, 'listenerMetadata') && listener === undefined) fail(`${p}.listenerMetadata`, 'must not be set without listenerPath');
  if (def === 'SCMP_ACT_NOTIFY') fail(`${p}.defaultAction`, 'SCMP_ACT_NOTIFY cannot be the default action');
  for (const [s, sp] of objects(sc, 'syscalls', p)) {
    const names = strings(s, 'names', sp, { required: true, nonEmpty: true }) as string[];
    if (names.length === 0) fail(key(sp, 'names'), 'must name at least one syscall');
    const action = oneOf(s, 'action', sp, SECCOMP_ACTIONS, 'seccomp action', true) as string;
    if (has(s, 'errnoRet')) {
      uint32(s, 'errnoRet', sp);
      if (!takesErrno(action)) fail(key(sp, 'errnoRet'), `cannot be used with action ${show(action)} (only SCMP_ACT_ERRNO and SCMP_ACT_TRACE return an errno)`);
    }
    if (action === 'SCMP_ACT_NOTIFY' && listener === undefined) fail(key(sp, 'action'), 'SCMP_ACT_NOTIFY needs linux.seccomp.listenerPath');
    for (const [a, ap] of objects(s, 'args', sp)) {
      // A syscall has at most six arguments.
      integer(a, 'index', ap, 0, 5, 'a syscall argument index', true);
      uint64(a, 'value', ap, true);
      uint64(a, 'valueTwo', ap);
      oneOf(a, 'op', ap, SECCOMP_OPERATORS, 'seccomp operator', true);
    }
  }
}

function takesErrno(action: string): boolean {
  return action === 'SCMP_ACT_ERRNO' || action === 'SCMP_ACT_TRACE';
}

function checkIntelRdt(linux: Obj): void {
  const rdt = object(linux, 'intelRdt', 'linux');
  if (!rdt) return;
  const p = 'linux.intelRdt';
  const clos = string(rdt, 'closID', p, { nonEmpty: true, noNewline: true });
  // "/" is the spec's name for the default class; anything else is one directory name.
  if (clos !== undefined && clos !== '/' && (clos.includes('/') || clos === '.' || clos === '..')) {
    fail(`${p}.closID`, `${show(clos)} is not a resctrl group name`);
  }
  strings(rdt, 'schemata', p, { noNewline: true });
  string(rdt, 'l3CacheSchema', p, { noNewline: true });
  const mb = string(rdt, 'memBwSchema', p, { noNewline: true });
  if (mb !== undefined && !mb.startsWith('MB:')) fail(`${p}.memBwSchema`, `${show(mb)} must start with "MB:"`);
  boolean(rdt, 'enableMonitoring', p);
}

function checkMemoryPolicy(linux: Obj): void {
  const mp = object(linux, 'memoryPolicy', 'linux');
  if (!mp) return;
  const p = 'linux.memoryPolicy';
  const mode = oneOf(mp, 'mode', p, MPOL_MODES, 'memory policy mode', true) as string;
  const nodes = string(mp, 'nodes', p);
  if (nodes !== undefined) checkList(nodes, `${p}.nodes`);
  (array(mp, 'flags', p) ?? []).forEach((f, i) => checkOneOf(f, index(`${p}.flags`, i), MPOL_FLAGS, 'memory policy flag'));
  // set_mempolicy(2): these modes take no nodes, these need some.
  const empty = nodes === undefined || nodes.trim() === '';
  if ((mode === 'MPOL_DEFAULT' || mode === 'MPOL_LOCAL') && !empty) fail(`${p}.nodes`, `must be empty for ${mode}`);
  if (['MPOL_BIND', 'MPOL_INTERLEAVE', 'MPOL_WEIGHTED_INTERLEAVE', 'MPOL_PREFERRED_MANY'].includes(mode) && empty) {
    fail(`${p}.nodes`, `${mode} needs at least one node`);
  }
}

// ---------------------------------------------------------------------------
// Rules that join fields. Runs after every field is known to be well-typed.

function checkAcrossFields(c: Obj): void {
  const spec = c as Spec;
  const namespaces = spec.linux?.namespaces ?? [];
  const ns = (type: string) => namespaces.findIndex((n) => n.type === type);
  const nsPath = (i: number) => `linux.namespaces[${i}]`;

  // runc: "unable to set hostname without a private UTS namespace".
  for (const k of ['hostname', 'domainname'] as const) {
    if (spec[k] && ns('uts') < 0) fail(k, `setting ${show(spec[k])} needs linux.namespaces to have "uts"`);
  }

  const user = ns('user');
  const uidMaps = spec.linux?.uidMappings ?? [];
  const gidMaps = spec.linux?.gidMappings ?? [];
  if (user < 0) {
    if (uidMaps.length > 0) fail('linux.uidMappings', 'given, but linux.namespaces has no "user" namespace');
    if (gidMaps.length > 0) fail('linux.gidMappings', 'given, but linux.namespaces has no "user" namespace');
  } else if (namespaces[user].path === undefined) {
    // A new user namespace is useless (and runc refuses it) without both maps.
    if (uidMaps.length === 0) fail('linux.uidMappings', `required with a new user namespace (${nsPath(user)})`);
    if (gidMaps.length === 0) fail('linux.gidMappings', `required with a new user namespace (${nsPath(user)})`);
  }

  const offsets = spec.linux?.timeOffsets;
  if (offsets && Object.keys(offsets).length > 0) {
    const time = ns('time');
    if (time < 0) fail('linux.timeOffsets', 'given, but linux.namespaces has no "time" namespace');
    if (namespaces[time].path !== undefined) fail('linux.timeOffsets', `cannot be set when joining an existing time namespace (${nsPath(time)}.path)`);
  }

  const netDevices = spec.linux?.netDevices;
  if (netDevices && Object.keys(netDevices).length > 0 && ns('network') < 0) {
    fail('linux.netDevices', 'given, but linux.namespaces has no "network" namespace (the devices would stay on the host)');
  }

  for (const [name] of Object.entries(spec.linux?.sysctl ?? {})) {
    const needs = sysctlNamespace(name);
    const p = key('linux.sysctl', name);
    if (needs === undefined) fail(p, `${show(name)} is not namespaced: setting it would change the host`);
    if (ns(needs) < 0) fail(p, `${show(name)} needs linux.namespaces to have "${needs}"`);
  }

  (spec.mounts ?? []).forEach((m, i) => {
    const idmap = (m.options ?? []).find((o) => o === 'idmap' || o === 'ridmap');
    const own = (m.uidMappings?.length ?? 0) > 0;
    // config.md: without mappings of its own, an idmapped mount uses the container's.
    if (idmap && !own && user < 0) {
      fail(`mounts[${i}].options`, `${show(idmap)} needs uidMappings and gidMappings on the mount, or a user namespace`);
    }
  });
}

// The sysctls that belong to a namespace (sysctl(8) names, "/" read as ".").
const IPC_SYSCTLS = new Set([
  'kernel.msgmax', 'kernel.msgmnb', 'kernel.msgmni', 'kernel.sem', 'kernel.shmall', 'kernel.shmmax',
  'kernel.shmmni', 'kernel.shm_rmid_forced', 'kernel.msg_next_id', 'kernel.sem_next_id', 'kernel.shm_next_id',
]);

function sysctlNamespace(name: string): string | undefined {
  const n = name.replaceAll('/', '.');
  if (IPC_SYSCTLS.has(n) || n.startsWith('fs.mqueue.')) return 'ipc';
  if (n.startsWith('net.')) return 'network';
  if (n === 'kernel.hostname' || n === 'kernel.domainname') return 'uts';
  return undefined;
}
