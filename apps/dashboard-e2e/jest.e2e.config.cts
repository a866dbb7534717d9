// Playwright (playwright-core) driving Debian's Chromium against the production dashboard build,
// served with a proxy to the built API (see src/support). Not named jest.config.* so that the
// @nx/jest plugin does not turn it into a unit `test` target.
module.exports = {
  displayName: 'dashboard-e2e',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  testEnvironment: 'node',
  testMatch: ['<rootDir>/src/**/*.e2e.spec.ts'],
  transform: {
    '^.+\\.[tj]s$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.spec.json' }],
  },
  moduleFileExtensions: ['ts', 'js'],
  testTimeout: 90_000,
  // One browser at a time: the machine has two cores.
  maxWorkers: 1,
};
