/**
 * Event ids of a stream that carries several channels: each channel has its own id order
 * (notification ids from the database, dashboard ids from the tick clock), so the id a client
 * resumes from names the position in each, `dashboard:1764500000000,notifications:42`. A
 * stream of one channel keeps that channel's plain id (the public contract).
 */
export function encodeCursor(positions: ReadonlyArray<readonly [name: string, id: number]>): string {
  return positions
    .filter(([, id]) => id !== -Infinity)
    .map(([name, id]) => `${name}:${id}`)
    .join(',');
}

/** Each channel's part of a combined Last-Event-ID; a channel not named (or garbage) starts fresh. */
export function decodeCursor(raw: string | undefined, names: readonly string[]): Array<string | undefined> {
  const positions = new Map<string, string>();
  if (typeof raw === 'string' && raw.length <= 1024) {
    for (const part of raw.split(',')) {
      const colon = part.lastIndexOf(':');
      if (colon > 0) positions.set(part.slice(0, colon).trim(), part.slice(colon + 1).trim());
    }
  }
  return names.map((name) => positions.get(name));
}
