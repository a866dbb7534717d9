import { createHmac } from 'node:crypto';

import { io, type Socket } from 'socket.io-client';

import { CHAT_NAMESPACE } from '@realtime/contracts';
import { type ApiProcess, TEST_JWT_SECRET } from '@realtime/test-support';

export interface Received {
  event: string;
  data: any;
}

const WAIT_MS = 15_000;
const open = new Set<ChatClient>();

/**
 * A socket.io client of `/chat` that records every event it receives, so a test can wait for
 * one (never sleep) and later assert on what did or did not arrive.
 */
export class ChatClient {
  readonly received: Received[] = [];
  disconnectReason: string | undefined;
  private waiters: Array<() => void> = [];

  private constructor(readonly socket: Socket) {
    open.add(this);
    socket.onAny((event: string, data: unknown) => this.push({ event, data }));
    socket.on('connect', () => this.push({ event: 'connect', data: undefined }));
    socket.on('connect_error', (err) => this.push({ event: 'connect_error', data: err }));
    socket.on('disconnect', (reason) => {
      this.disconnectReason = reason;
      this.push({ event: 'disconnect', data: reason });
    });
  }

  static create(api: ApiProcess, options: { token?: string; headers?: Record<string, string> } = {}) {
    return new ChatClient(
      io(api.baseUrl + CHAT_NAMESPACE, {
        auth: options.token === undefined ? {} : { token: options.token },
        extraHeaders: options.headers,
        transports: ['websocket'],
        reconnection: false,
        forceNew: true,
      }),
    );
  }

  /** Connects, or throws the `connect_error`. */
  static async connect(
    api: ApiProcess,
    token: string,
    headers?: Record<string, string>,
  ): Promise<ChatClient> {
    const client = ChatClient.create(api, { token, headers });
    const first = await client.next((r) => r.event === 'connect_error' || r.event === 'connect');
    if (first.event === 'connect_error') throw first.data;
    return client;
  }

  /** Connects and expects a refusal: the `connect_error`. */
  static async refused(api: ApiProcess, options: { token?: string; headers?: Record<string, string> } = {}) {
    const client = ChatClient.create(api, options);
    const first = await client.next((r) => r.event === 'connect_error' || r.event === 'connect');
    client.close();
    if (first.event === 'connect') throw new Error('connected, but a refusal was expected');
    return first.data as Error & { data?: { code?: string } };
  }

  static closeAll() {
    for (const client of open) client.close();
  }

  private push(r: Received) {
    this.received.push(r);
    const waiters = this.waiters;
    this.waiters = [];
    waiters.forEach((w) => w());
  }

  /** Emits with an ack callback and resolves with the ack. */
  request<T = any>(event: string, ...args: unknown[]): Promise<T> {
    return this.socket.timeout(WAIT_MS).emitWithAck(event, ...args) as Promise<T>;
  }

  /** The first received event (connection events included) matching `predicate`, waiting for it. */
  async next(predicate: (r: Received) => boolean, what = 'an event'): Promise<Received> {
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      const hit = this.received.find(predicate);
      if (hit) return hit;
      const remaining = deadline - Date.now();
      if (remaining <= 0) {
        throw new Error(
          `timed out waiting for ${what}; received ${JSON.stringify(this.received.slice(-10))}`,
        );
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, remaining);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Waits for an event named `event` whose data matches `where`, and returns its data. */
  async waitFor<T = any>(event: string, where: (data: T) => boolean = () => true): Promise<T> {
    const hit = await this.next((r) => r.event === event && where(r.data), `'${event}'`);
    return hit.data as T;
  }

  all<T = any>(event: string): T[] {
    return this.received.filter((r) => r.event === event).map((r) => r.data as T);
  }

  close() {
    this.socket.close();
    open.delete(this);
  }
}

function b64url(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** A hand-made HS256 token: expired, short-lived or signed with the wrong key. */
export function forgeToken(
  claims: { sub: string; username: string; exp: number },
  secret: string | null = TEST_JWT_SECRET,
  alg = 'HS256',
): string {
  const now = Math.floor(Date.now() / 1000);
  const head = `${b64url({ alg, typ: 'JWT' })}.${b64url({
    iss: 'realtime-dashboard',
    aud: 'realtime-dashboard',
    iat: now,
    ...claims,
  })}`;
  if (secret === null) return `${head}.`;
  return `${head}.${createHmac('sha256', secret).update(head).digest('base64url')}`;
}
