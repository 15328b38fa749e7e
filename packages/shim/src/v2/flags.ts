// containerd's shim command line, Go flag style: `-name value`, `-name=value`,
// `--name`, boolean `-debug`; the action (start, delete) follows the flags.
import { invalid } from '../errors';

export interface ShimFlags {
  namespace: string;
  address: string;
  publishBinary: string;
  id: string;
  bundle: string;
  debug: boolean;
  /** Private to the daemon hull starts: the runtime options `start` read from stdin. */
  runtimeBinary: string;
  runtimeRoot: string;
  action: string;
}

const STRING_FLAGS: Record<string, keyof ShimFlags> = {
  namespace: 'namespace', address: 'address', 'publish-binary': 'publishBinary', id: 'id', bundle: 'bundle',
  'runtime-binary': 'runtimeBinary', 'runtime-root': 'runtimeRoot',
};

export function parseFlags(argv: string[]): ShimFlags {
  const f: ShimFlags = { namespace: '', address: '', publishBinary: '', id: '', bundle: '', debug: false, runtimeBinary: '', runtimeRoot: '', action: '' };
  let i = 0;
  for (; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('-') || a === '-') break;
    if (a === '--') { i++; break; }
    const body = a.replace(/^--?/, '');
    const eq = body.indexOf('=');
    const name = eq >= 0 ? body.slice(0, eq) : body;
    if (name === 'v') {
      f.action = 'version';
      continue;
    }
    if (name === 'debug') {
      f.debug = eq < 0 || body.slice(eq + 1) === 'true';
      continue;
    }
    const key = STRING_FLAGS[name];
    if (!key) throw invalid(`flag provided but not defined: -${name}`);
    let value: string;
    if (eq >= 0) value = body.slice(eq + 1);
    else if (i + 1 < argv.length) value = argv[++i];
    else throw invalid(`flag needs an argument: -${name}`);
    (f as unknown as Record<string, string>)[key] = value;
  }
  const rest = argv.slice(i);
  if (rest.length > 1) throw invalid(`unexpected arguments after ${rest[0]}: ${rest.slice(1).join(' ')}`);
  f.action ||= rest[0] ?? '';
  return f;
}
