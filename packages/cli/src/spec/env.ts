// -e and --env-file, as docker reads them: KEY=VALUE sets, a bare KEY takes
// the host's value (or nothing when unset), later settings win.
import fs from 'node:fs';
import { FlagError, invalidFlag } from '../errors';

function entry(text: string, where: string, hostEnv: NodeJS.ProcessEnv): string | undefined {
  const eq = text.indexOf('=');
  const key = eq < 0 ? text : text.slice(0, eq);
  if (key === '') throw new FlagError(`${where}: invalid environment variable: ${text}`);
  if (/\s/.test(key)) throw new FlagError(`${where}: variable '${key}' contains whitespaces`);
  if (eq >= 0) return text;
  const host = hostEnv[key];
  return host === undefined ? undefined : `${key}=${host}`;
}

/** The entries of an env file: one per line, '#' comments and blank lines skipped. */
export function readEnvFile(file: string, hostEnv: NodeJS.ProcessEnv = process.env): string[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw invalidFlag(file, '--env-file', `open ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (e as Error).message}`);
  }
  const out: string[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/\r$/, '').trimStart();
    if (line === '' || line.startsWith('#')) return;
    const e = entry(line, `${file}:${i + 1}`, hostEnv);
    if (e !== undefined) out.push(e);
  });
  return out;
}

export function parseEnvFlags(values: string[], hostEnv: NodeJS.ProcessEnv = process.env): string[] {
  return values.flatMap((v) => entry(v, '-e, --env', hostEnv) ?? []);
}

/** Merge KEY=VALUE lists: a later KEY replaces an earlier one in place. */
export function mergeEnv(...lists: string[][]): string[] {
  const byKey = new Map<string, string>();
  for (const list of lists) {
    for (const e of list) {
      const eq = e.indexOf('=');
      const key = eq < 0 ? e : e.slice(0, eq);
      byKey.delete(key);
      byKey.set(key, e);
    }
  }
  return [...byKey.values()];
}
