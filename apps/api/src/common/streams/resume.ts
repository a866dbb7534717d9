import type { MessageEvent } from '@nestjs/common';
import { Observable } from 'rxjs';

import type { StreamEvent, StreamSource } from './stream-source';

/**
 * One stream's place in one channel: the resume logic, once for every channel. Live events are
 * listened to before the opening is read and held back until it is out; any id at or below the
 * last one sent is dropped, so nothing arrives twice or out of order. While a durable channel's
 * live path is unreliable (cut off from the other instances: a live event may overtake one
 * stored elsewhere), live events go through the store instead, and everything goes out in id
 * order; once the link is back, one more read brings what was published meanwhile.
 */
export abstract class Follower {
  /** The id of the last event sent. */
  last = -Infinity;
  /** Live events waiting while the opening or a catch-up is read; null when live. */
  private held: StreamEvent[] | null = [];
  private started = false;
  private reading = false;
  private again = false;

  constructor(
    readonly source: StreamSource,
    readonly userId: number,
  ) {}

  /** Writes one event to the stream. */
  protected abstract emit(event: StreamEvent): void;
  /** Ends the stream after an error. */
  protected abstract fail(err: unknown): void;
  protected abstract get closed(): boolean;
  /** A stream opened with a cursor got `opening` first (the metrics count resumes by outcome). */
  protected resumed?(opening: StreamEvent[]): void;
  /** Runs `writes`, which sends several events at once (an opening, a catch-up, what was held). */
  protected together(writes: () => void): void {
    writes();
  }
  private cursor: string | undefined;

  /** Whether an event has been sent. */
  get sent(): boolean {
    return this.last !== -Infinity;
  }

  /** A live event from one of the channel's topics: the hot path, kept to a few comparisons. */
  offer(event: StreamEvent): void {
    if (event.ephemeral) {
      // Now or never: not part of the order, so neither held back nor moving `last`.
      if (this.started && !this.closed) this.emit(event);
      return;
    }
    if (this.held !== null) {
      this.held.push(event);
      if (this.started) this.catchUp();
    } else if (this.source.connected !== undefined && !this.source.connected()) {
      this.held = [event];
      this.catchUp();
    } else if (event.id > this.last) {
      this.last = event.id;
      this.emit(event);
    }
  }

  /** Reads and sends the opening, then what was held meanwhile. */
  start(cursor: string | undefined): void {
    this.cursor = cursor;
    let opening: StreamEvent[] | Promise<StreamEvent[]>;
    try {
      opening = this.source.opening(this.userId, cursor);
    } catch (err) {
      this.fail(err);
      return;
    }
    if (Array.isArray(opening)) this.opened(opening);
    else
      opening.then(
        (events) => this.opened(events),
        (err: unknown) => this.fail(err),
      );
  }

  /**
   * Sends what the store has after the last event sent (durable channels), then what was held.
   * Calls made while one read runs are folded into one more read after it.
   */
  catchUp(): void {
    if (!this.started || this.closed) return;
    const after = this.source.after;
    if (!after) return this.flush();
    if (this.reading) {
      this.again = true;
      return;
    }
    this.reading = true;
    if (this.held === null) this.held = [];
    const run = async () => {
      do {
        this.again = false;
        const events = await after.call(this.source, this.userId, this.last);
        this.together(() => events.forEach((event) => this.send(event)));
      } while (this.again && !this.closed);
    };
    run()
      .catch(() => undefined) // the store is away too: the client resumes on reconnect
      .finally(() => {
        this.reading = false;
        this.flush();
      });
  }

  private opened(events: StreamEvent[]) {
    if (this.closed) return;
    if (this.cursor !== undefined) this.resumed?.(events);
    this.together(() => {
      for (const event of events) this.send(event);
      this.started = true;
      if (this.source.connected !== undefined && !this.source.connected()) this.catchUp();
      else this.flush();
    });
  }

  private send(event: StreamEvent) {
    if (event.ephemeral) return; // a store never has one; a source that returns one is wrong
    if (event.id <= this.last || this.closed) return;
    this.last = event.id;
    this.emit(event);
  }

  private flush() {
    const pending = this.held;
    this.held = null;
    if (pending?.length) this.together(() => pending.forEach((event) => this.send(event)));
  }
}

/**
 * The events of one stream of `source` as an Observable, without the SSE concerns (no
 * `retry:`, heartbeats or cap): the resume logic on its own, listening to the channel's topics
 * directly. Streams served over HTTP go through the StreamHub, which shares each topic.
 */
export function followSource(
  source: StreamSource,
  userId: number,
  cursor: string | undefined,
): Observable<MessageEvent> {
  return new Observable<MessageEvent>((subscriber) => {
    const follower = new (class extends Follower {
      protected emit(event: StreamEvent) {
        subscriber.next(event.event);
      }
      protected fail(err: unknown) {
        subscriber.error(err);
      }
      protected get closed() {
        return subscriber.closed;
      }
    })(source, userId);
    const stops = source.topics(userId).map((topic) => source.listen(topic, (e) => follower.offer(e)));
    const reconnected = source.reconnected$?.subscribe(() => follower.catchUp());
    follower.start(cursor);
    return () => {
      stops.forEach((stop) => stop());
      reconnected?.unsubscribe();
    };
  });
}
