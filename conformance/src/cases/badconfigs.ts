// Invalid configs every runtime must reject at `create`, leaving no container, cgroup, mount or state behind.
import { type Case, quote } from '../case';
import type { Config } from '../bundle';
import { check, fail } from '../context';
import { leftovers } from '../leftovers';

const C = 'config.md';
const L = 'config-linux.md';
const SCHEMA = 'the field\'s type in config.md / config-linux.md (schema/config-schema.json)';
const CANNOT_APPLY = quote('runtime.md', 'If the runtime cannot apply a property as specified in the configuration, it MUST generate an error and a new container MUST NOT be created.');

interface Bad {
  /** What is wrong, short: becomes part of the case name. */
  name: string;
  /** The spec sentence the config violates. */
  spec: string;
  mutate(c: Config): void;
  deviations?: Record<string, string>;
}

/** Sets a dotted path (`linux.namespaces.0.type`), creating objects on the way. */
export function setPath(obj: Config, dotted: string, value: unknown): void {
  const keys = dotted.split('.');
  let cur: Config = obj;
  for (const k of keys.slice(0, -1)) {
    if (cur[k] === undefined || cur[k] === null || typeof cur[k] !== 'object') cur[k] = {};
    cur = cur[k];
  }
  cur[keys[keys.length - 1]] = value;
}

export function deletePath(obj: Config, dotted: string): void {
  const keys = dotted.split('.');
  let cur: Config = obj;
  for (const k of keys.slice(0, -1)) cur = cur[k];
  delete cur[keys[keys.length - 1]];
}

/** A wrong JSON type for a field. */
function wrongType(field: string, value: unknown): Bad {
  return { name: `type-${field}=${JSON.stringify(value)}`, spec: `${SCHEMA}: ${field}`, mutate: (c) => setPath(c, field, value) };
}

function missing(field: string, spec: string, deviations?: Record<string, string>): Bad {
  return { name: `missing-${field}`, spec, mutate: (c) => deletePath(c, field), deviations };
}

function bad(name: string, spec: string, mutate: (c: Config) => void, deviations?: Record<string, string>): Bad {
  return { name, spec, mutate, deviations };
}

