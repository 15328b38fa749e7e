// Settings this host (or hull) cannot honour fail create with a clear
// error naming the field, rather than being silently ignored.
import fs from 'node:fs';
import { ConfigError } from '../errors';
import type { Process, Spec } from '../spec/types';

const hasAppArmor = () => fs.existsSync('/sys/kernel/security/apparmor');
const hasSelinux = () => fs.existsSync('/sys/fs/selinux/enforce');
const hasResctrl = () => fs.existsSync('/sys/fs/resctrl/schemata');

export function checkProcessSupport(proc: Process | undefined, prefix = 'process'): void {
  if (proc?.apparmorProfile && !hasAppArmor()) {
    throw new ConfigError(`${prefix}.apparmorProfile`, `profile "${proc.apparmorProfile}" given, but AppArmor is not enabled on this host`);
  }
  if (proc?.selinuxLabel && !hasSelinux()) {
    throw new ConfigError(`${prefix}.selinuxLabel`, `label "${proc.selinuxLabel}" given, but SELinux is not enabled on this host`);
  }
  if (proc?.apparmorProfile || proc?.selinuxLabel) {
    // The LSM is there, but hull does not apply its labels yet.
    throw new ConfigError(prefix, 'AppArmor profiles and SELinux labels are not supported by hull yet');
  }
}

export function checkHostSupport(spec: Spec): void {
  checkProcessSupport(spec.process);
  const linux = spec.linux ?? {};
  if (linux.mountLabel) {
    throw new ConfigError('linux.mountLabel', hasSelinux() ? 'SELinux mount labels are not supported by hull yet' : `label "${linux.mountLabel}" given, but SELinux is not enabled on this host`);
  }
  if (linux.intelRdt) {
    throw new ConfigError('linux.intelRdt', hasResctrl() ? 'Intel RDT is not supported by hull yet' : 'Intel RDT requested, but resctrl is not mounted on this host (/sys/fs/resctrl)');
  }
}
