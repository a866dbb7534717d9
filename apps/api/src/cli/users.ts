// Entry of `npm run users -- …` (built as dist/apps/api/users-cli.js); the commands are in users-cli.ts.
import { ConfigError } from '../config/app-config';
import { CliError, runUsersCli } from './users-cli';

runUsersCli(process.argv.slice(2), process.env).then(
  (out) => {
    process.stdout.write(`${out}\n`);
  },
  (err: unknown) => {
    const known = err instanceof CliError || err instanceof ConfigError;
    process.stderr.write(`users: ${known ? (err as Error).message : String((err as Error)?.stack ?? err)}\n`);
    process.exitCode = known ? 2 : 1;
  },
);
