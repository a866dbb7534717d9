import type { MessageEvent } from '@nestjs/common';
import type { Observable } from 'rxjs';

/**
 * One event of a channel, with its id as a number: the channel's order, used to drop what a
 * stream already has. `event` is shared by every stream (framed once, on its first write).
 */
export interface StreamEvent {
  readonly id: number;
  readonly event: MessageEvent;
  /**
   * Not stored and outside the channel's order (e.g. the chat's unread increments on the
   * notification stream): sent at once to every stream past its opening, never held, replayed
   * or compared with `id` (which is ignored), and written without an `id:` line, so the
   * client's Last-Event-ID stays at the last ordered event (SSE allows an event without an id).
   */
  readonly ephemeral?: boolean;
}

/**
 * A channel of events that streams follow (the dashboard's ticks, a user's notifications):
 * what a feature gives the stream core. The core does the rest: per-user cap, presence,
 * `retry:`, heartbeats, expiry, slow readers, shutdown, resume and the writing.
 */
export interface StreamSource {
  /** Short name: the presence kind, the word in the 429 message, the key in a combined stream's ids. */
  readonly name: 'dashboard' | 'notifications' | (string & {});
  /** What one of its streams is called in messages (`notification` stream); `name` if omitted. */
  readonly label?: string;
  /** The `retry:` a client of this channel is told (jittered per stream by the core). */
  readonly retryMs: number;
  /** Open streams one user may hold on this channel; the next gets a 429. */
  maxStreamsPerUser(): number;
  /** The fan-out topics one user's stream listens on, e.g. the shared ticks and the user's own. */
  topics(userId: number): string[];
  /**
   * Starts delivering the events of `topic` (called when its first stream joins); the function
   * returned stops it (called when its last stream leaves). Each event is delivered once,
   * whatever the number of streams: the core writes it to each.
   */
  listen(topic: string, deliver: (event: StreamEvent) => void): () => void;
  /**
   * What a stream opening after `cursor` (its Last-Event-ID for this channel; undefined: a fresh
   * start) is owed first, in id order: a snapshot or `connected` event, the missed events, a
   * reset when the gap cannot be filled. Live events are held while this runs, then sent unless
   * their id is at or below the last one sent.
   */
  opening(userId: number, cursor: string | undefined): StreamEvent[] | Promise<StreamEvent[]>;
  /**
   * A durable channel's stored events after `id`, in id order: read while live events may be
   * missing (`connected()` false: cut off from the other instances) and after `reconnected$`.
   */
  after?(userId: number, id: number): Promise<StreamEvent[]>;
  /** Whether live events currently arrive from every instance (omitted: always). */
  connected?(): boolean;
  /** Fires when the link to the other instances is back: every stream catches up with `after`. */
  readonly reconnected$?: Observable<void>;
}
