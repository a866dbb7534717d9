import fc from 'fast-check';
import { io, type Socket } from 'socket.io-client';

import { CHAT_NAMESPACE, type LoginResponse } from '@realtime/contracts';
import { ApiProcess, RawSse, login, request } from '@realtime/test-support';

import { envCount } from './support';

/** Cases per property: 200 in CI (≈ 4,000 in all), FUZZ_RUNS=5000 for a long run. */
const RUNS = envCount('FUZZ_RUNS', 200);
/** Stream opens are slower (each is a connection); a quarter of RUNS. */
const STREAM_RUNS = Math.max(20, Math.floor(RUNS / 4));

const CODES = new Set([
  'BAD_REQUEST',
  'NOT_MEMBER',
  'TOO_LONG',
  'RATE_LIMITED',
  'UNKNOWN_EVENT',
  'UNAUTHORIZED',
  'INTERNAL',
]);

/** Values a client could put anywhere: JSON of every shape, long strings, odd numbers. */
const anyJson = fc.oneof(
  fc.jsonValue(),
  fc.string({ unit: 'grapheme', maxLength: 300 }),
  fc.constantFrom(
    null,
    -1,
    0,
    1e308,
    -0,
    '',
    ' ',
    '__proto__',
    'constructor',
    'x'.repeat(5000),
    '\u0000',
    '😀'.repeat(100),
    [],
    {},
    { __proto__: { admin: true } },
  ),
);

/** An object with the endpoint's own keys (so validation goes deeper) and random values. */
const shaped = (keys: string[]) =>
  fc.dictionary(fc.constantFrom(...keys, 'extra', '__proto__'), anyJson, { maxKeys: keys.length + 1 });

/** Printable header values (fetch refuses control characters before anything is sent). */
const headerValue = fc
  .oneof(
    fc.string({ maxLength: 200 }),
    fc.string({ unit: 'binary-ascii', maxLength: 100 }),
    fc.constantFrom('0', '-1', '1e3', '99999999999999999999', '1.5', 'NaN', ' 12 ', '0x10', '١٢'),
  )
  .map((s) => s.replace(/[^\t\x20-\x7e]/g, '').trim());

/** Bodies that are not JSON at all, or cut off. */
const rawBody = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.constantFrom(
    '{',
    '{"a":',
    '[1,2',
    'null',
    'true',
    '"str"',
    '{"username":"alice","password":}',
    '\u0000',
  ),
);

interface Outcome {
  status: number;
  body: unknown;
  what: string;
}

function expectHandled({ status, body, what }: Outcome) {
  if (status >= 500 || status < 200) throw new Error(`${what} → ${status} ${JSON.stringify(body)}`);
  if (status >= 400) {
    const ok =
      typeof body === 'object' &&
      body !== null &&
      (body as { statusCode?: unknown }).statusCode === status &&
      typeof (body as { message?: unknown }).message === 'string';
    if (!ok)
      throw new Error(`${what} → ${status} without a JSON {statusCode, message}: ${JSON.stringify(body)}`);
  }
}

