import fs from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../errors';
import { validateConfig, validateProcess } from './validate';

const fixture = (name: string): any => JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures', name), 'utf8'));

/** A config that uses every field hull reads, each with a valid value. */
function full(): any {
  return {
    ociVersion: '1.3.0',
    root: { path: 'rootfs', readonly: true },
    mounts: [
      { destination: '/proc', type: 'proc', source: 'proc' },
      { destination: '/data', type: 'none', source: '/srv/data', options: ['rbind', 'rro', 'size=1k'] },
      {
        destination: '/idmapped',
        type: 'none',
        source: '/srv/x',
        options: ['bind', 'idmap'],
        uidMappings: [{ containerID: 0, hostID: 200000, size: 1000 }],
        gidMappings: [{ containerID: 0, hostID: 200000, size: 1000 }],
      },
    ],
    process: {
      terminal: true,
      consoleSize: { height: 25, width: 80 },
      user: { uid: 1, gid: 1, umask: 0o22, additionalGids: [5, 6] },
      args: ['sh'],
      env: ['PATH=/bin', 'EMPTY='],
      cwd: '/root',
      capabilities: {
        bounding: ['CAP_KILL'],
        effective: ['CAP_KILL'],
        inheritable: [],
        permitted: ['CAP_KILL', 'CAP_CHECKPOINT_RESTORE'],
        ambient: ['CAP_KILL'],
      },
      rlimits: [
        { type: 'RLIMIT_NOFILE', soft: 1024, hard: 4096 },
        { type: 'RLIMIT_CORE', soft: 18446744073709551615, hard: 18446744073709551615 },
      ],
      noNewPrivileges: true,
      apparmorProfile: 'p',
      oomScoreAdj: -1000,
      scheduler: { policy: 'SCHED_BATCH', nice: 5, priority: 0, flags: ['SCHED_FLAG_RESET_ON_FORK'], runtime: 1, deadline: 2, period: 3 },
      selinuxLabel: 'system_u:system_r:container_t:s0',
      ioPriority: { class: 'IOPRIO_CLASS_IDLE', priority: 7 },
      execCPUAffinity: { initial: '0', final: '0-1,3' },
    },
    hostname: 'h',
    domainname: 'd.test',
    hooks: {
      prestart: [{ path: '/bin/true', args: ['true'], env: ['A=1'], timeout: 5 }],
      createRuntime: [{ path: '/bin/true' }],
      createContainer: [{ path: '/bin/true' }],
      startContainer: [{ path: '/bin/true' }],
      poststart: [{ path: '/bin/true' }],
      poststop: [{ path: '/bin/true' }],
    },
    annotations: { 'com.example.key': 'v', empty: '' },
    linux: {
      namespaces: ['pid', 'network', 'mount', 'ipc', 'uts', 'user', 'cgroup', 'time'].map((type) => ({ type })),
      uidMappings: [
        { containerID: 0, hostID: 100000, size: 65536 },
        { containerID: 65536, hostID: 0, size: 1 },
      ],
      gidMappings: [{ containerID: 0, hostID: 100000, size: 65536 }],
      timeOffsets: { monotonic: { secs: 172800, nanosecs: 0 }, boottime: { secs: -5 } },
      devices: [
        { path: '/dev/fuse', type: 'c', major: 10, minor: 229, fileMode: 438, uid: 0, gid: 0 },
        { path: '/dev/fifo', type: 'p' },
      ],
      netDevices: { eth1: { name: 'ctr0' }, 'veth%d': {} },
      cgroupsPath: '/hull/c1',
      resources: {
        devices: [
          { allow: false, access: 'rwm' },
          { allow: true, type: 'c', major: 1, minor: 3, access: 'rw' },
          { allow: true, type: 'b', major: -1, minor: -1, access: 'm' },
        ],
        memory: {
          limit: 536870912,
          reservation: 1,
          swap: -1,
          kernel: -1,
          kernelTCP: -1,
          swappiness: 0,
          disableOOMKiller: false,
          useHierarchy: true,
          checkBeforeUpdate: true,
        },
        cpu: { shares: 1024, quota: 100000, burst: 1000, period: 100000, realtimeRuntime: 950000, realtimePeriod: 1000000, cpus: '0-1', mems: '0', idle: 0 },
        pids: { limit: -1 },
        blockIO: {
          weight: 10,
          leafWeight: 10,
          weightDevice: [{ major: 8, minor: 0, weight: 500 }, { major: 8, minor: 16, leafWeight: 300 }],
          throttleReadBpsDevice: [{ major: 8, minor: 0, rate: 600 }],
          throttleWriteBpsDevice: [],
          throttleReadIOPSDevice: [],
          throttleWriteIOPSDevice: [{ major: 8, minor: 16, rate: 300 }],
        },
        hugepageLimits: [{ pageSize: '2MB', limit: 9223372036854772000 }],
        network: { classID: 1048577, priorities: [{ name: 'eth0', priority: 500 }] },
        rdma: { mlx5_1: { hcaHandles: 3 }, mlx4_0: { hcaObjects: 10000 } },
        unified: { 'memory.high': '1G', 'io.max': '8:0 rbps=1' },
      },
      rootfsPropagation: 'slave',
      seccomp: {
        defaultAction: 'SCMP_ACT_ERRNO',
        defaultErrnoRet: 1,
        architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86'],
        flags: ['SECCOMP_FILTER_FLAG_LOG'],
        listenerPath: '/run/agent.sock',
        listenerMetadata: 'meta',
        syscalls: [
          { names: ['getcwd', 'chmod'], action: 'SCMP_ACT_ALLOW' },
          { names: ['personality'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 0, op: 'SCMP_CMP_EQ' }] },
          { names: ['mkdir'], action: 'SCMP_ACT_NOTIFY' },
          { names: ['kill'], action: 'SCMP_ACT_ERRNO', errnoRet: 38, args: [{ index: 1, value: 255, valueTwo: 9, op: 'SCMP_CMP_MASKED_EQ' }] },
        ],
      },
      sysctl: { 'net.ipv4.ip_forward': '1', 'kernel.shmmax': '1', 'fs.mqueue.msg_max': '10', 'kernel.domainname': 'x' },
      maskedPaths: ['/proc/kcore'],
      readonlyPaths: ['/proc/sys'],
      mountLabel: 'system_u:object_r:container_file_t:s0',
      intelRdt: { closID: 'guaranteed', schemata: ['L2:0=ff'], l3CacheSchema: 'L3:0=7f0', memBwSchema: 'MB:0=20', enableMonitoring: true },
      personality: { domain: 'LINUX32', flags: [] },
      memoryPolicy: { mode: 'MPOL_INTERLEAVE', nodes: '0-1', flags: ['MPOL_F_STATIC_NODES'] },
    },
    windows: { layerFolders: 'not checked on Linux' },
    'org.example.extension': { anything: true },
  };
}

