// A load process (child_process.fork) holding many socket.io clients of the `/chat` namespace:
// each joins its room and, while sending is on, sends one message every interval (at a random
// phase). The send time travels in `clientId`, so every member's receive gives send→receive.
import { io } from 'socket.io-client';

import { backoffDelay } from './client-policy.mjs';
import { Histogram } from './histogram.mjs';

const clients = [];
let hist = new Histogram();
let measuring = false;
let received = 0;
let acked = 0;
let rejected = 0;
let ackLatency = new Histogram();
let errorEvents = 0;
let unexpectedDisconnects = 0;
let closing = false;
let sending = null;
const wid = process.pid;
let seq = 0;
const errorSamples = new Set();
/** Every attempt once the server has been restarted: [start, end, outcome] (the storm's profile). */
let attempts = null;

let givenUp = 0;

function open(c, { url, reconnect, backoff }) {
  return new Promise((resolve) => {
    const socket = io(`${url}/chat`, {
      transports: ['websocket'],
      auth: { token: c.user.token },
      forceNew: true,
      // The dashboard's socket never reconnects by itself (chat-socket.ts): its connection
      // does, with the one backoff policy; and it keeps socket.io's connect timeout (20 s).
      reconnection: reconnect && !backoff,
      localAddress: c.addr,
      timeout: backoff ? 20_000 : 60_000,
    });
    c.socket = socket;
    let first = true;
    let attempt = null;
    const traceAttempt = () => {
      if (!attempts) return;
      attempt = [Date.now(), 0, ''];
      attempts.push(attempt);
    };
    /** The dashboard's way back: the next attempt after the policy's wait, or give up. */
    const again = () => {
      if (!reconnect || !backoff || closing) return false;
      const delay = backoffDelay(++c.failures, backoff);
      if (delay === null) {
        givenUp++;
        return false;
      }
      setTimeout(() => {
        if (closing) return;
        traceAttempt();
        socket.connect();
      }, delay);
      return true;
    };
    const outcome = (what) => {
      if (attempt && !attempt[1]) {
        attempt[1] = Date.now();
        attempt[2] = what;
      }
    };
    socket.io.on('reconnect_attempt', traceAttempt);
    socket.on('connect', () => {
      c.connects++;
      c.failures = 0;
      outcome('ok');
      socket.emit('join', { roomId: c.room }, (ack) => {
        c.joined = !!ack?.ok;
        if (!ack?.ok && errorSamples.size < 5) errorSamples.add(`join: ${ack?.error?.code}`);
        if (first) {
          first = false;
          resolve(c.joined);
        }
      });
    });
    socket.on('connect_error', (err) => {
      outcome(err.message);
      if (errorSamples.size < 5) errorSamples.add(`connect_error: ${err.message}`);
      const retrying = backoff ? again() : reconnect;
      if (first && !retrying) {
        first = false;
        resolve(false);
      }
    });
    socket.on('disconnect', (reason) => {
      c.joined = false;
      if (!closing && reason !== 'io client disconnect') {
        unexpectedDisconnects++;
        if (backoff) again();
      }
    });
    socket.on('chat', (m) => {
      if (!measuring) return;
      received++;
      const sent = Number(String(m.clientId).split('-')[0]);
      if (sent) hist.add(Date.now() - sent);
    });
    socket.on('error', () => errorEvents++);
  });
}

function send(c) {
  if (!c.socket?.connected || !c.joined) return;
  const sentAt = Date.now();
  const counted = measuring;
  c.socket.emit(
    'chat',
    { roomId: c.room, content: `load ${seq}`, clientId: `${sentAt}-${wid}-${seq++}` },
    (ack) => {
      if (!counted) return;
      if (ack?.ok) {
        acked++;
        ackLatency.add(Date.now() - sentAt);
      } else {
        rejected++;
        if (errorSamples.size < 5) errorSamples.add(`chat: ${ack?.error?.code}`);
      }
    },
  );
}

async function connect({
  url,
  addrs,
  count,
  users,
  roomSize,
  reconnect,
  backoff = null,
  concurrency = 100,
  offset = 0,
}) {
  const fresh = [];
  for (let k = 0; k < count; k++) {
    const i = offset + k;
    fresh.push({
      i,
      user: users[i % users.length],
      addr: addrs[i % addrs.length],
      room: `bench-${Math.floor(i / roomSize)}`,
      joined: false,
      failures: 0,
      connects: 0,
    });
  }
  clients.push(...fresh);
  const started = Date.now();
  let next = 0;
  let ok = 0;
  const lane = async () => {
    while (next < fresh.length) {
      const c = fresh[next++];
      if (await open(c, { url, reconnect, backoff })) ok++;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, fresh.length) }, lane));
  return { connected: ok, failed: fresh.length - ok, ms: Date.now() - started, errors: [...errorSamples] };
}

function startSending(intervalMs) {
  stopSending();
  const timers = clients.map((c) =>
    setTimeout(() => {
      send(c);
      timers.push(setInterval(() => send(c), intervalMs));
    }, Math.random() * intervalMs),
  );
  sending = timers;
}

function stopSending() {
  if (!sending) return;
  for (const t of sending) {
    clearTimeout(t);
    clearInterval(t);
  }
  sending = null;
}

function status() {
  let connected = 0;
  let joined = 0;
  for (const c of clients) {
    if (c.socket?.connected) connected++;
    if (c.joined) joined++;
  }
  return { connected, joined, total: clients.length, unexpectedDisconnects, givenUp };
}

process.on('message', async (msg) => {
  let reply = { ok: true };
  switch (msg.cmd) {
    case 'connect':
      reply = await connect(msg);
      break;
    case 'send':
      startSending(msg.intervalMs);
      break;
    case 'stop-sending':
      stopSending();
      break;
    case 'reset':
      hist = new Histogram();
      ackLatency = new Histogram();
      received = acked = rejected = errorEvents = 0;
      measuring = true;
      break;
    case 'stop-measuring':
      measuring = false;
      break;
    case 'status':
      reply = status();
      break;
    case 'report': {
      const cpu = process.cpuUsage();
      reply = {
        ...status(),
        received,
        acked,
        rejected,
        errorEvents,
        hist: hist.toJSON(),
        ackHist: ackLatency.toJSON(),
        cpuSeconds: (cpu.user + cpu.system) / 1e6,
        errorSamples: [...errorSamples],
        attempts: attempts ?? [],
      };
      break;
    }
    case 'trace-attempts':
      attempts = [];
      break;
    case 'close':
      closing = true;
      stopSending();
      for (const c of clients) c.socket?.disconnect();
      setTimeout(() => process.exit(0), 200);
      break;
  }
  process.send({ seq: msg.seq, ...reply });
});
process.on('disconnect', () => process.exit(0));
