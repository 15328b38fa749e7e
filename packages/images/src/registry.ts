// A client of the OCI distribution API over Node's fetch: manifests and blobs
// down, blobs and manifests up. Authentication as docker does it: try
// anonymously; on 401 follow WWW-Authenticate — Bearer (realm, service,
// scope: fetch a token, with the user's credentials if any) or Basic.
// TLS as docker does it: a secure registry is reached over HTTPS only,
// verified with the system's CAs plus <certsDir>/<host[:port]>/*.crt, with the
// client certificate <name>.cert and <name>.key there when the registry asks
// for one (docker's /etc/docker/certs.d layout); an insecure one (127.0.0.0/8, localhost and ::1
// by default, or named) is tried over HTTPS without verification first, then
// over plain HTTP.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { Agent, type Dispatcher } from 'undici';
import { ImageError, corrupt, invalid, notFound, unauthorized, unavailable } from './errors';
import { sha256 } from './content';
import { MANIFEST_ACCEPT } from './manifest';
import { apiHost } from './reference';

export interface Credentials {
  username?: string;
  password?: string;
  /** An OAuth refresh token (docker's identitytoken). */
  identityToken?: string;
}

export interface RegistryOptions {
  /** Registries (host[:port]) reached over plain HTTP, beside 127.0.0.0/8 and localhost. */
  insecure?: string[];
  credentials?: Credentials;
  /** Attempts for idempotent requests that fail on the network or with 5xx. */
  retries?: number;
  /** Base of the exponential backoff, ms. */
  backoffMs?: number;
  /** CA certificates per registry: <certsDir>/<host[:port]>/*.crt. */
  certsDir?: string;
}

/** The scheme each insecure registry answered on (https first, as docker): asked once per process. */
const schemes = new Map<string, 'https' | 'http'>();

/** Connection pools, shared by every pull and push: one unverified (insecure registries), one per CA set. */
const agents = new Map<string, Agent>();
/** Closes the pooled connections (a process that is done with registries: tests, a CLI). */
export async function closeRegistryConnections(): Promise<void> {
  const all = [...agents.values()];
  agents.clear();
  schemes.clear();
  await Promise.all(all.map((a) => a.close()));
}

function agentFor(key: string, make: () => Agent): Agent {
  let a = agents.get(key);
  if (!a) agents.set(key, (a = make()));
  return a;
}

/** What <certsDir>/<registry>/ says about TLS to that registry (docker's certs.d). */
export interface RegistryTLS {
  /** The system's CAs plus each *.crt; undefined when there is no *.crt. */
  ca?: string[];
  /** A client certificate (*.cert) and its key (the *.key of the same name). */
  cert?: string;
  key?: string;
}

/**
 * docker's certs.d layout: *.crt are CA certificates, each *.cert a client
 * certificate whose key is the *.key of the same name (a lone .cert or .key is
 * an error, as in docker). Node takes one client certificate per connection:
 * the first pair by name.
 */
export function registryTLS(certsDir: string | undefined, registry: string): RegistryTLS {
  if (!certsDir) return {};
  const dir = path.join(certsDir, registry);
  let names: string[];
  try {
    names = fs.readdirSync(dir).sort();
  } catch {
    return {};
  }
  const read = (n: string) => fs.readFileSync(path.join(dir, n), 'utf8');
  const out: RegistryTLS = {};
  const cas = names.filter((n) => n.endsWith('.crt'));
  if (cas.length) {
    const tls = require('node:tls') as typeof import('node:tls');
    out.ca = [...tls.rootCertificates, ...cas.map(read)];
  }
  for (const n of names.filter((x) => x.endsWith('.cert'))) {
    const key = `${n.slice(0, -'.cert'.length)}.key`;
    if (!names.includes(key)) throw invalid(`registry ${registry}: missing key ${key} for client certificate ${path.join(dir, n)}. CA certificates must use the extension .crt`);
    if (out.cert === undefined) { out.cert = read(n); out.key = read(key); }
  }
  for (const n of names.filter((x) => x.endsWith('.key'))) {
    const cert = `${n.slice(0, -'.key'.length)}.cert`;
    if (!names.includes(cert)) throw invalid(`registry ${registry}: missing client certificate ${cert} for key ${path.join(dir, n)}`);
  }
  return out;
}

