// Reading a bundle: its config.json, validated, and its root filesystem.

import fs from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../errors';
import type { Process, Spec } from './types';
import { checkRootfsLayout } from './rootfsChecks';
import { validateConfig, validateProcess, type ValidateOptions } from './validate';

export interface Bundle {
  spec: Spec;
  /** The bundle directory, absolute. */
  bundle: string;
  /** root.path resolved against the bundle, symlinks resolved: the directory to mount. */
  rootfs: string;
}

/** Loads <bundleDir>/config.json, validates it and finds the rootfs. Throws ConfigError. */
export function loadBundle(bundleDir: string, opts: ValidateOptions = {}): Bundle {
  const bundle = path.resolve(bundleDir);
  let st: fs.Stats;
  try {
    st = fs.statSync(bundle);
  } catch (e) {
    throw new ConfigError('', `bundle ${bundle}: ${describeFsError(e)}`, { bundle });
  }
  if (!st.isDirectory()) throw new ConfigError('', `bundle ${bundle}: not a directory`, { bundle });

  const file = path.join(bundle, 'config.json');
  const spec = validateConfig(readJsonFile(file, 'a bundle needs a config.json'), opts);
  const rootfs = findRootfs(bundle, (spec.root as { path: string }).path);
  checkRootfsLayout(spec, rootfs);
  return { spec, bundle, rootfs };
}

/** Reads and validates a process.json for `exec --process`. */
export function loadProcessFile(file: string, opts: ValidateOptions = {}): Process {
  return validateProcess(readJsonFile(path.resolve(file)), { ...opts, file: path.basename(file) });
}

function findRootfs(bundle: string, rootPath: string): string {
  const wanted = path.resolve(bundle, rootPath);
  const fail = (why: string) => new ConfigError('root.path', `${JSON.stringify(rootPath)}: ${why}`, { bundle, rootfs: wanted }).wrap('config.json');
  let real: string;
  try {
    // Mounting through a symlink would follow it again later; hand the real path on.
    real = fs.realpathSync(wanted);
  } catch (e) {
    throw fail(`${wanted}: ${describeFsError(e)}`);
  }
  if (!fs.statSync(real).isDirectory()) throw fail(`${wanted}: not a directory`);
  return real;
}

/** Reads a JSON file; errors name the file, and the line and column of a syntax error. */
export function readJsonFile(file: string, hintIfMissing?: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    const missing = (e as NodeJS.ErrnoException).code === 'ENOENT' && hintIfMissing ? ` (${hintIfMissing})` : '';
    throw new ConfigError('', `${file}: ${describeFsError(e)}${missing}`, { file });
  }
  return parseJson(text, file);
}

export function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    const pos = jsonErrorOffset(msg, text);
    const where = pos === undefined ? '' : ` at ${lineColumn(text, pos)}`;
    const reason = msg.replace(/ in JSON at position [0-9]+.*$/, '').replace(/^Unexpected token (.), ".*" is not valid JSON$/s, 'Unexpected token $1');
    throw new ConfigError('', `${file}: invalid JSON${where}: ${reason}`, { file });
  }
}

/** Where V8's JSON.parse message says the error is, or where a scan of the text finds it. */
function jsonErrorOffset(msg: string, text: string): number | undefined {
  const m = / at position ([0-9]+)/.exec(msg);
  if (m) return Number(m[1]);
  return syntaxErrorOffset(text);
}

/**
 * The offset of the first JSON syntax error in text, found by a plain recursive scan
 * (V8 does not always say where: "Unexpected token 'x', ... is not valid JSON").
 */
export function syntaxErrorOffset(text: string): number | undefined {
  let i = 0;
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i])) i++;
  };
  const literal = (word: string) => {
    if (!text.startsWith(word, i)) throw i;
    i += word.length;
  };
  const string = () => {
    i++; // the opening quote
    for (;;) {
      if (i >= text.length) throw i;
      const ch = text[i];
      if (ch === '"') {
        i++;
        return;
      }
      if (ch < ' ') throw i;
      if (ch === '\\') {
        const esc = text[i + 1];
        if (esc === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) throw i;
          i += 6;
        } else if (esc !== undefined && '"\\/bfnrt'.includes(esc)) {
          i += 2;
        } else {
          throw i;
        }
      } else {
        i++;
      }
    }
  };
  const number = () => {
    const m = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/.exec(text.slice(i));
    if (!m) throw i;
    i += m[0].length;
  };
  const value = (): void => {
    ws();
    const ch = text[i];
    if (ch === '{') {
      i++;
      ws();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') throw i;
        string();
        ws();
        if (text[i] !== ':') throw i;
        i++;
        value();
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return;
        }
        throw i;
      }
    }
    if (ch === '[') {
      i++;
      ws();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (;;) {
        value();
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          return;
        }
        throw i;
      }
    }
    if (ch === '"') return string();
    if (ch === 't') return literal('true');
    if (ch === 'f') return literal('false');
    if (ch === 'n') return literal('null');
    if (ch === '-' || (ch !== undefined && ch >= '0' && ch <= '9')) return number();
    throw i;
  };
  try {
    value();
    ws();
    return i < text.length ? i : undefined;
  } catch (at) {
    if (typeof at === 'number') return at;
    throw at;
  }
}

function lineColumn(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - (before.lastIndexOf('\n') + 1) + 1;
  return `line ${line}, column ${column}`;
}

function describeFsError(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'ENOTDIR':
      return 'a path component is not a directory';
    case 'EACCES':
      return 'permission denied';
    case 'ELOOP':
      return 'too many levels of symbolic links';
    case 'EISDIR':
      return 'is a directory';
    default:
      return code ?? (e instanceof Error ? e.message : String(e));
  }
}
