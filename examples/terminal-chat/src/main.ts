import { createInterface } from 'node:readline';
import { ChatClient, ChatError, type Message } from '@nest-chat/client';

// usage: npm start -- <username> <password> [other username]   (CHAT_URL, default localhost:3000)
const [username, password, other] = process.argv.slice(2);
if (!username || !password) {
  console.error('usage: npm start -- <username> <password> [username to chat with]');
  process.exit(2);
}
const chat: ChatClient = new ChatClient({
  url: process.env.CHAT_URL ?? 'http://localhost:3000',
  // A restarted server may refuse the old token (a development server without JWT_SECRET makes a
  // new secret each start): sign in again and carry on.
  refreshToken: async (): Promise<string> =>
    (await chat.api.login({ username, password })).accessToken,
});

try {
  await chat.login({ username, password });
} catch (error) {
  // A first run: the account does not exist yet.
  if (!(error instanceof ChatError && error.code === 'UNAUTHORIZED')) throw error;
  await chat.register({ username, password });
}

// The conversation to follow: the direct one with `other`, else the latest one.
let conversationId: string | undefined;
if (other) {
  const [found] = (await chat.api.searchUsers(other)).filter((u) => u.username === other);
  if (!found) throw new Error(`no user is called ${other}`);
  conversationId = (await chat.api.openDirect(found.id)).id;
} else {
  conversationId = (await chat.conversations({ limit: 1 }))[0]?.id;
}
if (!conversationId) {
  console.error('no conversation yet: name a user to chat with');
  process.exit(1);
}
const following = conversationId;

const names = new Map<string, string>();
async function show(message: Message): Promise<void> {
  if (message.conversationId !== following) return;
  if (!names.has(message.senderId)) {
    names.set(message.senderId, (await chat.api.user(message.senderId)).username);
  }
  const body = message.deletedAt ? '(deleted)' : message.body;
  console.log(`#${message.seq} ${names.get(message.senderId)}: ${body}`);
}

// Every message once, in order: live, or caught up after a reconnect (a server restart too).
chat.on('message', (message) => void show(message));
chat.on('state', (state) => console.log(`[${state}]`));
chat.on('error', (error) => console.error(`[${error.code}] ${error.message}`));
for (const message of (await chat.history(following, { limit: 20 })).items) await show(message);
chat.connect();

// Each line typed is sent, retried with one clientMsgId until the server stores it.
const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  if (!line.trim()) return;
  chat.send(following, line).catch((error: unknown) => console.error(`not sent: ${String(error)}`));
});
lines.on('close', () => chat.disconnect());
