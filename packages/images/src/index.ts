// @hull/images: the content store, image metadata, overlayfs snapshots, the
// registry client and the operations on images (see README.md).
export { Images, shortId, duSync, parseMirror, type ImagesOptions, type Progress, type ProgressFn, type PullOptions, type ImageSummary, type RemoveResult } from './images';
export { ContentStore, sha256 } from './content';
export { MetadataStore, type ImageRecord, type LayerRecord } from './metadata';
export { Snapshots, type Mount, type SnapshotRecord } from './snapshots';
export { Registry, closeRegistryConnections, isInsecure, parseChallenge, type Credentials, type RegistryOptions } from './registry';
export { unpackLayer, cleanEntryName } from './unpack';
export { parseReference, normalize, formatReference, familiarString, familiarName, repoName, type Reference } from './reference';
export { MEDIA, hostPlatform, parsePlatform, formatPlatform, type ImageConfig, type ContainerConfig, type Manifest, type Index, type Descriptor, type HistoryEntry } from './manifest';
export { ImageError, type ImageErrorKind } from './errors';
