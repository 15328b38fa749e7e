// One jest run over every package; each package is a jest project.
/** @type {import('jest').Config} */
module.exports = {
  projects: ['<rootDir>/packages/*/jest.config.js'],
  reporters: ['default', '<rootDir>/scripts/jest-summary.js'],
};
