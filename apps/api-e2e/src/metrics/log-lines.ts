import type { ApiProcess } from '@realtime/test-support';

export type LogLine = Record<string, unknown> & { msg?: string; traceId?: string; context?: string };

/** The JSON lines `api` has logged so far (pino), other output skipped. */
export function logLines(api: ApiProcess): LogLine[] {
  return api.logs
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .flatMap((l) => {
      try {
        return [JSON.parse(l) as LogLine];
      } catch {
        return [];
      }
    });
}

/** Waits until `api` has logged a line matching `match`, and returns it. */
export async function waitForLog(
  api: ApiProcess,
  match: (l: LogLine) => boolean,
  what: string,
): Promise<LogLine> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const line = logLines(api).find(match);
    if (line) return line;
    if (Date.now() > deadline) throw new Error(`no log line for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
