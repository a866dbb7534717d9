import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect as http2Connect, type ClientHttp2Session } from 'node:http2';
import { connect as netConnect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join, resolve } from 'node:path';

import { freePort } from '@realtime/test-support';

const TEMPLATE = resolve(__dirname, '../../../../deploy/nginx/realtime.conf.template');
export const NGINX_BIN = process.env.NGINX_BIN ?? '/usr/sbin/nginx';

/** `${NAME}` → value, for every name the template uses; a name without a value is an error. */
export function renderTemplate(template: string, values: Record<string, string>): string {
  return template.replace(/\$\{(\w+)\}/g, (_, name: string) => {
    if (!(name in values)) throw new Error(`no value for \${${name}} in the nginx template`);
    return values[name];
  });
}

/**
 * Debian's nginx running deploy/nginx/realtime.conf.template, rendered into a temporary
 * directory with free ports and a self-signed certificate, as the current user with its own
 * pid, log and temp paths, in front of the given API ports.
 */
export class NginxProcess {
  private constructor(
    private readonly child: ChildProcess,
    private readonly dir: string,
    readonly httpsPort: number,
    readonly httpPort: number,
    /** The self-signed certificate (PEM) clients trust. */
    readonly ca: string,
  ) {}

  get origin(): string {
    return `https://127.0.0.1:${this.httpsPort}`;
  }

  static async start(apiPorts: number[]): Promise<NginxProcess> {
    if (!existsSync(NGINX_BIN))
      throw new Error(`${NGINX_BIN} is missing: apt-get install nginx (.ci/run does) or set NGINX_BIN`);
    const dir = mkdtempSync(join(tmpdir(), 'rt-nginx-'));
    mkdirSync(join(dir, 'temp'));
    const cert = join(dir, 'cert.pem');
    const key = join(dir, 'key.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=IP:127.0.0.1,DNS:localhost',
        '-keyout',
        key,
        '-out',
        cert,
      ],
      { stdio: 'ignore' },
    );
    const [httpsPort, httpPort] = [await freePort(), await freePort()];
    writeFileSync(
      join(dir, 'realtime.conf'),
      renderTemplate(readFileSync(TEMPLATE, 'utf8'), {
        NGINX_SERVER_NAME: 'localhost 127.0.0.1',
        NGINX_HTTP_PORT: String(httpPort),
        NGINX_HTTPS_PORT: String(httpsPort),
        NGINX_CERT: cert,
        NGINX_CERT_KEY: key,
        NGINX_API_SERVERS: apiPorts.map((p) => `server 127.0.0.1:${p};`).join(' '),
      }),
    );
    const temp = (name: string) => `${name}_temp_path ${join(dir, 'temp', name)};`;
    writeFileSync(
      join(dir, 'nginx.conf'),
      [
        'daemon off;',
        // Workers run as whoever starts the test (root on CI), reading this directory.
        `user ${userInfo().username};`,
        'worker_processes 1;',
        `pid ${join(dir, 'nginx.pid')};`,
        `error_log ${join(dir, 'error.log')} warn;`,
        'events { worker_connections 1024; }',
        'http {',
        `  access_log ${join(dir, 'access.log')};`,
        ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((n) => `  ${temp(n)}`),
        `  include ${join(dir, 'realtime.conf')};`,
        '}',
      ].join('\n'),
    );
    const child = spawn(NGINX_BIN, ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log')], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout!.on('data', (d) => (output += d));
    child.stderr!.on('data', (d) => (output += d));
    const nginx = new NginxProcess(child, dir, httpsPort, httpPort, readFileSync(cert, 'utf8'));
    const exited = once(child, 'exit').then(([code]) => {
      const log = existsSync(join(dir, 'error.log')) ? readFileSync(join(dir, 'error.log'), 'utf8') : '';
      throw new Error(`nginx exited with ${code}:\n${output}\n${log}`);
    });
    exited.catch(() => undefined);
    await Promise.race([waitListening(httpsPort), exited]);
    return nginx;
  }

