// Container ids (64 hex, shown as 12), generated names, and docker's name rule.
import crypto from 'node:crypto';
import { FlagError } from './errors';

export function newId(): string {
  return crypto.randomBytes(32).toString('hex');
}

export function shortId(id: string): string {
  return /^[0-9a-f]{64}$/.test(id) ? id.slice(0, 12) : id;
}

const NAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

export function checkName(name: string): string {
  if (!NAME_RE.test(name)) throw new FlagError(`Invalid container name (${name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
  return name;
}

const ADJECTIVES = [
  'amber', 'brave', 'calm', 'clever', 'crisp', 'dapper', 'eager', 'fancy', 'gentle', 'happy', 'jolly', 'keen',
  'lucid', 'merry', 'nimble', 'plucky', 'quiet', 'rapid', 'sharp', 'silent', 'steady', 'sunny', 'tidy', 'vivid', 'witty', 'zesty',
];
const NOUNS = [
  'otter', 'heron', 'badger', 'falcon', 'lynx', 'marten', 'osprey', 'puffin', 'raven', 'salmon', 'stoat', 'walrus',
  'basalt', 'cobalt', 'garnet', 'quartz', 'obsidian', 'granite', 'feldspar', 'jasper', 'onyx', 'topaz', 'beryl', 'mica',
];

/** A docker-style "adjective_noun" name; `taken` says which to avoid. */
export function generateName(taken: (name: string) => boolean): string {
  for (let i = 0; ; i++) {
    const pick = (list: string[]) => list[crypto.randomInt(list.length)]!;
    const name = `${pick(ADJECTIVES)}_${pick(NOUNS)}${i >= 10 ? crypto.randomInt(100) : ''}`;
    if (!taken(name)) return name;
  }
}
