import { EventSource } from 'eventsource';
import { io, type Socket } from 'socket.io-client';

import { CHAT_NAMESPACE, type ChatMessage, type LoginResponse } from '@realtime/contracts';
import { ApiProcess, login, request } from '@realtime/test-support';

import { ChaosProxy, envCount, until } from './support';

/** Disconnect cycles: 30 in CI, RELIABILITY_CYCLES=200 (or more) by hand. */
const CYCLES = envCount('RELIABILITY_CYCLES', 30);
const ROOM = 'chaos';

/**
 * An EventSource (the `eventsource` package: reconnects by itself, sends Last-Event-ID) with a
 * bearer token. The server's `retry: 3000` is shortened on the way in, so that a cycle takes
 * milliseconds rather than seconds; reconnecting is otherwise the package's own behaviour.
 */
function eventSource(url: string, token: string): EventSource {
  return new EventSource(url, {
    fetch: async (input, init) => {
      const res = await fetch(input, {
        ...init,
        headers: { ...(init?.headers as Record<string, string>), Authorization: `Bearer ${token}` },
      });
      if (!res.body) return res;
      const decoder = new TextDecoder();
      const encoder = new TextEncoder();
      const body = res.body.pipeThrough(
        new TransformStream<Uint8Array, Uint8Array>({
          transform(chunk, controller) {
            const text = decoder.decode(chunk, { stream: true }).replace(/^retry: \d+$/gm, 'retry: 20');
            controller.enqueue(encoder.encode(text));
          },
        }),
      );
      return new Response(body, { status: res.status, headers: res.headers });
    },
  });
}

/**
 * A chat client as the dashboard runs it: socket.io reconnects with exponential backoff, and
 * on every (re)connect the client joins its room again and merges the history from the join
 * ack with the live `chat` events by message id (the history covers what it missed).
 */
class ResilientChat {
  readonly messages = new Map<number, ChatMessage>();
  readonly duplicatesLive: number[] = [];
  joins = 0;
  readonly socket: Socket;

  constructor(url: string, token: string) {
    this.socket = io(url + CHAT_NAMESPACE, {
      auth: { token },
      transports: ['websocket'],
      forceNew: true,
      reconnectionDelay: 20,
      reconnectionDelayMax: 200,
      randomizationFactor: 0.5,
    });
    this.socket.on('chat', (m: ChatMessage) => {
      if (m.roomId !== ROOM) return;
      if (this.messages.has(m.id) && this.liveIds.has(m.id)) this.duplicatesLive.push(m.id);
      this.liveIds.add(m.id);
      this.messages.set(m.id, m);
    });
    this.socket.on('connect', () => void this.join());
  }

  private readonly liveIds = new Set<number>();

  private async join() {
    try {
      const ack = await this.socket.timeout(5000).emitWithAck('join', { roomId: ROOM });
      if (!ack.ok) return;
      for (const m of ack.history as ChatMessage[]) this.messages.set(m.id, m);
      this.joins++;
    } catch {
      // lost with the connection: the next 'connect' joins again
    }
  }

  /** Sends until acknowledged, always with the same clientId: a retry is stored once. */
  async send(content: string, clientId: string): Promise<ChatMessage> {
    for (let attempt = 0; attempt < 100; attempt++) {
      try {
        const ack = await this.socket.timeout(2000).emitWithAck('chat', { roomId: ROOM, content, clientId });
        if (ack.ok) return ack.message as ChatMessage;
        if (ack.error?.code !== 'NOT_MEMBER') throw new Error(JSON.stringify(ack));
      } catch (err) {
        // A lost ack (timeout, or the socket went down with the ack pending): send again.
        if (!(err instanceof Error) || !/timed out|disconnected/i.test(err.message)) throw err;
      }
      await until(() => this.socket.connected && this.joins > 0, 'the chat socket to reconnect');
    }
    throw new Error(`chat ${clientId} never acknowledged`);
  }

  close() {
    this.socket.close();
  }
}

