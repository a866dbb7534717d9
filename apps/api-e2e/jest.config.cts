// E2E suites start the built API (dist/apps/api/main.js) as child processes on free ports.
// E2E_DB=postgres runs them against the real PostgreSQL server instead of SQLite files.
module.exports = {
  displayName: `api-e2e (${process.env.E2E_DB ?? 'sqlite'})`,
  preset: '../../jest.preset.js',
  testEnvironment: 'node',
  testMatch: ['<rootDir>/src/**/*.e2e.spec.ts'],
  transform: {
    '^.+\\.[tj]s$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.spec.json' }],
  },
  moduleFileExtensions: ['ts', 'js'],
  testTimeout: 60_000,
  maxWorkers: 2,
};
