import type { IncomingMessage, ServerResponse } from 'node:http';

import { HttpException, HttpStatus, type LoggerService, type MessageEvent } from '@nestjs/common';
import { Observable, type Subscription, of } from 'rxjs';

import type { ShutdownSignal } from '../shutdown-signal';
import type { StreamObserver } from '../stream-observer';
import { Follower } from './resume';
import { GOING_AWAY, goingAway } from './sse-frame';
import { decodeCursor, encodeCursor } from './stream-cursor';
import { HttpSink, SSE_MAX_PENDING_CHARS, type StreamSink, SubscriberSink } from './stream-sink';
import type { StreamEvent, StreamSource } from './stream-source';

/** Who opens a stream: the verified token's user. */
export interface StreamUser {
  id: number;
  /** Token expiry, epoch seconds: the stream ends then, and the client must sign in again. */
  tokenExp?: number;
  /** The session the token belongs to, when sessions exist: `closeSession` ends its streams. */
  sessionId?: string;
}

/** Registers one connection of a user in the presence count; the function returned releases it. */
export interface PresenceTracker {
  track(userId: number, kind: string): () => void;
}

export interface StreamHubOptions {
  heartbeatMs: number;
  /**
   * Each stream's `retry:` is the channel's, stretched by up to this fraction at random (0.5:
   * 3 s becomes 3–4.5 s), so that the clients of a restarted instance do not all come back in
   * the same instant (docs/benchmarks.md, restart storm). 0 in tests.
   */
  retryJitter?: number;
  random?: () => number;
  /** Bytes that may wait for a client that does not read before it is dropped. */
  maxPendingBytes?: number;
  slowClientGraceMs?: number;
  logger?: LoggerService;
  /** Told what streams write, drop, resume and fan out (the metrics). */
  observer?: StreamObserver;
}

/** One open stream: its sink, its place in each channel, and what it holds. */
class Writer {
  readonly members: Member[] = [];
  private first = true;
  releases: Array<() => void> = [];

  constructor(
    readonly sink: StreamSink,
    readonly user: StreamUser,
    readonly retryMs: number,
    readonly kind: string,
    readonly observer?: StreamObserver,
  ) {}

  write(member: Member, event: MessageEvent) {
    // A stream of several channels carries every channel's position in its ids (an event
    // without an id, an ephemeral one, keeps none: it does not move the position).
    if (this.members.length > 1 && event.id != null) event = { ...event, id: this.lastId() };
    if (this.first) {
      this.first = false;
      this.sink.send(event, this.retryMs);
    } else this.sink.send(event);
  }

  get started(): boolean {
    return !this.first;
  }

  /** The id of the stream's last event (what the client's Last-Event-ID is now). */
  lastId(): string {
    if (this.members.length === 1) return String(this.members[0].last);
    return encodeCursor(this.members.map((m) => [m.source.name, m.last] as const));
  }
}

class Member extends Follower {
  constructor(
    source: StreamSource,
    readonly writer: Writer,
  ) {
    super(source, writer.user.id);
  }

  protected emit(event: StreamEvent) {
    this.writer.write(this, event.event);
  }

  protected override resumed(opening: StreamEvent[]) {
    const outcome = opening.some((e) => e.event.type === 'reset')
      ? 'reset'
      : this.source.after
        ? 'from_database'
        : 'replayed';
    this.writer.observer?.resumed(this.writer.kind, outcome);
  }

  protected override together(writes: () => void) {
    const { sink } = this.writer;
    if (sink.together) sink.together(writes);
    else writes();
  }

  protected fail(err: unknown) {
    this.writer.sink.fail(err);
  }

  protected get closed() {
    return this.writer.sink.closed;
  }
}

/** A fan-out topic: a plain set of the streams listening, and how to stop listening. */
interface Topic {
  readonly members: Set<Member>;
  stop: () => void;
}

/** Per channel: its streams (for catch-up), and each user's open count (for the cap). */
interface Channel {
  readonly members: Set<Member>;
  readonly perUser: Map<number, number>;
  reconnected?: Subscription;
}

/**
 * What a stream handler returns: an Observable of events (so a handler reads as Nest's
 * `@Sse()` ones do, and a test subscribes to it), which `@EventStream()` writes through the
 * hub's fan-out instead of subscribing: no RxJS subscription per stream on the hot path.
 */
export class HubStream extends Observable<MessageEvent> {
  constructor(
    private readonly hub: StreamHub,
    private readonly sources: StreamSource[],
    private readonly user: StreamUser,
    private readonly cursor: string | undefined,
  ) {
    super((subscriber) => {
      const sink = new SubscriberSink(subscriber);
      hub.attach(this.sources, this.user, this.cursor, sink);
      return () => sink.closing();
    });
  }