function errorOf(config: unknown): ConfigError {
  try {
    validateConfig(config);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return e as ConfigError;
  }
  throw new Error('validateConfig accepted the config');
}

describe('validateConfig: valid configs', () => {
  it('accepts what `runc spec` writes', () => {
    const c = fixture('runc-spec.json');
    expect(validateConfig(c)).toBe(c);
  });

  it('accepts what `runc spec --rootless` writes', () => {
    expect(validateConfig(fixture('runc-spec-rootless.json')).linux?.uidMappings).toHaveLength(1);
  });

  it('accepts a config using every field', () => {
    const warnings: string[] = [];
    expect(validateConfig(full(), { warn: (m) => warnings.push(m) }).process?.cwd).toBe('/root');
    expect(warnings).toEqual([]);
  });

  it('accepts a minimal config: ociVersion and root', () => {
    expect(validateConfig({ ociVersion: '1.0.0', root: { path: '/r' } }).root?.path).toBe('/r');
  });

  it.each(['1.0.0', '1.0.1', '1.0.2-dev', '1.1.0', '1.1.0-rc.1', '1.2.1', '1.3.0', '1.3.7', '1.3.0+build.5'])(
    'accepts ociVersion %s',
    (v) => {
      expect(validateConfig({ ...full(), ociVersion: v }).ociVersion).toBe(v);
    },
  );

  it('treats null like an absent optional field (as runc\'s decoder does)', () => {
    const c = full();
    c.hostname = null;
    c.process.capabilities = null;
    c.linux.seccomp = null;
    expect(() => validateConfig(c)).not.toThrow();
  });

  it('accepts unknown mount options: they are filesystem data', () => {
    const c = full();
    c.mounts[0].options = ['nosuid', 'hidepid=2', 'whatever'];
    expect(() => validateConfig(c)).not.toThrow();
  });

  it('accepts the recursive rootfs propagation values runc takes', () => {
    for (const v of ['rprivate', 'rshared', 'rslave', 'runbindable', 'private', 'shared', 'unbindable']) {
      const c = full();
      c.linux.rootfsPropagation = v;
      expect(() => validateConfig(c)).not.toThrow();
    }
  });

  it('warns about unknown capabilities and relative mount destinations, like runc, without failing', () => {
    const c = full();
    c.process.capabilities.bounding = ['CAP_KILL', 'CAP_FROBNICATE'];
    c.mounts[0].destination = 'proc';
    const warnings: string[] = [];
    validateConfig(c, { warn: (m) => warnings.push(m) });
    expect(warnings).toEqual([
      'config.json: mounts[0].destination: "proc" is not absolute (deprecated; read as relative to "/")',
      'config.json: process.capabilities.bounding[1]: unknown capability "CAP_FROBNICATE" ignored',
    ]);
  });

  it('lets a joined user namespace come without mappings', () => {
    const c = full();
    c.linux.namespaces[5] = { type: 'user', path: '/proc/1/ns/user' };
    delete c.linux.uidMappings;
    delete c.linux.gidMappings;
    expect(() => validateConfig(c)).not.toThrow();
  });

  it('lets a pipe device go without major and minor', () => {
    const c = full();
    c.linux.devices = [{ path: '/dev/p', type: 'p' }];
    expect(() => validateConfig(c)).not.toThrow();
  });
});

type Case = [string, (c: any) => void, string];

