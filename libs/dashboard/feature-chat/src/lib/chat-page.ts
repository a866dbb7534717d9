import {
  ChangeDetectionStrategy,
  Component,
  ElementRef,
  afterEveryRender,
  afterRenderEffect,
  computed,
  inject,
  signal,
  viewChild,
} from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';

import { CHAT_CONTENT_MAX } from '@realtime/contracts';
import { ChatStore } from '@realtime/dashboard/data-access-chat';
import { StatusPill } from '@realtime/dashboard/ui';

import { ChatLineView } from './chat-line';
import { ChatPeople } from './chat-people';
import { describeChatConnection } from './connection-label';

/** Team chat: rooms, messages, typing, presence and an outbox that survives being offline. */
@Component({
  selector: 'rt-chat-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [StatusPill, ChatLineView, ChatPeople],
  providers: [ChatStore],
  templateUrl: './chat-page.html',
  styleUrl: './chat-page.css',
})
export class ChatPage {
  protected readonly store = inject(ChatStore);
  protected readonly max = CHAT_CONTENT_MAX;
  protected readonly draft = signal('');
  protected readonly newRoomName = signal('');
  protected readonly newRoomPrivate = signal(true);
  protected readonly inviteName = signal('');
  /** Loading older messages must not jump to the bottom. */
  private keepScroll = false;
  protected readonly connection = computed(() => describeChatConnection(this.store.state()));
  protected readonly typingText = computed(() => {
    const names = this.store.typing();
    if (names.length === 0) return '';
    if (names.length === 1) return `${names[0]} is typing…`;
    if (names.length === 2) return `${names[0]} and ${names[1]} are typing…`;
    return 'Several people are typing…';
  });
  protected readonly online = computed(() => this.store.members().filter((m) => m.online).length);

  private readonly list = viewChild<ElementRef<HTMLElement>>('list');
  private readonly layout = viewChild<ElementRef<HTMLElement>>('layout');
  private readonly composer = viewChild<ElementRef<HTMLTextAreaElement>>('composer');

  constructor() {
    this.store.connect().pipe(takeUntilDestroyed()).subscribe();
    // Follow the conversation: keep the newest line in view when lines arrive or the room changes.
    afterRenderEffect(() => {
      this.store.lines();
      const el = this.list()?.nativeElement;
      if (!el) return;
      if (this.keepScroll) {
        this.keepScroll = false;
        return;
      }
      el.scrollTop = el.scrollHeight;
    });
    // Phone: the chat ends at the bottom of the screen, so the composer is always in view; what
    // sits above it (header, banners) varies, so it is measured after each render.
    afterEveryRender({
      read: () => {
        const el = this.layout()?.nativeElement;
        if (!el) return;
        const top = Math.round(el.getBoundingClientRect().top + window.scrollY);
        if (el.style.getPropertyValue('--chat-top') !== `${top}px`)
          el.style.setProperty('--chat-top', `${top}px`);
      },
    });
  }

  protected createRoom(): void {
    const name = this.newRoomName().trim();
    if (!name) return;
    this.store.createRoom(name, this.newRoomPrivate() ? 'private' : 'public');
    this.newRoomName.set('');
  }

  protected invite(): void {
    const name = this.inviteName().trim();
    if (!name) return;
    this.store.invite(name);
    this.inviteName.set('');
  }

  protected loadEarlier(): void {
    this.keepScroll = true;
    this.store.loadEarlier();
  }

  protected onInput(value: string): void {
    this.draft.set(value);
    this.store.composing(value.trim().length > 0);
  }

  protected onKeydown(event: KeyboardEvent): void {
    // Enter sends, Shift+Enter is a new line; never while an IME is composing a character.
    if (event.key !== 'Enter' || event.shiftKey || event.isComposing) return;
    event.preventDefault();
    this.submit();
  }

  protected submit(): void {
    if (!this.store.send(this.draft())) return;
    this.draft.set('');
    // The binding may not have seen the typed text yet; clear the element itself.
    const box = this.composer()?.nativeElement;
    if (box) box.value = '';
  }
}
