import { ChangeDetectionStrategy, Component, computed, input, output } from '@angular/core';

import type { ChatLine } from '@realtime/dashboard/data-access-chat';
import { formatClock } from '@realtime/dashboard/util-format';

/** One line of the conversation: a stored message, or one still in the outbox. Text only, never HTML. */
@Component({
  selector: 'rt-chat-line',
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './chat-line.html',
  styleUrl: './chat-line.css',
  host: {
    '[class.mine]': 'mine()',
    '[class.outbox]': "line().kind === 'outbox'",
    '[class.failed]': 'failed()',
    '[attr.data-testid]': "line().kind === 'message' ? 'chat-message' : 'outbox-entry'",
    '[attr.data-status]': 'status()',
  },
})
export class ChatLineView {
  readonly line = input.required<ChatLine>();
  /** The signed-in user's name, for outbox lines. */
  readonly me = input('');
  /** Whether the socket is up: an outbox line is then on its way rather than waiting. */
  readonly connected = input(false);
  readonly retry = output<string>();
  readonly discard = output<string>();

  protected readonly view = computed(() => {
    const line = this.line();
    if (line.kind === 'message') {
      const m = line.message;
      return {
        sender: m.senderName,
        content: m.content,
        time: formatClock(m.timestamp),
        iso: new Date(m.timestamp).toISOString(),
      };
    }
    return { sender: this.me(), content: line.entry.content, time: null, iso: null };
  });
  protected readonly mine = computed(() => {
    const line = this.line();
    return line.kind === 'outbox' || line.mine;
  });
  protected readonly status = computed(() => {
    const line = this.line();
    return line.kind === 'outbox' ? line.entry.status : null;
  });
  protected readonly failed = computed(() => this.status() === 'failed');
  protected readonly error = computed(() => {
    const line = this.line();
    return line.kind === 'outbox' ? (line.entry.error ?? 'refused') : '';
  });
  protected readonly clientId = computed(() => {
    const line = this.line();
    return line.kind === 'outbox' ? line.entry.clientId : line.message.clientId;
  });
}
