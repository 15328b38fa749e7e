import { cleanEnv, uniqueId } from './env';

describe('cleanEnv', () => {
  it('drops NODE_OPTIONS, NODE_EXTRA_CA_CERTS and the supervisor variables, keeps the rest, adds extra', () => {
    const saved = { ...process.env };
    try {
      Object.assign(process.env, { NODE_OPTIONS: '--x', NODE_EXTRA_CA_CERTS: '/x.pem', HULL_ADDRESS: '/x.sock', HULL_STATE_DIR: '/x' });
      const env = cleanEnv({ HC: '1', HULL_ADDRESS: '/mine.sock' });
      expect(env.NODE_OPTIONS).toBeUndefined();
      expect(env.NODE_EXTRA_CA_CERTS).toBeUndefined();
      expect(env.HULL_STATE_DIR).toBeUndefined();
      expect(env.HULL_ADDRESS).toBe('/mine.sock');
      expect(env.HC).toBe('1');
      expect(env.PATH).toBe(process.env.PATH);
    } finally {
      for (const k of ['NODE_OPTIONS', 'NODE_EXTRA_CA_CERTS', 'HULL_ADDRESS', 'HULL_STATE_DIR']) {
        if (saved[k] === undefined) delete process.env[k];
        else process.env[k] = saved[k];
      }
    }
  });
});

describe('uniqueId', () => {
  it('starts with the tag, names this process, and never repeats', () => {
    const ids = Array.from({ length: 100 }, () => uniqueId('t'));
    expect(new Set(ids).size).toBe(100);
    expect(ids[0]).toMatch(new RegExp(`^t-${process.pid}-[0-9a-z]+-\\d+$`));
  });
});
