// The Dockerfile's syntax as docker's parser (moby/buildkit's
// frontend/dockerfile/parser) reads it: parser directives at the top
// (`# escape=`, `# syntax=`; unknown ones ignored), comments, line
// continuations with the escape character, an instruction word and its
// arguments, `--flag=value`s, and the JSON (exec) form. Ours rather than
// dockerfile-ast: that one is an editor's AST (LSP ranges, no build
// semantics, vscode-languageserver-types) and we need exactly docker's
// line joining and the original text for history and the cache key.
import { BuildError } from './errors';

export interface Instruction {
  /** Upper case: FROM, RUN, ... */
  keyword: string;
  /** Everything after the keyword and its flags, continuations joined. */
  args: string;
  /** `--name=value` flags before the arguments. */
  flags: Record<string, string>;
  /** The exec (JSON) form, when the arguments are a JSON array of strings. */
  json?: string[];
  /** 1-based line of the keyword. */
  line: number;
  /** The instruction as written (continuations joined), for messages. */
  original: string;
}

export interface Dockerfile {
  escape: string;
  directives: Record<string, string>;
  instructions: Instruction[];
}

const JSON_FORMS = new Set(['RUN', 'CMD', 'ENTRYPOINT', 'SHELL', 'COPY', 'ADD', 'VOLUME']);
const KNOWN = new Set(['FROM', 'RUN', 'CMD', 'LABEL', 'MAINTAINER', 'EXPOSE', 'ENV', 'ADD', 'COPY', 'ENTRYPOINT', 'VOLUME', 'USER', 'WORKDIR', 'ARG', 'ONBUILD', 'STOPSIGNAL', 'HEALTHCHECK', 'SHELL']);

export function parseDockerfile(text: string, name = 'Dockerfile'): Dockerfile {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const directives: Record<string, string> = {};
  let i = 0;
  // Directives: `# key=value` lines before anything else; the first other line ends them.
  for (; i < lines.length; i++) {
    const m = /^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$/.exec(lines[i]!);
    if (!m) break;
    const key = m[1]!.toLowerCase();
    if (key in directives) break; // a repeated directive is a comment
    directives[key] = m[2]!;
  }
  const escape = directives.escape ?? '\\';
  if (escape !== '\\' && escape !== '`') throw new BuildError(`${name}: invalid escape token '${escape}' does not match ${'`'} or \\`, 'invalid');
  const instructions: Instruction[] = [];
  const isComment = (l: string) => /^\s*#/.test(l);
  for (; i < lines.length; i++) {
    const first = lines[i]!;
    if (!first.trim() || isComment(first)) continue;
    const start = i + 1;
    let joined = '';
    let line = first;
    for (;;) {
      const trimmed = line.replace(/\s+$/, '');
      if (trimmed.endsWith(escape) && i + 1 < lines.length) {
        joined += trimmed.slice(0, -1);
        i++;
        // Comments and empty lines inside a continuation are dropped, as docker does.
        while (i < lines.length && (isComment(lines[i]!) || !lines[i]!.trim())) i++;
        if (i >= lines.length) break;
        line = lines[i]!;
        continue;
      }
      joined += trimmed.endsWith(escape) ? trimmed.slice(0, -1) : line;
      break;
    }
    instructions.push(parseInstruction(joined.trim(), start, name));
  }
  return { escape, directives, instructions };
}

function parseInstruction(text: string, line: number, name: string): Instruction {
  const m = /^(\S+)\s*([\s\S]*)$/.exec(text)!;
  const keyword = m[1]!.toUpperCase();
  if (!KNOWN.has(keyword)) throw new BuildError(`${name}:${line}: unknown instruction: ${m[1]}`, 'invalid', { line });
  let rest = m[2]!;
  const flags: Record<string, string> = {};
  // Flags come first: --name=value (or --name for booleans).
  if (keyword !== 'RUN' || /^--/.test(rest)) {
    for (;;) {
      const f = /^--([a-zA-Z][a-zA-Z0-9-]*)(?:=(\S*))?(?:\s+|$)/.exec(rest);
      if (!f || keyword === 'ONBUILD') break;
      flags[f[1]!] = f[2] ?? 'true';
      rest = rest.slice(f[0].length);
    }
  }
  const ins: Instruction = { keyword, args: rest.trim(), flags, line, original: text };
  if (JSON_FORMS.has(keyword) && ins.args.startsWith('[')) {
    try {
      const v = JSON.parse(ins.args) as unknown;
      if (Array.isArray(v) && v.every((s) => typeof s === 'string')) ins.json = v as string[];
    } catch { /* not JSON: the shell form, as docker falls back */ }
  }
  return ins;
}

/**
 * Docker's word processing (ShellLex) for the instructions that take
 * variables: quotes removed, `\` (or the escape char) escapes, `$VAR`,
 * `${VAR}`, `${VAR:-word}`, `${VAR:+word}` expanded from `env`.
 */
export function expandWords(text: string, env: Map<string, string>, escape = '\\'): string[] {
  const words: string[] = [];
  let cur = '';
  let inWord = false;
  // A word made only of empty expansions is no word (the shell's rule); '' quoted is one.
  let literal = false;
  let i = 0;
  const variable = (): string => {
    // at `$`
    i++;
    if (text[i] === '{') {
      const end = matchingBrace(text, i);
      const inner = text.slice(i + 1, end);
      i = end + 1;
      const m = /^([A-Za-z_][A-Za-z0-9_]*)(?::([-+])([\s\S]*))?$/.exec(inner);
      if (!m) throw new BuildError(`bad substitution: \${${inner}}`, 'invalid');
      const v = env.get(m[1]!);
      if (m[2] === '-') return v ? v : expandWords(m[3]!, env, escape).join(' ');
      if (m[2] === '+') return v ? expandWords(m[3]!, env, escape).join(' ') : '';
      return v ?? '';
    }
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i));
    if (!m) return '$';
    i += m[0].length;
    return env.get(m[0]) ?? '';
  };
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      if (inWord && (cur || literal)) words.push(cur);
      cur = '';
      inWord = false;
      literal = false;
      i++;
      continue;
    }
    inWord = true;
    if (c !== '$') literal = true;
    if (c === escape && i + 1 < text.length) {
      cur += text[i + 1];
      i += 2;
    } else if (c === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) throw new BuildError(`unexpected end of statement while looking for matching single-quote`, 'invalid');
      cur += text.slice(i + 1, end);
      i = end + 1;
    } else if (c === '"') {
      i++;
      while (i < text.length && text[i] !== '"') {
        if (text[i] === escape && i + 1 < text.length && '"$\\`'.includes(text[i + 1]!)) {
          cur += text[i + 1];
          i += 2;
        } else if (text[i] === '$') cur += variable();
        else cur += text[i++];
      }
      if (i >= text.length) throw new BuildError(`unexpected end of statement while looking for matching double-quote`, 'invalid');
      i++;
    } else if (c === '$') {
      cur += variable();
    } else {
      cur += c;
      i++;
    }
  }
  if (inWord && (cur || literal)) words.push(cur);
  return words;
}

