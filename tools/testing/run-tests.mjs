// `npm test`: format check, then lint, unit and e2e tests of every project through Nx,
// then one closing line that adds up every Jest run: "N passed, N failed".
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('../..', import.meta.url).pathname;
const summaryDir = join(root, 'test-results/summary');
rmSync(summaryDir, { recursive: true, force: true });

const env = { ...process.env, NX_NO_CLOUD: 'true', NX_DAEMON: 'false' };
const steps = [
  ['npx', ['prettier', '--check', '.']],
  [
    'npx',
    [
      'nx',
      'run-many',
      '-t',
      'lint',
      'test',
      'e2e',
      'e2e-postgres',
      '--parallel=2',
      '--output-style=static',
      ...(process.env.CI ? ['--skip-nx-cache'] : []),
    ],
  ],
];

let failedStep = null;
for (const [cmd, args] of steps) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', env, cwd: root });
  if (r.status !== 0) {
    failedStep = `${cmd} ${args.join(' ')}`;
    break;
  }
}

let passed = 0;
let failed = 0;
let skipped = 0;
const rows = [];
if (existsSync(summaryDir)) {
  for (const file of readdirSync(summaryDir).sort()) {
    const s = JSON.parse(readFileSync(join(summaryDir, file), 'utf8'));
    passed += s.passed;
    failed += s.failed + s.suitesFailed;
    skipped += s.skipped;
    rows.push(
      `  ${s.name.padEnd(32)} ${String(s.passed).padStart(5)} passed ${String(s.failed).padStart(4)} failed`,
    );
  }
}
console.log('\nTest summary (Jest runs that executed; cached Nx tasks are not re-counted):');
console.log(rows.join('\n'));
if (failedStep) console.log(`\nFailed step: ${failedStep}`);
if (failedStep && failed === 0) failed = 1;
console.log(`\nTests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failedStep ? 1 : 0);