export function isInsecure(registry: string, extra: string[] = []): boolean {
  if (extra.includes(registry)) return true;
  const host = registry.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  return /^127\.\d+\.\d+\.\d+$/.test(host) || host === 'localhost' || host === '::1';
}

interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

export function parseChallenge(header: string): Challenge | undefined {
  const m = /^\s*(\w+)\s*(.*)$/.exec(header);
  if (!m) return undefined;
  const params: Record<string, string> = {};
  const re = /(\w+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g;
  let p: RegExpExecArray | null;
  while ((p = re.exec(m[2]!))) params[p[1]!.toLowerCase()] = p[2] !== undefined ? p[2].replace(/\\(.)/g, '$1') : p[3]!;
  return { scheme: m[1]!.toLowerCase(), params };
}

interface RegistryErrorBody {
  errors?: { code?: string; message?: string; detail?: unknown }[];
}

async function errorText(res: Response): Promise<string> {
  try {
    const body = (await res.json()) as RegistryErrorBody;
    const e = body.errors?.[0];
    if (e) return `${(e.code ?? '').toLowerCase().replace(/_/g, ' ')}: ${e.message ?? ''}`.trim();
  } catch { /* not JSON */ }
  return `${res.status} ${res.statusText}`;
}

export interface RequestOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: Buffer | Readable;
  /** push,pull for uploads. */
  actions?: string;
  /** Statuses that are answers, not errors. */
  ok?: number[];
  /** What the error messages name (the reference). */
  what: string;
}

export class Registry {
  private base?: string;
  private readonly insecure: boolean;
  private readonly dispatcher?: Dispatcher;
  private readonly tokens = new Map<string, string>();
  private basic = false;

  constructor(readonly registry: string, readonly repository: string, private readonly opts: RegistryOptions = {}) {
    this.insecure = isInsecure(registry, opts.insecure);
    const tls = registryTLS(opts.certsDir, registry);
    const client = tls.cert ? { cert: tls.cert, key: tls.key } : {};
    // One pool per TLS setting: unverified (insecure registries) or a CA set, with or without a client certificate.
    const key = (kind: string) => `${kind}:${crypto.createHash('sha256').update([...(tls.ca ?? []), tls.cert ?? '', tls.key ?? ''].join('\n')).digest('hex')}`;
    if (this.insecure) this.dispatcher = agentFor(key('insecure'), () => new Agent({ connect: { rejectUnauthorized: false, ...client } }));
    else if (tls.ca || tls.cert) this.dispatcher = agentFor(key('verified'), () => new Agent({ connect: { ...(tls.ca ? { ca: tls.ca } : {}), ...client } }));
    if (!this.insecure) this.base = `https://${apiHost(registry)}/v2/`;
  }

  /** https://host/v2/, or for an insecure registry whichever of https and http answers. */
  private async baseUrl(): Promise<string> {
    if (this.base) return this.base;
    const host = apiHost(this.registry);
    let scheme = schemes.get(host);
    if (!scheme) {
      try {
        const res = await fetch(`https://${host}/v2/`, { dispatcher: this.dispatcher, signal: AbortSignal.timeout(5000) } as RequestInit);
        await res.arrayBuffer().catch(() => undefined);
        scheme = 'https';
      } catch {
        scheme = 'http';
      }
      schemes.set(host, scheme);
    }
    return (this.base = `${scheme}://${host}/v2/`);
  }

  private fetch(url: string | URL, init: RequestInit): Promise<Response> {
    return fetch(url, { ...init, ...(this.dispatcher ? { dispatcher: this.dispatcher } : {}) } as RequestInit);
  }

  private authHeader(actions: string): string | undefined {
    const token = this.tokens.get(actions) ?? (actions === 'pull' ? this.tokens.get('push,pull') : undefined);
    if (token) return `Bearer ${token}`;
    const c = this.opts.credentials;
    if (this.basic && c?.username !== undefined) return `Basic ${Buffer.from(`${c.username}:${c.password ?? ''}`).toString('base64')}`;
    return undefined;
  }

