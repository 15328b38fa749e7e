// gRPC handlers of hull.volumes.v1.Volumes over a VolumeStore.
import type * as grpc from '@grpc/grpc-js';
import type { Logger } from '../log';
import { serviceDefinition, VOLUMES_SERVICE } from '../proto';
import { unary } from '../service';
import type { VolumeInfo, VolumeStore } from './store';

function toMessage(v: VolumeInfo): Record<string, unknown> {
  return { name: v.name, driver: 'local', mountpoint: v.mountpoint, labels: v.labels, created_at: v.createdAt, anonymous: v.anonymous, used_by: v.usedBy };
}

export function addVolumeService(server: grpc.Server, store: VolumeStore, log: Logger): void {
  const handlers: Record<string, (r: Record<string, any>) => unknown> = {
    Create: async (r) => toMessage(await store.create(r.name ?? '', r.labels ?? {})),
    List: (r) => ({ volumes: store.list(Boolean(r.dangling_only)).map(toMessage) }),
    Inspect: (r) => toMessage(store.inspect(r.name ?? '')),
    Remove: async (r) => { await store.remove(r.name ?? ''); return {}; },
    Prune: async (r) => {
      const { removed, bytes } = await store.prune(Boolean(r.all));
      return { removed, space_reclaimed: bytes };
    },
    Acquire: async (r) => toMessage(await store.acquire(r.container_id ?? '', r.name ?? '', r.seed_from ?? '', { layers: r.seed_layers ?? [], path: r.seed_path ?? '' })),
    Release: async (r) => ({ removed: await store.release(r.container_id ?? '', Boolean(r.remove_anonymous)) }),
  };
  const impl: grpc.UntypedServiceImplementation = {};
  for (const [name, fn] of Object.entries(handlers)) impl[name] = unary(log, `Volumes.${name}`, fn as never);
  server.addService(serviceDefinition(VOLUMES_SERVICE), impl);
}
