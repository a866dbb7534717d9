// The bench's smoke run (a few clients per scenario, seconds each) against the built API, and the
// unit tests of its pure modules.
module.exports = {
  displayName: 'bench',
  preset: '../../jest.preset.js',
  testEnvironment: 'node',
  testMatch: ['<rootDir>/**/*.spec.ts'],
  transform: {
    '^.+\\.[tj]s$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.spec.json' }],
    // The bench's own modules are plain ES modules run by node; jest needs them as CommonJS.
    '^.+\\.mjs$': ['babel-jest', { plugins: ['@babel/plugin-transform-modules-commonjs'] }],
  },
  moduleFileExtensions: ['ts', 'js', 'mjs'],
  testTimeout: 60_000,
};
