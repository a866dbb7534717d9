import { Injectable } from '@nestjs/common';
import { NEVER, Observable, Subject, finalize, share } from 'rxjs';

import { type BusObserver, EventBus } from './event-bus';

/** The embedded default: one process, messages delivered synchronously in publish order. */
@Injectable()
export class InProcessEventBus extends EventBus {
  readonly kind = 'in-process' as const;
  readonly connected = true;
  readonly reconnected$: Observable<void> = NEVER;
  private readonly subjects = new Map<string, Subject<string>>();
  private readonly streams = new Map<string, Observable<string>>();

  constructor(private readonly observer?: BusObserver) {
    super();
  }

  async publish(channel: string, message: string): Promise<void> {
    this.observer?.busPublished(channel);
    const subject = this.subjects.get(channel);
    if (!subject) return;
    this.observer?.busReceived(channel);
    subject.next(message);
  }

  channel(name: string): Observable<string> {
    let stream = this.streams.get(name);
    if (!stream) {
      const subject = new Subject<string>();
      this.subjects.set(name, subject);
      // The channel lives while someone listens; the last unsubscribe forgets it.
      stream = subject.pipe(
        finalize(() => {
          this.subjects.delete(name);
          this.streams.delete(name);
        }),
        share(),
      );
      this.streams.set(name, stream);
    }
    return stream;
  }

  /** Channels with at least one subscriber (for tests of teardown). */
  get openChannels(): number {
    return this.subjects.size;
  }
}
