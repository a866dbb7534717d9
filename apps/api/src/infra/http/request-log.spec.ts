import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Writable } from 'node:stream';

import { PinoLogger } from 'nestjs-pino';
import { pino } from 'pino';

import { requestLogOptions, streamRequestLog } from './request-log';

class FakeResponse extends EventEmitter {
  statusCode = 200;
  writableEnded = false;
  headers: Record<string, string> = {};
  setHeader(name: string, value: string) {
    this.headers[name.toLowerCase()] = value;
  }
  getHeaders() {
    return this.headers;
  }
}

describe('streamRequestLog', () => {
  const lines: Array<Record<string, unknown>> = [];
  // The root logger pino-http makes: the same level and redaction.
  const root = pino(
    { level: 'info', redact: requestLogOptions('info').redact },
    new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
        done();
      },
    }),
  );
  const holder = PinoLogger as unknown as { root: unknown };
  let before: unknown;
  beforeAll(() => {
    before = holder.root;
    holder.root = root;
  });
  afterAll(() => (holder.root = before));
  beforeEach(() => (lines.length = 0));

  const request = (headers: Record<string, string> = {}) =>
    Object.assign(new EventEmitter(), {
      method: 'GET',
      url: '/api/stream',
      headers,
    }) as unknown as IncomingMessage;

  it("logs one line when the stream closes, with the request's id as traceId and no token", () => {
    const req = request({ authorization: 'Bearer secret-token', 'x-request-id': 'trace-1' });
    const res = new FakeResponse();
    const next = jest.fn();
    streamRequestLog(req, res as unknown as ServerResponse, next);
    expect(next).toHaveBeenCalledTimes(1);
    expect(res.headers['x-request-id']).toBe('trace-1');
    expect(lines).toEqual([]);
    res.emit('close');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 30, msg: 'request aborted', traceId: 'trace-1' });
    expect(JSON.stringify(lines[0])).not.toContain('secret-token');
  });

  it('says completed for a stream the server ended, errored for a 5xx; a new id when none is given', () => {
    const res = new FakeResponse();
    streamRequestLog(request(), res as unknown as ServerResponse, () => undefined);
    res.writableEnded = true;
    res.emit('close');
    const failed = new FakeResponse();
    failed.statusCode = 500;
    streamRequestLog(request(), failed as unknown as ServerResponse, () => undefined);
    failed.emit('close');
    expect(lines.map((l) => l['msg'])).toEqual(['request completed', 'request errored']);
    expect(lines[0]['traceId']).toBe(res.headers['x-request-id']);
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});
