// /etc/hostname, /etc/hosts and /etc/resolv.conf, as docker gives every
// container: files in the bundle, bind-mounted over the rootfs's own. Only
// over files the rootfs has: hullctl never creates anything in a rootfs
// directory, which may be shared by many containers.
import fs from 'node:fs';
import path from 'node:path';
import type { Mount } from '@hull/runtime/spec';
import type { ContainerSpec } from './defaults';

function hostFile(p: string): string {
  try {
    return fs.readFileSync(p, 'utf8');
  } catch {
    return '';
  }
}

function rootfsHasFile(rootfs: string, rel: string): boolean {
  try {
    // lstat: a symlink in the rootfs is the container's business, not a file to cover.
    return fs.lstatSync(path.join(rootfs, rel)).isFile();
  } catch {
    return false;
  }
}

/** Writes the files into the bundle and returns the mounts for those the rootfs has. */
export function etcFiles(bundle: string, spec: ContainerSpec, hostNetwork: boolean, hasFile = (rel: string) => rootfsHasFile(spec.root.path, rel)): Mount[] {
  const hostname = spec.hostname ?? '';
  const files: Record<string, string> = {
    hostname: `${hostname}\n`,
    hosts: hostNetwork
      ? hostFile('/etc/hosts')
      : `127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n127.0.1.1\t${hostname}\n`,
    'resolv.conf': hostFile('/etc/resolv.conf'),
  };
  const mounts: Mount[] = [];
  for (const [name, text] of Object.entries(files)) {
    if (!hasFile(`etc/${name}`)) continue;
    if (spec.mounts?.some((m) => path.normalize(m.destination) === `/etc/${name}`)) continue; // the user's -v wins
    const source = path.join(bundle, name);
    fs.writeFileSync(source, text, { mode: 0o644 });
    mounts.push({ destination: `/etc/${name}`, type: 'bind', source, options: ['rbind', 'rprivate'] });
  }
  return mounts;
}
