// `hull --version` in runc's shape, which engines and people read:
//   hull version 0.1.0
//   commit: <git describe of the build, when it was built from a checkout>
//   spec: 1.3.0
//   node: v20.x
//   libseccomp: 2.5.4
// File reads only: no koffi, no yargs, so it costs one Node start.
import fs from 'node:fs';
import path from 'node:path';
import { SPEC_VERSION } from '../spec/version';

export const VERSION = '0.1.0';

/** Written by `make build` next to the compiled code (lib/commit); absent in other builds. */
function buildCommit(): string | undefined {
  try {
    return fs.readFileSync(path.join(__dirname, '..', 'commit'), 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

/** The libseccomp the loader would give hull: libseccomp.so.2 is a link to libseccomp.so.2.X.Y. */
export function libseccompVersion(dirs = libraryDirs()): string | undefined {
  for (const dir of dirs) {
    try {
      const m = /^libseccomp\.so\.(\d+\.\d+\.\d+)$/.exec(path.basename(fs.realpathSync(path.join(dir, 'libseccomp.so.2'))));
      if (m) return m[1];
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

function libraryDirs(): string[] {
  const triplet = { x64: 'x86_64-linux-gnu', arm64: 'aarch64-linux-gnu', ppc64: 'powerpc64le-linux-gnu', s390x: 's390x-linux-gnu' }[process.arch as string];
  const multiarch = triplet ? [`/lib/${triplet}`, `/usr/lib/${triplet}`] : [];
  return [...multiarch, '/lib64', '/usr/lib64', '/lib', '/usr/lib', '/usr/local/lib'];
}

export function versionText(): string {
  const lines = [`hull version ${VERSION}`];
  const commit = buildCommit();
  if (commit) lines.push(`commit: ${commit}`);
  lines.push(`spec: ${SPEC_VERSION}`, `node: ${process.version}`);
  const seccomp = libseccompVersion();
  if (seccomp) lines.push(`libseccomp: ${seccomp}`);
  return lines.join('\n') + '\n';
}
