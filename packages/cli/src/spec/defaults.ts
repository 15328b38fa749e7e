// hull's default spec (what `hull spec` writes, runc spec's content), seen
// through hullctl's loose Spec type.
import { defaultSpec as hullDefaultSpec } from '@hull/runtime/lib/spec/defaults';
import type { Spec } from './types';

export function defaultSpec(): Spec {
  return hullDefaultSpec() as unknown as Spec;
}