  /** An HTTP/2 session to nginx over TLS, trusting the test's certificate. */
  h2(): ClientHttp2Session {
    return http2Connect(this.origin, { ca: this.ca });
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = once(this.child, 'exit');
      this.child.kill('SIGTERM');
      await exited;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

async function waitListening(port: number): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const ok = await new Promise<boolean>((r) => {
      const s = netConnect(port, '127.0.0.1', () => {
        s.destroy();
        r(true);
      });
      s.on('error', () => r(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nginx not listening on ${port} after 20 s`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface H2Response {
  status: number;
  headers: Record<string, unknown>;
  body: any;
}

/** One JSON request on an HTTP/2 session. */
export function h2Request(
  session: ClientHttp2Session,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<H2Response> {
  return new Promise((resolvePromise, reject) => {
    const headers: Record<string, string> = { ':method': method, ':path': path, ...options.headers };
    if (options.token) headers['authorization'] = `Bearer ${options.token}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const req = session.request(headers);
    let status = 0;
    let responseHeaders: Record<string, unknown> = {};
    let text = '';
    req.setEncoding('utf8');
    req.on('response', (h) => {
      status = Number(h[':status']);
      responseHeaders = h;
    });
    req.on('data', (chunk: string) => (text += chunk));
    req.on('end', () => {
      let body: unknown = text;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        // not JSON
      }
      resolvePromise({ status, headers: responseHeaders, body });
    });
    req.on('error', reject);
    req.end(options.body === undefined ? undefined : JSON.stringify(options.body));
  });
}

export interface H2SseEvent {
  id?: string;
  event: string;
  data: string;
}

/** An SSE stream read over HTTP/2: every event and comment as it arrives. */
export class H2Sse {
  readonly events: H2SseEvent[] = [];
  readonly comments: string[] = [];
  status = 0;
  headers: Record<string, unknown> = {};
  private buffer = '';
  private waiters: Array<() => void> = [];
  private closed = false;

  private constructor(private readonly req: import('node:http2').ClientHttp2Stream) {}

  static open(session: ClientHttp2Session, path: string, headers: Record<string, string>): Promise<H2Sse> {
    // Asks for compression as a browser does: a proxy that compresses the stream would hold it.
    const req = session.request({
      ':path': path,
      accept: 'text/event-stream',
      'accept-encoding': 'gzip, deflate, br',
      ...headers,
    });
    const sse = new H2Sse(req);
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => sse.feed(chunk));
    req.on('close', () => {
      sse.closed = true;
      sse.notify();
    });
    return new Promise((resolvePromise, reject) => {
      req.on('response', (h) => {
        sse.status = Number(h[':status']);
        sse.headers = h;
        resolvePromise(sse);
      });
      req.on('error', reject);
    });
  }

  private feed(chunk: string) {
    this.buffer += chunk;
    let end: number;
    while ((end = this.buffer.indexOf('\n\n')) >= 0) {
      const block = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      const event: H2SseEvent = { event: 'message', data: '' };
      let isEvent = false;
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) this.comments.push(line.slice(1).trim());
        else if (line.startsWith('id:')) event.id = line.slice(3).trim();
        else if (line.startsWith('event:')) event.event = line.slice(6).trim();
        else if (line.startsWith('data:')) {
          event.data += line.slice(5).trim();
          isEvent = true;
        }
      }
      if (isEvent) this.events.push(event);
    }
    this.notify();
  }

  private notify() {
    const waiters = this.waiters;
    this.waiters = [];
    waiters.forEach((w) => w());
  }

  /** Waits until `predicate` holds on what has arrived (the test's timeout ends a wait that never does). */
  async until(predicate: () => boolean, what: string): Promise<void> {
    while (!predicate()) {
      if (this.closed) throw new Error(`stream closed while waiting for ${what}`);
      await new Promise<void>((r) => this.waiters.push(r));
    }
  }

  close(): void {
    this.req.close();
  }
}
