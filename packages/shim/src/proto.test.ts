// Wire facts of the protos: field numbers as containerd defines them.
import { decode, encode, messageType, packAny, decodeEvent, serviceDefinition, TASK_SERVICE, HULL_SERVICE } from './proto';

/** The (field number, wire type) pairs of an encoded message, in order. */
function tags(buf: Buffer): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let i = 0;
  const varint = () => {
    let v = 0;
    let shift = 0;
    for (;;) {
      const b = buf[i++];
      v += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return v;
      shift += 7;
    }
  };
  while (i < buf.length) {
    const key = varint();
    const [field, wire] = [Math.floor(key / 8), key & 7];
    out.push([field, wire]);
    if (wire === 0) varint();
    else if (wire === 2) { const n = varint(); i += n; }
    else throw new Error(`unexpected wire type ${wire}`);
  }
  return out;
}

describe('protos', () => {
  it('serves every containerd.task.v2.Task method', () => {
    expect(Object.keys(serviceDefinition(TASK_SERVICE)).sort()).toEqual([
      'Checkpoint', 'CloseIO', 'Connect', 'Create', 'Delete', 'Exec', 'Kill', 'Pause', 'Pids', 'ResizePty', 'Resume', 'Shutdown', 'Start', 'State', 'Stats', 'Update', 'Wait',
    ]);
    expect(serviceDefinition(TASK_SERVICE).Create.path).toBe('/containerd.task.v2.Task/Create');
    expect(serviceDefinition(HULL_SERVICE).Subscribe.responseStream).toBe(true);
  });

  it('encodes CreateTaskRequest with containerd field numbers', () => {
    const t = messageType('containerd.task.v2.CreateTaskRequest');
    const buf = encode(t, {
      id: 'c', bundle: '/b', rootfs: [{ type: 'overlay', source: 'o', target: '', options: ['ro'] }], terminal: true,
      stdin: 'i', stdout: 'o', stderr: 'e', checkpoint: 'k', parent_checkpoint: 'p', options: { type_url: 'x', value: Buffer.from('y') }, oom_path: 'm',
    });
    expect(tags(buf).map(([f]) => f)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    const back = decode(t, buf);
    expect(back.rootfs[0]).toEqual({ type: 'overlay', source: 'o', target: '', options: ['ro'] });
  });

  it('encodes StateResponse and TaskExit with containerd field numbers', () => {
    const st = messageType('containerd.task.v2.StateResponse');
    const buf = encode(st, {
      id: 'c', bundle: 'b', pid: 1, status: 3, stdin: 'i', stdout: 'o', stderr: 'e', terminal: true, exit_status: 9,
      exited_at: { seconds: 5, nanos: 6 }, exec_id: 'x',
    });
    expect(tags(buf)).toEqual([[1, 2], [2, 2], [3, 0], [4, 0], [5, 2], [6, 2], [7, 2], [8, 0], [9, 0], [10, 2], [11, 2]]);
    const exit = packAny('containerd.events.TaskExit', { container_id: 'c', id: 'c', pid: 7, exit_status: 137, exited_at: { seconds: 1, nanos: 2 } });
    expect(exit.type_url).toBe('containerd.events.TaskExit');
    expect(tags(exit.value).map(([f]) => f)).toEqual([1, 2, 3, 4, 5]);
    expect(decodeEvent({ event: exit })).toMatchObject({ container_id: 'c', pid: 7, exit_status: 137, exited_at: { seconds: 1, nanos: 2 } });
  });
});
