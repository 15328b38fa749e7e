// Shared per-package jest settings: @swc/jest compiles .ts on the fly.
const fs = require('node:fs');
const path = require('node:path');

/**
 * Workspace imports resolve to source: `@hull/x/sub` goes where x's `exports` map points, with
 * lib/*.js read as src/*.ts, so a test never runs against a stale build of another package.
 */
function workspaceSources() {
  const root = __dirname;
  const dirs = [...fs.readdirSync(path.join(root, 'packages')).map((d) => path.join(root, 'packages', d)), path.join(root, 'conformance')];
  const map = {};
  for (const dir of dirs) {
    const file = path.join(dir, 'package.json');
    if (!fs.existsSync(file)) continue;
    const pkg = JSON.parse(fs.readFileSync(file, 'utf8'));
    for (const [sub, target] of Object.entries(pkg.exports ?? {})) {
      const js = typeof target === 'string' ? target : target.default ?? target.require;
      if (!js || !/^\.\/lib\/.*\.js$/.test(js)) continue;
      const src = js.replace(/^\.\/lib\//, `${dir}/src/`).replace(/\.js$/, '.ts');
      const name = `${pkg.name}${sub === '.' ? '' : sub.slice(1)}`;
      const pattern = `^${name.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace('*', '(.*)')}$`;
      map[pattern] = src.replace('*', '$1');
    }
  }
  return map;
}

module.exports = function project(dir) {
  return {
    displayName: path.basename(dir),
    rootDir: dir,
    testEnvironment: 'node',
    testMatch: ['<rootDir>/src/**/*.test.ts', '<rootDir>/test/**/*.test.ts'],
    transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } }] },
    moduleFileExtensions: ['ts', 'js', 'json'],
    moduleNameMapper: workspaceSources(),
  };
};
