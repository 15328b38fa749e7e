import { exposedToPublish } from './common';

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
