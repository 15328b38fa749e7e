import { exposedToPublish, imageVolumes } from './common';

describe('exposedToPublish (-P)', () => {
  it('publishes every exposed tcp and udp port, ranges expanded, but those -p publishes', () => {
    expect(exposedToPublish({ '80/tcp': {}, '53/udp': {}, '8000-8002/tcp': {}, '443': {}, '9/sctp': {} }, ['8080:80', '127.0.0.1::8001']))
      .toEqual(['443/tcp', '53/udp', '8000/tcp', '8002/tcp']);
  });
  it('is nothing without exposed ports', () => {
    expect(exposedToPublish(undefined, [])).toEqual([]);
    expect(exposedToPublish(null, ['80'])).toEqual([]);
  });
});

describe('imageVolumes', () => {
  it("is the image's Volumes but where the user mounts something", async () => {
    const { parseVolumeFlag, parseMountFlag } = await import('../spec/volumes');
    const mine = [parseVolumeFlag('named:/a'), parseVolumeFlag('/host:/b/'), parseMountFlag('type=volume,target=/c')];
    expect(imageVolumes({ '/a': {}, '/b': {}, '/c': {}, '/d/': {}, '/e': {}, 'rel': {}, '/': {} }, mine, ['/e:size=1m'])).toEqual(['/d', '/rel']);
    expect(imageVolumes(undefined, mine, [])).toEqual([]);
  });
});
