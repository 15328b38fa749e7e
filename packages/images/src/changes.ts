// `commit -c` and `import -c`: the Dockerfile instructions that change an
// image's config (CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, STOPSIGNAL, USER,
// VOLUME, WORKDIR), applied as docker applies them.
import { invalid } from './errors';
import type { ContainerConfig } from './manifest';

function words(text: string, what: string): string[] {
  const t = text.trim();
  if (t.startsWith('[')) {
    try {
      const v = JSON.parse(t) as unknown;
      if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
    } catch { /* fall through */ }
    throw invalid(`${what}: not a JSON array of strings: ${t}`);
  }
  return ['/bin/sh', '-c', t];
}

function pairs(text: string, what: string): [string, string][] {
  const t = text.trim();
  if (!t.includes('=')) {
    // ENV KEY VALUE (the old form)
    const sp = t.search(/\s/);
    if (sp < 0) throw invalid(`${what}: expected KEY=VALUE or KEY VALUE`);
    return [[t.slice(0, sp), t.slice(sp).trim()]];
  }
  const out: [string, string][] = [];
  for (const m of t.matchAll(/([^\s=]+)=("(?:[^"\\]|\\.)*"|\S*)/g)) {
    const v = m[2]!.startsWith('"') ? (JSON.parse(m[2]!) as string) : m[2]!;
    out.push([m[1]!, v]);
  }
  if (!out.length) throw invalid(`${what}: expected KEY=VALUE`);
  return out;
}

export function applyChanges(base: ContainerConfig | undefined, changes: string[]): ContainerConfig {
  const c: ContainerConfig = JSON.parse(JSON.stringify(base ?? {})) as ContainerConfig;
  for (const change of changes) {
    const m = /^\s*([A-Za-z]+)(?:\s+|=)([\s\S]*)$/.exec(change);
    if (!m) throw invalid(`invalid change ${JSON.stringify(change)}: expected INSTRUCTION ARGS`);
    const op = m[1]!.toUpperCase();
    const arg = m[2]!;
    const what = `change ${JSON.stringify(change)}`;
    switch (op) {
      case 'CMD': c.Cmd = words(arg, what); break;
      case 'ENTRYPOINT': c.Entrypoint = words(arg, what); break;
      case 'ENV': {
        const env = [...(c.Env ?? [])];
        for (const [k, v] of pairs(arg, what)) {
          const i = env.findIndex((e) => e.split('=')[0] === k);
          if (i >= 0) env[i] = `${k}=${v}`;
          else env.push(`${k}=${v}`);
        }
        c.Env = env;
        break;
      }
      case 'LABEL': c.Labels = { ...c.Labels, ...Object.fromEntries(pairs(arg, what)) }; break;
      case 'EXPOSE':
        c.ExposedPorts = { ...c.ExposedPorts };
        for (const p of arg.trim().split(/\s+/)) {
          if (!/^\d+(-\d+)?(\/(tcp|udp|sctp))?$/.test(p)) throw invalid(`${what}: invalid port ${p}`);
          c.ExposedPorts[p.includes('/') ? p : `${p}/tcp`] = {};
        }
        break;
      case 'STOPSIGNAL': c.StopSignal = arg.trim(); break;
      case 'USER': c.User = arg.trim(); break;
      case 'WORKDIR': c.WorkingDir = arg.trim(); break;
      case 'VOLUME': {
        c.Volumes = { ...c.Volumes };
        const t = arg.trim();
        for (const v of t.startsWith('[') ? (JSON.parse(t) as string[]) : t.split(/\s+/)) c.Volumes[v] = {};
        break;
      }
      default:
        throw invalid(`${what}: ${op} is not a valid change command (CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, STOPSIGNAL, USER, VOLUME, WORKDIR)`);
    }
  }
  return c;
}
