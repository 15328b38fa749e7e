// A user as an image names it (USER, --chown, run -u): "uid", "uid:gid", "name" or "name:group",
// looked up in the image's /etc/passwd and /etc/group as docker does (moby/sys/user). The caller
// reads the files, each its own way into a root file system (through a layer, inside a rootfs).
import { invalid } from './errors';

export interface ImageUser {
  uid: number;
  gid: number;
  /** The passwd entry's home ("/" when none). */
  home: string;
}

export type ReadEtc = (file: 'passwd' | 'group') => string | undefined;

interface Entry {
  name: string;
  id: number;
  gid: number;
  home: string;
}

function entries(text: string | undefined): Entry[] {
  return (text ?? '').split('\n').flatMap((line) => {
    const f = line.split(':');
    if (f.length < 3 || line.startsWith('#')) return [];
    return [{ name: f[0]!, id: Number(f[2]), gid: Number(f[3] ?? 0), home: f[5] || '/' }];
  });
}

const NUMERIC = /^\d+$/;

/**
 * `spec` resolved; a name that no entry has is an error saying which file lacked it. A number passwd
 * does not know runs with gid 0, or with its own number as gid when `gidFromUid` (--chown=1000 is 1000:1000).
 */
export function lookupUser(spec: string, read: ReadEtc, gidFromUid = false): ImageUser {
  const [user = '', group] = spec.split(':');
  const pw = NUMERIC.test(user) ? entries(read('passwd')).find((e) => e.id === Number(user)) : entries(read('passwd')).find((e) => e.name === user);
  if (!pw && !NUMERIC.test(user)) throw invalid(`unable to find user ${user}: no matching entries in passwd file`, { user });
  const uid = pw ? pw.id : Number(user);
  let gid = pw ? pw.gid : gidFromUid && group === undefined ? uid : 0;
  if (group !== undefined) {
    if (NUMERIC.test(group)) gid = Number(group);
    else {
      const gr = entries(read('group')).find((e) => e.name === group);
      if (!gr) throw invalid(`unable to find group ${group}: no matching entries in group file`, { group });
      gid = gr.id;
    }
  }
  return { uid, gid, home: pw?.home ?? '/' };
}
