import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';

import {
  CanActivate,
  Controller,
  ExecutionContext,
  Get,
  Headers,
  Injectable,
  type MessageEvent,
  Module,
  Query,
  RequestMethod,
  UnauthorizedException,
} from '@nestjs/common';
import { APP_FILTER, APP_GUARD, NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Observable, of } from 'rxjs';

import { AllExceptionsFilter } from '../../common/all-exceptions.filter';
import { EventStream } from '../../common/streams/event-stream.decorator';
import { serveStreamsFirst } from './stream-front-door';

/** A global guard, as JwtAuthGuard is: `x-pass: yes` or a 401. */
@Injectable()
class PassGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<{ headers: Record<string, string> }>();
    if (req.headers['x-pass'] !== 'yes') throw new UnauthorizedException('No pass');
    return true;
  }
}

@Controller('things')
class ThingsController {
  @EventStream('stream')
  stream(@Headers('x-who') who: string | undefined, @Query('n') n: unknown): Observable<MessageEvent> {
    if (n === 'refuse') throw new UnauthorizedException('Refused by the handler');
    return new Observable<MessageEvent>((subscriber) => {
      subscriber.next({ type: 'hello', id: '1', data: `${who ?? '-'} ${String(n)}` });
    });
  }

  @Get('plain')
  plain() {
    return of({ ok: true });
  }
}

@Module({
  controllers: [ThingsController],
  providers: [
    { provide: APP_GUARD, useClass: PassGuard },
    { provide: APP_FILTER, useClass: AllExceptionsFilter },
  ],
})
class ThingsModule {}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One request; an event stream is read until its first event, then dropped. */
function get(port: number, path: string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
        if (String(res.headers['content-type']).startsWith('text/event-stream') && body.includes('\n\n')) {
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
          req.destroy();
        }
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('serveStreamsFirst', () => {
  let app: NestExpressApplication;
  let port: number;
  let frontDoor: string[];

  beforeAll(async () => {
    app = await NestFactory.create<NestExpressApplication>(ThingsModule, { logger: false });
    app.setGlobalPrefix('api');
    // Every request through Express is marked; the front door runs only the middleware it is given.
    app.use((_req: unknown, res: { setHeader(n: string, v: string): void }, next: () => void) => {
      res.setHeader('X-Through', 'express');
      next();
    });
    frontDoor = [];
    serveStreamsFirst(
      app,
      [
        (req: { url: string }, res: { setHeader(n: string, v: string): void }, next: () => void) => {
          frontDoor.push(req.url);
          res.setHeader('X-Middleware', 'ran');
          next();
        },
      ],
      [{ path: 'things/stream', method: RequestMethod.GET }],
      (_req: unknown, res: { setHeader(n: string, v: string): void }, next: () => void) => {
        res.setHeader('X-Refusal', 'ran');
        next();
      },
    );
    await app.listen(0, '127.0.0.1');
    port = (app.getHttpServer().address() as AddressInfo).port;
  });
  afterAll(() => app.close());
  beforeEach(() => (frontDoor = []));

  it('serves a stream route itself: its middleware, the guards, the parameters, the stream', async () => {
    const res = await get(port, '/api/things/stream?n=7', { 'x-pass': 'yes', 'x-who': 'ann' });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/event-stream');
    expect(res.headers['x-middleware']).toBe('ran');
    expect(res.headers['x-through']).toBeUndefined();
    expect(res.body).toBe('event: hello\nid: 1\ndata: ann 7\n\n');
    expect(frontDoor).toEqual(['/api/things/stream?n=7']);
  });

  it("answers a guard's refusal exactly as Nest behind Express does", async () => {
    const direct = await get(port, '/api/things/stream');
    const viaExpress = await get(port, '/api/things/stream/');
    expect(viaExpress.headers['x-through']).toBe('express');
    expect(direct.headers['x-through']).toBeUndefined();
    expect(direct.status).toBe(401);
    expect(direct.body).toBe(viaExpress.body);
    expect(JSON.parse(direct.body)).toEqual({ statusCode: 401, message: 'No pass', error: 'Unauthorized' });
    expect(direct.headers['content-type']).toBe(viaExpress.headers['content-type']);
    expect(frontDoor).toEqual(['/api/things/stream']);
  });

  it('runs the refusal middleware (helmet in the app) before a refusal, never on a stream', async () => {
    const refused = await get(port, '/api/things/stream');
    const served = await get(port, '/api/things/stream?n=1', { 'x-pass': 'yes', 'x-who': 'ann' });
    expect(refused.status).toBe(401);
    expect(refused.headers['x-refusal']).toBe('ran');
    expect(served.status).toBe(200);
    expect(served.headers['x-refusal']).toBeUndefined();
  });

  it("answers the handler's own refusal (before any stream byte) as Nest does", async () => {
    const direct = await get(port, '/api/things/stream?n=refuse', { 'x-pass': 'yes' });
    const viaExpress = await get(port, '/api/things/stream/?n=refuse', { 'x-pass': 'yes' });
    expect(direct.status).toBe(401);
    expect(direct.body).toBe(viaExpress.body);
    expect(JSON.parse(direct.body)).toMatchObject({ message: 'Refused by the handler' });
  });

  it('leaves everything else to Express: other routes, other methods, a request with a body', async () => {
    expect((await get(port, '/api/things/plain', { 'x-pass': 'yes' })).headers['x-through']).toBe('express');
    const withBody = await new Promise<Answer>((resolve, reject) => {
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port,
          path: '/api/things/stream',
          headers: { 'x-pass': 'yes', 'content-length': '2' },
          agent: false,
        },
        (res) => {
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: '' });
          req.destroy();
        },
      );
      req.on('error', reject);
      req.end('{}');
    });
    expect(withBody.headers['x-through']).toBe('express');
    expect(frontDoor).toEqual([]);
  });
});
