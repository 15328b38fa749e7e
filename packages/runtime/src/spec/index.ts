// @hull/runtime/spec: the OCI runtime-spec types and the default config (what `hull spec` writes),
// for the packages that build configs (hullctl). Types cost nothing at run time; defaults load
// only what `hull spec` loads.
export type * from './types';
export { defaultSpec, type DefaultSpecOptions } from './defaults';