  private async fetchToken(ch: Challenge, actions: string, what: string): Promise<void> {
    const realm = ch.params.realm;
    if (!realm) throw unauthorized(`${what}: the registry's Bearer challenge names no realm`);
    const url = new URL(realm);
    if (ch.params.service) url.searchParams.set('service', ch.params.service);
    if (this.repository) url.searchParams.set('scope', `repository:${this.repository}:${actions}`);
    const headers: Record<string, string> = {};
    const c = this.opts.credentials;
    if (c?.username !== undefined) headers.authorization = `Basic ${Buffer.from(`${c.username}:${c.password ?? ''}`).toString('base64')}`;
    let res: Response;
    try {
      res = await this.fetch(url, { headers });
    } catch (e) {
      throw unavailable(`${what}: token service ${url.origin}: ${(e as Error).message}`, {}, e);
    }
    if (res.status === 401 || res.status === 403) throw unauthorized(`${what}: unauthorized: the token service refused the credentials (${await errorText(res)})`);
    if (!res.ok) throw unavailable(`${what}: token service ${url.origin}: ${await errorText(res)}`);
    const body = (await res.json()) as { token?: string; access_token?: string };
    const token = body.token ?? body.access_token;
    if (!token) throw unauthorized(`${what}: the token service answered without a token`);
    this.tokens.set(actions, token);
  }

  /** One request, authenticated on demand, retried when idempotent and transiently failing. */
  async request(path: string, o: RequestOptions): Promise<Response> {
    const method = o.method ?? 'GET';
    const actions = o.actions ?? 'pull';
    const url = /^https?:/.test(path) ? path : (await this.baseUrl()) + path;
    const idempotent = method === 'GET' || method === 'HEAD';
    const attempts = idempotent ? (this.opts.retries ?? 3) : 1;
    let authed = false;
    for (let attempt = 1; ; attempt++) {
      const headers: Record<string, string> = { ...o.headers };
      const auth = this.authHeader(actions);
      if (auth) headers.authorization = auth;
      let res: Response;
      try {
        const body = o.body instanceof Readable ? (Readable.toWeb(o.body) as ReadableStream) : o.body;
        res = await this.fetch(url, { method, headers, body, redirect: 'follow', ...(o.body instanceof Readable ? { duplex: 'half' } : {}) } as RequestInit);
      } catch (e) {
        const cause = (e as { cause?: Error }).cause?.message ?? (e as Error).message;
        if (attempt < attempts) { await this.backoff(attempt); continue; }
        throw unavailable(`${o.what}: cannot reach registry ${this.registry}: ${cause}`, { registry: this.registry }, e);
      }
      if (res.status === 401 && !authed && !(o.body instanceof Readable)) {
        authed = true;
        const ch = parseChallenge(res.headers.get('www-authenticate') ?? '');
        await res.arrayBuffer().catch(() => undefined);
        if (ch?.scheme === 'bearer') { await this.fetchToken(ch, actions, o.what); attempt--; continue; }
        if (ch?.scheme === 'basic' && this.opts.credentials?.username !== undefined) { this.basic = true; attempt--; continue; }
      }
      if (res.status >= 500 && attempt < attempts) {
        await res.arrayBuffer().catch(() => undefined);
        await this.backoff(attempt);
        continue;
      }
      if (res.ok || o.ok?.includes(res.status)) return res;
      throw await this.failure(res, o.what, actions);
    }
  }

  private backoff(attempt: number): Promise<void> {
    return new Promise((r) => setTimeout(r, (this.opts.backoffMs ?? 200) * 2 ** (attempt - 1)));
  }

  private async failure(res: Response, what: string, actions: string): Promise<ImageError> {
    const text = await errorText(res);
    if ((res.status === 401 || res.status === 403) && actions !== 'pull') {
      return unauthorized(`${what}: denied: requested access to the resource is denied (${text})`, { status: res.status });
    }
    if (res.status === 401 || res.status === 403) {
      return unauthorized(this.opts.credentials?.username !== undefined
        ? `${what}: unauthorized: ${text}`
        : `pull access denied for ${what}, repository does not exist or may require 'hullctl login': ${text}`, { status: res.status });
    }
    if (res.status === 404) return notFound(`${what}: not found: ${text}`, { status: res.status });
    return unavailable(`${what}: registry ${this.registry} answered ${text}`, { status: res.status });
  }

