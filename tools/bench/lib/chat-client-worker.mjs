// A load process (child_process.fork) holding many socket.io clients of the `/chat` namespace:
// each joins its room and, while sending is on, sends one message every interval (at a random
// phase). The send time travels in `clientId`, so every member's receive gives send→receive.
import { io } from 'socket.io-client';

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

function open(c, { url, reconnect }) {
  return new Promise((resolve) => {
    const socket = io(`${url}/chat`, {
      transports: ['websocket'],
      auth: { token: c.user.token },
      forceNew: true,
      reconnection: reconnect,
      localAddress: c.addr,
      timeout: 60_000,
    });
    c.socket = socket;
    let first = true;
    socket.on('connect', () => {
      c.connects++;
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
      if (errorSamples.size < 5) errorSamples.add(`connect_error: ${err.message}`);
      if (first && !reconnect) {
        first = false;
        resolve(false);
      }
    });
    socket.on('disconnect', (reason) => {
      c.joined = false;
      if (!closing && reason !== 'io client disconnect') unexpectedDisconnects++;
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

async function connect({ url, addrs, count, users, roomSize, reconnect, concurrency = 100, offset = 0 }) {
  const fresh = [];
  for (let k = 0; k < count; k++) {
    const i = offset + k;
    fresh.push({
      i,
      user: users[i % users.length],
      addr: addrs[i % addrs.length],
      room: `bench-${Math.floor(i / roomSize)}`,
      joined: false,
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
      if (await open(c, { url, reconnect })) ok++;
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
  return { connected, joined, total: clients.length, unexpectedDisconnects };
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
      };
      break;
    }
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
