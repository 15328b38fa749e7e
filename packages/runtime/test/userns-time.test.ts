// User namespaces (id maps written by the parent, exec joining them), the
// time namespace with offsets, personality and the scheduler, each
// asserted from inside the container.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { missingNamespace, missingRoot, missingUserNamespaces } from '@hull/testkit/host';
import { describeNeeds, itNeeds } from '@hull/testkit/jest';
import { cleanupAll, itRoot, makeBundle, runtime, uniqueId } from './helpers';

afterEach(cleanupAll);

const MAP = [{ containerID: 0, hostID: 200000, size: 65536 }];

function usernsBundle(args: string[]) {
  const b = makeBundle((c) => {
    c.linux.namespaces.push({ type: 'user' });
    c.linux.uidMappings = MAP;
    c.linux.gidMappings = MAP;
  }, args);
  // The image belongs to the mapped root, as with a userns-remapped engine, and the
  // bundle must be reachable by it (mkdtemp made it 0700).
  spawnSync('chown', ['-R', '200000:200000', path.join(b.dir, 'rootfs')]);
  fs.chmodSync(b.dir, 0o755);
  return b;
}

describeNeeds(missingRoot(), missingUserNamespaces())('user namespace', () => {
  itRoot('root inside is 200000 outside; the maps are the config\'s', () => {
    const rt = runtime();
    const b = usernsBundle(['sh', '-c', 'id -u; cat /proc/self/uid_map; touch /tmp/f && stat -c %u /tmp/f']);
    b.config.root.readonly = false;
    b.write();
    const r = rt.run(['run', '--bundle', b.dir, uniqueId()]);
    expect(r.stderr).toBe('');
    const lines = r.stdout.trim().split('\n').map((l) => l.trim().split(/\s+/).join(' '));
    expect(lines).toEqual(['0', '0 200000 65536', '0']);
    expect(fs.statSync(path.join(b.dir, 'rootfs/tmp/f')).uid).toBe(200000);
  });

  itRoot('exec joins the user namespace too', () => {
    const rt = runtime();
    const b = usernsBundle(['sleep', '1000']);
    const id = uniqueId();
    expect(rt.run(['run', '-d', '--bundle', b.dir, id]).status).toBe(0);
    const r = rt.run(['exec', id, 'sh', '-c', 'id -u; cat /proc/self/uid_map']);
    expect(r.stdout.trim().split('\n').map((l) => l.trim().split(/\s+/).join(' '))).toEqual(['0', '0 200000 65536']);
  });
});

describe('time namespace, personality, scheduler', () => {
  itNeeds(missingRoot(), missingNamespace('time'))('timeOffsets move boottime and monotonic; exec sees them too', () => {
    const rt = runtime();
    const b = makeBundle((c) => {
      c.linux.namespaces.push({ type: 'time' });
      c.linux.timeOffsets = { boottime: { secs: 864000 }, monotonic: { secs: 864000 } };
    }, ['sleep', '1000']);
    const id = uniqueId();
    expect(rt.run(['run', '-d', '--bundle', b.dir, id]).status).toBe(0);
    const uptime = Number(rt.run(['exec', id, 'cat', '/proc/uptime']).stdout.split(' ')[0]);
    const hostUptime = Number(fs.readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
    expect(uptime - hostUptime).toBeGreaterThan(863000);
  });

  itNeeds(missingRoot(), process.arch === 'x64' ? undefined : 'needs an x86_64 host (where LINUX32 shows as i686)')('personality LINUX32 and SCHED_BATCH with nice 7', () => {
    const rt = runtime();
    const b = makeBundle((c) => {
      c.linux.personality = { domain: 'LINUX32' };
      c.process.scheduler = { policy: 'SCHED_BATCH', nice: 7 };
    }, ['sh', '-c', 'uname -m; grep "^policy" /proc/self/sched; cut -d" " -f19 /proc/self/stat']);
    const r = rt.run(['run', '--bundle', b.dir, uniqueId()]);
    expect(r.stderr).toBe('');
    const [machine, policy, nice] = r.stdout.trim().split('\n');
    expect(machine).toMatch(/^i[3-6]86$/);
    expect(policy).toMatch(/:\s+3$/);
    expect(nice).toBe('7');
  });
});
