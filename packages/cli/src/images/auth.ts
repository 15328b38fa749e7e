// Registry credentials as docker keeps them: a config.json shaped like
// docker's ({"auths": {"host": {"auth": base64("user:password")}}}), mode
// 0600, in $HULL_CONFIG (a directory, default ~/.hull), written atomically.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeFileAtomicSync } from '@hull/sys/atomic';

/** docker's key for Docker Hub. */
export const DOCKER_HUB_KEY = 'https://index.docker.io/v1/';

export interface Auth {
  username: string;
  password: string;
}

interface ConfigFile {
  auths?: Record<string, { auth?: string; identitytoken?: string }>;
  [k: string]: unknown;
}

export function configFile(): string {
  return path.join(process.env.HULL_CONFIG || path.join(os.homedir(), '.hull'), 'config.json');
}

function read(): ConfigFile {
  try {
    return JSON.parse(fs.readFileSync(configFile(), 'utf8')) as ConfigFile;
  } catch {
    return {};
  }
}

function write(cfg: ConfigFile): void {
  const file = configFile();
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  writeFileAtomicSync(file, JSON.stringify(cfg, null, '\t') + '\n', { mode: 0o600 });
}

/** The config key of a registry: docker.io is docker's Hub key. */
export function registryKey(registry: string): string {
  return registry === 'docker.io' || registry === 'index.docker.io' || registry === 'registry-1.docker.io' ? DOCKER_HUB_KEY : registry;
}

export function getAuth(registry: string): Auth | undefined {
  const entry = read().auths?.[registryKey(registry)];
  if (!entry?.auth) return undefined;
  const text = Buffer.from(entry.auth, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  if (colon < 0) return undefined;
  return { username: text.slice(0, colon), password: text.slice(colon + 1) };
}

export function saveAuth(registry: string, auth: Auth): void {
  const cfg = read();
  cfg.auths = { ...cfg.auths, [registryKey(registry)]: { auth: Buffer.from(`${auth.username}:${auth.password}`).toString('base64') } };
  write(cfg);
}

/** Returns whether there was something to remove. */
export function removeAuth(registry: string): boolean {
  const cfg = read();
  const key = registryKey(registry);
  if (!cfg.auths?.[key]) return false;
  delete cfg.auths[key];
  write(cfg);
  return true;
}
