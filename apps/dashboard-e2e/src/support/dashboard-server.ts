import { createReadStream, existsSync, statSync } from 'node:fs';
import { type IncomingMessage, type Server, createServer, request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { once } from 'node:events';
import { extname, join, normalize, resolve } from 'node:path';

export const DASHBOARD_DIST =
  process.env.E2E_DASHBOARD_DIST ?? resolve(__dirname, '../../../../dist/apps/dashboard/browser');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.ico': 'image/x-icon',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};

const PROXIED = /^\/(api|socket\.io)(\/|$|\?)/;
const STREAM = /^\/api\/([a-z-]+\/)?stream(\?|$)/;

export interface Traffic {
  streamsOpen: number;
  streamUrls: string[];
}

/**
 * The production dashboard build, served as the dev server would: static files with an SPA
 * fallback, and `/api` and `/socket.io` (websocket upgrades included) proxied to the API, so the
 * browser sees one origin and the stream cookie works. The upstream port can change between
 * tests; a stopped API answers 502 like a real gateway.
 */
export class DashboardServer {
  private constructor(
    private readonly server: Server,
    readonly url: string,
    private readonly upstream: () => number,
  ) {}

  static async start(upstreamPort: () => number, root = DASHBOARD_DIST): Promise<DashboardServer> {
    if (!existsSync(join(root, 'index.html')))
      throw new Error(`No dashboard build in ${root}: run \`nx build dashboard\` first`);
    const sockets = new Set<import('node:net').Socket>();
    const traffic: Traffic = { streamsOpen: 0, streamUrls: [] };
    const server = createServer((req, res) => {
      if (PROXIED.test(req.url ?? '')) {
        if (STREAM.test(req.url ?? '')) {
          traffic.streamsOpen++;
          traffic.streamUrls.push(req.url ?? '');
          res.on('close', () => traffic.streamsOpen--);
        }
        return proxy(req, res, upstreamPort());
      }
      serveStatic(root, req, res);
    });
    server.on('connection', (s) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    });
    server.on('upgrade', (req, socket, head) => {
      const upstream = connect(upstreamPort(), '127.0.0.1', () => {
        const lines = [`${req.method} ${req.url} HTTP/${req.httpVersion}`];
        for (let i = 0; i < req.rawHeaders.length; i += 2)
          lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
        upstream.write(lines.join('\r\n') + '\r\n\r\n');
        if (head.length) upstream.write(head);
        upstream.pipe(socket);
        socket.pipe(upstream);
      });
      upstream.on('error', () => socket.destroy());
      socket.on('error', () => upstream.destroy());
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const port = (server.address() as { port: number }).port;
    const s = new DashboardServer(server, `http://127.0.0.1:${port}`, upstreamPort);
    s.closeAll = () => sockets.forEach((x) => x.destroy());
    s.traffic = traffic;
    s.openSockets = () => sockets.size;
    return s;
  }

  private closeAll: () => void = () => undefined;
  /** SSE requests open now, and every SSE URL asked for (what the browser holds, seen from here). */
  traffic: Traffic = { streamsOpen: 0, streamUrls: [] };
  /** TCP connections from the browser open now (streams, socket.io and idle keep-alives). */
  openSockets: () => number = () => 0;

  async stop(): Promise<void> {
    this.closeAll();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

function proxy(req: IncomingMessage, res: import('node:http').ServerResponse, port: number): void {
  const upstream = httpRequest(
    { host: '127.0.0.1', port, method: req.method, path: req.url, headers: req.headers },
    (up) => {
      res.writeHead(up.statusCode ?? 502, up.rawHeaders);
      // Stream through unbuffered: SSE events must reach the browser as they come.
      res.flushHeaders();
      up.pipe(res);
      up.on('error', () => res.destroy());
    },
  );
  upstream.on('error', () => {
    if (!res.headersSent) {
      res.writeHead(502, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ statusCode: 502, message: 'API unreachable' }));
    } else res.destroy();
  });
  res.on('close', () => upstream.destroy());
  req.pipe(upstream);
}

function serveStatic(root: string, req: IncomingMessage, res: import('node:http').ServerResponse): void {
  const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
  let file = normalize(join(root, path));
  if (!file.startsWith(root) || !existsSync(file) || statSync(file).isDirectory())
    file = join(root, 'index.html');
  res.writeHead(200, {
    'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
    'cache-control': 'no-store',
  });
  createReadStream(file).pipe(res);
}
