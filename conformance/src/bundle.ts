// Throwaway OCI bundles: a copy of the busybox rootfs plus a config.json built from a sane default.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { defaultSpec } from '@hull/runtime/spec';

const execFileP = promisify(execFile);

/** A config.json as plain JSON: cases mutate it freely, including into invalid shapes. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Config = Record<string, any>;

export interface Bundle {
  dir: string;
  rootfs: string;
  config: Config;
}

// The capabilities the cases start from: runc spec's three plus what a shell's tools need to act as root.
const defaultCaps = [
  'CAP_AUDIT_WRITE', 'CAP_KILL', 'CAP_NET_BIND_SERVICE', 'CAP_CHOWN', 'CAP_DAC_OVERRIDE',
  'CAP_FOWNER', 'CAP_FSETID', 'CAP_SETGID', 'CAP_SETUID', 'CAP_SETPCAP', 'CAP_NET_RAW',
  'CAP_SYS_CHROOT', 'CAP_MKNOD', 'CAP_SETFCAP',
];

/**
 * The default config: what `runc spec` gives (as the runtime's public spec surface builds it: plain
 * JSON, no hull binary involved, so the suite stays runtime-agnostic), with no terminal, a writable
 * rootfs (containers leave their reports there), more capabilities and none ambient.
 */
export function defaultConfig(): Config {
  const config: Config = defaultSpec();
  config.process.terminal = false;
  config.process.args = ['sh', '-c', 'true'];
  config.process.capabilities = { bounding: [...defaultCaps], effective: [...defaultCaps], permitted: [...defaultCaps] };
  config.root.readonly = false;
  config.hostname = 'conformance';
  return config;
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