const invalid: Case[] = [
  // the document
  ['not an object', (c) => Object.assign(c, { __replace: [] }), 'config.json: must be a JSON object, got an array'],
  // ociVersion
  ['ociVersion missing', (c) => delete c.ociVersion, 'config.json: ociVersion: required field is missing'],
  ['ociVersion a number', (c) => (c.ociVersion = 1), 'config.json: ociVersion: must be a string, got a number 1'],
  ['ociVersion not semver', (c) => (c.ociVersion = '1.0'), 'config.json: ociVersion: "1.0" is not a SemVer 2.0.0 version'],
  ['ociVersion 2.0.0', (c) => (c.ociVersion = '2.0.0'), 'config.json: ociVersion: unsupported version "2.0.0": hull supports 1.0.0 to 1.3.x'],
  ['ociVersion 1.4.0', (c) => (c.ociVersion = '1.4.0'), 'config.json: ociVersion: unsupported version "1.4.0": hull supports 1.0.0 to 1.3.x'],
  ['ociVersion 0.5.0', (c) => (c.ociVersion = '0.5.0'), 'config.json: ociVersion: unsupported version "0.5.0": hull supports 1.0.0 to 1.3.x'],
  ['ociVersion 1.0.0-rc5', (c) => (c.ociVersion = '1.0.0-rc5'), 'config.json: ociVersion: unsupported version "1.0.0-rc5": hull supports 1.0.0 to 1.3.x'],
  ['ociVersion 1.4.0-dev', (c) => (c.ociVersion = '1.4.0-dev'), 'config.json: ociVersion: unsupported version "1.4.0-dev": hull supports 1.0.0 to 1.3.x'],
  ['ociVersion leading zero', (c) => (c.ociVersion = '1.01.0'), 'config.json: ociVersion: "1.01.0" is not a SemVer 2.0.0 version'],
  // root
  ['root missing', (c) => delete c.root, 'config.json: root: required field is missing'],
  ['root not an object', (c) => (c.root = 'rootfs'), 'config.json: root: must be an object, got a string "rootfs"'],
  ['root.path missing', (c) => delete c.root.path, 'config.json: root.path: required field is missing'],
  ['root.path empty', (c) => (c.root.path = ''), 'config.json: root.path: must not be empty'],
  ['root.readonly a string', (c) => (c.root.readonly = 'yes'), 'config.json: root.readonly: must be a boolean, got a string "yes"'],
  // mounts
  ['mounts not an array', (c) => (c.mounts = {}), 'config.json: mounts: must be an array, got an object {}'],
  ['mount not an object', (c) => (c.mounts[1] = '/data'), 'config.json: mounts[1]: must be an object, got a string "/data"'],
  ['mount destination missing', (c) => delete c.mounts[1].destination, 'config.json: mounts[1].destination: required field is missing'],
  ['mount destination empty', (c) => (c.mounts[0].destination = ''), 'config.json: mounts[0].destination: must not be empty'],
  ['mount option not a string', (c) => (c.mounts[1].options[2] = 5), 'config.json: mounts[1].options[2]: must be a string, got a number 5'],
  ['mount option empty', (c) => (c.mounts[1].options[1] = ''), 'config.json: mounts[1].options[1]: must not be empty'],
  ['bind mount without source', (c) => delete c.mounts[1].source, 'config.json: mounts[1].source: required for a bind mount'],
  ['mount uidMappings without gidMappings', (c) => delete c.mounts[2].gidMappings, 'config.json: mounts[2].gidMappings: required with uidMappings'],
  ['mount mapping size zero', (c) => (c.mounts[2].uidMappings[0].size = 0), 'config.json: mounts[2].uidMappings[0].size: must be at least 1'],
  [
    'idmap mount without mappings or user namespace',
    (c) => {
      delete c.mounts[2].uidMappings;
      delete c.mounts[2].gidMappings;
      c.linux.namespaces.splice(5, 1);
      delete c.linux.uidMappings;
      delete c.linux.gidMappings;
    },
    'config.json: mounts[2].options: "idmap" needs uidMappings and gidMappings on the mount, or a user namespace',
  ],
  // process
  ['process not an object', (c) => (c.process = ['sh']), 'config.json: process: must be an object, got an array ["sh"]'],
  ['process.args missing', (c) => delete c.process.args, 'config.json: process.args: required field is missing'],
  ['process.args empty', (c) => (c.process.args = []), 'config.json: process.args: must have at least one entry (the program to run)'],
  ['process.args not strings', (c) => (c.process.args = ['sh', 1]), 'config.json: process.args[1]: must be a string, got a number 1'],
  ['process.cwd missing', (c) => delete c.process.cwd, 'config.json: process.cwd: required field is missing'],
  ['process.cwd relative', (c) => (c.process.cwd = 'root'), 'config.json: process.cwd: must be an absolute path, got "root"'],
  ['process.terminal a string', (c) => (c.process.terminal = 'true'), 'config.json: process.terminal: must be a boolean, got a string "true"'],
  ['consoleSize without width', (c) => delete c.process.consoleSize.width, 'config.json: process.consoleSize.width: required field is missing'],
  ['consoleSize negative', (c) => (c.process.consoleSize.height = -1), 'config.json: process.consoleSize.height: -1 is out of range for a uint32 (0 to 4294967295)'],
  ['process.user.uid missing', (c) => delete c.process.user.uid, 'config.json: process.user.uid: required field is missing'],
  ['process.user.uid negative', (c) => (c.process.user.uid = -1), 'config.json: process.user.uid: -1 is out of range for a uint32 (0 to 4294967295)'],
  ['process.user.gid fractional', (c) => (c.process.user.gid = 1.5), 'config.json: process.user.gid: must be a uint32, got 1.5'],
  ['process.user.gid too large', (c) => (c.process.user.gid = 4294967296), 'config.json: process.user.gid: 4294967296 is out of range for a uint32 (0 to 4294967295)'],
  ['additionalGids entry a string', (c) => (c.process.user.additionalGids = [5, '6']), 'config.json: process.user.additionalGids[1]: must be a uint32, got a string "6"'],
  ['process.env entry without =', (c) => (c.process.env = ['PATH=/bin', 'FOO']), 'config.json: process.env[1]: "FOO" is not NAME=value'],
  ['process.env entry with empty name', (c) => (c.process.env = ['=x']), 'config.json: process.env[0]: "=x" has an empty name'],
  ['capabilities set not an array', (c) => (c.process.capabilities.effective = 'CAP_KILL'), 'config.json: process.capabilities.effective: must be an array, got a string "CAP_KILL"'],
  ['capability not a string', (c) => (c.process.capabilities.ambient = [7]), 'config.json: process.capabilities.ambient[0]: must be a string, got a number 7'],
  ['rlimit unknown', (c) => (c.process.rlimits[1].type = 'RLIMIT_FOO'), 'config.json: process.rlimits[1].type: unknown rlimit "RLIMIT_FOO"'],
  ['rlimit lower case', (c) => (c.process.rlimits[0].type = 'nofile'), 'config.json: process.rlimits[0].type: unknown rlimit "nofile"'],
  ['rlimit duplicate', (c) => (c.process.rlimits[1].type = 'RLIMIT_NOFILE'), 'config.json: process.rlimits[1].type: duplicate rlimit "RLIMIT_NOFILE" (also process.rlimits[0])'],
  ['rlimit soft missing', (c) => delete c.process.rlimits[0].soft, 'config.json: process.rlimits[0].soft: required field is missing'],
  ['rlimit negative', (c) => (c.process.rlimits[0].hard = -1), 'config.json: process.rlimits[0].hard: -1 is out of range for a uint64 (0 to 2^64-1)'],
  ['rlimit soft above hard', (c) => (c.process.rlimits[0].soft = 5000), 'config.json: process.rlimits[0]: soft limit 5000 is above hard limit 4096'],
  ['noNewPrivileges a number', (c) => (c.process.noNewPrivileges = 1), 'config.json: process.noNewPrivileges: must be a boolean, got a number 1'],
  ['oomScoreAdj too large', (c) => (c.process.oomScoreAdj = 5000), 'config.json: process.oomScoreAdj: 5000 is out of range for an OOM score adjustment (-1000 to 1000)'],
  ['scheduler policy unknown', (c) => (c.process.scheduler.policy = 'SCHED_FAST'), 'config.json: process.scheduler.policy: unknown scheduler policy "SCHED_FAST" (expected SCHED_OTHER, SCHED_FIFO, SCHED_RR, SCHED_BATCH, SCHED_ISO, SCHED_IDLE, SCHED_DEADLINE)'],
  ['scheduler policy missing', (c) => delete c.process.scheduler.policy, 'config.json: process.scheduler.policy: required field is missing'],
  ['scheduler flag unknown', (c) => (c.process.scheduler.flags = ['SCHED_FLAG_X']), 'config.json: process.scheduler.flags[0]: unknown scheduler flag "SCHED_FLAG_X" (expected SCHED_FLAG_RESET_ON_FORK, SCHED_FLAG_RECLAIM, SCHED_FLAG_DL_OVERRUN, SCHED_FLAG_KEEP_POLICY, SCHED_FLAG_KEEP_PARAMS, SCHED_FLAG_UTIL_CLAMP_MIN, SCHED_FLAG_UTIL_CLAMP_MAX)'],
  ['scheduler nice beyond int32', (c) => (c.process.scheduler.nice = 2 ** 31), 'config.json: process.scheduler.nice: 2147483648 is out of range for an int32 (-2147483648 to 2147483647)'],
  ['ioPriority class unknown', (c) => (c.process.ioPriority.class = 'IOPRIO_CLASS_NONE'), 'config.json: process.ioPriority.class: unknown I/O priority class "IOPRIO_CLASS_NONE" (expected IOPRIO_CLASS_RT, IOPRIO_CLASS_BE, IOPRIO_CLASS_IDLE)'],
  ['ioPriority priority 8', (c) => (c.process.ioPriority.priority = 8), 'config.json: process.ioPriority.priority: 8 is out of range for an I/O priority (0 to 7)'],
  ['execCPUAffinity bad list', (c) => (c.process.execCPUAffinity.final = '3-1'), 'config.json: process.execCPUAffinity.final: invalid list "3-1": expected numbers and ranges like "0-3,7"'],
  // hostname, hooks, annotations
  ['hostname a number', (c) => (c.hostname = 7), 'config.json: hostname: must be a string, got a number 7'],
  ['hook path missing', (c) => delete c.hooks.poststop[0].path, 'config.json: hooks.poststop[0].path: required field is missing'],
  ['hook path relative', (c) => (c.hooks.createRuntime[0].path = 'bin/true'), 'config.json: hooks.createRuntime[0].path: must be an absolute path, got "bin/true"'],
  ['hook timeout zero', (c) => (c.hooks.prestart[0].timeout = 0), 'config.json: hooks.prestart[0].timeout: 0 is out of range for a timeout in seconds (1 to 2147483647)'],
  ['hook env not strings', (c) => (c.hooks.startContainer[0].env = [1]), 'config.json: hooks.startContainer[0].env[0]: must be a string, got a number 1'],
  ['hooks list not an array', (c) => (c.hooks.createContainer = { path: '/bin/true' }), 'config.json: hooks.createContainer: must be an array, got an object {"path":"/bin/true"}'],
  ['annotation value a number', (c) => (c.annotations['com.example.n'] = 2), 'config.json: annotations["com.example.n"]: must be a string, got a number 2'],
  ['annotation empty key', (c) => (c.annotations[''] = 'x'), 'config.json: annotations: keys must not be empty'],
  // linux.namespaces
  ['linux not an object', (c) => (c.linux = []), 'config.json: linux: must be an object, got an array []'],
  ['namespace unknown', (c) => (c.linux.namespaces[2].type = 'foo'), 'config.json: linux.namespaces[2].type: unknown namespace "foo" (expected pid, network, mount, ipc, uts, user, cgroup, time)'],
  ['namespace type missing', (c) => (c.linux.namespaces[0] = { path: '/proc/1/ns/pid' }), 'config.json: linux.namespaces[0].type: required field is missing'],
  ['namespace duplicate', (c) => c.linux.namespaces.push({ type: 'pid', path: '/proc/1/ns/pid' }), 'config.json: linux.namespaces[8].type: duplicate namespace "pid" (also linux.namespaces[0])'],
  ['namespace path relative', (c) => (c.linux.namespaces[1].path = 'proc/1/ns/net'), 'config.json: linux.namespaces[1].path: must be an absolute path, got "proc/1/ns/net"'],
  // linux id mappings
  ['uidMappings entry missing hostID', (c) => delete c.linux.uidMappings[1].hostID, 'config.json: linux.uidMappings[1].hostID: required field is missing'],
  ['uidMappings overlap in the container', (c) => (c.linux.uidMappings[1].containerID = 100), 'config.json: linux.uidMappings[1]: containerID range 100-100 overlaps linux.uidMappings[0]'],
  ['gidMappings overlap on the host', (c) => c.linux.gidMappings.push({ containerID: 70000, hostID: 165535, size: 10 }), 'config.json: linux.gidMappings[1]: hostID range 165535-165544 overlaps linux.gidMappings[0]'],
  ['mapping past 2^32', (c) => (c.linux.gidMappings[0] = { containerID: 4294967295, hostID: 0, size: 2 }), 'config.json: linux.gidMappings[0]: containerID 4294967295 + size 2 goes past 2^32-1'],
  ['new user namespace without uidMappings', (c) => delete c.linux.uidMappings, 'config.json: linux.uidMappings: required with a new user namespace (linux.namespaces[5])'],
  ['new user namespace without gidMappings', (c) => (c.linux.gidMappings = []), 'config.json: linux.gidMappings: required with a new user namespace (linux.namespaces[5])'],
  [
    'mappings without a user namespace',
    (c) => {
      c.linux.namespaces.splice(5, 1);
      c.mounts.splice(2, 1);
    },
    'config.json: linux.uidMappings: given, but linux.namespaces has no "user" namespace',
  ],
  // linux.timeOffsets
  ['time offset for an unknown clock', (c) => (c.linux.timeOffsets.realtime = { secs: 1 }), 'config.json: linux.timeOffsets.realtime: unknown clock "realtime" (expected monotonic, boottime)'],
  ['time offset nanosecs too large', (c) => (c.linux.timeOffsets.boottime.nanosecs = 1e9), 'config.json: linux.timeOffsets.boottime.nanosecs: 1000000000 is out of range for nanoseconds (0 to 999999999)'],
  ['time offsets without a time namespace', (c) => c.linux.namespaces.splice(7, 1), 'config.json: linux.timeOffsets: given, but linux.namespaces has no "time" namespace'],
  ['time offsets when joining a time namespace', (c) => (c.linux.namespaces[7].path = '/proc/1/ns/time'), 'config.json: linux.timeOffsets: cannot be set when joining an existing time namespace (linux.namespaces[7].path)'],
  // linux.devices
  ['device type unknown', (c) => (c.linux.devices[0].type = 'z'), 'config.json: linux.devices[0].type: unknown device type "z" (expected c, b, u, p)'],
  ['device path relative', (c) => (c.linux.devices[0].path = 'dev/fuse'), 'config.json: linux.devices[0].path: must be an absolute path, got "dev/fuse"'],
  ['char device without major', (c) => delete c.linux.devices[0].major, 'config.json: linux.devices[0].major: required field is missing'],
  ['device fileMode too large', (c) => (c.linux.devices[0].fileMode = 0o10000), 'config.json: linux.devices[0].fileMode: 4096 is out of range for a file mode (0o7777 at most) (0 to 4095)'],
  ['device uid negative', (c) => (c.linux.devices[0].uid = -5), 'config.json: linux.devices[0].uid: -5 is out of range for a uint32 (0 to 4294967295)'],
  // linux.netDevices
  ['net device name too long', (c) => (c.linux.netDevices.eth1.name = 'a-very-long-interface'), 'config.json: linux.netDevices.eth1.name: invalid network interface name "a-very-long-interface"'],
  ['net device host name with a slash', (c) => (c.linux.netDevices['a/b'] = {}), 'config.json: linux.netDevices["a/b"]: invalid network interface name "a/b"'],
  ['net devices without a network namespace', (c) => c.linux.namespaces.splice(1, 1) && delete c.linux.sysctl['net.ipv4.ip_forward'], 'config.json: linux.netDevices: given, but linux.namespaces has no "network" namespace (the devices would stay on the host)'],
  // linux.resources
  ['cgroupsPath a number', (c) => (c.linux.cgroupsPath = 1), 'config.json: linux.cgroupsPath: must be a string, got a number 1'],
  ['cgroup device rule without allow', (c) => delete c.linux.resources.devices[1].allow, 'config.json: linux.resources.devices[1].allow: required field is missing'],
  ['cgroup device type unknown', (c) => (c.linux.resources.devices[1].type = 'z'), 'config.json: linux.resources.devices[1].type: unknown device type "z" (expected a, c, b)'],
  ['cgroup device access invalid', (c) => (c.linux.resources.devices[1].access = 'rwx'), 'config.json: linux.resources.devices[1].access: "rwx" is not made of "r", "w" and "m"'],
  ['memory limit below -1', (c) => (c.linux.resources.memory.limit = -2), 'config.json: linux.resources.memory.limit: -2 is out of range for a byte count or -1 (-1 to 2^63-1)'],
  ['memory limit a string', (c) => (c.linux.resources.memory.limit = '1G'), 'config.json: linux.resources.memory.limit: must be a byte count or -1, got a string "1G"'],
  ['memory swappiness 101', (c) => (c.linux.resources.memory.swappiness = 101), 'config.json: linux.resources.memory.swappiness: 101 is out of range for a swappiness (0 to 100)'],
  ['cpu shares negative', (c) => (c.linux.resources.cpu.shares = -1), 'config.json: linux.resources.cpu.shares: -1 is out of range for a uint64 (0 to 2^64-1)'],
  ['cpu cpus bad list', (c) => (c.linux.resources.cpu.cpus = '0-1,a'), 'config.json: linux.resources.cpu.cpus: invalid list "0-1,a": expected numbers and ranges like "0-3,7"'],
  ['cpu burst above quota', (c) => (c.linux.resources.cpu.burst = 200000), 'config.json: linux.resources.cpu.burst: 200000 is larger than quota 100000'],
  ['pids without limit', (c) => (c.linux.resources.pids = {}), 'config.json: linux.resources.pids.limit: required field is missing'],
  ['blockIO weight beyond uint16', (c) => (c.linux.resources.blockIO.weight = 70000), 'config.json: linux.resources.blockIO.weight: 70000 is out of range for a uint16 (0 to 65535)'],
  ['weightDevice without weights', (c) => (c.linux.resources.blockIO.weightDevice[0] = { major: 8, minor: 0 }), 'config.json: linux.resources.blockIO.weightDevice[0]: needs weight or leafWeight'],
  ['throttle device without rate', (c) => delete c.linux.resources.blockIO.throttleReadBpsDevice[0].rate, 'config.json: linux.resources.blockIO.throttleReadBpsDevice[0].rate: required field is missing'],
  ['throttle device without minor', (c) => delete c.linux.resources.blockIO.throttleWriteIOPSDevice[0].minor, 'config.json: linux.resources.blockIO.throttleWriteIOPSDevice[0].minor: required field is missing'],
  ['hugepage size malformed', (c) => (c.linux.resources.hugepageLimits[0].pageSize = '2M'), 'config.json: linux.resources.hugepageLimits[0].pageSize: invalid page size "2M" (expected a size like "2MB", "64KB", "1GB")'],
  ['hugepage limit missing', (c) => delete c.linux.resources.hugepageLimits[0].limit, 'config.json: linux.resources.hugepageLimits[0].limit: required field is missing'],
  ['network priority without name', (c) => delete c.linux.resources.network.priorities[0].name, 'config.json: linux.resources.network.priorities[0].name: required field is missing'],
  ['network classID negative', (c) => (c.linux.resources.network.classID = -1), 'config.json: linux.resources.network.classID: -1 is out of range for a uint32 (0 to 4294967295)'],
  ['rdma entry empty', (c) => (c.linux.resources.rdma.mlx5_1 = {}), 'config.json: linux.resources.rdma.mlx5_1: needs hcaHandles or hcaObjects'],
  ['unified value a number', (c) => (c.linux.resources.unified['pids.max'] = 10), 'config.json: linux.resources.unified["pids.max"]: must be a string, got a number 10'],
  ['unified key a path', (c) => (c.linux.resources.unified['../x'] = '1'), 'config.json: linux.resources.unified["../x"]: "../x" is not a cgroup file name'],
  // linux.rootfsPropagation
  ['rootfsPropagation unknown', (c) => (c.linux.rootfsPropagation = 'bogus'), 'config.json: linux.rootfsPropagation: unknown rootfs propagation "bogus" (expected private, shared, slave, unbindable, rprivate, rshared, rslave, runbindable)'],
  // linux.seccomp
  ['seccomp without defaultAction', (c) => delete c.linux.seccomp.defaultAction, 'config.json: linux.seccomp.defaultAction: required field is missing'],
  ['seccomp defaultAction unknown', (c) => (c.linux.seccomp.defaultAction = 'SCMP_ACT_BOGUS'), 'config.json: linux.seccomp.defaultAction: unknown seccomp action "SCMP_ACT_BOGUS" (expected SCMP_ACT_KILL, SCMP_ACT_KILL_PROCESS, SCMP_ACT_KILL_THREAD, SCMP_ACT_TRAP, SCMP_ACT_ERRNO, SCMP_ACT_TRACE, SCMP_ACT_ALLOW, SCMP_ACT_LOG, SCMP_ACT_NOTIFY)'],
  ['seccomp defaultErrnoRet with ALLOW', (c) => (c.linux.seccomp.defaultAction = 'SCMP_ACT_ALLOW'), 'config.json: linux.seccomp.defaultErrnoRet: cannot be used with defaultAction "SCMP_ACT_ALLOW" (only SCMP_ACT_ERRNO and SCMP_ACT_TRACE return an errno)'],
  ['seccomp architecture unknown', (c) => (c.linux.seccomp.architectures[1] = 'SCMP_ARCH_FOO'), 'config.json: linux.seccomp.architectures[1]: unknown seccomp architecture "SCMP_ARCH_FOO"'],
  ['seccomp flag unknown', (c) => (c.linux.seccomp.flags = ['SECCOMP_FILTER_FLAG_BOGUS']), 'config.json: linux.seccomp.flags[0]: unknown seccomp flag "SECCOMP_FILTER_FLAG_BOGUS" (expected SECCOMP_FILTER_FLAG_TSYNC, SECCOMP_FILTER_FLAG_LOG, SECCOMP_FILTER_FLAG_SPEC_ALLOW, SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV)'],
  ['seccomp NOTIFY as default', (c) => (c.linux.seccomp = { defaultAction: 'SCMP_ACT_NOTIFY', listenerPath: '/x' }), 'config.json: linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default action'],
  ['seccomp metadata without listener', (c) => delete c.linux.seccomp.listenerPath, 'config.json: linux.seccomp.listenerMetadata: must not be set without listenerPath'],
  ['seccomp NOTIFY without listener', (c) => delete c.linux.seccomp.listenerPath && delete c.linux.seccomp.listenerMetadata, 'config.json: linux.seccomp.syscalls[2].action: SCMP_ACT_NOTIFY needs linux.seccomp.listenerPath'],
  ['syscall names empty', (c) => (c.linux.seccomp.syscalls[0].names = []), 'config.json: linux.seccomp.syscalls[0].names: must name at least one syscall'],
  ['syscall name empty', (c) => (c.linux.seccomp.syscalls[0].names = ['getcwd', '']), 'config.json: linux.seccomp.syscalls[0].names[1]: must not be empty'],
  ['syscall action missing', (c) => delete c.linux.seccomp.syscalls[1].action, 'config.json: linux.seccomp.syscalls[1].action: required field is missing'],
  ['syscall errnoRet with ALLOW', (c) => (c.linux.seccomp.syscalls[0].errnoRet = 1), 'config.json: linux.seccomp.syscalls[0].errnoRet: cannot be used with action "SCMP_ACT_ALLOW" (only SCMP_ACT_ERRNO and SCMP_ACT_TRACE return an errno)'],
  ['syscall arg index 6', (c) => (c.linux.seccomp.syscalls[3].args[0].index = 6), 'config.json: linux.seccomp.syscalls[3].args[0].index: 6 is out of range for a syscall argument index (0 to 5)'],
  ['syscall arg op unknown', (c) => (c.linux.seccomp.syscalls[1].args[0].op = 'SCMP_CMP_BOGUS'), 'config.json: linux.seccomp.syscalls[1].args[0].op: unknown seccomp operator "SCMP_CMP_BOGUS" (expected SCMP_CMP_NE, SCMP_CMP_LT, SCMP_CMP_LE, SCMP_CMP_EQ, SCMP_CMP_GE, SCMP_CMP_GT, SCMP_CMP_MASKED_EQ)'],
  ['syscall arg value missing', (c) => delete c.linux.seccomp.syscalls[1].args[0].value, 'config.json: linux.seccomp.syscalls[1].args[0].value: required field is missing'],
  // linux.sysctl
  ['sysctl value a number', (c) => (c.linux.sysctl['net.ipv4.ip_forward'] = 1), 'config.json: linux.sysctl["net.ipv4.ip_forward"]: must be a string, got a number 1'],
  ['sysctl not namespaced', (c) => (c.linux.sysctl['kernel.foo'] = '1'), 'config.json: linux.sysctl["kernel.foo"]: "kernel.foo" is not namespaced: setting it would change the host'],
  ['net sysctl without a network namespace', (c) => c.linux.namespaces.splice(1, 1) && delete c.linux.netDevices, 'config.json: linux.sysctl["net.ipv4.ip_forward"]: "net.ipv4.ip_forward" needs linux.namespaces to have "network"'],
  ['ipc sysctl without an ipc namespace', (c) => c.linux.namespaces.splice(3, 1), 'config.json: linux.sysctl["kernel.shmmax"]: "kernel.shmmax" needs linux.namespaces to have "ipc"'],
  // linux paths and labels
  ['maskedPaths relative', (c) => (c.linux.maskedPaths = ['/proc/kcore', 'proc/keys']), 'config.json: linux.maskedPaths[1]: must be an absolute path, got "proc/keys"'],
  ['readonlyPaths not strings', (c) => (c.linux.readonlyPaths = [null]), 'config.json: linux.readonlyPaths[0]: must be a string, got null'],
  ['mountLabel a boolean', (c) => (c.linux.mountLabel = true), 'config.json: linux.mountLabel: must be a string, got a boolean true'],
  // linux.intelRdt
  ['intelRdt closID a path', (c) => (c.linux.intelRdt.closID = 'a/b'), 'config.json: linux.intelRdt.closID: "a/b" is not a resctrl group name'],
  ['intelRdt memBwSchema without MB:', (c) => (c.linux.intelRdt.memBwSchema = '0=20'), 'config.json: linux.intelRdt.memBwSchema: "0=20" must start with "MB:"'],
  ['intelRdt schemata with a newline', (c) => (c.linux.intelRdt.schemata = ['L3:0=f\nMB:0=1']), 'config.json: linux.intelRdt.schemata[0]: must not contain a newline, got "L3:0=f\\nMB:0=1"'],
  // linux.personality
  ['personality domain unknown', (c) => (c.linux.personality.domain = 'SVR4'), 'config.json: linux.personality.domain: unknown personality domain "SVR4" (expected LINUX, LINUX32)'],
  ['personality flags given', (c) => (c.linux.personality.flags = ['ADDR_NO_RANDOMIZE']), 'config.json: linux.personality.flags[0]: unsupported personality flag "ADDR_NO_RANDOMIZE" (none are defined)'],
  // linux.memoryPolicy
  ['memory policy mode unknown', (c) => (c.linux.memoryPolicy.mode = 'MPOL_FOO'), 'config.json: linux.memoryPolicy.mode: unknown memory policy mode "MPOL_FOO" (expected MPOL_DEFAULT, MPOL_BIND, MPOL_INTERLEAVE, MPOL_WEIGHTED_INTERLEAVE, MPOL_PREFERRED, MPOL_PREFERRED_MANY, MPOL_LOCAL)'],
  ['memory policy flag unknown', (c) => (c.linux.memoryPolicy.flags = ['MPOL_F_X']), 'config.json: linux.memoryPolicy.flags[0]: unknown memory policy flag "MPOL_F_X" (expected MPOL_F_NUMA_BALANCING, MPOL_F_RELATIVE_NODES, MPOL_F_STATIC_NODES)'],
  ['memory policy BIND without nodes', (c) => (c.linux.memoryPolicy = { mode: 'MPOL_BIND' }), 'config.json: linux.memoryPolicy.nodes: MPOL_BIND needs at least one node'],
  ['memory policy LOCAL with nodes', (c) => (c.linux.memoryPolicy = { mode: 'MPOL_LOCAL', nodes: '0' }), 'config.json: linux.memoryPolicy.nodes: must be empty for MPOL_LOCAL'],
  // across fields
  ['hostname without a uts namespace', (c) => c.linux.namespaces.splice(4, 1) && delete c.linux.sysctl['kernel.domainname'], 'config.json: hostname: setting "h" needs linux.namespaces to have "uts"'],
];

