// Jest reporter: writes each project's counts to test-results/summary/ so that
// tools/testing/run-tests.mjs can print one closing line for the whole workspace.
const { mkdirSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

class SummaryReporter {
  constructor(globalConfig) {
    this.rootDir = globalConfig.rootDir;
  }

  onRunComplete(_contexts, results) {
    const dir = join(__dirname, '../../test-results/summary');
    mkdirSync(dir, { recursive: true });
    const name =
      (process.env.NX_TASK_TARGET_PROJECT ?? 'jest') + '-' + (process.env.NX_TASK_TARGET_TARGET ?? 'test');
    writeFileSync(
      join(dir, `${name}.json`),
      JSON.stringify({
        name,
        passed: results.numPassedTests,
        failed: results.numFailedTests,
        skipped: results.numPendingTests + results.numTodoTests,
        suitesFailed: results.numFailedTestSuites + results.numRuntimeErrorTestSuites,
      }),
    );
  }
}

module.exports = SummaryReporter;
