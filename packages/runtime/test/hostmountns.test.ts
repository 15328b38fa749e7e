// config-linux.md: "If a namespace type is not specified in the namespaces array, the container
// MUST inherit the runtime namespace of that type." Without a mount namespace the container's
// mounts are made in the host's under the rootfs: delete (and a failed create) must unmount them.
import fs from 'node:fs';
import { cleanupAll, itRoot, makeBundle, runtime, uniqueId } from './helpers';

afterEach(cleanupAll);

const mountsUnder = (dir: string) => fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((l) => l.split(' ')[4]?.startsWith(dir + '/')).length;
const noMountNs = (c: Record<string, any>) => {
  c.root.readonly = false;
  c.linux.namespaces = c.linux.namespaces.filter((n: { type: string }) => n.type !== 'mount');
};

describe('no mount namespace', () => {
  itRoot('the container and exec share the runtime\'s mount namespace, see the rootfs as /, and delete unmounts everything', () => {
    const rt = runtime();
    const b = makeBundle(noMountNs, ['sh', '-c', 'readlink /proc/self/ns/mnt > /ns; exec sleep 1000']);
    const rootfs = `${b.dir}/rootfs`;
    const id = uniqueId();
    expect(rt.run(['run', '-d', '--bundle', b.dir, id]).status).toBe(0);
    // The shell creates /ns before it writes the line: wait (up to a minute) for the whole line.
    const line = () => (fs.existsSync(`${rootfs}/ns`) ? fs.readFileSync(`${rootfs}/ns`, 'utf8') : '');
    for (let i = 0; i < 3000 && !line().endsWith('\n'); i++) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
    const ours = fs.readlinkSync('/proc/self/ns/mnt');
    expect(line().trim()).toBe(ours);
    const ex = rt.run(['exec', id, 'sh', '-c', 'readlink /proc/self/ns/mnt; cat /ns']);
    expect(ex.stdout.trim().split('\n')).toEqual([ours, ours]);
    expect(mountsUnder(rootfs)).toBeGreaterThan(0);
    expect(rt.run(['delete', '--force', id]).status).toBe(0);
    expect(mountsUnder(rootfs)).toBe(0);
  });

  itRoot('a failing create unmounts what it made; root.readonly is refused', () => {
    const rt = runtime();
    const b = makeBundle((c) => {
      noMountNs(c);
      c.process.args = ['/does/not/exist'];
    });
    const r = rt.run(['create', '--bundle', b.dir, uniqueId()]);
    expect(r.status).not.toBe(0);
    expect(mountsUnder(`${b.dir}/rootfs`)).toBe(0);
    const ro = makeBundle((c) => {
      noMountNs(c);
      c.root.readonly = true;
    });
    const r2 = rt.run(['create', '--bundle', ro.dir, uniqueId()]);
    expect(r2.stderr).toMatch(/root\.readonly: needs a mount namespace/);
    expect(mountsUnder(`${ro.dir}/rootfs`)).toBe(0);
  });
});
