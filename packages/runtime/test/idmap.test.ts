// Id-mapped bind mounts (mount options idmap/ridmap, per-mount
// uidMappings/gidMappings) and the tmpcopyup extension of tmpfs, asserted
// from inside the container and on the host's files.
//
// Kernel semantics used below: an id-mapped mount shows a file whose id on
// disk is D as the id its user namespace maps D to (uid_map line
// "containerID hostID size" maps D=containerID to hostID); a file created
// through the mount is stored with the reverse mapping.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { missingKernel, missingRoot } from '@hull/testkit/host';
import { describeNeeds } from '@hull/testkit/jest';
import { cleanupAll, hasRunc, HULL, itRoot, makeBundle, runtime, tempDir, uniqueId, cleanEnv, type Config } from './helpers';

// Each test starts several Node processes; a loaded machine makes that slow.
jest.setTimeout(120_000);

// Host mounts made by a test go before its temp dirs.
const hostMounts: string[] = [];
afterEach(() => {
  for (const m of hostMounts.splice(0).reverse()) spawnSync('umount', ['-l', m]);
});
afterEach(cleanupAll);

/** "owner path" lines of `stat -c '%u:%g %n'` inside, as a map. */
function owners(out: string): Record<string, string> {
  const res: Record<string, string> = {};
  for (const line of out.trim().split('\n')) {
    const [ids, name] = line.trim().split(' ');
    if (name) res[name] = ids;
  }
  return res;
}

function bindMount(source: string, destination: string, options: string[], extra: Record<string, unknown> = {}): Config {
  return { destination, type: 'bind', source, options, ...extra };
}

const one = (containerID: number, hostID: number, size = 1) => [{ containerID, hostID, size }];

