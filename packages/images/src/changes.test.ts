import { applyChanges } from './changes';

describe('applyChanges (commit -c)', () => {
  it('applies Dockerfile instructions as docker does', () => {
    const base = { Env: ['PATH=/bin', 'A=1'], Cmd: ['sh'], Labels: { a: 'b' } };
    const c = applyChanges(base, [
      'CMD ["echo", "hi"]', 'ENTRYPOINT /bin/run --fast', 'ENV A=2 B="two words"', 'ENV C 3', 'LABEL x=y',
      'EXPOSE 80 53/udp', 'STOPSIGNAL SIGINT', 'USER 1000:1000', 'WORKDIR /srv', 'VOLUME /data',
    ]);
    expect(c).toEqual({
      Env: ['PATH=/bin', 'A=2', 'B=two words', 'C=3'],
      Cmd: ['echo', 'hi'],
      Entrypoint: ['/bin/sh', '-c', '/bin/run --fast'],
      Labels: { a: 'b', x: 'y' },
      ExposedPorts: { '80/tcp': {}, '53/udp': {} },
      StopSignal: 'SIGINT',
      User: '1000:1000',
      WorkingDir: '/srv',
      Volumes: { '/data': {} },
    });
    expect(base.Env).toEqual(['PATH=/bin', 'A=1']); // the parent's config is not changed
  });

  it('refuses what docker refuses, naming the change', () => {
    expect(() => applyChanges({}, ['RUN echo'])).toThrow('change "RUN echo": RUN is not a valid change command');
    expect(() => applyChanges({}, ['CMD ["a", 1]'])).toThrow(/not a JSON array of strings/);
    expect(() => applyChanges({}, ['EXPOSE http'])).toThrow(/invalid port http/);
    expect(() => applyChanges({}, ['nonsense'])).toThrow(/expected INSTRUCTION ARGS/);
  });
});
