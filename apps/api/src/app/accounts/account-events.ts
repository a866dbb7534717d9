import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit, Optional } from '@nestjs/common';
import { Observable, Subject, Subscription, filter, map, merge, share } from 'rxjs';

import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { DATABASE } from '../../infra/database/database.module';
import type { DatabaseHandle } from '../../infra/database/database.provider';
import { EventBus } from '../../infra/event-bus/event-bus';

/**
 * What happened to an account that other parts (and other instances) must act on:
 * - `user-changed`: role changed or re-enabled: caches forget the user;
 * - `user-disabled`: caches forget it, and its streams and sockets close;
 * - `sessions-revoked`: one session (`sessionId`) or all of the user's: their access tokens are
 *   refused and the streams and sockets opened with them close;
 * - `api-key-revoked`: the key is refused from now on.
 */
export type AccountEvent =
  | { kind: 'user-changed'; userId: number }
  | { kind: 'user-disabled'; userId: number }
  | { kind: 'sessions-revoked'; userId: number; sessionId?: string }
  | { kind: 'api-key-revoked'; keyId: number };

export const ACCOUNT_EVENTS_CHANNEL = 'accounts:events';
/**
 * How often each instance also looks in the database (changes made by the CLI, or lost on the
 * bus), unless ACCOUNT_POLL_MS says otherwise.
 */
export const ACCOUNT_POLL_MS = 2000;

/**
 * The one owner of account events: published on the EventBus so that every instance hears
 * them, and found in the database by a short poll, so that what the CLI changes (it has no
 * bus) takes effect within seconds too. Handlers must be idempotent: an event may come twice.
 */
@Injectable()
export class AccountEvents implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(AccountEvents.name);
  private readonly polled = new Subject<AccountEvent>();
  private pollTimer: ReturnType<typeof setInterval> | undefined;
  private since = Date.now();
  private readonly pollMs: number;
  private subscription = new Subscription();
  readonly events$: Observable<AccountEvent>;

  constructor(
    private readonly bus: EventBus,
    @Inject(DATABASE) private readonly database: DatabaseHandle,
    @Optional() @Inject(APP_CONFIG) config?: AppConfig,
  ) {
    this.pollMs = config?.accountPollMs ?? ACCOUNT_POLL_MS;
    const fromBus = this.bus.channel(ACCOUNT_EVENTS_CHANNEL).pipe(
      map((message) => {
        try {
          return JSON.parse(message) as AccountEvent;
        } catch {
          return undefined;
        }
      }),
      filter((e): e is AccountEvent => !!e && typeof e === 'object' && 'kind' in e),
    );
    this.events$ = merge(fromBus, this.polled).pipe(share());
  }

  onModuleInit() {
    // Keeps the bus channel subscribed for the life of the process.
    this.subscription = this.events$.subscribe();
    this.pollTimer = setInterval(() => void this.poll(), this.pollMs);
    this.pollTimer.unref?.();
  }

  onModuleDestroy() {
    clearInterval(this.pollTimer);
    this.subscription.unsubscribe();
  }

  async publish(event: AccountEvent): Promise<void> {
    try {
      await this.bus.publish(ACCOUNT_EVENTS_CHANNEL, JSON.stringify(event));
    } catch (err) {
      // The poll finds it in the database within ACCOUNT_POLL_MS.
      this.logger.warn(`account event not published (${event.kind}): ${(err as Error).message}`);
    }
  }

  private async poll(): Promise<void> {
    // A little overlap, so that a change committed while the last poll ran is not skipped.
    const from = this.since - this.pollMs;
    const now = Date.now();
    try {
      const db = this.database.db;
      const [users, sessions, keys] = await Promise.all([
        db.selectFrom('users').select('id').where('disabled_at', '>=', from).execute(),
        db.selectFrom('sessions').select(['id', 'user_id']).where('revoked_at', '>=', from).execute(),
        db.selectFrom('api_keys').select('id').where('revoked_at', '>=', from).execute(),
      ]);
      this.since = now;
      for (const u of users) this.polled.next({ kind: 'user-disabled', userId: Number(u.id) });
      for (const s of sessions) {
        this.polled.next({ kind: 'sessions-revoked', userId: Number(s.user_id), sessionId: s.id });
      }
      for (const k of keys) this.polled.next({ kind: 'api-key-revoked', keyId: Number(k.id) });
    } catch (err) {
      this.logger.warn(`account poll failed: ${(err as Error).message}`);
    }
  }
}
