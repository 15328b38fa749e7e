// Image references as docker parses them (distribution/reference's
// normalized names): `busybox` is docker.io/library/busybox:latest,
// `host:port/repo:tag` names a registry by its first component when that has
// a dot, a colon or is "localhost", and `@sha256:...` pins a digest.
import { invalid } from './errors';

export const DEFAULT_REGISTRY = 'docker.io';
/** Where docker.io is really served. */
export const DOCKER_HUB_API = 'registry-1.docker.io';

export interface Reference {
  /** Registry host[:port], e.g. docker.io or 127.0.0.1:5000. */
  registry: string;
  /** Repository path within the registry, e.g. library/busybox. */
  repository: string;
  tag?: string;
  digest?: string;
}

const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;
const DOMAIN = /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?))*(?::[0-9]+)?$|^\[[0-9a-fA-F:]+\](?::[0-9]+)?$/;

export function isDigest(s: string): boolean {
  return DIGEST.test(s);
}

/** Parses a reference; a missing tag is left undefined (see withDefaultTag). */
export function parseReference(input: string): Reference {
  const bad = (why: string) => invalid(`invalid reference format: ${JSON.stringify(input)}: ${why}`, { reference: input });
  if (!input) throw bad('empty');
  if (input.length > 255 + 72) throw bad('too long');
  let rest = input;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) throw bad(`digest ${JSON.stringify(digest)} is not sha256:<64 hex digits>`);
  }
  let tag: string | undefined;
  const slash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > slash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) throw bad(`tag ${JSON.stringify(tag)} is invalid`);
  }
  let registry = DEFAULT_REGISTRY;
  let path = rest;
  const first = rest.indexOf('/');
  if (first >= 0) {
    const head = rest.slice(0, first);
    if (head.includes('.') || head.includes(':') || head === 'localhost' || head !== head.toLowerCase()) {
      if (!DOMAIN.test(head)) throw bad(`registry ${JSON.stringify(head)} is invalid`);
      registry = head;
      path = rest.slice(first + 1);
    }
  }
  if (registry === 'index.docker.io') registry = DEFAULT_REGISTRY;
  if (!path) throw bad('no repository name');
  if (path !== path.toLowerCase()) throw bad('repository name must be lowercase');
  for (const c of path.split('/')) if (!COMPONENT.test(c)) throw bad(`repository component ${JSON.stringify(c)} is invalid`);
  if (registry === DEFAULT_REGISTRY && !path.includes('/')) path = `library/${path}`;
  if (registry.length + path.length + 1 > 255) throw bad('repository name must not be more than 255 characters');
  return { registry, repository: path, tag, digest };
}

/** `busybox` → tag latest; a digest-only reference keeps no tag. */
export function withDefaultTag(ref: Reference): Reference {
  return ref.tag || ref.digest ? ref : { ...ref, tag: 'latest' };
}

/** Parses and normalises as docker pull does: a missing tag is `latest`. */
export function normalize(input: string): Reference {
  return withDefaultTag(parseReference(input));
}

/** docker.io/library/busybox (the full name, as `docker image inspect` RepoTags shows it familiar). */
export function repoName(ref: Reference): string {
  return `${ref.registry}/${ref.repository}`;
}

/** The full canonical string: docker.io/library/busybox:latest, host:5000/x@sha256:... */
export function formatReference(ref: Reference): string {
  return `${repoName(ref)}${ref.tag ? `:${ref.tag}` : ''}${ref.digest ? `@${ref.digest}` : ''}`;
}

/** docker's short form for display: busybox, not docker.io/library/busybox. */
export function familiarName(ref: Reference): string {
  if (ref.registry !== DEFAULT_REGISTRY) return repoName(ref);
  return ref.repository.startsWith('library/') ? ref.repository.slice('library/'.length) : ref.repository;
}

export function familiarString(ref: Reference): string {
  return `${familiarName(ref)}${ref.tag ? `:${ref.tag}` : ''}${ref.digest ? `@${ref.digest}` : ''}`;
}

/** The host the API is served from (docker.io → registry-1.docker.io). */
export function apiHost(registry: string): string {
  return registry === DEFAULT_REGISTRY ? DOCKER_HUB_API : registry;
}
