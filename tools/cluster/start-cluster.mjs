// `npm run start:cluster`: two API instances sharing Redis and PostgreSQL, behind a small
// round-robin load balancer on :3000 (no sticky sessions), so `nx serve dashboard` and any
// client work unchanged. For trying scale-out by hand; stop with Ctrl-C.
//
//   REDIS_URL     default redis://127.0.0.1:6379
//   DATABASE_URL  default postgres://postgres@127.0.0.1:5432/test
//   PORT          the balancer's port, default 3000; instances use PORT+1 and PORT+2
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { resolve } from 'node:path';

import httpProxy from 'http-proxy';

const root = resolve(new URL('../..', import.meta.url).pathname);
const port = Number(process.env.PORT ?? 3000);
const env = {
  ...process.env,
  REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  DATABASE_URL: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
  // Both instances must verify each other's tokens.
  JWT_SECRET: process.env.JWT_SECRET ?? 'cluster-demo-secret-change-me-0123456789abcdef',
};

const build = spawn('npx', ['nx', 'build', 'api'], { cwd: root, stdio: 'inherit', env });
await new Promise((ok, fail) =>
  build.on('exit', (code) => (code === 0 ? ok() : fail(new Error('build failed')))),
);

const targets = [port + 1, port + 2].map((p) => `http://127.0.0.1:${p}`);
const children = [port + 1, port + 2].map((p) =>
  spawn(process.execPath, [resolve(root, 'dist/apps/api/main.js')], {
    cwd: root,
    stdio: 'inherit',
    env: { ...env, PORT: String(p) },
  }),
);

const proxy = httpProxy.createProxyServer({ ws: true, xfwd: true });
proxy.on('error', (err, _req, res) => {
  if (res && 'writeHead' in res && !res.headersSent) {
    res.writeHead(502, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ statusCode: 502, message: `upstream unavailable: ${err.message}` }));
  } else res?.destroy?.();
});
let next = 0;
const pick = () => targets[next++ % targets.length];
const balancer = createServer((req, res) => proxy.web(req, res, { target: pick() }));
balancer.on('upgrade', (req, socket, head) => proxy.ws(req, socket, head, { target: pick() }));
balancer.listen(port, () =>
  console.log(
    `cluster: balancer on http://localhost:${port} → ${targets.join(', ')} (Redis ${env.REDIS_URL})`,
  ),
);

const stop = () => {
  balancer.close();
  children.forEach((c) => c.kill('SIGTERM'));
  setTimeout(() => process.exit(0), 500);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