describe('fuzzing (fast-check): every input gets a 2xx, a 4xx with a JSON reason, or a coded error', () => {
  let api: ApiProcess;
  let alice: LoginResponse;
  let bob: LoginResponse;
  // Logout revokes the session it is called with: it gets a session of its own, so the rest of
  // the run keeps fuzzing as a signed-in user.
  let spare: LoginResponse;
  let cases = 0;

  beforeAll(async () => {
    api = await ApiProcess.start({
      env: {
        SIMULATOR: 'false',
        NOTIFY_RATE_PER_S: '100000',
        NOTIFY_RATE_BURST: '100000',
        CHAT_RATE_PER_S: '100000',
        CHAT_RATE_BURST: '100000',
      },
    });
    [alice, bob, spare] = await Promise.all([login(api, 'alice'), login(api, 'bob'), login(api, 'alice')]);
  });
  afterAll(async () => {
    process.stdout.write(`fuzz: ${cases} cases, no 5xx, process alive\n`);
    await api?.dispose();
  });
  afterEach(async () => {
    // Whatever was thrown at it, the process is alive and still answers.
    expect((await request(api, 'GET', '/api/health')).status).toBe(200);
  });

  const send = async (
    method: string,
    path: string,
    options: { body?: unknown; rawBody?: string; headers?: Record<string, string>; token?: string },
  ) => {
    cases++;
    const res = await request(api, method, path, { ...options, token: options.token ?? alice.accessToken });
    expectHandled({
      status: res.status,
      body: res.body,
      what: `${method} ${path} ${JSON.stringify(options)}`,
    });
    return res;
  };

  const bodies: Array<[string, string, string[]]> = [
    ['POST', '/api/auth/login', ['username', 'password']],
    ['POST', '/api/orders', ['amount', 'currency']],
    ['POST', '/api/notifications', ['userId', 'title', 'message', 'type']],
    ['POST', '/api/dashboard/refresh', []],
    ['POST', '/api/auth/logout', []],
    ['PUT', '/api/notifications/read-all', []],
  ];

  const tokenFor = (path: string) => (path === '/api/auth/logout' ? spare.accessToken : undefined);

  it.each(bodies)('%s %s: random JSON bodies', async (method, path, keys) => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(anyJson, shaped(keys.length ? keys : ['a'])), async (body) => {
        await send(method, path, { body, token: tokenFor(path) });
      }),
      { numRuns: RUNS },
    );
  });

  it.each(bodies)('%s %s: bodies that are not JSON', async (method, path) => {
    await fc.assert(
      fc.asyncProperty(rawBody, async (rawBody) => {
        await send(method, path, { rawBody, token: tokenFor(path) });
      }),
      { numRuns: Math.ceil(RUNS / 4) },
    );
  });

  it('Idempotency-Key on POST /api/orders: any header value, a repeated key counts once', async () => {
    await fc.assert(
      fc.asyncProperty(headerValue, shaped(['amount', 'currency']), async (key, body) => {
        const valid = { amount: 10, currency: 'USD' };
        const first = await send('POST', '/api/orders', { body: valid, headers: { 'idempotency-key': key } });
        if (first.status === 201) {
          const again = await send('POST', '/api/orders', {
            body: valid,
            headers: { 'idempotency-key': key },
          });
          expect([200, 201]).toContain(again.status);
          expect(again.body.id).toBe(first.body.id);
        }
        await send('POST', '/api/orders', { body, headers: { 'idempotency-key': key } });
      }),
      { numRuns: RUNS },
    );
  });

  it('path parameters and query strings', async () => {
    const segment = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.constantFrom('0', '-1', '1.5', '99999999999999999999', 'NaN', '..', '%00', '%E0%A4%A', '1e3'),
    );
    await fc.assert(
      fc.asyncProperty(fc.nat(6), segment, segment, async (which, a, b) => {
        const x = encodeURIComponent(a);
        const y = encodeURIComponent(b);
        const paths: Array<[string, string]> = [
          ['PUT', `/api/notifications/${x}/read`],
          ['DELETE', `/api/notifications/${x}`],
          ['GET', `/api/notifications?cursor=${x}&limit=${y}`],
          ['GET', `/api/notifications/page?limit=${x}`],
          ['GET', `/api/dashboard/history?minutes=${x}`],
          ['GET', `/api/chat/rooms/${x}/messages?before=${y}&limit=${y}`],
          ['GET', `/api/orders?limit=${x}&cursor=${y}`],
        ];
        const [method, path] = paths[which];
        await send(method, path, {});
      }),
      { numRuns: RUNS },
    );
  });

  it.each(['/api/notifications/stream', '/api/dashboard/stream'])(
    'Last-Event-ID on %s: a stream from a sane point, or a 4xx',
    async (path) => {
      await fc.assert(
        fc.asyncProperty(headerValue, async (lastEventId) => {
          cases++;
          const sse = await RawSse.open(`${api.baseUrl}${path}`, {
            authorization: `Bearer ${bob.accessToken}`,
            'last-event-id': lastEventId,
          });
          try {
            if (sse.status !== 200) {
              await sse.until((s) => s.closed, 10_000, 'the refusal to end');
              expectHandled({
                status: sse.status,
                body: JSON.parse(sse.body),
                what: `Last-Event-ID ${lastEventId}`,
              });
              return;
            }
            const [first] = await sse.until(
              (s) => (s.events.length ? s.events : undefined),
              10_000,
              'a first event',
            );
            expect(['connected', 'metrics']).toContain(first.event);
            expect(first.id).toMatch(/^\d+$/);
          } finally {
            sse.close();
          }
        }),
        { numRuns: STREAM_RUNS },
      );
    },
  );

  describe('socket payloads', () => {
    let socket: Socket;
    let other: Socket;
    beforeAll(async () => {
      const connect = (token: string) =>
        new Promise<Socket>((resolve, reject) => {
          const s = io(api.baseUrl + CHAT_NAMESPACE, {
            auth: { token },
            transports: ['websocket'],
            reconnection: false,
            forceNew: true,
          });
          s.once('connect', () => resolve(s));
          s.once('connect_error', reject);
        });
      [socket, other] = await Promise.all([connect(alice.accessToken), connect(bob.accessToken)]);
      await socket.timeout(5000).emitWithAck('join', { roomId: 'fuzz' });
    });
    afterAll(() => {
      socket?.close();
      other?.close();
    });

    it('every event with any payload: an ack {ok} or a coded error, and the socket stays up', async () => {
      const events = fc.oneof(
        fc.constantFrom('join', 'leave', 'chat', 'typing', 'auth'),
        fc
          .string({ maxLength: 30 })
          .filter(
            (e) =>
              ![
                'connect',
                'connect_error',
                'disconnect',
                'disconnecting',
                'newListener',
                'removeListener',
              ].includes(e),
          ),
      );
      const payload = fc.oneof(
        anyJson,
        shaped(['roomId', 'content', 'clientId', 'isTyping', 'token']),
        fc.record({
          roomId: fc.oneof(fc.constant('fuzz'), fc.string({ maxLength: 80 })),
          content: fc.oneof(fc.string({ maxLength: 50 }), fc.constant('y'.repeat(2001))),
          clientId: fc.string({ maxLength: 140 }),
        }),
      );
      await fc.assert(
        fc.asyncProperty(events, payload, async (event, data) => {
          cases++;
          const ack = await socket.timeout(5000).emitWithAck(event, data);
          expect(typeof ack?.ok).toBe('boolean');
          if (!ack.ok) expect(CODES).toContain(ack.error.code);
          expect(socket.connected).toBe(true);
        }),
        { numRuns: RUNS * 2 },
      );
      // Nothing the fuzzer did disturbed another user's socket.
      expect(other.connected).toBe(true);
      expect(await other.timeout(5000).emitWithAck('join', { roomId: 'fuzz' })).toMatchObject({ ok: true });
      // A rejoin of the fuzzed room still works for the fuzzing socket too.
      expect(await socket.timeout(5000).emitWithAck('join', { roomId: 'fuzz' })).toMatchObject({ ok: true });
    });

    it('events without an ack and frames that are not socket.io packets do not take the server down', async () => {
      await fc.assert(
        fc.asyncProperty(fc.constantFrom('join', 'chat', 'typing', 'nope'), anyJson, async (event, data) => {
          cases++;
          socket.emit(event, data);
        }),
        { numRuns: RUNS },
      );
      // The socket is still served: an acknowledged event after the flood gets its answer.
      expect(await socket.timeout(10_000).emitWithAck('typing', { roomId: 'fuzz', isTyping: false })).toEqual(
        {
          ok: true,
        },
      );
      // Raw frames that the socket.io parser rejects: at worst that one connection closes.
      const victim = io(api.baseUrl + CHAT_NAMESPACE, {
        auth: { token: bob.accessToken },
        transports: ['websocket'],
        reconnection: false,
        forceNew: true,
      });
      await new Promise<void>((resolve) => victim.once('connect', () => resolve()));
      const engine = victim.io.engine;
      for (const frame of ['2/chat,["chat",{', '42["x"', '9', '2/nope,["join"]', '2/chat,123', 'garbage']) {
        cases++;
        engine.send(frame);
      }
      victim.close();
      expect(other.connected).toBe(true);
      expect(await other.timeout(5000).emitWithAck('typing', { roomId: 'fuzz', isTyping: false })).toEqual({
        ok: true,
      });
    });
  });
});
