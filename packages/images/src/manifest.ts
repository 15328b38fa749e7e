// Manifests and configs as registries serve them: Docker v2 schema 2 and OCI,
// single-platform manifests and multi-platform lists/indexes.
import { invalid, notFound } from './errors';

export const MEDIA = {
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar',
  ociLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  ociLayerZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
} as const;

export const MANIFEST_ACCEPT = [MEDIA.ociIndex, MEDIA.dockerList, MEDIA.dockerManifest, MEDIA.ociManifest].join(', ');

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: Platform;
  annotations?: Record<string, string>;
  urls?: string[];
}

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

export interface Manifest {
  schemaVersion: number;
  mediaType?: string;
  config: Descriptor;
  layers: Descriptor[];
  annotations?: Record<string, string>;
}

export interface Index {
  schemaVersion: number;
  mediaType?: string;
  manifests: Descriptor[];
}

export interface HistoryEntry {
  created?: string;
  created_by?: string;
  author?: string;
  comment?: string;
  empty_layer?: boolean;
}

/** The runtime part of an image config (docker's and OCI's are one shape). */
export interface ContainerConfig {
  User?: string;
  ExposedPorts?: Record<string, object>;
  Env?: string[];
  Entrypoint?: string[] | null;
  Cmd?: string[] | null;
  Volumes?: Record<string, object>;
  WorkingDir?: string;
  Labels?: Record<string, string>;
  StopSignal?: string;
}

export interface ImageConfig {
  created?: string;
  author?: string;
  architecture: string;
  os: string;
  variant?: string;
  config?: ContainerConfig;
  rootfs: { type: 'layers'; diff_ids: string[] };
  history?: HistoryEntry[];
  [k: string]: unknown;
}

export function isIndex(mediaType: string, doc: Record<string, unknown>): boolean {
  return mediaType === MEDIA.ociIndex || mediaType === MEDIA.dockerList || (!mediaType && Array.isArray(doc.manifests));
}

export function checkManifest(doc: unknown, what: string): Manifest {
  const m = doc as Manifest;
  if (!m || m.schemaVersion !== 2 || !m.config?.digest || !Array.isArray(m.layers)) {
    if ((doc as { schemaVersion?: number })?.schemaVersion === 1) throw invalid(`${what}: Docker image manifest schema 1 is not supported: push it again with a newer client`);
    throw invalid(`${what}: not an image manifest (schema 2, config, layers)`);
  }
  return m;
}

/** linux/amd64, linux/arm64/v8 … the host's by default. */
export function parsePlatform(s: string): Platform {
  const [os, architecture, variant] = s.split('/');
  if (!os || !architecture) throw invalid(`platform ${JSON.stringify(s)}: expected os/arch[/variant]`);
  return { os, architecture, ...(variant ? { variant } : {}) };
}

export function hostPlatform(): Platform {
  const arch = ({ x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x' } as Record<string, string>)[process.arch] ?? process.arch;
  return { os: 'linux', architecture: arch, ...(arch === 'arm64' ? { variant: 'v8' } : {}) };
}

export function formatPlatform(p: Platform): string {
  return `${p.os}/${p.architecture}${p.variant ? `/${p.variant}` : ''}`;
}

/** The index's entry for `want` (variant matched when both name one). */
export function choosePlatform(index: Index, want: Platform, what: string): Descriptor {
  const match = index.manifests.find((d) => d.platform && d.platform.os === want.os && d.platform.architecture === want.architecture
    && (!want.variant || !d.platform.variant || d.platform.variant === want.variant));
  if (!match) {
    const have = index.manifests.filter((d) => d.platform).map((d) => formatPlatform(d.platform!)).join(', ');
    throw notFound(`${what}: no matching manifest for ${formatPlatform(want)} in the manifest list entries (it has: ${have || 'none'})`, { platform: formatPlatform(want) });
  }
  return match;
}
