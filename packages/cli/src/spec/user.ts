// -u, --user: "uid", "uid:gid", "name" or "name:group", resolved against the
// container's own /etc/passwd and /etc/group, as docker does.
import fs from 'node:fs';
import path from 'node:path';
import { invalidFlag } from '../errors';

export interface ResolvedUser {
  uid: number;
  gid: number;
  home: string;
}

interface Entry {
  name: string;
  id: number;
  gid: number;
  home: string;
}

function readDb(rootfs: string, file: string): Entry[] {
  let text = '';
  try {
    text = fs.readFileSync(path.join(rootfs, 'etc', file), 'utf8');
  } catch {
    return [];
  }
  return text.split('\n').flatMap((line) => {
    const f = line.split(':');
    if (f.length < 3 || line.startsWith('#')) return [];
    return [{ name: f[0]!, id: Number(f[2]), gid: Number(f[3] ?? 0), home: f[5] ?? '/' }];
  });
}

const NUMERIC = /^\d+$/;

export function resolveUser(spec: string, rootfs: string): ResolvedUser {
  const [user = '', group] = spec.split(':');
  if (user === '' || spec.split(':').length > 2) throw invalidFlag(spec, '-u, --user', 'expected UID[:GID] or NAME[:GROUP]');
  const passwd = readDb(rootfs, 'passwd');
  const pw = NUMERIC.test(user) ? passwd.find((e) => e.id === Number(user)) : passwd.find((e) => e.name === user);
  if (!pw && !NUMERIC.test(user)) throw invalidFlag(spec, '-u, --user', `unable to find user ${user}: no matching entries in passwd file`);
  const uid = pw ? pw.id : Number(user);
  let gid = pw ? pw.gid : 0;
  if (group !== undefined) {
    if (NUMERIC.test(group)) gid = Number(group);
    else {
      const gr = readDb(rootfs, 'group').find((e) => e.name === group);
      if (!gr) throw invalidFlag(spec, '-u, --user', `unable to find group ${group}: no matching entries in group file`);
      gid = gr.id;
    }
  }
  return { uid, gid, home: pw?.home || '/' };
}
