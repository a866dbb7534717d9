import { ChangeDetectionStrategy, Component, input } from '@angular/core';

import type { RoomMember } from '@realtime/contracts';

/** Who is in the room and who is online; dimmed as "last known" while the socket is away. */
@Component({
  selector: 'rt-chat-people',
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { '[class.stale]': 'stale()' },
  template: `
    <h2>{{ stale() ? 'People · last known' : 'People' }}</h2>
    <ul>
      @for (m of members(); track m.userId) {
        <li class="member" data-testid="member" [attr.data-online]="m.online">
          <span class="avatar" aria-hidden="true">
            {{ m.username.charAt(0).toUpperCase() }}<span class="presence" [class.on]="m.online"></span>
          </span>
          <span class="name">{{ m.username }}</span>
          <span class="muted">{{ m.online ? 'online' : 'offline' }}</span>
        </li>
      } @empty {
        <li class="muted">Nobody here yet.</li>
      }
    </ul>
  `,
  styles: `
    :host {
      display: flex;
      flex-direction: column;
      gap: 0.5rem;
    }
    h2 {
      margin: 0;
      padding: 0 0.5rem;
      font-size: 0.75rem;
      font-weight: 650;
      text-transform: uppercase;
      letter-spacing: 0.06em;
      color: var(--muted);
    }
    ul {
      list-style: none;
      margin: 0;
      padding: 0;
      display: flex;
      flex-direction: column;
      gap: 0.125rem;
    }
    .member {
      display: flex;
      align-items: center;
      gap: 0.5rem;
      padding: 0.3rem 0.5rem;
      font-size: 0.875rem;
    }
    :host(.stale) .member {
      opacity: 0.55;
    }
    .avatar {
      position: relative;
      flex: none;
      width: 1.75rem;
      height: 1.75rem;
      border-radius: 50%;
      display: grid;
      place-items: center;
      background: color-mix(in srgb, var(--accent) 16%, var(--surface));
      color: var(--accent);
      font-weight: 700;
      font-size: 0.8125rem;
    }
    .presence {
      position: absolute;
      right: -0.125rem;
      bottom: -0.125rem;
      width: 0.625rem;
      height: 0.625rem;
      border-radius: 50%;
      background: var(--muted);
      border: 2px solid var(--surface);
    }
    .presence.on {
      background: var(--ok);
    }
    .name {
      flex: 1;
      font-weight: 550;
    }
    .member[data-online='false'] .name {
      color: var(--muted);
    }
    .muted {
      color: var(--muted);
      font-size: 0.8125rem;
    }
  `,
})
export class ChatPeople {
  readonly members = input.required<RoomMember[]>();
  readonly stale = input(false);
}
