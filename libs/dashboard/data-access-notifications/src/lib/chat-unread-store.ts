import { HttpClient } from '@angular/common/http';
import { Injectable, computed, inject, signal } from '@angular/core';
import {
  EMPTY,
  type Observable,
  Subject,
  auditTime,
  catchError,
  filter,
  finalize,
  ignoreElements,
  merge,
  mergeMap,
  switchMap,
  tap,
} from 'rxjs';

import type { ChatUnreadEvent, ChatUnreadResponse } from '@realtime/contracts';
import { REALTIME_SCHEDULER } from '@realtime/dashboard/data-access-realtime';

import { NotificationStream } from './notification-stream';

/** Read markers go to the server at most this often (a busy room on screen is read non-stop). */
export const CHAT_READ_SYNC_MS = 1000;

export interface RoomUnread {
  roomId: string;
  count: number;
}

/**
 * Unread chat messages per room, for every page (it lives here, beside the stream it reads, so
 * that the shell does not pull the chat's socket.io client into the first load): the totals from `GET /api/chat/unread` each
 * time the notification stream (re)opens, then the `chat-unread` increments that the server
 * pushes on that same stream. No chat socket: a tab that does not show the chat holds none.
 * The chat page tells it which room is on screen (never counted) and when a room was read.
 */
@Injectable({ providedIn: 'root' })
export class ChatUnreadStore {
  private readonly http = inject(HttpClient);
  private readonly stream = inject(NotificationStream);
  private readonly scheduler = inject(REALTIME_SCHEDULER);
  /** Highest message read per room, not yet sent to the server. */
  private pendingReads: Record<string, number> = {};
  private readonly reads = new Subject<void>();
  private readonly countsByRoom = signal<Readonly<Record<string, number>>>({});
  private viewing: string | null = null;

  readonly counts = this.countsByRoom.asReadonly();
  readonly total = computed(() => Object.values(this.countsByRoom()).reduce((a, b) => a + b, 0));
  /** Rooms with unread messages, most first. */
  readonly rooms = computed<RoomUnread[]>(() =>
    Object.entries(this.countsByRoom())
      .filter(([, n]) => n > 0)
      .map(([roomId, count]) => ({ roomId, count }))
      .sort((a, b) => b.count - a.count || a.roomId.localeCompare(b.roomId)),
  );

  /** Subscribe while someone is signed in (the shell does); unsubscribing forgets the counts. */
  connect(): Observable<never> {
    const increments$ = this.stream.messages$.pipe(
      tap((m) => {
        if (m.kind === 'event' && m.value.type === 'chat-unread') this.add(m.value.data);
      }),
    );
    const totals$ = this.stream.messages$.pipe(
      filter((m) => m.kind === 'open'),
      switchMap(() => this.refresh()),
    );
    const reads$ = this.reads.pipe(
      auditTime(CHAT_READ_SYNC_MS, this.scheduler),
      mergeMap(() => this.sendReads()),
    );
    return merge(increments$, totals$, reads$).pipe(
      ignoreElements(),
      finalize(() => this.countsByRoom.set({})),
    );
  }

  /** The room on screen in the chat view (its messages are read as they come), or null. */
  setViewing(roomId: string | null): void {
    this.viewing = roomId;
    if (roomId) this.clear(roomId);
  }

  /** Messages up to `messageId` in `roomId` were shown: zero here, and the server's marker moves. */
  markRead(roomId: string, messageId: number): void {
    this.clear(roomId);
    if ((this.pendingReads[roomId] ?? 0) >= messageId) return;
    this.pendingReads[roomId] = messageId;
    this.reads.next();
  }

  private sendReads(): Observable<never> {
    const reads = this.pendingReads;
    this.pendingReads = {};
    return merge(
      ...Object.entries(reads).map(([roomId, messageId]) =>
        this.http.put(`/api/chat/rooms/${encodeURIComponent(roomId)}/read`, { messageId }).pipe(
          ignoreElements(),
          catchError(() => EMPTY),
        ),
      ),
    );
  }

  private refresh(): Observable<never> {
    return this.http.get<ChatUnreadResponse>('/api/chat/unread').pipe(
      tap((res) => {
        const counts = { ...res.rooms };
        if (this.viewing) delete counts[this.viewing];
        this.countsByRoom.set(counts);
      }),
      ignoreElements(),
      catchError(() => EMPTY),
    );
  }

  private add(event: ChatUnreadEvent): void {
    const next = { ...this.countsByRoom() };
    let changed = false;
    for (const [roomId, n] of Object.entries(event.rooms)) {
      if (roomId === this.viewing || !(n > 0)) continue;
      next[roomId] = (next[roomId] ?? 0) + n;
      changed = true;
    }
    if (changed) this.countsByRoom.set(next);
  }

  private clear(roomId: string): void {
    if (!this.countsByRoom()[roomId]) return;
    const next = { ...this.countsByRoom() };
    delete next[roomId];
    this.countsByRoom.set(next);
  }
}
