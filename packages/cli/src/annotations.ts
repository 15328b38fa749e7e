// What hullctl records in a container's config.json annotations: the things
// docker shows that the supervisor does not keep.
export const NAME_ANNOTATION = 'io.hull.name';
export const CREATED_ANNOTATION = 'io.hull.created';
export const AUTOREMOVE_ANNOTATION = 'io.hull.autoremove';
export const INTERACTIVE_ANNOTATION = 'io.hull.interactive';
/** --network as given (none, host, bridge, a network, container:NAME). */
export const NETWORK_ANNOTATION = 'io.hull.network';