/** One string with variables expanded (WORKDIR, USER, ...): the words joined by one space. */
export function expandString(text: string, env: Map<string, string>, escape = '\\'): string {
  return expandWords(text, env, escape).join(' ');
}

function matchingBrace(text: string, open: number): number {
  let depth = 0;
  for (let j = open; j < text.length; j++) {
    if (text[j] === '{') depth++;
    else if (text[j] === '}' && --depth === 0) return j;
  }
  throw new BuildError(`missing '}' in ${text}`, 'invalid');
}

/**
 * ENV and LABEL's pairs: `k=v k2="v 2"`, or the legacy `k v w` (one pair,
 * the rest of the line the value).
 */
export function parsePairs(ins: Instruction, env: Map<string, string>, escape: string, expand = true): [string, string][] {
  const e = expand ? env : new Map<string, string>();
  const words = expandWords(ins.args, e, escape);
  if (words.length === 0) throw new BuildError(`${ins.keyword} requires at least one argument`, 'invalid', { line: ins.line });
  if (!words[0]!.includes('=')) {
    // Legacy form: the first word is the key, the rest (as written) the value.
    const m = /^(\S+)\s+([\s\S]*)$/.exec(ins.args);
    if (!m) throw new BuildError(`${ins.keyword} ${ins.args}: must have two arguments`, 'invalid', { line: ins.line });
    return [[m[1]!, expandWords(m[2]!, e, escape).join(' ')]];
  }
  return words.map((w) => {
    const eq = w.indexOf('=');
    if (eq <= 0) throw new BuildError(`${ins.keyword} names can not be blank: ${w}`, 'invalid', { line: ins.line });
    return [w.slice(0, eq), w.slice(eq + 1)];
  });
}
