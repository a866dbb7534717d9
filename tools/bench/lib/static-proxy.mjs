// The production dashboard build served as the dev server would: static files with an SPA
// fallback, and /api and /socket.io (websocket upgrades included) proxied to the API. It counts
// what the browser holds, seen from here: TCP connections (idle keep-alives included) and SSE
// requests open.
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, request } from 'node:http';
import { once } from 'node:events';
import { connect } from 'node:net';
import { extname, join, normalize } from 'node:path';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.ico': 'image/x-icon',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};
const PROXIED = /^\/(api|socket\.io)(\/|$|\?)/;
const STREAM = /^\/api\/([a-z-]+\/)?stream(\?|$)/;

export async function startStaticProxy(root, apiPort) {
  const sockets = new Set();
  let streamsOpen = 0;
  const server = createServer((req, res) => {
    if (PROXIED.test(req.url ?? '')) {
      if (STREAM.test(req.url ?? '')) {
        streamsOpen++;
        res.on('close', () => streamsOpen--);
      }
      const up = request(
        { host: '127.0.0.1', port: apiPort, method: req.method, path: req.url, headers: req.headers },
        (r) => {
          res.writeHead(r.statusCode ?? 502, r.rawHeaders);
          res.flushHeaders();
          r.pipe(res);
        },
      );
      up.on('error', () => (res.headersSent ? res.destroy() : res.writeHead(502).end()));
      res.on('close', () => up.destroy());
      req.pipe(up);
      return;
    }
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    let file = normalize(join(root, path));
    if (!file.startsWith(root) || !existsSync(file) || statSync(file).isDirectory())
      file = join(root, 'index.html');
    res.writeHead(200, {
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      'cache-control': 'no-store',
    });
    createReadStream(file).pipe(res);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('upgrade', (req, socket, head) => {
    const up = connect(apiPort, '127.0.0.1', () => {
      const lines = [`${req.method} ${req.url} HTTP/${req.httpVersion}`];
      for (let i = 0; i < req.rawHeaders.length; i += 2)
        lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
      up.write(`${lines.join('\r\n')}\r\n\r\n`);
      if (head.length) up.write(head);
      up.pipe(socket);
      socket.pipe(up);
    });
    up.on('error', () => socket.destroy());
    socket.on('error', () => up.destroy());
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    /** TCP connections from the browser open now (streams, socket.io and idle keep-alives). */
    openSockets: () => sockets.size,
    /** SSE requests (`/api/stream`, `/api/<feature>/stream`) open now. */
    streamsOpen: () => streamsOpen,
    stop: async () => {
      sockets.forEach((s) => s.destroy());
      await new Promise((r) => server.close(() => r()));
    },
  };
}
