// One jest run over every package; each package (and conformance's unit tests) is a jest project.
/** @type {import('jest').Config} */
module.exports = {
  projects: ['<rootDir>/packages/*/jest.config.js', '<rootDir>/conformance/jest.config.js'],
  reporters: ['default', '<rootDir>/scripts/jest-summary.js'],
  // Tests spawn containers and processes rather than burn CPU: two workers fit two cores.
  maxWorkers: 2,
  // A global option (ignored in project configs): root tests start real containers.
  testTimeout: 120000,
};
