import { ChatClient, ChatError, type User } from '@nest-chat/client';
import { authView } from './auth-view.js';
import { chatView } from './chat-view.js';
import { replaceChildren } from './dom.js';

const TOKEN_KEY = 'nest-chat.token';
const root = document.getElementById('app') as HTMLElement;

function newClient(): ChatClient {
  return new ChatClient({ url: location.origin, token: localStorage.getItem(TOKEN_KEY) });
}

function showAuth(): void {
  const chat = newClient();
  chat.setToken(null);
  replaceChildren(
    root,
    authView(chat, (user) => {
      localStorage.setItem(TOKEN_KEY, chat.accessToken ?? '');
      showChat(chat, user);
    }),
  );
}

function showChat(chat: ChatClient, me: User): void {
  const signOut = (): void => {
    chat.disconnect();
    localStorage.removeItem(TOKEN_KEY);
    showAuth();
  };
  // An expired token: there is no refresh route, so the person signs in again.
  chat.on('state', (state) => state === 'signed-out' && signOut());
  replaceChildren(root, chatView(chat, me, signOut));
  chat.connect();
}

async function boot(): Promise<void> {
  if (!localStorage.getItem(TOKEN_KEY)) return showAuth();
  const chat = newClient();
  try {
    showChat(chat, await chat.api.me());
  } catch (error) {
    if (error instanceof ChatError && error.code === 'UNAUTHORIZED') {
      localStorage.removeItem(TOKEN_KEY);
      return showAuth();
    }
    replaceChildren(root, 'The server cannot be reached. Reload to try again.');
  }
}

void boot();
