// hull's default spec (what `hull spec` writes, runc spec's content) and the
// shape of every config hullctl writes: the runtime's Spec with the process,
// its user and the root always set.
import { defaultSpec as hullDefaultSpec, type Process, type Root, type Spec, type User } from '@hull/runtime/spec';

export type ContainerSpec = Spec & { process: Process & { user: User }; root: Root };

export function defaultSpec(): ContainerSpec {
  const spec = hullDefaultSpec();
  if (!spec.process?.user || !spec.root) throw new Error('hull spec: the default config has no process user or root');
  return spec as ContainerSpec;
}
