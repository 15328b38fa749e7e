// @hull/shim: the supervisor's public surface for other packages (hullctl).
export { connect, type ShimClient } from './client';
export { decodeEvent, packAny, PROTO_DIR, PROTO_FILES, TASK_SERVICE, HULL_SERVICE, VOLUMES_SERVICE, NETWORKS_SERVICE } from './proto';
export { DEFAULT_ADDRESS, DEFAULT_STATE_DIR, PROCESS_SPEC_TYPE, RESOURCES_SPEC_TYPE, Status } from './constants';
