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
 * Storage is the truth: every change re-reads it first, so the user's other tabs (which share
 * it) do not overwrite each other's entries; `refresh()` picks up their changes. Storage errors
 * (full, disabled) only cost persistence, never the message.
 */
export class Outbox {
  private list: OutboxEntry[] = [];
  /** False once a write failed: memory is then ahead of storage and stays the truth. */
  private persisted = true;

  constructor(
    private readonly storage: Storage | null,
    readonly key: string,
  ) {
    this.refresh();
  }

  get entries(): readonly OutboxEntry[] {
    return this.list;
  }

  /** Re-reads storage (after another tab changed it); says whether anything changed. */
  refresh(): boolean {
    const next = this.read();
    if (JSON.stringify(next) === JSON.stringify(this.list)) return false;
    this.list = next;
    return true;
  }

  /** The oldest entry that should be sent now. */
  nextPending(): OutboxEntry | undefined {
    return this.list.find((e) => e.status === 'pending');
  }

  add(entry: Omit<OutboxEntry, 'status'>): void {
    this.change((list) => [...list, { ...entry, status: 'pending' }]);
  }

  /** Acknowledged (or seen delivered): it leaves the outbox. */
  remove(clientId: string): void {
    if (!this.list.some((e) => e.clientId === clientId)) return;
    this.change((list) => list.filter((e) => e.clientId !== clientId));
  }

  markFailed(clientId: string, error: string): void {
    this.change((list) => list.map((e) => (e.clientId === clientId ? { ...e, status: 'failed', error } : e)));
  }

  retry(clientId: string): void {
    this.change((list) =>
      list.map((e) => {
        if (e.clientId !== clientId) return e;
        const { error: _dropped, ...rest } = e;
        return { ...rest, status: 'pending' };
      }),
    );
  }

  private change(update: (list: OutboxEntry[]) => OutboxEntry[]): void {
    this.list = update(this.read());
    try {
      if (this.list.length) this.storage?.setItem(this.key, JSON.stringify(this.list));
      else this.storage?.removeItem(this.key);
      this.persisted = true;
    } catch {
      // full or disabled: the outbox still works for this page
      this.persisted = false;
    }
  }

  private read(): OutboxEntry[] {
    if (!this.storage || !this.persisted) return this.list;
    try {
      const parsed: unknown = JSON.parse(this.storage.getItem(this.key) ?? '[]');
      return Array.isArray(parsed) ? parsed.filter(isEntry) : [];
    } catch {
      return this.list;
    }
  }
}
