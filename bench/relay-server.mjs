// The transport's ceiling: a bare socket.io server that forwards the same payloads to the same
// rooms, with no authentication and no database.
import { createServer } from 'node:http';
import { Server } from 'socket.io';

const port = Number(process.argv[2]);
const http = createServer();
const io = new Server(http);
io.of('/chat').on('connection', (socket) => {
  for (const room of socket.handshake.auth.rooms ?? []) void socket.join(room);
  socket.on('message:send', (payload, ack) => {
    const message = { conversationId: payload.conversationId, body: payload.body };
    io.of('/chat').to(payload.conversationId).emit('message:new', message);
    ack({ ok: true, message, duplicate: false });
  });
});
http.listen(port, '127.0.0.1', () => process.stdout.write('ready\n'));
// Exit (rather than die) on SIGTERM, so that --cpu-prof writes its profile.
process.once('SIGTERM', () => process.exit(0));
