import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

import { ApiProcess, RawSse, TestDatabase, login, request, runApiUntilExit } from '@realtime/test-support';

import { ChatClient } from '../chat/chat-client';
import { until } from '../reliability/support';

const CLI = resolve(__dirname, '../../../../dist/apps/api/users-cli.js');

/** Runs `npm run users -- …` as the README says (the built CLI), with optional stdin. */
function users(
  databaseUrl: string,
  args: string[],
  options: { stdin?: string; env?: Record<string, string> } = {},
): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { PATH: process.env.PATH ?? '', DATABASE_URL: databaseUrl, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.stdin.end(options.stdin ?? '');
    child.on('exit', (code) => done({ code, out, err }));
  });
}

describe('first admin and the users CLI (production, no demo)', () => {
  let db: TestDatabase;
  let api: ApiProcess;
  const ADMIN_PASSWORD = 'root-password-123';
  beforeAll(async () => {
    db = await TestDatabase.create();
    api = await ApiProcess.start({
      database: db,
      env: { DEMO: 'false', SIMULATOR: 'false', ADMIN_USERNAME: 'root', ADMIN_PASSWORD },
    });
  });
  afterAll(async () => {
    ChatClient.closeAll();
    await api?.stop();
    await db?.drop();
  });

  it('creates the admin from ADMIN_USERNAME/ADMIN_PASSWORD, and only while no admin exists', async () => {
    const root = await login(api, 'root', ADMIN_PASSWORD);
    expect(root.user.role).toBe('admin');
    expect(
      (
        await request(api, 'POST', '/api/auth/login', {
          body: { username: 'alice', password: 'demo-password' },
        })
      ).status,
    ).toBe(401);
    expect(api.logs).not.toContain(ADMIN_PASSWORD);
    // A restart with another password changes nothing: an admin exists.
    await api.stop();
    const again = await ApiProcess.start({
      database: db,
      env: {
        DEMO: 'false',
        SIMULATOR: 'false',
        ADMIN_USERNAME: 'root',
        ADMIN_PASSWORD: 'another-password-1',
      },
    });
    expect((await login(again, 'root', ADMIN_PASSWORD)).user.role).toBe('admin');
    await again.stop();
    api = await ApiProcess.start({ database: db, env: { DEMO: 'false', SIMULATOR: 'false' } });
  });

  it('refuses to start with a weak ADMIN_PASSWORD, naming the variable and the rule', async () => {
    const { code, output } = await runApiUntilExit({
      DATABASE_URL: db.url,
      ADMIN_USERNAME: 'root',
      ADMIN_PASSWORD: 'short',
    });
    expect(code).toBe(1);
    expect(output).toMatch(/ADMIN_PASSWORD must be at least 10 characters/);
    expect(output).not.toMatch(/short/);
  });

  it('adds users (password from the environment or stdin, never printed), lists them with roles', async () => {
    const add = await users(db.url, ['add', 'dave', '--role', 'operator'], {
      env: { USERS_PASSWORD: 'dave-password-1' },
    });
    expect(add).toMatchObject({ code: 0 });
    expect(add.out).toMatch(/created dave .*operator/);
    const piped = await users(db.url, ['add', 'erin'], { stdin: 'erin-password-1\n' });
    expect(piped.code).toBe(0);
    expect((await login(api, 'dave', 'dave-password-1')).user.role).toBe('operator');
    expect((await login(api, 'erin', 'erin-password-1')).user.role).toBe('viewer');
    const list = await users(db.url, ['list']);
    expect(list.out).toMatch(/root\s+admin\s+enabled/);
    expect(list.out).toMatch(/dave\s+operator\s+enabled/);
    for (const r of [add, piped, list]) expect(r.out + r.err).not.toMatch(/password-1/);
  });

  it('refuses a weak password, a duplicate and an unknown role with a clear message and exit code 2', async () => {
    const weak = await users(db.url, ['add', 'fay'], { stdin: 'short\n' });
    expect(weak.code).toBe(2);
    expect(weak.err).toMatch(/at least 10 characters/);
    expect(weak.err).not.toMatch(/short\b/);
    const dup = await users(db.url, ['add', 'dave'], { stdin: 'dave-password-9\n' });
    expect(dup).toMatchObject({ code: 2, err: expect.stringMatching(/taken/) });
    const role = await users(db.url, ['add', 'gus', '--role', 'root'], { stdin: 'gus-password-1\n' });
    expect(role).toMatchObject({ code: 2, err: expect.stringMatching(/role/) });
    const last = await users(db.url, ['disable', 'root']);
    expect(last).toMatchObject({ code: 2, err: expect.stringMatching(/last enabled admin/) });
  });

  it('passwd, disable (closing open streams and sockets within seconds) and enable', async () => {
    expect((await users(db.url, ['passwd', 'dave'], { stdin: 'dave-password-2\n' })).code).toBe(0);
    expect(
      (
        await request(api, 'POST', '/api/auth/login', {
          body: { username: 'dave', password: 'dave-password-1' },
        })
      ).status,
    ).toBe(401);
    const dave = (await login(api, 'dave', 'dave-password-2')).accessToken;
    const stream = await RawSse.open(`${api.baseUrl}/api/notifications/stream`, {
      authorization: `Bearer ${dave}`,
    });
    await stream.waitForEvents('connected');
    const chat = await ChatClient.connect(api, dave);
    const off = await users(db.url, ['disable', 'dave']);
    expect(off.code).toBe(0);
    await until(() => stream.closed, 'the stream to close');
    await chat.waitFor('disconnect');
    expect(
      (
        await request(api, 'POST', '/api/auth/login', {
          body: { username: 'dave', password: 'dave-password-2' },
        })
      ).status,
    ).toBe(401);
    expect((await users(db.url, ['list'])).out).toMatch(/dave\s+operator\s+disabled/);
    expect((await users(db.url, ['enable', 'dave'])).code).toBe(0);
    expect((await login(api, 'dave', 'dave-password-2')).user.username).toBe('dave');
  });
});
