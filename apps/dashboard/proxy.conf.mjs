// The dev server's proxy to the API (`npx nx serve dashboard`): /api and /socket.io go to
// API_URL (default http://localhost:3000). While the API is not running, requests get a 503 JSON
// answer at once and the terminal gets ONE line (and one when it is back), instead of a proxy
// stack trace per request.
import { connect } from 'node:net';

const target = new URL(process.env.API_URL ?? 'http://localhost:3000');
const port = Number(target.port || 80);

/** Whether something listens on the API's port; asked at most once a second. */
let up = true;
let checkedAt = 0;
let pending = null;
function apiIsUp() {
  if (Date.now() - checkedAt < 1000) return Promise.resolve(up);
  pending ??= new Promise((resolve) => {
    const socket = connect({ host: target.hostname, port, timeout: 500 });
    const done = (ok) => {
      socket.destroy();
      checkedAt = Date.now();
      pending = null;
      if (ok !== up)
        console.log(
          ok
            ? `[proxy] The API at ${target.origin} is back.`
            : `[proxy] The API at ${target.origin} is not running: /api answers 503 until it is back. Start it with: npx nx serve api`,
        );
      up = ok;
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.once('timeout', () => done(false));
  });
  return pending;
}

/** Answers for the API while it is down; `false` refuses a websocket upgrade (404). */
async function whileDown(req, res) {
  if (await apiIsUp()) return undefined;
  if (!res) return false;
  res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '1' });
  res.end(JSON.stringify({ statusCode: 503, message: 'The API is not running' }));
  return req.url;
}

const common = { target: target.origin, secure: false, bypass: whileDown };

export default {
  '/api': { ...common, changeOrigin: false },
  '/socket.io': { ...common, ws: true },
};
