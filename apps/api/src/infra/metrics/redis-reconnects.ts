import type Redis from 'ioredis';

/** Calls `onReconnect` each time `client` is ready again after its first 'ready'. */
export function countReconnects(client: Redis, onReconnect: () => void): void {
  let readyBefore = client.status === 'ready';
  client.on('ready', () => {
    if (readyBefore) onReconnect();
    readyBefore = true;
  });
}
