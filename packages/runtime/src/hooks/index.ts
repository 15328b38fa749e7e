export { runHooks, WARN_ONLY_PHASES } from './run';
export type { Hook, HookState, RunHooksOptions } from './run';