describeNeeds(missingRoot(), missingKernel(6, 3, 'id-mapped mounts of tmpfs and of the temp directory\'s filesystem'))('id-mapped mounts', () => {
  itRoot('own maps, no user namespace: a directory of 1000 shows as 0 inside; what root makes there is 1000 on the host', () => {
    const rt = runtime();
    const src = tempDir('hull-idmap-src-');
    fs.chownSync(src, 1000, 1000);
    fs.writeFileSync(path.join(src, 'f'), 'x');
    fs.chownSync(path.join(src, 'f'), 1000, 1000);
    const b = makeBundle((c) => {
      c.mounts.push(bindMount(src, '/m', ['bind'], { uidMappings: one(1000, 0), gidMappings: one(1000, 0) }));
    }, ['sh', '-c', 'stat -c "%u:%g %n" /m /m/f; mkdir /m/d; echo y > /m/new; grep " /m " /proc/self/mountinfo']);
    const r = rt.run(['run', '--bundle', b.dir, uniqueId()]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(owners(r.stdout)).toMatchObject({ '/m': '0:0', '/m/f': '0:0' });
    expect(r.stdout).toMatch(/ \/m \S*\bidmapped\b/);
    for (const name of ['new', 'd']) {
      const st = fs.statSync(path.join(src, name));
      expect([st.uid, st.gid]).toEqual([1000, 1000]);
    }
  });

  itRoot('"idmap" without maps of its own uses the container\'s user namespace', () => {
    const rt = runtime();
    const src = tempDir('hull-idmap-src-');
    fs.chmodSync(src, 0o755);
    fs.writeFileSync(path.join(src, 'f'), 'x');
    fs.chownSync(path.join(src, 'f'), 1000, 1001);
    const MAP = one(0, 200000, 65536);
    const b = makeBundle((c) => {
      c.linux.namespaces.push({ type: 'user' });
      c.linux.uidMappings = MAP;
      c.linux.gidMappings = MAP;
      c.mounts.push(bindMount(src, '/m', ['bind', 'idmap']));
      c.mounts.push(bindMount(src, '/plain', ['bind']));
    }, ['sh', '-c', 'stat -c "%u:%g %n" /m /m/f /plain /plain/f; touch /m/new']);
    spawnSync('chown', ['-R', '200000:200000', path.join(b.dir, 'rootfs')]);
    fs.chmodSync(b.dir, 0o755);
    const r = rt.run(['run', '--bundle', b.dir, uniqueId()]);
    expect(r.stderr).toBe('');
    // Through the id-mapped mount the host's ids read as themselves; through a plain bind they are unmapped.
    expect(owners(r.stdout)).toEqual({ '/m': '0:0', '/m/f': '1000:1001', '/plain': '65534:65534', '/plain/f': '65534:65534' });
    const st = fs.statSync(path.join(src, 'new'));
    expect([st.uid, st.gid]).toEqual([0, 0]);
  });

  itRoot('ridmap maps the submounts of an rbind too; idmap only its top', () => {
    const rt = runtime();
    const src = tempDir('hull-idmap-src-');
    fs.chownSync(src, 1000, 1000);
    fs.chmodSync(src, 0o755);
    const sub = path.join(src, 'sub');
    fs.mkdirSync(sub);
    expect(spawnSync('mount', ['-t', 'tmpfs', '-o', 'mode=755', 'tmpfs', sub]).status).toBe(0);
    hostMounts.push(sub);
    const MAP = one(0, 100000, 65536);
    const b = makeBundle((c) => {
      c.mounts.push(bindMount(src, '/top', ['rbind', 'idmap'], { uidMappings: MAP, gidMappings: MAP }));
      c.mounts.push(bindMount(src, '/all', ['rbind', 'ridmap'], { uidMappings: MAP, gidMappings: MAP }));
    }, ['stat', '-c', '%u:%g %n', '/top', '/top/sub', '/all', '/all/sub']);
    const r = rt.run(['run', '--bundle', b.dir, uniqueId()]);
    expect(r.stderr).toBe('');
    expect(owners(r.stdout)).toEqual({ '/top': '101000:101000', '/top/sub': '0:0', '/all': '101000:101000', '/all/sub': '100000:100000' });
  });

  itRoot('refused on a mount that is not a bind, before anything is made', () => {
    const rt = runtime();
    const b = makeBundle((c) => {
      c.mounts.push({ destination: '/t', type: 'tmpfs', source: 'tmpfs', options: ['idmap'], uidMappings: one(0, 1000), gidMappings: one(0, 1000) });
    }, ['true']);
    const id = uniqueId();
    const r = rt.run(['run', '--bundle', b.dir, id]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('mounts[');
    expect(r.stderr).toContain('bind mounts only');
    expect(fs.existsSync(path.join(rt.root, id))).toBe(false);
  });

  itRoot('a missing source fails create with the mount named', () => {
    const rt = runtime();
    const b = makeBundle((c) => {
      c.mounts.push(bindMount('/nonexistent-hull-idmap', '/m', ['bind'], { uidMappings: one(0, 1000), gidMappings: one(0, 1000) }));
    }, ['true']);
    const id = uniqueId();
    const r = rt.run(['run', '--bundle', b.dir, id]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('id-mapped mount /nonexistent-hull-idmap on /m');
    expect(r.stderr).toContain('ENOENT');
    expect(fs.existsSync(path.join(rt.root, id))).toBe(false);
  });

  itRoot('hull features lists idmap, ridmap and tmpcopyup, and idmap mounts as enabled', () => {
    const r = spawnSync(HULL, ['features'], { encoding: 'utf8', env: cleanEnv() });
    const f = JSON.parse(r.stdout);
    expect(f.mountOptions).toEqual(expect.arrayContaining(['idmap', 'ridmap', 'tmpcopyup']));
    expect(f.linux.mountExtensions).toEqual({ idmap: { enabled: true } });
  });
});

const runtimes: ('hull' | 'runc')[] = hasRunc ? ['hull', 'runc'] : ['hull'];

describe.each(runtimes)('tmpcopyup (%s)', (name) => {
  // Its root takes the directory's mode but stays root's, as with runc.
  itRoot('the tmpfs starts with the image\'s files, modes, owners and links; writes stay in the tmpfs', () => {
    const rt = runtime(name);
    const b = makeBundle((c) => {
      c.mounts.push({ destination: '/data', type: 'tmpfs', source: 'tmpfs', options: ['tmpcopyup', 'nosuid'] });
    }, ['sh', '-c', 'stat -c "%a %u:%g %n" /data /data/secret /data/dir /data/dir/inner; readlink /data/link; cat /data/dir/inner; echo new > /data/dir/inner; grep " /data " /proc/self/mountinfo']);
    const data = path.join(b.dir, 'rootfs/data');
    fs.mkdirSync(path.join(data, 'dir'), { recursive: true });
    fs.chmodSync(data, 0o750);
    fs.chownSync(data, 7, 8);
    fs.writeFileSync(path.join(data, 'secret'), 's');
    fs.chownSync(path.join(data, 'secret'), 1000, 5);
    fs.chmodSync(path.join(data, 'secret'), 0o4640);
    fs.writeFileSync(path.join(data, 'dir/inner'), 'image\n');
    fs.symlinkSync('dir/inner', path.join(data, 'link'));
    const r = rt.run(['run', '--bundle', b.dir, uniqueId()]);
    expect(r.stderr).toBe('');
    const lines = r.stdout.trim().split('\n');
    expect(lines.slice(0, 6)).toEqual([
      '750 0:0 /data',
      '4640 1000:5 /data/secret',
      '755 0:0 /data/dir',
      '644 0:0 /data/dir/inner',
      'dir/inner',
      'image',
    ]);
    expect(lines[6]).toMatch(/ \/data .* - tmpfs /);
    // The write went to the tmpfs, not to the image.
    expect(fs.readFileSync(path.join(data, 'dir/inner'), 'utf8')).toBe('image\n');
  });
});