describe('network interruptions (TCP proxy between the clients and the API)', () => {
  let api: ApiProcess;
  let proxy: ChaosProxy;
  let alice: LoginResponse;
  let bob: LoginResponse;
  const closers: Array<() => void> = [];

  beforeAll(async () => {
    api = await ApiProcess.start({
      env: {
        SIMULATOR: 'false',
        DASHBOARD_TICK_MS: '200',
        NOTIFY_RATE_PER_S: '100000',
        NOTIFY_RATE_BURST: '100000',
        CHAT_RATE_PER_S: '100000',
        CHAT_RATE_BURST: '100000',
      },
    });
    proxy = await ChaosProxy.start(api.port);
    [alice, bob] = await Promise.all([login(api, 'alice'), login(api, 'bob')]);
  });
  afterAll(async () => {
    closers.forEach((close) => close());
    await proxy?.close();
    await api?.dispose();
  });

  it(
    `reconnects through ${CYCLES} reset/drop/stall cycles and delivers every notification and chat message once`,
    async () => {
      const notifications: Array<{ id: string; notificationId: number }> = [];
      let connected = 0;
      const bobStream = eventSource(`${proxy.url}/api/notifications/stream`, bob.accessToken);
      closers.push(() => bobStream.close());
      bobStream.addEventListener('connected', () => connected++);
      bobStream.addEventListener('notification', (e) =>
        notifications.push({ id: e.lastEventId, notificationId: JSON.parse(e.data).id }),
      );
      const dashboardIds: number[] = [];
      const dashboard = eventSource(`${proxy.url}/api/dashboard/stream`, bob.accessToken);
      closers.push(() => dashboard.close());
      dashboard.addEventListener('metrics', (e) => dashboardIds.push(Number(e.lastEventId)));

      const sender = new ResilientChat(proxy.url, alice.accessToken);
      const receiver = new ResilientChat(proxy.url, bob.accessToken);
      closers.push(
        () => sender.close(),
        () => receiver.close(),
      );
      await until(() => connected >= 1 && sender.joins >= 1 && receiver.joins >= 1, 'everyone to connect');

      const published: number[] = [];
      const publish = async (i: number, when: string) => {
        const res = await request(api, 'POST', '/api/notifications', {
          token: alice.accessToken,
          body: { userId: bob.user.id, title: `cycle ${i} ${when}`, message: 'chaos' },
        });
        expect(res.status).toBe(201);
        published.push(res.body.id);
      };
      const sent: ChatMessage[] = [];
      const counts = { reset: 0, drop: 0, stall: 0 };

      for (let i = 0; i < CYCLES; i++) {
        const before = { connected, senderJoins: sender.joins, receiverJoins: receiver.joins };
        await publish(i, 'live');
        const mode = (['reset', 'drop', 'stall'] as const)[i % 3];
        counts[mode]++;
        if (mode === 'stall') {
          // Bytes published now reach the proxy and stay there; the reset then throws them away.
          proxy.stallAll();
          await publish(i, 'stalled');
          const chat = sender.send(`stalled ${i}`, `c-${i}-stalled`);
          proxy.resetAll();
          sent.push(await chat);
        } else {
          if (mode === 'reset') proxy.resetAll();
          else proxy.dropAll();
          await publish(i, 'while away');
          sent.push(await sender.send(`away ${i}`, `c-${i}-away`));
        }
        // Every client has come back (a new `connected` event, a new join) before the next cycle.
        await until(
          () =>
            connected > before.connected &&
            sender.joins > before.senderJoins &&
            receiver.joins > before.receiverJoins,
          `cycle ${i} (${mode}): every client to reconnect`,
        );
      }
      sent.push(await sender.send('after the storm', 'c-final'));
      await publish(CYCLES, 'final');

      // Notifications: delivered = published, in order, none twice.
      await until(
        () =>
          notifications.length >= published.length &&
          notifications.at(-1)?.notificationId === published.at(-1),
        'every notification to arrive',
      );
      expect(notifications.map((n) => n.notificationId)).toEqual(published);
      const eventIds = notifications.map((n) => Number(n.id));
      expect(eventIds).toEqual([...eventIds].sort((a, b) => a - b));
      expect(new Set(eventIds).size).toBe(eventIds.length);

      // Chat: the receiver holds every acknowledged message, each clientId stored once.
      await until(() => sent.every((m) => receiver.messages.has(m.id)), 'every chat message at the receiver');
      expect(receiver.duplicatesLive).toEqual([]);
      const stored = await request(api, 'GET', `/api/chat/rooms/${ROOM}/messages?limit=100`, {
        token: alice.accessToken,
      });
      expect(stored.status).toBe(200);
      const items: ChatMessage[] = stored.body.items ?? stored.body;
      if (sent.length <= 100) {
        expect(items.map((m) => m.clientId).sort()).toEqual(sent.map((m) => m.clientId).sort());
      }
      expect(new Set(sent.map((m) => m.id)).size).toBe(sent.length);

      // Dashboard: ids only ever increase across reconnects (resume, no replays twice).
      expect(dashboardIds.length).toBeGreaterThan(CYCLES);
      for (let k = 1; k < dashboardIds.length; k++)
        expect(dashboardIds[k]).toBeGreaterThan(dashboardIds[k - 1]);

      expect(connected).toBeGreaterThan(CYCLES);
      process.stdout.write(
        `network: ${CYCLES} cycles (${JSON.stringify(counts)}), ${proxy.accepted} connections through the proxy, ` +
          `${published.length} notifications and ${sent.length} chat messages delivered once each\n`,
      );
    },
    120_000 + CYCLES * 2_000,
  );
});
