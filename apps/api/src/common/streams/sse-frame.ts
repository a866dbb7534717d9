import type { MessageEvent } from '@nestjs/common';

/** A comment line (`: heartbeat`): keeps proxies from closing an idle stream; clients ignore it. */
export const HEARTBEAT = { comment: 'heartbeat' } as MessageEvent;

/**
 * What a stream opened during shutdown gets: a valid, empty event stream that ends at once,
 * so an EventSource reconnects after `retry:` (an error status would stop it for good).
 */
export const GOING_AWAY = { comment: 'shutting down' } as MessageEvent;

/**
 * The last message of a stream ended by a shutdown: come back after `retryMs`. It repeats the
 * id of the last event sent, so the client's Last-Event-ID stays where it was.
 */
export const goingAway = (retryMs: number, lastId: string): MessageEvent => ({
  id: lastId,
  retry: retryMs,
  comment: 'server shutting down, reconnect',
});

/** The wire form of each event object, built once: a tick shared by every stream is framed once. */
const framed = new WeakMap<MessageEvent, string>();
const framedBytes = new WeakMap<MessageEvent, Buffer>();

const oneLine = (value: unknown) => String(value).replace(/[\r\n]/g, '');
const fieldLines = (prefix: string, value: string) =>
  value
    .split(/\r\n|\r|\n/)
    .map((line) => `${prefix}${line}\n`)
    .join('');

/** `event:`, `id:`, `retry:`, comment and `data:` lines, as Nest's SseStream writes them. */
export function frameEvent(event: MessageEvent): string {
  let text = framed.get(event);
  if (text !== undefined) return text;
  text = '';
  // `retry:` first: a stream's first bytes are the reconnection delay, then its first event.
  if (event.retry != null) text += `retry: ${oneLine(event.retry)}\n`;
  if (event.type) text += `event: ${oneLine(event.type)}\n`;
  if (event.id != null) text += `id: ${oneLine(event.id)}\n`;
  if (event.comment != null) text += fieldLines(': ', String(event.comment));
  if (event.data != null) {
    text += fieldLines(
      'data: ',
      typeof event.data === 'object' ? JSON.stringify(event.data) : String(event.data),
    );
  }
  text += '\n';
  framed.set(event, text);
  return text;
}

/**
 * The frame as one `Buffer`, encoded once and shared by every socket it is written to: a
 * string would be encoded to UTF-8 again by each `write`, once per stream.
 */
export function frameBytes(event: MessageEvent): Buffer {
  let bytes = framedBytes.get(event);
  if (bytes === undefined) {
    bytes = Buffer.from(frameEvent(event), 'utf8');
    framedBytes.set(event, bytes);
  }
  return bytes;
}

/** The `retry:` line a stream's first event starts with (per stream: the delay may be jittered). */
export const retryLine = (retryMs: number) => `retry: ${Math.round(retryMs)}\n`;
