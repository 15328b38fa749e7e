// Shared per-package jest settings: @swc/jest compiles .ts on the fly.
const path = require('node:path');
module.exports = function project(dir) {
  return {
    displayName: path.basename(dir),
    rootDir: dir,
    testEnvironment: 'node',
    testMatch: ['<rootDir>/src/**/*.test.ts', '<rootDir>/test/**/*.test.ts'],
    transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } }] },
    moduleFileExtensions: ['ts', 'js', 'json'],
  };
};
