// Loads the .proto files with protobufjs and turns services into grpc-js
// definitions. Messages are plain objects with the protos' snake_case names.
import fs from 'node:fs';
import path from 'node:path';
import protobuf from 'protobufjs';
import type { ServiceDefinition } from '@grpc/grpc-js';

export const PROTO_DIR = path.resolve(__dirname, '../proto');
const CONTAINERD = 'github.com/containerd/containerd/api';
export const PROTO_FILES = [
  `${CONTAINERD}/runtime/task/v2/shim.proto`,
  `${CONTAINERD}/events/task.proto`,
  'hull/shim/v1/hull.proto',
  'hull/images/v1/images.proto',
  'hull/volumes/v1/volumes.proto',
  'hull/networks/v1/networks.proto',
  'hull/build/v1/build.proto',
];
/** Loaded beside them: ttrpc's messages, containerd's ttrpc events, cgroup metrics, runc options. */
const SHIM_V2_FILES = [
  'ttrpc/ttrpc.proto',
  `${CONTAINERD}/services/ttrpc/events/v1/events.proto`,
  'github.com/containerd/cgroups/stats/v1/metrics.proto',
  'github.com/containerd/cgroups/cgroup2/stats/metrics.proto',
  'github.com/containerd/containerd/runtime/v2/runc/options/oci.proto',
];
export const TASK_SERVICE = 'containerd.task.v2.Task';
export const HULL_SERVICE = 'hull.shim.v1.Hull';
export const IMAGES_SERVICE = 'hull.images.v1.Images';
export const VOLUMES_SERVICE = 'hull.volumes.v1.Volumes';
export const NETWORKS_SERVICE = 'hull.networks.v1.Networks';
export const BUILD_SERVICE = 'hull.build.v1.Builder';

const CONVERSION: protobuf.IConversionOptions = { longs: Number, enums: Number, defaults: true, arrays: true, objects: true };

let root: protobuf.Root | undefined;

/** The .proto files parsed: what `make build` stores as protos.json (`scripts/protos.js`). */
export function parseProtos(): protobuf.Root {
  const r = new protobuf.Root();
  r.resolvePath = (_origin, target) => path.join(PROTO_DIR, target);
  r.loadSync([...PROTO_FILES, ...SHIM_V2_FILES], { keepCase: true });
  return r;
}

export function protoRoot(): protobuf.Root {
  if (root) return root;
  // Parsing the .proto text was a fifth of a `hullctl ps`; the build keeps its result beside this module.
  let json: protobuf.INamespace | undefined;
  try {
    json = JSON.parse(fs.readFileSync(path.join(__dirname, 'protos.json'), 'utf8')) as protobuf.INamespace;
  } catch {
    // a development tree (jest runs the sources): parse
  }
  const r = json ? protobuf.Root.fromJSON(json) : parseProtos();
  r.resolveAll();
  root = r;
  return r;
}

export function messageType(fullName: string): protobuf.Type {
  return protoRoot().lookupType(fullName);
}

export function encode(type: protobuf.Type, obj: object): Buffer {
  return Buffer.from(type.encode(type.fromObject(obj)).finish());
}

export function decode<T = Record<string, any>>(type: protobuf.Type, buf: Uint8Array): T {
  return type.toObject(type.decode(buf), CONVERSION) as T;
}

/** A grpc-js service definition for a service of the loaded protos. */
export function serviceDefinition(name: string): ServiceDefinition {
  const service = protoRoot().lookupService(name);
  const def: Record<string, unknown> = {};
  for (const m of service.methodsArray) {
    m.resolve();
    const req = m.resolvedRequestType!;
    const res = m.resolvedResponseType!;
    def[m.name] = {
      path: `/${name}/${m.name}`,
      requestStream: !!m.requestStream,
      responseStream: !!m.responseStream,
      requestSerialize: (o: object) => encode(req, o),
      requestDeserialize: (b: Buffer) => decode(req, b),
      responseSerialize: (o: object) => encode(res, o),
      responseDeserialize: (b: Buffer) => decode(res, b),
      originalName: m.name,
    };
  }
  return def as ServiceDefinition;
}

/** Packs a message into a google.protobuf.Any named by its full name. */
export function packAny(fullName: string, obj: object): { type_url: string; value: Buffer } {
  return { type_url: fullName, value: encode(messageType(fullName), obj) };
}

/** Decodes an event Envelope's Any (type_url is the event's full name, with or without a host prefix). */
export function decodeEvent(envelope: { event?: { type_url: string; value: Uint8Array } | null }): Record<string, any> | undefined {
  const any = envelope.event;
  if (!any || !any.type_url) return undefined;
  const name = any.type_url.slice(any.type_url.lastIndexOf('/') + 1);
  return decode(messageType(name), any.value);
}
