import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { Subscription } from 'rxjs';
import type { Namespace } from 'socket.io';

import { StreamHub } from '../../common/streams/stream-hub';
import { type AccountEvent, AccountEvents } from './account-events';

/** Who a stream or socket was opened by: a user, with the session its token belongs to. */
export interface ConnectionOwner {
  id: number;
  sessionId?: string;
}

/** Whether `event` ends the connections of `owner`. */
export function endsConnection(event: AccountEvent, owner: ConnectionOwner): boolean {
  if (event.kind === 'user-disabled') return event.userId === owner.id;
  if (event.kind === 'sessions-revoked') {
    return (
      event.userId === owner.id && (event.sessionId === undefined || event.sessionId === owner.sessionId)
    );
  }
  return false;
}

/**
 * Closes what a disabled user or a revoked session still has open, on every instance (account
 * events travel on the bus): SSE streams end (the client comes back and its credential is
 * refused), chat sockets get an `UNAUTHORIZED` error and are disconnected.
 *
 * Streams: one subscription to the account events for the whole process, and the stream core
 * ends the matching streams (`StreamHub.closeWhere`), instead of a `takeUntil` per stream.
 */
@Injectable()
export class ConnectionRevoker implements OnModuleDestroy {
  private readonly streams: Subscription;

  constructor(
    private readonly events: AccountEvents,
    hub: StreamHub,
  ) {
    this.streams = events.events$.subscribe((event) => {
      if (event.kind !== 'user-disabled' && event.kind !== 'sessions-revoked') return;
      hub.closeWhere((owner) => endsConnection(event, owner));
    });
  }

  onModuleDestroy() {
    this.streams.unsubscribe();
  }

  /** Disconnects this instance's sockets of a disabled user or revoked session; returns the teardown. */
  watchSockets(
    nsp: Pick<Namespace, 'local'>,
    userRoom: (userId: number) => string,
    ownerOf: (socket: { data: unknown }) => ConnectionOwner | undefined,
  ): () => void {
    const subscription = this.events.events$.subscribe((event) => {
      if (event.kind !== 'user-disabled' && event.kind !== 'sessions-revoked') return;
      void nsp.local
        .in(userRoom(event.userId))
        .fetchSockets()
        .then((sockets) => {
          for (const socket of sockets) {
            const owner = ownerOf(socket);
            if (!owner || !endsConnection(event, owner)) continue;
            socket.emit('error', {
              code: 'UNAUTHORIZED',
              message:
                event.kind === 'user-disabled' ? 'This account was disabled' : 'This session was signed out',
            });
            socket.disconnect(true);
          }
        });
    });
    return () => subscription.unsubscribe();
  }
}
