// The references hullctl parses itself (to find credentials, to print
// docker's "Using default tag"): the same rules as @hull/images.
import { CliError } from '../errors';

export interface Ref {
  registry: string;
  repository: string;
  tag?: string;
  digest?: string;
}

/** A light parse: registry, repository path, tag, digest (full validation is the supervisor's). */
export function splitRef(input: string): Ref {
  let rest = input;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const slash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > slash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  const first = rest.indexOf('/');
  const head = first >= 0 ? rest.slice(0, first) : '';
  const hasRegistry = first >= 0 && (head.includes('.') || head.includes(':') || head === 'localhost');
  if (!rest) throw new CliError(`invalid reference format: ${JSON.stringify(input)}`, 125, 'EINVAL');
  return { registry: hasRegistry ? head : 'docker.io', repository: hasRegistry ? rest.slice(first + 1) : rest, tag, digest };
}
