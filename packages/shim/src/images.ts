// gRPC handlers of hull.images.v1.Images over @hull/images. Only translation
// lives here: every rule is the library's.
import * as grpc from '@grpc/grpc-js';
import { ImageError, type Credentials, type Images, type Progress } from '@hull/images';
import type { Logger } from './log';
import { IMAGES_SERVICE, serviceDefinition } from './proto';

type Msg = Record<string, any>;

const CODES: Record<string, number> = {
  invalid: grpc.status.INVALID_ARGUMENT,
  'not-found': grpc.status.NOT_FOUND,
  conflict: grpc.status.FAILED_PRECONDITION,
  unauthorized: grpc.status.UNAUTHENTICATED,
  // Not UNAVAILABLE: to a client that means the supervisor itself is down.
  unavailable: grpc.status.UNKNOWN,
  corrupt: grpc.status.DATA_LOSS,
};

export function imageGrpcCode(e: unknown): number {
  return e instanceof ImageError ? CODES[e.kind] ?? grpc.status.UNKNOWN : grpc.status.UNKNOWN;
}

function credentials(auth: Msg | null | undefined): Credentials | undefined {
  if (!auth || (!auth.username && !auth.identity_token)) return undefined;
  return { username: auth.username, password: auth.password, identityToken: auth.identity_token || undefined };
}

function progressMsg(p: Progress): Msg {
  return { id: p.id, status: p.status, current: p.current ?? 0, total: p.total ?? 0, image_id: '' };
}

export function addImagesService(server: grpc.Server, images: Images, log: Logger): void {
  const fail = (name: string, e: Error) => {
    const code = imageGrpcCode(e);
    if (code === grpc.status.UNKNOWN) log.warn(`images ${name} failed`, { error: e.message });
    return { code, details: e.message };
  };
  const unary = (name: string, fn: (r: Msg) => Promise<Msg>): grpc.handleUnaryCall<Msg, Msg> => (call, cb) => {
    fn(call.request).then((res) => cb(null, res), (e: Error) => cb(fail(name, e)));
  };
  const stream = (name: string, fn: (r: Msg, progress: (p: Progress) => void) => Promise<string>) => (call: grpc.ServerWritableStream<Msg, Msg>) => {
    let closed = false;
    call.on('cancelled', () => { closed = true; });
    const write = (p: Progress) => { if (!closed) call.write(progressMsg(p)); };
    fn(call.request, write).then((imageId) => {
      if (closed) return;
      call.write({ id: '', status: '', current: 0, total: 0, image_id: imageId });
      call.end();
    // 'error' (not destroy) makes grpc-js end the call with this status.
    }, (e: Error) => { if (!closed) call.emit('error', Object.assign(new Error(e.message), fail(name, e))); });
  };
  const summary = (s: Awaited<ReturnType<Images['list']>>[number]) => ({ id: s.id, repo_tags: s.repoTags, repo_digests: s.repoDigests, created: s.created, size: s.size });

  server.addService(serviceDefinition(IMAGES_SERVICE), {
    Pull: stream('Pull', async (r, progress) => (await images.pull(r.ref, { platform: r.platform || undefined, credentials: credentials(r.auth), progress })).id),
    Push: stream('Push', async (r, progress) => images.push(r.ref, { credentials: credentials(r.auth), progress })),
    List: unary('List', async (r) => ({ images: (await images.list(!!r.all)).map(summary) })),
    Inspect: unary('Inspect', async (r) => ({ json: JSON.stringify(await images.inspect(r.ref)) })),
    History: unary('History', async (r) => ({
      entries: (await images.history(r.ref)).map((h) => ({ id: h.id, created: h.created, created_by: h.createdBy, size: h.size, comment: h.comment })),
    })),
    Tag: unary('Tag', async (r) => { await images.tag(r.source, r.target); return {}; }),
    Remove: unary('Remove', async (r) => images.remove(r.ref, r.force)),
    Prune: unary('Prune', async (r) => images.prune(r.all)),
    DiskUsage: unary('DiskUsage', async () => {
      const d = await images.df();
      return { images: d.images, active: d.active, size: d.size, reclaimable: d.reclaimable, containers: d.containers, containers_size: d.containersSize };
    }),
    Prepare: unary('Prepare', async (r) => {
      const p = await images.prepare(r.container_id, r.ref);
      return { mounts: p.mounts.map((m) => ({ ...m, target: '' })), image_id: p.image.id, config_json: JSON.stringify(p.config), lower_dirs: p.lowerDirs };
    }),
    RemoveSnapshot: unary('RemoveSnapshot', async (r) => { await images.removeSnapshot(r.container_id); return {}; }),
    Commit: unary('Commit', async (r) => ({
      image_id: await images.commit(r.container_id, r.ref || undefined, { message: r.message, author: r.author, changes: r.changes ?? [], createdBy: r.created_by }),
    })),
    Diff: unary('Diff', async (r) => ({ changes: await images.diff(r.container_id) })),
    Save: unary('Save', async (r) => { await images.save(r.refs ?? [], r.path, r.format || 'docker-archive'); return {}; }),
    Load: unary('Load', async (r) => ({ loaded: await images.load(r.path) })),
    Import: unary('Import', async (r) => ({
      image_id: await images.importTarball(r.source, r.ref || undefined, { changes: r.changes ?? [], message: r.message || undefined, platform: r.platform || undefined, label: r.label || undefined }),
    })),
    Export: unary('Export', async (r) => { await images.exportContainer(r.container_id, r.path, r.rootfs || undefined); return {}; }),
    Tags: unary('Tags', async (r) => ({ tags: await images.tags(r.repository, credentials(r.auth)) })),
    Login: unary('Login', async (r) => ({ status: await images.login(r.registry, credentials(r.auth) ?? {}) })),
  });
}
