import { decode, encode, messageType } from '../proto';
import { deleteResponse } from './delete';

describe('DeleteResponse written by hand', () => {
  it('is the bytes protobufjs writes, and reads back', () => {
    const type = messageType('containerd.task.v2.DeleteResponse');
    for (const [pid, status, s, n] of [[4242, 137, 1765000000, 123000000], [0, 137, 1765000000, 0], [1, 0, 300, 1]]) {
      const mine = deleteResponse(pid, status, s, n);
      // protobufjs also writes fields set to 0, which proto3 leaves out: compare bytes where none is 0.
      if (pid && status && n) expect(mine.toString('hex')).toBe(encode(type, { pid, exit_status: status, exited_at: { seconds: s, nanos: n } }).toString('hex'));
      expect(decode(type, mine)).toMatchObject({ pid, exit_status: status, exited_at: { seconds: s, nanos: n } });
    }
  });
});