  /** Serves the stream on an HTTP response (`@EventStream()` calls it). */
  writeTo(req: IncomingMessage, res: ServerResponse, logger?: LoggerService): void {
    this.hub.attach(
      this.sources,
      this.user,
      this.cursor,
      this.hub.httpSink(req, res, logger, streamKind(this.sources)),
    );
  }
}

/**
 * The stream core: every SSE stream of the API is opened, written and closed here. It owns the
 * per-user cap and its 429, presence, the `retry:` (jittered), one heartbeat timer for all
 * streams, the end at token expiry, the slow-reader bound, the goodbye at shutdown, and the
 * resume logic (`Follower`). Channels publish events once per topic; the hub writes the same
 * framed bytes to each stream of the topic, a plain `Set` of writers.
 */
export class StreamHub {
  private readonly topics = new Map<string, Topic>();
  private readonly channels = new Map<StreamSource, Channel>();
  private readonly writers = new Set<Writer>();
  private readonly byUser = new Map<number, Set<Writer>>();
  /** Streams by the second their token expires; swept once a second. */
  private readonly expiries = new Map<number, Set<Writer>>();
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private expiryTimer: NodeJS.Timeout | undefined;
  private closing = false;
  private readonly random: () => number;

  constructor(
    private readonly options: StreamHubOptions,
    private readonly presence: PresenceTracker,
    shutdown: ShutdownSignal,
  ) {
    this.random = options.random ?? Math.random;
    shutdown.onShutdown(() => this.shutdown());
  }

  /**
   * A stream of `source` (or of several channels: a combined stream) for `user`, resuming after
   * `lastEventId`. Throws a 429 (before any stream byte) when the user already holds the most
   * streams a channel allows. Opened during shutdown: a stream that ends at once, so the client
   * comes back after its `retry:` (an error status would make an EventSource give up).
   */
  open(
    source: StreamSource | StreamSource[],
    user: StreamUser,
    lastEventId: string | undefined,
  ): Observable<MessageEvent> {
    if (this.closing) return of(GOING_AWAY);
    const sources = Array.isArray(source) ? source : [source];
    for (const s of sources) {
      const max = s.maxStreamsPerUser();
      if (this.openStreams(s, user.id) >= max) {
        throw new HttpException(
          `Too many open ${s.label ?? s.name} streams for this user (at most ${max}): close one before opening another`,
          HttpStatus.TOO_MANY_REQUESTS,
        );
      }
    }
    return new HubStream(this, sources, user, lastEventId);
  }

  /** Open streams of `userId` on `source`'s channel, on this instance. */
  openStreams(source: StreamSource, userId: number): number {
    return this.channels.get(source)?.perUser.get(userId) ?? 0;
  }

  /** Open streams on this instance (of one channel, or all). */
  size(source?: StreamSource): number {
    if (!source) return this.writers.size;
    let n = 0;
    for (const count of this.channels.get(source)?.perUser.values() ?? []) n += count;
    return n;
  }

  /** Topics with at least one stream listening (for teardown checks). */
  get openTopics(): number {
    return this.topics.size;
  }

  /**
   * Ends every open stream of `userId` on this instance (a disabled user, a password change);
   * returns how many. The clients reconnect and meet the authentication again.
   */
  closeUser(userId: number): number {
    return this.closeWhere((user) => user.id === userId);
  }

  /** Ends every open stream of one session (a revoked session); returns how many. */
  closeSession(sessionId: string): number {
    return this.closeWhere((user) => user.sessionId === sessionId);
  }

  /** Ends every open stream whose user matches; returns how many. */
  closeWhere(match: (user: StreamUser) => boolean): number {
    let closed = 0;
    for (const writer of [...this.writers]) {
      if (!match(writer.user)) continue;
      writer.sink.end();
      closed++;
    }
    return closed;
  }

  /** Ends every stream of `source` (its module is going away), without a goodbye. */
  endChannel(source: StreamSource): void {
    for (const member of [...(this.channels.get(source)?.members ?? [])]) member.writer.sink.end();
  }

  httpSink(req: IncomingMessage, res: ServerResponse, logger?: LoggerService, kind?: string): StreamSink {
    return new HttpSink(req, res, {
      maxPendingBytes: this.options.maxPendingBytes ?? SSE_MAX_PENDING_CHARS,
      slowClientGraceMs: this.options.slowClientGraceMs,
      logger: logger ?? this.options.logger,
      observer: this.options.observer,
      kind,
    });
  }