const bind = (extra: Record<string, unknown>) => (c: Config) => c.mounts.push({ destination: '/mnt/x', type: 'tmpfs', source: 'tmpfs', ...extra });
const device = (extra: Record<string, unknown>) => (c: Config) => (c.linux.devices = [{ path: '/dev/hc-dev', type: 'c', major: 1, minor: 3, ...extra }]);
const seccomp = (extra: Record<string, unknown>) => (c: Config) => (c.linux.seccomp = { defaultAction: 'SCMP_ACT_ALLOW', ...extra });
const rule = (extra: Record<string, unknown>) => seccomp({ syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_ERRNO', ...extra }] });
const userns = (c: Config) => {
  c.linux.namespaces.push({ type: 'user' });
  c.linux.uidMappings = [{ containerID: 0, hostID: 200000, size: 65536 }];
  c.linux.gidMappings = [{ containerID: 0, hostID: 200000, size: 65536 }];
};

export const badConfigs: Bad[] = [
  // Wrong JSON types: every field has one type in the spec, so a config with another is not a valid config.
  wrongType('ociVersion', 1),
  wrongType('root', 'rootfs'),
  wrongType('root.path', 5),
  wrongType('root.readonly', 'yes'),
  wrongType('process', []),
  wrongType('process.terminal', 'no'),
  wrongType('process.args', 'sh'),
  wrongType('process.args', [1, 2]),
  wrongType('process.env', 'A=B'),
  wrongType('process.env', [1]),
  wrongType('process.cwd', 1),
  wrongType('process.user', 'root'),
  wrongType('process.user.uid', '0'),
  wrongType('process.user.uid', -1),
  wrongType('process.user.uid', 1.5),
  wrongType('process.user.gid', '0'),
  wrongType('process.user.gid', -2),
  wrongType('process.user.additionalGids', '1'),
  wrongType('process.user.additionalGids', ['1']),
  wrongType('process.user.umask', '022'),
  wrongType('process.rlimits', {}),
  wrongType('process.rlimits.0.soft', '1'),
  wrongType('process.rlimits.0.hard', -1),
  wrongType('process.rlimits.0.type', 7),
  wrongType('process.capabilities', ['CAP_KILL']),
  wrongType('process.capabilities.bounding', 'CAP_KILL'),
  wrongType('process.capabilities.effective', [1]),
  wrongType('process.noNewPrivileges', 'true'),
  wrongType('process.oomScoreAdj', '5'),
  wrongType('process.consoleSize', 80),
  wrongType('hostname', 5),
  wrongType('domainname', ['a']),
  wrongType('mounts', {}),
  wrongType('mounts.0', 'proc'),
  wrongType('mounts.0.destination', 5),
  wrongType('mounts.0.type', 5),
  wrongType('mounts.0.source', false),
  wrongType('mounts.0.options', 'ro'),
  wrongType('mounts.1.options', [1]),
  wrongType('hooks', []),
  wrongType('hooks.prestart', {}),
  wrongType('hooks.prestart', [{ path: 5 }]),
  wrongType('hooks.poststop', [{ path: '/bin/true', args: 'true' }]),
  wrongType('hooks.poststart', [{ path: '/bin/true', env: 'A=1' }]),
  wrongType('hooks.createRuntime', [{ path: '/bin/true', timeout: '1' }]),
  wrongType('annotations', []),
  wrongType('annotations', { a: 1 }),
  wrongType('linux', []),
  wrongType('linux.namespaces', {}),
  wrongType('linux.namespaces.0.type', 5),
  wrongType('linux.namespaces.0.path', 5),
  wrongType('linux.uidMappings', {}),
  wrongType('linux.uidMappings', [{ containerID: '0', hostID: 1000, size: 1 }]),
  wrongType('linux.gidMappings', [{ containerID: 0, hostID: -1, size: 1 }]),
  wrongType('linux.devices', {}),
  wrongType('linux.devices', [{ path: '/dev/x', type: 'c', major: '1', minor: 3 }]),
  wrongType('linux.devices', [{ path: '/dev/x', type: 'c', major: 1, minor: 3, fileMode: '0666' }]),
  wrongType('linux.devices', [{ path: 5, type: 'c', major: 1, minor: 3 }]),
  wrongType('linux.cgroupsPath', 5),
  wrongType('linux.resources', []),
  wrongType('linux.resources.devices', {}),
  wrongType('linux.resources.devices.0.allow', 'no'),
  wrongType('linux.resources.memory.limit', '1g'),
  wrongType('linux.resources.memory.swappiness', -1),
  wrongType('linux.resources.cpu.shares', 'x'),
  wrongType('linux.resources.cpu.cpus', 0),
  wrongType('linux.resources.pids.limit', '10'),
  wrongType('linux.resources.blockIO.weight', 'x'),
  wrongType('linux.resources.hugepageLimits', {}),
  wrongType('linux.resources.network.classID', 'x'),
  wrongType('linux.sysctl', ['net.ipv4.ip_forward=1']),
  wrongType('linux.sysctl', { 'net.ipv4.ip_forward': 1 }),
  wrongType('linux.maskedPaths', '/proc/kcore'),
  wrongType('linux.maskedPaths', [1]),
  wrongType('linux.readonlyPaths', [true]),
  wrongType('linux.rootfsPropagation', 5),
  wrongType('linux.seccomp', []),
  wrongType('linux.seccomp.defaultAction', 5),
  wrongType('linux.seccomp.syscalls', {}),
  wrongType('linux.mountLabel', 5),

  // Missing required fields.
  missing('ociVersion', quote(C, 'ociVersion (string, REQUIRED) MUST be in SemVer v2.0.0 format'), { runc: 'runc 1.1 accepts a config without ociVersion' }),
  missing('root', quote(C, 'On all other platforms, this field is REQUIRED.')),
  missing('root.path', quote(C, 'path (string, REQUIRED) Specifies the path to the root filesystem for the container.')),
  missing('process.cwd', quote(C, 'cwd (string, REQUIRED) is the working directory that will be set for the executable.')),
  bad('empty-process.args', quote(C, 'This specification extends the IEEE standard in that at least one entry is REQUIRED (non-Windows)'), (c) => (c.process.args = [])),
  missing('process.args', quote(C, 'This specification extends the IEEE standard in that at least one entry is REQUIRED (non-Windows)')),
  bad('missing-mounts.destination', quote(C, 'destination (string, REQUIRED) Destination of mount point: path inside container.'), (c) => c.mounts.push({ type: 'tmpfs', source: 'tmpfs' })),
  bad('missing-namespaces.type', quote(L, 'type (string, REQUIRED) - namespace type.'), (c) => c.linux.namespaces.push({ path: '/proc/1/ns/net' })),
  bad('missing-rlimits.type', quote(C, 'type (string, REQUIRED) the platform resource being limited.'), (c) => c.process.rlimits.push({ soft: 1, hard: 1 })),
  bad('missing-devices.path', quote(L, 'path (string, REQUIRED) - full path to device inside container.'), device({ path: undefined }), { runc: 'runc 1.1 accepts a device without path' }),
  bad('missing-devices.type', quote(L, 'type (string, REQUIRED) - type of device: c, b, u or p.'), device({ type: undefined })),
  bad('missing-hooks.path', quote(C, 'path (string, REQUIRED) with similar semantics to IEEE Std 1003.1-2008 execv\'s path.'), (c) => (c.hooks = { prestart: [{ args: ['true'] }] })),
  bad('missing-seccomp.defaultAction', quote(L, 'defaultAction (string, REQUIRED) - the default action for seccomp.'), (c) => (c.linux.seccomp = { syscalls: [] }), { runc: 'runc 1.1 accepts seccomp without defaultAction (and allows everything)' }),
  bad('missing-seccomp.syscalls.action', quote(L, 'action (string, REQUIRED) - the action for seccomp rules.'), rule({ action: undefined })),

  // Unknown enum values.
  bad('namespace-type-unknown', quote(L, 'type (string, REQUIRED) - namespace type. The following namespace types SHOULD be supported: pid network mount ipc uts user cgroup time'), (c) => c.linux.namespaces.push({ type: 'hull-bogus' })),
  bad('rlimit-type-unknown', quote(C, 'The runtime MUST generate an error for any values which cannot be mapped to a relevant kernel interface.'), (c) => c.process.rlimits.push({ type: 'RLIMIT_HULL_BOGUS', soft: 1, hard: 1 })),
  bad('device-type-unknown', quote(L, 'type (string, REQUIRED) - type of device: c, b, u or p.'), device({ type: 'x' })),
  bad('rootfsPropagation-unknown', quote(L, 'Its value is either `shared`, `slave`, `private` or `unbindable`.'), (c) => (c.linux.rootfsPropagation = 'hull-bogus')),
  bad('seccomp-defaultAction-unknown', quote(L, 'defaultAction (string, REQUIRED) - the default action for seccomp. Allowed values are the same as syscalls[].action.'), seccomp({ defaultAction: 'SCMP_ACT_HULL_BOGUS' })),
  bad('seccomp-action-unknown', quote(L, 'action (string, REQUIRED) - the action for seccomp rules. A valid list of constants as of libseccomp v2.5.0 is shown below.'), rule({ action: 'SCMP_ACT_HULL_BOGUS' })),
  bad('seccomp-arch-unknown', quote(L, 'architectures (array of strings, OPTIONAL) - the architecture used for system calls. A valid list of constants as of libseccomp v2.5.0 is shown below.'), seccomp({ architectures: ['SCMP_ARCH_HULL_BOGUS'] })),
  bad('seccomp-operator-unknown', quote(L, 'op (string, REQUIRED) - the operator for syscall arguments. A valid list of constants as of libseccomp v2.3.2 is shown below.'), rule({ args: [{ index: 0, value: 1, op: 'SCMP_CMP_HULL_BOGUS' }] })),
  bad('cgroup-device-type-unknown', quote(L, 'type (string, OPTIONAL) - type of device: a (all), c (char), or b (block).'), (c) => c.linux.resources.devices.push({ allow: true, type: 'z', access: 'rwm' })),
  bad('cgroup-device-access-unknown', quote(L, 'access (string, OPTIONAL) - cgroup permissions for device. A composition of r (read), w (write), and m (mknod).'), (c) => c.linux.resources.devices.push({ allow: true, type: 'c', access: 'rwx' }), { runc: 'runc 1.1 accepts an access string with letters other than r, w, m' }),

  // Values the spec forbids or that cannot be applied.
  bad('root.path-missing-directory', quote(C, 'A directory MUST exist at the path declared by the field.'), (c) => (c.root.path = 'no-such-rootfs')),
  bad('root.path-is-file', quote(C, 'A directory MUST exist at the path declared by the field.'), (c) => (c.root.path = 'config.json')),
  bad('process.cwd-relative', quote(C, 'cwd (string, REQUIRED) is the working directory that will be set for the executable. This value MUST be an absolute path.'), (c) => (c.process.cwd = 'tmp')),
  bad('rlimits-duplicate-type', quote(C, 'If `rlimits` contains duplicated entries with same `type`, the runtime MUST generate an error.'), (c) => c.process.rlimits.push({ type: 'RLIMIT_NOFILE', soft: 10, hard: 10 }), { runc: 'runc 1.1 applies duplicated rlimits, the last one winning' }),
  bad('rlimits-soft-above-hard', CANNOT_APPLY, (c) => (c.process.rlimits = [{ type: 'RLIMIT_NOFILE', soft: 2048, hard: 1024 }])),
  bad('namespaces-duplicate-type', quote(L, 'If a `namespaces` field contains duplicated namespaces with same `type`, the runtime MUST generate an error.'), (c) => c.linux.namespaces.push({ type: 'pid' })),
  bad('namespace-path-relative', quote(L, 'This value MUST be an absolute path in the runtime mount namespace.'), (c) => (c.linux.namespaces = c.linux.namespaces.map((n: { type: string }) => (n.type === 'network' ? { type: 'network', path: 'proc/1/ns/net' } : n)))),
  bad('namespace-path-missing', quote(L, 'The runtime MUST place the container process in the namespace associated with that `path`.'), (c) => (c.linux.namespaces = c.linux.namespaces.map((n: { type: string }) => (n.type === 'network' ? { type: 'network', path: '/proc/hull-no-such/ns/net' } : n)))),
  bad('namespace-path-wrong-type', quote(L, 'The runtime MUST generate an error if `path` is not associated with a namespace of type `type`.'), (c) => (c.linux.namespaces = c.linux.namespaces.map((n: { type: string }) => (n.type === 'network' ? { type: 'network', path: '/proc/1/ns/ipc' } : n)))),
  bad('namespace-path-not-a-namespace', quote(L, 'The runtime MUST generate an error if `path` is not associated with a namespace of type `type`.'), (c) => (c.linux.namespaces = c.linux.namespaces.map((n: { type: string }) => (n.type === 'uts' ? { type: 'uts', path: '/etc/hostname' } : n)))),
  bad('mount-type-unknown-fs', CANNOT_APPLY, bind({ type: 'hullbogusfs', source: 'none' })),
  bad('mount-bind-source-missing', CANNOT_APPLY, bind({ type: 'bind', source: '/hull/no/such/dir', options: ['bind'] })),
  bad('mount-proc-on-file', CANNOT_APPLY, (c) => c.mounts.push({ destination: '/bin/busybox', type: 'proc', source: 'proc' })),
  bad('mount-destination-empty', quote(C, 'destination (string, REQUIRED) Destination of mount point: path inside container.'), bind({ destination: '' })),
  bad('sysctl-unknown-key', CANNOT_APPLY, (c) => (c.linux.sysctl = { 'net.ipv4.hull_bogus': '1' })),
  bad('sysctl-invalid-value', CANNOT_APPLY, (c) => (c.linux.sysctl = { 'net.ipv4.ip_forward': 'not-a-number' })),
  bad('cgroups-cpuset-cpus-invalid', CANNOT_APPLY, (c) => (c.linux.resources.cpu = { cpus: '4096' })),
  bad('cgroups-cpuset-mems-invalid', CANNOT_APPLY, (c) => (c.linux.resources.cpu = { mems: '4096' })),
  bad('cgroups-cpu-period-invalid', CANNOT_APPLY, (c) => (c.linux.resources.cpu = { period: 1, quota: 1 })),
  bad('cgroups-hugepage-size-unknown', CANNOT_APPLY, (c) => (c.linux.resources.hugepageLimits = [{ pageSize: '3MB', limit: 1048576 }])),
  bad('userns-without-mappings', CANNOT_APPLY, (c) => c.linux.namespaces.push({ type: 'user' })),
  bad('userns-overlapping-uidMappings', CANNOT_APPLY, (c) => {
    userns(c);
    c.linux.uidMappings = [{ containerID: 0, hostID: 200000, size: 100 }, { containerID: 50, hostID: 300000, size: 100 }];
  }),
  bad('userns-zero-size-mapping', CANNOT_APPLY, (c) => {
    userns(c);
    c.linux.gidMappings = [{ containerID: 0, hostID: 200000, size: 0 }];
  }),
  bad('hook-path-missing', quote('runtime.md', 'If any `prestart` hook fails, the runtime MUST generate an error, stop the container, and continue the lifecycle at step 12.'), (c) => (c.hooks = { prestart: [{ path: '/hull/no/such/hook' }] })),
  bad('hook-createRuntime-fails', quote('runtime.md', 'If any `createRuntime` hook fails, the runtime MUST generate an error, stop the container, and continue the lifecycle at step 12.'), (c) => (c.hooks = { createRuntime: [{ path: '/bin/false' }] })),
  bad('hook-createContainer-fails', quote('runtime.md', 'If any `createContainer` hook fails, the runtime MUST generate an error, stop the container, and continue the lifecycle at step 12.'), (c) => (c.hooks = { createContainer: [{ path: '/bin/sh', args: ['sh', '-c', 'exit 3'] }] })),
  bad('seccomp-errno-syscall-names-empty', quote(L, 'names (array of strings, REQUIRED) - the names of the syscalls. `names` MUST contain at least one entry.'), rule({ names: [] }), { runc: 'runc 1.1 accepts a seccomp rule with no syscall names' }),
  bad('intelRdt-without-resctrl', quote(L, 'If no mounted `resctrl` pseudo-filesystem is available in the runtime mount namespace, the runtime MUST generate an error.'), (c) => (c.linux.intelRdt = { closID: 'hull', l3CacheSchema: 'L3:0=f' })),
  bad('apparmor-profile-without-apparmor', CANNOT_APPLY, (c) => (c.process.apparmorProfile = 'hull-no-such-profile')),
  bad('cgroupsPath-is-a-file', CANNOT_APPLY, (c) => (c.linux.cgroupsPath = '/memory.limit_in_bytes/hull')),
  bad('device-path-is-existing-directory', quote(L, 'If a file already exists at `path` that does not match the requested device, the runtime MUST generate an error.'), device({ path: '/etc' }), { runc: 'runc 1.1 silently replaces what is at the device path' }),
  bad('ociVersion-not-semver', quote(C, 'ociVersion (string, REQUIRED) MUST be in SemVer v2.0.0 format'), (c) => (c.ociVersion = 'hull-bogus'), { runc: 'runc 1.1 does not check ociVersion' }),
  bad('hook-timeout-zero', quote(C, 'timeout (int, OPTIONAL) is the number of seconds before aborting the hook. If set, timeout MUST be greater than zero.'), (c) => (c.hooks = { prestart: [{ path: '/bin/true', timeout: 0 }] })),
  bad('hook-timeout-negative', quote(C, 'timeout (int, OPTIONAL) is the number of seconds before aborting the hook. If set, timeout MUST be greater than zero.'), (c) => (c.hooks = { prestart: [{ path: '/bin/true', timeout: -1 }] })),
  bad('hook-path-relative', quote(C, 'This specification extends the IEEE standard in that path MUST be absolute.'), (c) => (c.hooks = { prestart: [{ path: 'bin/true' }] })),
  bad('maskedPaths-relative', quote(L, 'The values MUST be absolute paths in the container namespace.'), (c) => (c.linux.maskedPaths = ['proc/kcore']), { runc: 'runc 1.1 accepts relative maskedPaths' }),
  bad('readonlyPaths-relative', quote(L, 'The values MUST be absolute paths in the container namespace.'), (c) => (c.linux.readonlyPaths = ['proc/sys']), { runc: 'runc 1.1 accepts relative readonlyPaths' }),
  bad('namespace-user-path-and-mappings', CANNOT_APPLY, (c) => {
    c.linux.namespaces.push({ type: 'user', path: '/proc/hull-no-such/ns/user' });
    c.linux.uidMappings = [{ containerID: 0, hostID: 200000, size: 1 }];
    c.linux.gidMappings = [{ containerID: 0, hostID: 200000, size: 1 }];
  }),
];

export const badConfigCases: Case[] = badConfigs.map((b) => ({
  name: `bad-config/${b.name}`,
  spec: b.spec,
  deviations: b.deviations,
  async run(t) {
    const bundle = await t.bundle(b.mutate, 'touch /ran; exec sleep 1000');
    const id = t.id();
    const inv = await t.invoke(['create', '--bundle', bundle.dir, id]);
    if (inv.code === 0) fail('create accepted the invalid config');
    check(inv.code !== null, `create died of ${inv.signal}`);
    const left = await leftovers(t, id, bundle.dir);
    check(left.length === 0, `left behind after the failed create: ${left.join(', ')}`);
  },
}));
