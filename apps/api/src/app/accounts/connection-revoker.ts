import { Injectable } from '@nestjs/common';
import { Observable, filter, takeUntil } from 'rxjs';
import type { Namespace } from 'socket.io';

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
 * Kept apart from the stream code on purpose: when the one stream core lands (issue 13),
 * `endOnRevoke` moves into it beside the end at token expiry.
 */
@Injectable()
export class ConnectionRevoker {
  constructor(private readonly events: AccountEvents) {}

  /** The stream, ending when its owner is disabled or its session revoked. */
  endOnRevoke<T>(stream$: Observable<T>, owner: ConnectionOwner): Observable<T> {
    return stream$.pipe(takeUntil(this.events.events$.pipe(filter((e) => endsConnection(e, owner)))));
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
