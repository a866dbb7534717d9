// The baseline for chat: plain socket.io with the same `/chat` events as the API (join with an
// ack and a presence broadcast, chat fanned out to the room with an ack) and nothing else: no
// token check, validation, storage or rate limit.
import { createServer } from 'node:http';

import { Server } from 'socket.io';

const port = Number(process.env.PORT);
const httpServer = createServer((req, res) => {
  res.writeHead(req.url === '/health' ? 200 : 404, { 'content-type': 'application/json' });
  res.end('{"status":"ok"}');
});
const io = new Server(httpServer, { serveClient: false });
const chat = io.of('/chat');
let users = 0;
let ids = 0;

chat.use((socket, next) => {
  const n = users++ % 3;
  socket.data.user = { id: n + 1, username: ['alice', 'bob', 'carol'][n] };
  next();
});

chat.on('connection', (socket) => {
  socket.on('join', (body, ack) => {
    const room = `room:${body?.roomId}`;
    socket.join(room);
    const members = [];
    chat.to(room).emit('presence', { roomId: body.roomId, members });
    ack?.({ ok: true, roomId: body.roomId, history: [], members });
  });
  socket.on('chat', (body, ack) => {
    const { user } = socket.data;
    const message = {
      id: ++ids,
      clientId: body.clientId,
      roomId: body.roomId,
      senderId: user.id,
      senderName: user.username,
      content: body.content,
      timestamp: new Date().toISOString(),
    };
    chat.to(`room:${body.roomId}`).emit('chat', message);
    ack?.({ ok: true, message });
  });
});

httpServer.listen(port, '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
