import { SyncChannel } from './sync';
import * as libc from './sys/libc';
import { AF_UNIX, SOCK_CLOEXEC, SOCK_STREAM } from './sys/constants';

describe('SyncChannel', () => {
  it('carries frames both ways, large ones whole, and reports EOF', () => {
    const [a, b] = libc.socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC);
    const parent = new SyncChannel(a);
    const init = new SyncChannel(b);
    parent.send({ type: 'continue' });
    expect(init.recv()).toEqual({ type: 'continue' });
    const big = { type: 'log', level: 'info', msg: 'x'.repeat(100_000) } as const;
    // A frame read in several reads comes back whole (the socketpair buffers 100 kB).
    init.send(big);
    expect(parent.recv()).toEqual(big);
    init.close();
    expect(parent.recv()).toBeUndefined();
    parent.close();
  });
});
