// The OCI config of a RUN step's container: hull's default spec with
// docker's default capabilities, the step's environment, user and working
// directory, and no network unless the build asked for the host's.
import { defaultSpec, type Spec } from '@hull/runtime/spec';

const DOCKER_DEFAULT_CAPS = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FSETID', 'CAP_FOWNER', 'CAP_MKNOD', 'CAP_NET_RAW', 'CAP_SETGID', 'CAP_SETUID',
  'CAP_SETFCAP', 'CAP_SETPCAP', 'CAP_NET_BIND_SERVICE', 'CAP_SYS_CHROOT', 'CAP_KILL', 'CAP_AUDIT_WRITE',
];

export interface RunSpecOptions {
  args: string[];
  env: string[];
  cwd: string;
  uid: number;
  gid: number;
  /** 'none' (a network namespace with only lo) or 'host'. */
  network: string;
}

export function runSpec(o: RunSpecOptions): Spec {
  const spec = defaultSpec();
  spec.process = {
    ...spec.process!,
    terminal: false,
    args: o.args,
    env: o.env,
    cwd: o.cwd,
    user: { uid: o.uid, gid: o.gid },
    capabilities: { bounding: DOCKER_DEFAULT_CAPS, effective: DOCKER_DEFAULT_CAPS, permitted: DOCKER_DEFAULT_CAPS },
  };
  spec.root = { path: 'rootfs', readonly: false };
  spec.hostname = 'hull-build';
  if (o.network === 'host' && spec.linux?.namespaces) spec.linux.namespaces = spec.linux.namespaces.filter((n) => n.type !== 'network');
  return spec;
}
