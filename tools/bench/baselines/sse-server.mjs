// The baseline for sse-fanout: what bare node:http does with the same workload. One tick every
// TICK_MS, serialized and framed once, written to every open response; a comment every
// HEARTBEAT_MS. No auth, no framework: the ceiling we measure the API against.
import { createServer } from 'node:http';

const port = Number(process.env.PORT);
const tickMs = Number(process.env.TICK_MS ?? 1000);
const heartbeatMs = Number(process.env.HEARTBEAT_MS ?? 30000);
const template = JSON.parse(
  process.env.TEMPLATE ?? '{"activeUsers":3,"ordersPerMinute":0,"revenue":0,"currency":"USD"}',
);

const clients = new Set();
let lastId = Date.now();
const frame = () => {
  const id = (lastId = Math.max(Date.now(), lastId + 1));
  return `id: ${id}\nevent: metrics\ndata: ${JSON.stringify({ ...template, activeUsers: 3, timestamp: Date.now() })}\n\n`;
};

const server = createServer((req, res) => {
  if (req.method === 'POST' && req.url === '/publish') {
    // One extra event to every client now: what the API's POST /api/dashboard/refresh does.
    const event = frame();
    for (const client of clients) client.write(event);
    res.writeHead(200, { 'content-type': 'application/json' });
    return res.end('{"ok":true}');
  }
  if (req.url === '/health') {
    res.writeHead(200, { 'content-type': 'application/json' });
    return res.end('{"status":"ok"}');
  }
  res.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  req.socket.setNoDelay(true);
  res.write(`retry: 3000\n${frame()}`);
  clients.add(res);
  res.on('close', () => clients.delete(res));
});
server.keepAliveTimeout = 0;
server.headersTimeout = 0;
server.requestTimeout = 0;

setInterval(() => {
  const event = frame();
  for (const res of clients) res.write(event);
}, tickMs);
setInterval(() => {
  for (const res of clients) res.write(': heartbeat\n\n');
}, heartbeatMs);

server.listen(port, '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
