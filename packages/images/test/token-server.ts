// A token service as the distribution spec and Docker Hub define it
// (docs/spec/auth/token.md): GET /token?service=S&scope=repository:NAME:ACTIONS,
// optional Basic credentials, answers {"token", "access_token"} — a JWT signed
// RS256 with a key whose certificate the registry trusts (rootcertbundle),
// named by its libtrust key ID. Anonymous callers get pull only.
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';

const b64url = (b: Buffer | string) => Buffer.from(b).toString('base64url');

/** libtrust's key ID: base32 of the first 240 bits of sha256(SPKI DER), in 12 groups of 4. */
export function libtrustKeyId(cert: string): string {
  const der = crypto.createPublicKey(cert).export({ type: 'spki', format: 'der' });
  const hash = crypto.createHash('sha256').update(der).digest().subarray(0, 30);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of hash) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return out.match(/.{4}/g)!.join(':');
}

export interface TokenRequest {
  service: string | null;
  scope: string | null;
  user?: string;
}

export interface TokenServer {
  realm: string;
  service: string;
  issuer: string;
  certFile: string;
  requests: TokenRequest[];
  stop(): Promise<void>;
}

export async function startTokenServer(dir: string, users: Record<string, string>): Promise<TokenServer> {
  const keyFile = path.join(dir, 'token.key');
  const certFile = path.join(dir, 'token.crt');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '2', '-subj', '/CN=hull-test-token'], { stdio: 'ignore' });
  const key = fs.readFileSync(keyFile, 'utf8');
  const kid = libtrustKeyId(fs.readFileSync(certFile, 'utf8'));
  const service = 'hull-test-registry';
  const issuer = 'hull-test-issuer';
  const requests: TokenRequest[] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    let user: string | undefined;
    const auth = req.headers.authorization;
    if (auth?.startsWith('Basic ')) {
      const [u, p] = Buffer.from(auth.slice(6), 'base64').toString().split(':');
      if (users[u!] !== p) {
        res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'bad credentials' }] }));
        return;
      }
      user = u;
    }
    const scope = url.searchParams.get('scope');
    requests.push({ service: url.searchParams.get('service'), scope, user });
    const access = [];
    if (scope) {
      const [type, name, actions] = scope.split(':');
      const wanted = (actions ?? '').split(',');
      access.push({ type, name, actions: user ? wanted : wanted.filter((a) => a === 'pull') });
    }
    const now = Math.floor(Date.now() / 1000);
    const header = b64url(JSON.stringify({ typ: 'JWT', alg: 'RS256', kid }));
    const claims = b64url(JSON.stringify({ iss: issuer, sub: user ?? '', aud: service, exp: now + 300, nbf: now - 10, iat: now, jti: crypto.randomUUID(), access }));
    const sig = crypto.sign('RSA-SHA256', Buffer.from(`${header}.${claims}`), key);
    const token = `${header}.${claims}.${b64url(sig)}`;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token, access_token: token, expires_in: 300, issued_at: new Date().toISOString() }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    realm: `http://127.0.0.1:${port}/token`, service, issuer, certFile, requests,
    stop: () => new Promise((r) => server.close(() => r())),
  };
}
