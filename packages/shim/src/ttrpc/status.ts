// What ttrpc shares with gRPC: status codes, google.rpc.Status errors, metadata.
export const Code = {
  OK: 0, CANCELLED: 1, UNKNOWN: 2, INVALID_ARGUMENT: 3, DEADLINE_EXCEEDED: 4, NOT_FOUND: 5, ALREADY_EXISTS: 6,
  FAILED_PRECONDITION: 9, RESOURCE_EXHAUSTED: 8, UNIMPLEMENTED: 12, INTERNAL: 13, UNAVAILABLE: 14,
} as const;

/** The namespace containerd puts in every ttrpc call's metadata. */
export const NAMESPACE_KEY = 'containerd-namespace-ttrpc';

export type Metadata = Record<string, string[]>;

export function metadataOf(pairs: Array<{ key: string; value: string }> | undefined): Metadata {
  const md: Metadata = {};
  for (const { key, value } of pairs ?? []) (md[key] ??= []).push(value);
  return md;
}

export function metadataPairs(md: Metadata): Array<{ key: string; value: string }> {
  return Object.entries(md).flatMap(([key, values]) => values.map((value) => ({ key, value })));
}

/** A call that ended with a non-OK google.rpc.Status (or a connection that closed under it). */
export class TtrpcError extends Error {
  constructor(readonly code: number, message: string) {
    super(message);
  }
}
