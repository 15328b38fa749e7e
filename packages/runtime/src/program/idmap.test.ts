// Which mounts are id-mapped: the parent and the init both read it from the
// config, so the fds the parent sends need no names.
import { ConfigError } from '../errors';
import type { Spec } from '../spec/types';
import { idmappedMounts } from './idmap';

const map = [{ containerID: 0, hostID: 1000, size: 10 }];

describe('idmappedMounts', () => {
  it('lists the id-mapped bind mounts in mount order, with their own maps or none', () => {
    const spec: Spec = {
      ociVersion: '1.2.0',
      mounts: [
        { destination: '/proc', type: 'proc', source: 'proc' },
        { destination: '/a', type: 'bind', source: '/x', options: ['rbind', 'ridmap'] },
        { destination: '/b', source: '/y', options: ['bind'] },
        { destination: '/c', source: '/z', options: ['bind'], uidMappings: map, gidMappings: map },
        { destination: '/d', type: 'none', source: '/w', options: ['bind', 'idmap'] },
      ],
    };
    expect(idmappedMounts(spec)).toEqual([
      { index: 1, recursive: true },
      { index: 3, recursive: false, uidMappings: map, gidMappings: map },
      { index: 4, recursive: false },
    ]);
  });

  it('refuses idmap on a mount that is not a bind, naming it', () => {
    const spec: Spec = { ociVersion: '1.2.0', mounts: [{ destination: '/t', type: 'tmpfs', source: 'tmpfs', options: ['idmap'] }] };
    expect(() => idmappedMounts(spec)).toThrow(ConfigError);
    expect(() => idmappedMounts(spec)).toThrow('mounts[0]: id-mapped mounts (idmap) are supported on bind mounts only, not on type "tmpfs"');
  });

  it('is empty without id-mapped mounts', () => {
    expect(idmappedMounts({ ociVersion: '1.2.0' })).toEqual([]);
  });
});
