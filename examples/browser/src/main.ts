import { ChatClient, type Message } from '@nest-chat/client';

// Served from the chat server's origin, signed in by its page (the token it keeps).
const chat = new ChatClient({
  url: location.origin,
  token: localStorage.getItem('nest-chat.token'),
});
const state = document.querySelector<HTMLParagraphElement>('#state');
const list = document.querySelector<HTMLOListElement>('#messages');

chat.on('state', (now) => {
  if (state) state.textContent = now;
});
chat.on('message', (message: Message) => {
  const item = document.createElement('li');
  item.textContent = `${message.conversationId} #${message.seq}: ${message.body}`;
  list?.append(item);
});
chat.connect();
void chat.conversations();
