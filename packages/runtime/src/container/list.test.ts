import { formatTable, type ContainerSummary } from './list';

const row = (id: string, created: string): ContainerSummary => ({
  ociVersion: '1.3.0', id, pid: 1234, status: 'running', bundle: '/b', rootfs: '/b/rootfs', created, owner: 'root',
});

describe('formatTable', () => {
  it('pads like runc\'s tabwriter: at least 12 wide, 3 spaces of padding, last column free', () => {
    const out = formatTable([row('c1', '2026-11-22T05:52:30.665027255Z')]).split('\n');
    expect(out[0]).toBe('ID          PID         STATUS      BUNDLE      CREATED                          OWNER');
    expect(out[1]).toBe('c1          1234        running     /b          2026-11-22T05:52:30.665027255Z   root');
  });
});
