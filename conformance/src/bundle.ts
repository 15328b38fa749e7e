// Throwaway OCI bundles: a copy of the busybox rootfs plus a config.json built from a sane default.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);

/** A config.json as plain JSON: cases mutate it freely, including into invalid shapes. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Config = Record<string, any>;

export interface Bundle {
  dir: string;
  rootfs: string;
  config: Config;
}

const defaultCaps = [
  'CAP_AUDIT_WRITE', 'CAP_KILL', 'CAP_NET_BIND_SERVICE', 'CAP_CHOWN', 'CAP_DAC_OVERRIDE',
  'CAP_FOWNER', 'CAP_FSETID', 'CAP_SETGID', 'CAP_SETUID', 'CAP_SETPCAP', 'CAP_NET_RAW',
  'CAP_SYS_CHROOT', 'CAP_MKNOD', 'CAP_SETFCAP',
];

/** The default config: what `runc spec` gives, with a few more capabilities and no terminal. */
export function defaultConfig(): Config {
  return {
    ociVersion: '1.0.2',
    process: {
      terminal: false,
      user: { uid: 0, gid: 0 },
      args: ['sh', '-c', 'true'],
      env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'TERM=xterm'],
      cwd: '/',
      capabilities: {
        bounding: [...defaultCaps],
        effective: [...defaultCaps],
        permitted: [...defaultCaps],
      },
      rlimits: [{ type: 'RLIMIT_NOFILE', hard: 1024, soft: 1024 }],
      noNewPrivileges: true,
    },
    root: { path: 'rootfs', readonly: false },
    hostname: 'conformance',
    mounts: [
      { destination: '/proc', type: 'proc', source: 'proc' },
      { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
      { destination: '/dev/pts', type: 'devpts', source: 'devpts', options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'] },
      { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'] },
      { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
      { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
      { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['nosuid', 'noexec', 'nodev', 'relatime', 'ro'] },
    ],
    linux: {
      resources: { devices: [{ allow: false, access: 'rwm' }] },
      namespaces: [{ type: 'pid' }, { type: 'network' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }],
      maskedPaths: [
        '/proc/acpi', '/proc/asound', '/proc/kcore', '/proc/keys', '/proc/latency_stats', '/proc/timer_list',
        '/proc/timer_stats', '/proc/sched_debug', '/sys/firmware', '/proc/scsi',
      ],
      readonlyPaths: ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'],
    },
  };
}

/** The busybox rootfs every bundle copies (`make rootfs`). */
export function baseRootfs(): string {
  return process.env.CONFORMANCE_ROOTFS ?? path.resolve(__dirname, '..', '..', 'build', 'rootfs');
}

/**
 * Makes a bundle under `parent`: a private copy of the rootfs (2 MB, so copying is cheap and a container
 * may write into its rootfs, which the host then reads as the container's report) and config.json.
 */
export async function makeBundle(parent: string, name: string, config: Config): Promise<Bundle> {
  const dir = path.join(parent, name);
  fs.mkdirSync(dir, { recursive: true });
  const rootfs = path.join(dir, 'rootfs');
  await execFileP('cp', ['-a', baseRootfs(), rootfs]);
  writeConfig(dir, config);
  return { dir, rootfs, config };
}

export function writeConfig(dir: string, config: Config): void {
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config, null, 2));
}
