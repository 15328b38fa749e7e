// What hullctl records in a container's config.json annotations: the things
// docker shows that the supervisor does not keep.
export const NAME_ANNOTATION = 'io.hull.name';
export const CREATED_ANNOTATION = 'io.hull.created';
export const AUTOREMOVE_ANNOTATION = 'io.hull.autoremove';
export const INTERACTIVE_ANNOTATION = 'io.hull.interactive';
/** The image a container was made from: as the user named it, and its ID. */
export const IMAGE_ANNOTATION = 'io.hull.image';
export const IMAGE_ID_ANNOTATION = 'io.hull.image.id';
/** The image's StopSignal (containerd's annotation name); `stop` sends it. */
export const STOP_SIGNAL_ANNOTATION = 'io.containerd.image.config.stop-signal';
/** The image's ExposedPorts, JSON: recorded for the networking of `-p`/`-P`. */
export const EXPOSED_PORTS_ANNOTATION = 'io.hull.image.exposed-ports';
/** --network as given (none, host, bridge, a network, container:NAME). */
export const NETWORK_ANNOTATION = 'io.hull.network';
