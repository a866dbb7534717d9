/** A message written here and not yet acknowledged by the server. */
export interface OutboxEntry {
  /** The client's own id for the message: resent as is, so a retry is stored and delivered once. */
  clientId: string;
  roomId: string;
  content: string;
  /** Epoch ms when it was written. */
  createdAt: number;
  /** `pending`: waits for a connection (or is on its way); `failed`: refused, waits for Retry or Discard. */
  status: 'pending' | 'failed';
  error?: string;
}

function isEntry(value: unknown): value is OutboxEntry {
  const e = value as Partial<OutboxEntry> | null;
  return (
    !!e &&
    typeof e.clientId === 'string' &&
    typeof e.roomId === 'string' &&
    typeof e.content === 'string' &&
    typeof e.createdAt === 'number' &&
    (e.status === 'pending' || e.status === 'failed')
  );
}

/** A unique id for a message, also where `crypto.randomUUID` is missing (plain-HTTP origins). */
export function newClientId(crypto: Crypto | undefined = globalThis.crypto): string {
  if (crypto?.randomUUID) return crypto.randomUUID();
  const bytes = new Uint8Array(16);
  if (crypto?.getRandomValues) crypto.getRandomValues(bytes);
  else for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(Math.random() * 256);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * The outbox: an ordered list of unsent messages, written through to storage on every change
 * so that it survives a reload. Order is the order of writing; a retried entry keeps its place.
 * Storage errors (full, disabled) only cost persistence, never the message.
 */
export class Outbox {
  private list: OutboxEntry[];

  constructor(
    private readonly storage: Storage | null,
    private readonly key: string,
  ) {
    this.list = this.load();
  }

  get entries(): readonly OutboxEntry[] {
    return this.list;
  }

  /** The oldest entry that should be sent now. */
  nextPending(): OutboxEntry | undefined {
    return this.list.find((e) => e.status === 'pending');
  }

  add(entry: Omit<OutboxEntry, 'status'>): void {
    this.list = [...this.list, { ...entry, status: 'pending' }];
    this.save();
  }

  /** Acknowledged (or seen delivered): it leaves the outbox. */
  remove(clientId: string): void {
    const next = this.list.filter((e) => e.clientId !== clientId);
    if (next.length === this.list.length) return;
    this.list = next;
    this.save();
  }

  markFailed(clientId: string, error: string): void {
    this.update(clientId, (e) => ({ ...e, status: 'failed', error }));
  }

  retry(clientId: string): void {
    this.update(clientId, ({ error: _dropped, ...e }) => ({ ...e, status: 'pending' }));
  }

  private update(clientId: string, change: (e: OutboxEntry) => OutboxEntry): void {
    this.list = this.list.map((e) => (e.clientId === clientId ? change(e) : e));
    this.save();
  }

  private load(): OutboxEntry[] {
    try {
      const parsed: unknown = JSON.parse(this.storage?.getItem(this.key) ?? '[]');
      return Array.isArray(parsed) ? parsed.filter(isEntry) : [];
    } catch {
      return [];
    }
  }

  private save(): void {
    try {
      if (this.list.length) this.storage?.setItem(this.key, JSON.stringify(this.list));
      else this.storage?.removeItem(this.key);
    } catch {
      // full or disabled: the outbox still works for this page
    }
  }
}
