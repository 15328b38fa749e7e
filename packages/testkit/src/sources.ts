// Plain Node children of a test (a process under a seccomp filter, a program
// that drops capabilities) run the TypeScript sources as jest does: .ts compiled
// on the fly by swc, and `@hull/x/sub` read from packages/x/src through x's
// `exports` map, so a child never runs against a stale build either.
import fs from 'node:fs';
import path from 'node:path';

/** The repository's root (this file is packages/testkit/{src,lib}/sources.*). */
export const REPO = path.resolve(__dirname, '../../..');

/** The source file `@hull/pkg/sub` maps to, read from the package's `exports` (lib/x.js is src/x.ts). */
export function workspaceSources(): Record<string, string> {
  const map: Record<string, string> = {};
  for (const name of fs.readdirSync(path.join(REPO, 'packages'))) {
    const dir = path.join(REPO, 'packages', name);
    const file = path.join(dir, 'package.json');
    if (!fs.existsSync(file)) continue;
    const pkg = JSON.parse(fs.readFileSync(file, 'utf8')) as { name: string; exports?: Record<string, string> };
    for (const [sub, target] of Object.entries(pkg.exports ?? {})) {
      if (typeof target !== 'string' || !/^\.\/lib\/.*\.js$/.test(target) || sub.includes('*')) continue;
      map[`${pkg.name}${sub === '.' ? '' : sub.slice(1)}`] = path.join(dir, 'src', target.slice('./lib/'.length).replace(/\.js$/, '.ts'));
    }
  }
  return map;
}

/**
 * Writes `register.js` into `dir` and returns its path: `node -r <it> child.js`
 * lets child.js require .ts sources and workspace packages as jest does.
 */
export function writeSourceLoader(dir: string): string {
  const swc = require.resolve('@swc/core', { paths: [REPO] });
  const file = path.join(dir, 'register.js');
  fs.writeFileSync(file, `
const fs = require('node:fs');
const Module = require('node:module');
const { transformSync } = require(${JSON.stringify(swc)});
const sources = ${JSON.stringify(workspaceSources())};
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  return resolve.call(this, Object.hasOwn(sources, request) ? sources[request] : request, ...rest);
};
require.extensions['.ts'] = (m, filename) => {
  const out = transformSync(fs.readFileSync(filename, 'utf8'), { filename, jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } });
  m._compile(out.code, filename);
};
`);
  return file;
}
