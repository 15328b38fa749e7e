import { versionLine } from './version';

test('versionLine: docker\'s shape, "unknown" where the build wrote no commit (the sources have none)', () => {
  expect(versionLine()).toBe(`hullctl version ${(require('../../package.json') as { version: string }).version}, build unknown\n`);
});
