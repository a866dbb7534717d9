// `npm run users -- <command>`: user accounts from a shell, on the database the API uses
// (DATABASE_URL, as the API reads it). Passwords come from USERS_PASSWORD, from stdin when it
// is not a terminal, or from a prompt that does not echo; they are never printed.
import { createInterface } from 'node:readline';

import { ROLES, type Role, USERNAME_PATTERN, USERNAME_RULE, passwordProblem } from '@realtime/contracts';

import { UsersService } from '../app/users/users.service';
import { loadConfig } from '../config/app-config';
import { type DatabaseHandle, migrateToLatest, openDatabase } from '../infra/database/database.provider';

const USAGE = `Usage: npm run users -- <command>
  list                               every user with its role and state
  add NAME [--role admin|operator|viewer]   create a user (default role: viewer)
  passwd NAME                        set a new password (the user's sessions end)
  role NAME admin|operator|viewer    change the role
  disable NAME                       disable: sign-in refused, sessions, streams and sockets end
  enable NAME                        enable again
The password is read from USERS_PASSWORD, else from stdin when it is piped, else prompted.
DATABASE_URL selects the database (default sqlite:data/realtime.db), as for the API.`;

export class CliError extends Error {}

/** Reads a password without echoing it (a terminal), or the first line of piped stdin. */
async function readPassword(env: NodeJS.ProcessEnv): Promise<string> {
  if (env['USERS_PASSWORD']) return env['USERS_PASSWORD'];
  const stdin = process.stdin;
  if (!stdin.isTTY) {
    let text = '';
    for await (const chunk of stdin) text += String(chunk);
    return text.split(/\r?\n/)[0];
  }
  process.stderr.write('Password (not shown): ');
  const rl = createInterface({ input: stdin, output: process.stderr, terminal: true });
  // Mute the echo: readline writes what is typed through _writeToOutput.
  (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = () => undefined;
  const answer = await new Promise<string>((resolve) => rl.question('', resolve));
  rl.close();
  process.stderr.write('\n');
  return answer;
}

function roleArg(value: string | undefined): Role {
  if (!value || !(ROLES as readonly string[]).includes(value)) {
    throw new CliError(`role: must be one of ${ROLES.join(', ')}`);
  }
  return value as Role;
}

async function userId(
  db: DatabaseHandle,
  name: string | undefined,
): Promise<{ id: number; username: string; role: string; disabled_at: number | null }> {
  if (!name) throw new CliError('a username is needed');
  const row = await db.db
    .selectFrom('users')
    .select(['id', 'username', 'role', 'disabled_at'])
    .where('username', '=', name)
    .executeTakeFirst();
  if (!row) throw new CliError(`no user ${JSON.stringify(name)}`);
  return { ...row, id: Number(row.id) };
}

async function enabledAdmins(db: DatabaseHandle): Promise<number> {
  const rows = await db.db
    .selectFrom('users')
    .select('id')
    .where('role', '=', 'admin')
    .where('disabled_at', 'is', null)
    .execute();
  return rows.length;
}

/** Runs one command; returns what to print (never a password). */
export async function runUsersCli(
  args: string[],
  env: NodeJS.ProcessEnv,
  readSecret: () => Promise<string> = () => readPassword(env),
): Promise<string> {
  const [command, name, ...rest] = args;
  if (!command || command === 'help' || command === '--help') return USAGE;
  const config = loadConfig({
    ...env,
    NODE_ENV: 'development',
    JWT_SECRET: undefined,
    ADMIN_USERNAME: undefined,
    ADMIN_PASSWORD: undefined,
  });
  const db = openDatabase(config.databaseUrl);
  try {
    await migrateToLatest(db);
    // bcrypt through the API's own service, so hashes are the same.
    const users = new UsersService(db);
    const now = Date.now();
    switch (command) {
      case 'list': {
        const rows = await db.db
          .selectFrom('users')
          .select(['id', 'username', 'role', 'disabled_at'])
          .orderBy('id')
          .execute();
        const lines = rows.map(
          (r) =>
            `${String(r.id).padStart(5)}  ${r.username.padEnd(24)} ${r.role.padEnd(9)} ${r.disabled_at === null ? 'enabled' : 'disabled'}`,
        );
        return [`   id  ${'username'.padEnd(24)} ${'role'.padEnd(9)} state`, ...lines].join('\n');
      }
      case 'add': {
        if (!name || !USERNAME_PATTERN.test(name)) throw new CliError(`username: must be ${USERNAME_RULE}`);
        const roleFlag = rest.indexOf('--role');
        const role = roleFlag >= 0 ? roleArg(rest[roleFlag + 1]) : 'viewer';
        if (await users.findByUsername(name)) throw new CliError(`username: "${name}" is taken`);
        const password = await readSecret();
        const problem = passwordProblem(password, name);
        if (problem) throw new CliError(problem);
        const user = await users.create(name, password, role);
        return `created ${user.username} (id ${user.id}, ${user.role})`;
      }
      case 'passwd': {
        const user = await userId(db, name);
        const password = await readSecret();
        const problem = passwordProblem(password, user.username);
        if (problem) throw new CliError(problem);
        await db.db
          .updateTable('users')
          .set({ password_hash: await users.hashPassword(password) })
          .where('id', '=', user.id)
          .execute();
        await db.db
          .updateTable('sessions')
          .set({ revoked_at: now })
          .where('user_id', '=', user.id)
          .where('revoked_at', 'is', null)
          .execute();
        return `password of ${user.username} changed; their sessions are signed out`;
      }
      case 'role': {
        const user = await userId(db, name);
        const role = roleArg(rest[0]);
        if (
          user.role === 'admin' &&
          role !== 'admin' &&
          user.disabled_at === null &&
          (await enabledAdmins(db)) <= 1
        ) {
          throw new CliError(`${user.username} is the last enabled admin: make another user an admin first`);
        }
        await db.db.updateTable('users').set({ role }).where('id', '=', user.id).execute();
        return `${user.username} is now ${role}`;
      }
      case 'disable': {
        const user = await userId(db, name);
        if (user.role === 'admin' && user.disabled_at === null && (await enabledAdmins(db)) <= 1) {
          throw new CliError(`${user.username} is the last enabled admin: make another user an admin first`);
        }
        if (user.disabled_at === null) {
          await db.db.updateTable('users').set({ disabled_at: now }).where('id', '=', user.id).execute();
        }
        await db.db
          .updateTable('sessions')
          .set({ revoked_at: now })
          .where('user_id', '=', user.id)
          .where('revoked_at', 'is', null)
          .execute();
        return `${user.username} is disabled; running APIs close their streams and sockets within seconds`;
      }
      case 'enable': {
        const user = await userId(db, name);
        await db.db.updateTable('users').set({ disabled_at: null }).where('id', '=', user.id).execute();
        return `${user.username} is enabled`;
      }
      default:
        throw new CliError(`unknown command ${JSON.stringify(command)}\n${USAGE}`);
    }
  } finally {
    await db.close();
  }
}
