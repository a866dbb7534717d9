import { signal } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { EMPTY } from 'rxjs';

import { type ChatLine, ChatStore, type RoomView } from '@realtime/dashboard/data-access-chat';
import type { ConnectionState } from '@realtime/dashboard/data-access-realtime';

import { ChatPage } from './chat-page';

function fakeStore() {
  return {
    user: { id: 1, username: 'alice' },
    state: signal<ConnectionState>({ kind: 'connected', since: 0 }),
    activeRoom: signal('general'),
    rooms: signal<RoomView[]>([
      { id: 'general', name: 'general', kind: 'public', unread: 0, active: true },
      { id: 'ops', name: 'Ops & on-call', kind: 'private', unread: 3, active: false },
    ]),
    otherRooms: signal([{ id: 'lobby', name: 'Lobby', members: 4 }]),
    activeSummary: signal(null),
    hasEarlier: signal(true),
    loadingEarlier: signal(false),
    lastAction: signal<{ ok: boolean; message: string } | null>(null),
    createRoom: jest.fn(),
    invite: jest.fn(),
    openRoom: jest.fn(),
    loadEarlier: jest.fn(),
    lines: signal<ChatLine[]>([
      {
        kind: 'message',
        mine: false,
        message: {
          id: 1,
          clientId: 'c1',
          roomId: 'general',
          senderId: 2,
          senderName: 'bob',
          content: '<img src=x onerror=alert(1)> hi',
          timestamp: 0,
        },
      },
      {
        kind: 'outbox',
        entry: {
          clientId: 'c2',
          roomId: 'general',
          content: 'later',
          createdAt: 0,
          status: 'failed',
          error: 'too long',
        },
      },
    ]),
    members: signal([{ userId: 2, username: 'bob', online: true }]),
    typing: signal(['bob']),
    outboxCount: signal(1),
    connect: () => EMPTY,
    send: jest.fn(() => true),
    composing: jest.fn(),
    stopTyping: jest.fn(),
    retry: jest.fn(),
    discard: jest.fn(),
    selectRoom: jest.fn(),
    reconnect: jest.fn(),
  };
}

describe('ChatPage', () => {
  let store: ReturnType<typeof fakeStore>;

  async function render() {
    store = fakeStore();
    TestBed.overrideComponent(ChatPage, { set: { providers: [{ provide: ChatStore, useValue: store }] } });
    const fixture = TestBed.createComponent(ChatPage);
    await fixture.whenStable();
    return fixture;
  }
  const q = (el: HTMLElement, testId: string) => el.querySelector(`[data-testid="${testId}"]`) as HTMLElement;

  it('renders user text as text, with sender, unread counts, typing and presence', async () => {
    const el = (await render()).nativeElement as HTMLElement;
    const content = q(el, 'chat-message').querySelector('[data-testid=content]') as HTMLElement;
    expect(content.textContent).toBe('<img src=x onerror=alert(1)> hi');
    expect(content.querySelector('img')).toBeNull();
    expect(q(el, 'sender').textContent).toBe('bob');
    expect(q(el, 'room-ops').textContent).toContain('3');
    expect(q(el, 'typing').textContent).toBe('bob is typing…');
    expect(q(el, 'member').textContent).toContain('online');
    expect(q(el, 'outbox-entry').textContent).toContain('Not sent: too long');
  });

  it('sends on Enter, not on Shift+Enter, and tells the store about typing', async () => {
    const fixture = await render();
    const el = fixture.nativeElement as HTMLElement;
    const box = q(el, 'composer') as HTMLTextAreaElement;
    box.value = 'hello';
    box.dispatchEvent(new Event('input'));
    expect(store.composing).toHaveBeenCalledWith(true);
    box.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', shiftKey: true, cancelable: true }));
    expect(store.send).not.toHaveBeenCalled();
    const enter = new KeyboardEvent('keydown', { key: 'Enter', cancelable: true });
    box.dispatchEvent(enter);
    expect(enter.defaultPrevented).toBe(true);
    expect(store.send).toHaveBeenCalledWith('hello');
    await fixture.whenStable();
    expect(box.value).toBe('');
  });

  it('creates a private room, invites, joins listed rooms and loads earlier messages', async () => {
    const fixture = await render();
    const el = fixture.nativeElement as HTMLElement;
    expect(q(el, 'room-ops').textContent).toContain('Ops & on-call');
    const name = q(el, 'new-room-name') as HTMLInputElement;
    name.value = '  Board  ';
    name.dispatchEvent(new Event('input'));
    await fixture.whenStable();
    q(el, 'create-room-submit').click();
    expect(store.createRoom).toHaveBeenCalledWith('Board', 'private');
    const who = q(el, 'invite-username') as HTMLInputElement;
    who.value = 'bob';
    who.dispatchEvent(new Event('input'));
    await fixture.whenStable();
    q(el, 'invite-submit').click();
    expect(store.invite).toHaveBeenCalledWith('bob');
    q(el, 'join-lobby').click();
    expect(store.openRoom).toHaveBeenCalledWith('lobby');
    q(el, 'load-earlier').click();
    expect(store.loadEarlier).toHaveBeenCalled();
    store.lastAction.set({ ok: false, message: 'No user "x"' });
    await fixture.whenStable();
    expect(q(el, 'room-action').textContent).toContain('No user "x"');
  });

  it('offers Retry and Discard for a failed message', async () => {
    const el = (await render()).nativeElement as HTMLElement;
    q(el, 'retry').click();
    expect(store.retry).toHaveBeenCalledWith('c2');
    q(el, 'discard').click();
    expect(store.discard).toHaveBeenCalledWith('c2');
  });
});