  /** Starts one stream on `sink`: registered first, then each channel's opening, then live. */
  attach(sources: StreamSource[], user: StreamUser, cursor: string | undefined, sink: StreamSink): void {
    if (sink.closed) return;
    if (this.closing) return sink.end(GOING_AWAY);
    const base = Math.min(...sources.map((s) => s.retryMs));
    const retryMs = Math.round(base * (1 + (this.options.retryJitter ?? 0) * this.random()));
    const kind = streamKind(sources);
    const writer = new Writer(sink, user, retryMs, kind, this.options.observer);
    this.options.observer?.streamOpened(kind);
    this.writers.add(writer);
    let mine = this.byUser.get(user.id);
    if (!mine) this.byUser.set(user.id, (mine = new Set()));
    mine.add(writer);
    if (user.tokenExp) this.expireAt(writer, user.tokenExp);
    // Presence before the opening, so that an opening snapshot counts this user.
    for (const source of sources) {
      const channel = this.channel(source);
      channel.perUser.set(user.id, (channel.perUser.get(user.id) ?? 0) + 1);
      writer.releases.push(this.presence.track(user.id, source.name));
      const member = new Member(source, writer);
      writer.members.push(member);
      channel.members.add(member);
      for (const name of source.topics(user.id)) this.join(name, source, member);
    }
    this.heartbeats();
    sink.onClose(() => this.detach(writer));
    const cursors =
      sources.length === 1
        ? [cursor]
        : decodeCursor(
            cursor,
            sources.map((s) => s.name),
          );
    writer.members.forEach((member, i) => member.start(cursors[i]));
  }

  private channel(source: StreamSource): Channel {
    let channel = this.channels.get(source);
    if (!channel) {
      channel = { members: new Set(), perUser: new Map() };
      const members = channel.members;
      channel.reconnected = source.reconnected$?.subscribe(() => {
        for (const member of [...members]) member.catchUp();
      });
      this.channels.set(source, channel);
    }
    return channel;
  }

  private join(name: string, source: StreamSource, member: Member) {
    let topic = this.topics.get(name);
    if (!topic) {
      const members = new Set<Member>();
      topic = { members, stop: () => undefined };
      this.topics.set(name, topic);
      // The hot path: each event of the topic, once, to every stream listening.
      const observer = this.options.observer;
      topic.stop = source.listen(name, (event) => {
        const startedAt = observer ? performance.now() : 0;
        for (const m of members) m.offer(event);
        observer?.fannedOut(source.name, (performance.now() - startedAt) / 1000);
      });
    }
    topic.members.add(member);
  }

  private detach(writer: Writer) {
    if (!this.writers.delete(writer)) return;
    this.options.observer?.streamClosed(writer.kind);
    const mine = this.byUser.get(writer.user.id);
    mine?.delete(writer);
    if (mine?.size === 0) this.byUser.delete(writer.user.id);
    if (writer.user.tokenExp) {
      const due = this.expiries.get(writer.user.tokenExp);
      due?.delete(writer);
      if (due?.size === 0) this.expiries.delete(writer.user.tokenExp);
    }
    for (const member of writer.members) {
      const channel = this.channel(member.source);
      channel.members.delete(member);
      const left = (channel.perUser.get(writer.user.id) ?? 1) - 1;
      if (left > 0) channel.perUser.set(writer.user.id, left);
      else channel.perUser.delete(writer.user.id);
      for (const name of member.source.topics(writer.user.id)) {
        const topic = this.topics.get(name);
        if (!topic) continue;
        topic.members.delete(member);
        if (topic.members.size === 0) {
          this.topics.delete(name);
          topic.stop();
        }
      }
    }
    writer.releases.forEach((release) => release());
    if (this.writers.size === 0) {
      clearInterval(this.heartbeatTimer);
      this.heartbeatTimer = undefined;
    }
    if (this.expiries.size === 0) {
      clearInterval(this.expiryTimer);
      this.expiryTimer = undefined;
    }
  }

  /** One timer for every stream: 10,000 streams, one timer. */
  private heartbeats() {
    if (this.heartbeatTimer) return;
    this.heartbeatTimer = setInterval(() => {
      for (const writer of this.writers) if (writer.started) writer.sink.heartbeat();
    }, this.options.heartbeatMs);
    // The streams' own sockets keep the process alive; a timer serving them must not.
    this.heartbeatTimer.unref();
  }

  /** Ends the stream once its token has expired (checked every second, one timer for all). */
  private expireAt(writer: Writer, exp: number) {
    let due = this.expiries.get(exp);
    if (!due) this.expiries.set(exp, (due = new Set()));
    due.add(writer);
    if (this.expiryTimer) return;
    this.expiryTimer = setInterval(() => {
      const now = Date.now();
      for (const [at, writers] of this.expiries) {
        if (at * 1000 > now) continue;
        for (const w of [...writers]) w.sink.end();
      }
    }, 1000);
    this.expiryTimer.unref();
  }

  /** Every stream ends, with a goodbye that says when to come back and keeps its last id. */
  private shutdown() {
    this.closing = true;
    for (const writer of [...this.writers]) {
      writer.sink.end(writer.started ? goingAway(writer.retryMs, writer.lastId()) : undefined);
    }
    for (const channel of this.channels.values()) channel.reconnected?.unsubscribe();
  }
}

/** What the metrics call a stream: its channel's name, or `combined` for several. */
function streamKind(sources: StreamSource[]): string {
  return sources.length === 1 ? sources[0].name : 'combined';
}
