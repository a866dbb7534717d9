import { io } from 'socket.io-client';

import { CHAT_NAMESPACE, type ChatMessage } from '@realtime/contracts';
import { ApiProcess, RawSse, login, request } from '@realtime/test-support';

import { envCount, sql, until } from './support';

/** Requests in flight at SIGTERM: 60 in CI, SHUTDOWN_INFLIGHT=1000 by hand. */
const INFLIGHT = envCount('SHUTDOWN_INFLIGHT', 60);

describe('graceful shutdown on SIGTERM', () => {
  let api: ApiProcess;
  afterAll(() => api?.dispose());

  it('ends streams with a retry:, tells sockets why, exits 0, and loses nothing that got a 201', async () => {
    api = await ApiProcess.start({
      env: {
        SIMULATOR: 'false',
        NOTIFY_RATE_PER_S: '100000',
        NOTIFY_RATE_BURST: '100000',
        CHAT_RATE_PER_S: '100000',
        CHAT_RATE_BURST: '100000',
      },
    });
    const [alice, bob] = await Promise.all([login(api, 'alice'), login(api, 'bob')]);
    const auth = { authorization: `Bearer ${bob.accessToken}` };
    const [notifications, dashboard] = await Promise.all([
      RawSse.open(`${api.baseUrl}/api/notifications/stream`, auth),
      RawSse.open(`${api.baseUrl}/api/dashboard/stream`, auth),
    ]);
    await notifications.waitForEvents('connected');
    await dashboard.waitForEvents('metrics');

    const socket = io(api.baseUrl + CHAT_NAMESPACE, {
      auth: { token: alice.accessToken },
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
    });
    const socketErrors: Array<{ code: string }> = [];
    socket.on('error', (e: { code: string }) => socketErrors.push(e));
    const disconnected = new Promise<string>((resolve) => socket.once('disconnect', resolve));
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    expect(await socket.timeout(5000).emitWithAck('join', { roomId: 'shutdown' })).toMatchObject({
      ok: true,
    });

    // Writes in flight when the signal comes: notifications, orders and chat messages.
    const outcome = <T>(p: Promise<T>) =>
      p.then(
        (value) => ({ value }),
        (error: unknown) => ({ error }),
      );
    const notes = Array.from({ length: INFLIGHT }, (_, i) =>
      outcome(
        request(api, 'POST', '/api/notifications', {
          token: alice.accessToken,
          body: { userId: bob.user.id, title: `in flight ${i}`, message: 'shutdown' },
        }),
      ),
    );
    const orders = Array.from({ length: INFLIGHT }, (_, i) =>
      outcome(
        request(api, 'POST', '/api/orders', {
          token: alice.accessToken,
          body: { amount: 1 + i, currency: 'USD' },
          headers: { 'idempotency-key': `shutdown-${i}` },
        }),
      ),
    );
    const chats = Array.from({ length: Math.ceil(INFLIGHT / 3) }, (_, i) =>
      outcome(
        socket
          .timeout(10_000)
          .emitWithAck('chat', { roomId: 'shutdown', content: `in flight ${i}`, clientId: `sd-${i}` }),
      ),
    );
    // SIGTERM once the server is busy with them (a tenth of the answers are back).
    let answered = 0;
    [...notes, ...orders].forEach((p) => void p.then(() => answered++));
    await until(() => answered >= INFLIGHT / 5, 'the first answers');
    const code = await api.stop('SIGTERM');
    expect(code).toBe(0);

    // Both streams ended with a goodbye that says when to come back, keeping the last id.
    for (const sse of [notifications, dashboard]) {
      await sse.until((s) => s.closed, 10_000, 'the stream to end');
      expect(sse.comments).toContain('server shutting down, reconnect');
      const goodbye = sse.body.slice(sse.body.lastIndexOf('\n\nid: ') + 2);
      const lastEventId = sse.events.at(-1)!.id;
      expect(goodbye).toMatch(new RegExp(`^id: ${lastEventId}\\nretry: \\d+\\n: server shutting down`));
    }
    // The socket was told why before it closed.
    expect(await disconnected).toMatch(/transport (close|error)/);
    expect(socketErrors).toContainEqual(expect.objectContaining({ code: 'SHUTTING_DOWN' }));
    socket.close();

    const settled = {
      notes: await Promise.all(notes),
      orders: await Promise.all(orders),
      chats: await Promise.all(chats),
    };
    const statuses = [...settled.notes, ...settled.orders].flatMap((o) =>
      'value' in o ? [o.value.status] : [],
    );
    // Every answer is a 201 (no 5xx); a request that never reached the server before it closed
    // would be a connection error, with nothing stored (the drain serves what was sent).
    expect(statuses.filter((s) => s !== 201)).toEqual([]);
    const breakdown = {
      created: statuses.filter((s) => s === 201).length,
      connectionErrors: [...settled.notes, ...settled.orders].filter((o) => 'error' in o).length,
      firstError: [...settled.notes, ...settled.orders].flatMap((o) =>
        'error' in o ? [String((o.error as { cause?: unknown }).cause ?? o.error)] : [],
      )[0],
    };
    const created = (list: typeof settled.notes) =>
      list.flatMap((o) => ('value' in o && o.value.status === 201 ? [o.value.body.id as number] : []));
    const notesStored = created(settled.notes);
    const ordersStored = created(settled.orders);
    const chatsAcked = settled.chats.flatMap((o) =>
      'value' in o && (o.value as { ok: boolean }).ok ? [(o.value as { message: ChatMessage }).message] : [],
    );

    // Restarted on the same database: everything that was acknowledged is there (read back
    // through the API for a sample, and from the database for all of them).
    await api.restart();
    const bob2 = await login(api, 'bob');
    const list = await request(api, 'GET', `/api/notifications?limit=10`, { token: bob2.accessToken });
    expect(list.status).toBe(200);
    const ids = async (table: string) =>
      new Set((await sql(api, `SELECT id FROM ${table}`)).map((r) => Number(r['id'])));
    const [storedNotes, storedOrders, storedChats] = await Promise.all([
      ids('notifications'),
      ids('orders'),
      ids('chat_messages'),
    ]);
    expect(notesStored.filter((id) => !storedNotes.has(id))).toEqual([]);
    expect(ordersStored.filter((id) => !storedOrders.has(id))).toEqual([]);
    expect(chatsAcked.filter((m) => !storedChats.has(m.id))).toEqual([]);
    process.stdout.write(
      `shutdown: exit ${code}; of ${INFLIGHT} notifications ${notesStored.length} got 201, of ${INFLIGHT} orders ` +
        `${ordersStored.length}, of ${chats.length} chat messages ${chatsAcked.length} acked: all stored after restart ` +
        `${JSON.stringify(breakdown)}\n`,
    );
  }, 90_000);
});