describe('validateConfig: invalid configs name the JSON path and the value', () => {
  it('has at least 60 cases', () => {
    expect(invalid.length).toBeGreaterThanOrEqual(60);
  });

  it.each(invalid)('%s', (_name, mutate, message) => {
    let c = full();
    mutate(c);
    if ('__replace' in c) c = c.__replace;
    const e = errorOf(c);
    expect(e.message).toBe(message);
    expect(e.code).toBe('EINVALIDCONFIG');
  });

  it('puts the JSON path in the error context', () => {
    const c = full();
    c.linux.namespaces[2].type = 'foo';
    expect(errorOf(c).context).toMatchObject({ path: 'linux.namespaces[2].type', file: 'config.json' });
  });

  it('reports the first error in document order', () => {
    const c = full();
    c.linux.namespaces[0].type = 'bogus';
    c.process.cwd = 'relative';
    expect(errorOf(c).message).toBe('config.json: process.cwd: must be an absolute path, got "relative"');
  });

  it('never changes the config it checks', () => {
    const c = full();
    const before = JSON.stringify(c);
    validateConfig(c);
    c.process.cwd = 'x';
    try {
      validateConfig(c);
    } catch {
      // expected
    }
    c.process.cwd = '/root';
    expect(JSON.stringify(c)).toBe(before);
  });
});

describe('validateProcess', () => {
  it('accepts a process object on its own', () => {
    expect(validateProcess({ args: ['ls'], cwd: '/', env: ['A=b'] }).args).toEqual(['ls']);
  });

  it('names process.json and the path inside the process', () => {
    expect(() => validateProcess({ args: ['ls'], cwd: 'tmp' })).toThrow('process.json: cwd: must be an absolute path, got "tmp"');
    expect(() => validateProcess({ cwd: '/', args: ['ls'], rlimits: [{ type: 'RLIMIT_X', soft: 1, hard: 1 }] })).toThrow(
      'process.json: rlimits[0].type: unknown rlimit "RLIMIT_X"',
    );
    expect(() => validateProcess('ls')).toThrow('process.json: must be a JSON object, got a string');
  });

  it('returns to config.json naming after a process.json error', () => {
    expect(() => validateProcess({})).toThrow('process.json: args: required field is missing');
    expect(() => validateConfig({ ociVersion: '1.3.0' })).toThrow('config.json: root: required field is missing');
  });
});