  /** A manifest (or index) by tag or digest: its bytes, media type and digest (checked when asked by digest). */
  async manifest(tagOrDigest: string, what: string): Promise<{ body: Buffer; mediaType: string; digest: string }> {
    let res: Response;
    try {
      res = await this.request(`${this.repository}/manifests/${tagOrDigest}`, { headers: { accept: MANIFEST_ACCEPT }, what });
    } catch (e) {
      if (e instanceof ImageError && e.kind === 'not-found') throw notFound(`manifest for ${what} not found: manifest unknown`, { reference: what });
      throw e;
    }
    const body = Buffer.from(await res.arrayBuffer());
    const digest = sha256(body);
    if (tagOrDigest.startsWith('sha256:') && digest !== tagOrDigest) throw corrupt(`${what}: manifest digest mismatch: asked for ${tagOrDigest}, got ${digest}`);
    let mediaType = (res.headers.get('content-type') ?? '').split(';')[0]!.trim();
    try {
      const doc = JSON.parse(body.toString('utf8')) as { mediaType?: string };
      if (doc.mediaType) mediaType = doc.mediaType;
    } catch {
      throw invalid(`${what}: the manifest is not JSON`);
    }
    return { body, mediaType, digest };
  }

  /** A blob from `offset` on (a Range request when offset > 0). */
  async blob(digest: string, offset: number, what: string): Promise<{ start: number; body: AsyncIterable<Uint8Array> }> {
    const headers: Record<string, string> = offset > 0 ? { range: `bytes=${offset}-` } : {};
    const res = await this.request(`${this.repository}/blobs/${digest}`, { headers, what: `${what} (blob ${digest})` });
    const start = res.status === 206 ? offset : 0;
    if (!res.body) throw unavailable(`${what}: blob ${digest}: empty response`);
    return { start, body: Readable.fromWeb(res.body as import('node:stream/web').ReadableStream) };
  }

  async hasBlob(digest: string, what: string): Promise<boolean> {
    const res = await this.request(`${this.repository}/blobs/${digest}`, { method: 'HEAD', actions: 'push,pull', ok: [404], what });
    return res.status !== 404;
  }

  /** A monolithic upload: POST for a location, then PUT the bytes with ?digest=. */
  async uploadBlob(digest: string, size: number, open: () => Readable, what: string): Promise<void> {
    const start = await this.request(`${this.repository}/blobs/uploads/`, { method: 'POST', actions: 'push,pull', headers: { 'content-length': '0' }, what, ok: [202] });
    await start.arrayBuffer().catch(() => undefined);
    const location = start.headers.get('location');
    if (!location) throw unavailable(`${what}: the registry gave no upload location`);
    const url = new URL(location, await this.baseUrl());
    url.searchParams.set('digest', digest);
    const res = await this.request(url.href, {
      method: 'PUT', actions: 'push,pull', what: `${what} (blob ${digest})`,
      headers: { 'content-type': 'application/octet-stream', 'content-length': String(size) }, body: open(),
    });
    await res.arrayBuffer().catch(() => undefined);
  }

  async putManifest(tag: string, body: Buffer, mediaType: string, what: string): Promise<void> {
    const res = await this.request(`${this.repository}/manifests/${tag}`, { method: 'PUT', actions: 'push,pull', headers: { 'content-type': mediaType }, body, what });
    await res.arrayBuffer().catch(() => undefined);
  }

  /** The repository's tags (GET /v2/<name>/tags/list, following Link pages). */
  async tags(what: string): Promise<string[]> {
    const out: string[] = [];
    let next: string | undefined = `${this.repository}/tags/list`;
    while (next) {
      const res: Response = await this.request(next, { what });
      const body = (await res.json()) as { tags?: string[] | null };
      out.push(...(body.tags ?? []));
      const link = /<([^>]+)>;\s*rel="next"/.exec(res.headers.get('link') ?? '');
      next = link ? new URL(link[1]!, await this.baseUrl()).href : undefined;
    }
    return out.sort();
  }

  /** Checks the credentials against /v2/ (hullctl login). */
  async ping(what: string): Promise<void> {
    const res = await this.request('', { what });
    await res.arrayBuffer().catch(() => undefined);
  }
}
