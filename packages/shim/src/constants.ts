// Facts shared by the daemon and its clients.
export const DEFAULT_ADDRESS = '/run/hull/hull-shim.sock';
export const DEFAULT_STATE_DIR = '/var/lib/hull-shim';
/** Any type_url of ExecProcessRequest.spec: runtime-spec Process JSON. */
export const PROCESS_SPEC_TYPE = 'types.containerd.io/opencontainers/runtime-spec/1/Process';
/** Any type_url of UpdateTaskRequest.resources: runtime-spec LinuxResources JSON. */
export const RESOURCES_SPEC_TYPE = 'types.containerd.io/opencontainers/runtime-spec/1/LinuxResources';
export const VERSION = '0.1.0';

/** containerd.v1.types.Status. */
export const Status = { UNKNOWN: 0, CREATED: 1, RUNNING: 2, STOPPED: 3, PAUSED: 4, PAUSING: 5 } as const;
export type StatusName = 'created' | 'running' | 'paused' | 'stopped';
export const STATUS_CODE: Record<StatusName, number> = { created: 1, running: 2, stopped: 3, paused: 4 };
