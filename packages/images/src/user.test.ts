import { lookupUser, type ReadEtc } from './user';

const etc: ReadEtc = (file) => ({
  passwd: '# comment\nroot:x:0:0:root:/root:/bin/sh\napp:x:1000:1001:App:/home/app:/bin/sh\nnohome:x:1002:1002::\n',
  group: 'root:x:0:\nstaff:x:50:\n',
})[file];

describe('lookupUser', () => {
  it.each([
    ['app', false, { uid: 1000, gid: 1001, home: '/home/app' }],
    ['1000', false, { uid: 1000, gid: 1001, home: '/home/app' }],
    ['app:staff', false, { uid: 1000, gid: 50, home: '/home/app' }],
    ['app:7', false, { uid: 1000, gid: 7, home: '/home/app' }],
    ['1234', false, { uid: 1234, gid: 0, home: '/' }],
    ['1234', true, { uid: 1234, gid: 1234, home: '/' }],
    ['1234:staff', true, { uid: 1234, gid: 50, home: '/' }],
    ['nohome', false, { uid: 1002, gid: 1002, home: '/' }],
  ] as const)('%s (gid from uid: %s)', (spec, gidFromUid, want) => expect(lookupUser(spec, etc, gidFromUid)).toEqual(want));

  it('names the file that lacks a name; an image without the files knows numbers only', () => {
    expect(() => lookupUser('ghost', etc)).toThrow('unable to find user ghost: no matching entries in passwd file');
    expect(() => lookupUser('app:ghosts', etc)).toThrow('unable to find group ghosts: no matching entries in group file');
    expect(lookupUser('5:6', () => undefined)).toEqual({ uid: 5, gid: 6, home: '/' });
    expect(() => lookupUser('root', () => undefined)).toThrow('unable to find user root');
  });
});
