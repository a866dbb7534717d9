/**
 * What the stream core reports as it works (the process's Metrics implement it). `kind` is a
 * channel's name (`dashboard`, `notifications`) or `combined` for a stream of several.
 */
export interface StreamObserver {
  /** One frame written to a client: an event, or a heartbeat (`event` false). */
  written(kind: string, bytes: number, event: boolean): void;
  slowReaderDropped(kind: string): void;
  resumed(kind: string, outcome: 'replayed' | 'reset' | 'from_database'): void;
  streamOpened(kind: string): void;
  streamClosed(kind: string): void;
  /** One event of `channel` handed to every stream listening on this instance. */
  fannedOut(channel: string, seconds: number): void;
}
