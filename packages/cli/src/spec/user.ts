// -u, --user: "uid", "uid:gid", "name" or "name:group", resolved against the
// container's own /etc/passwd and /etc/group, as docker does (@hull/images/user).
import fs from 'node:fs';
import path from 'node:path';
import { lookupUser, type ImageUser } from '@hull/images/user';
import { invalidFlag } from '../errors';

export type ResolvedUser = ImageUser;

export function resolveUser(spec: string, rootfs: string): ResolvedUser {
  const [user = ''] = spec.split(':');
  if (user === '' || spec.split(':').length > 2) throw invalidFlag(spec, '-u, --user', 'expected UID[:GID] or NAME[:GROUP]');
  const read = (file: string) => {
    try {
      return fs.readFileSync(path.join(rootfs, 'etc', file), 'utf8');
    } catch {
      return undefined;
    }
  };
  try {
    return lookupUser(spec, read);
  } catch (e) {
    throw invalidFlag(spec, '-u, --user', (e as Error).message);
  }
}
