import { ChatClient, ChatError, type ClientSession, type User } from '@nest-chat/client';
import { authView } from './auth-view.js';
import { chatView } from './chat-view.js';
import { replaceChildren } from './dom.js';

// The session (access and refresh token) survives reloads; every tab of the page shares it.
const SESSION_KEY = 'nest-chat.session';
const root = document.getElementById('app') as HTMLElement;
let current: ChatClient | undefined;

// Another tab renewed the shared session: take its tokens (the old refresh token is spent).
window.addEventListener('storage', (event) => {
  if (event.key === SESSION_KEY) current?.useSession(stored());
});

function stored(): ClientSession | null {
  try {
    return JSON.parse(localStorage.getItem(SESSION_KEY) ?? 'null') as ClientSession | null;
  } catch {
    return null;
  }
}

function newClient(): ChatClient {
  const chat = new ChatClient({ url: location.origin, session: stored() });
  chat.on('session', (session) => {
    if (session) localStorage.setItem(SESSION_KEY, JSON.stringify(session));
    else localStorage.removeItem(SESSION_KEY);
  });
  current = chat;
  return chat;
}

function showAuth(): void {
  const chat = newClient();
  chat.setToken(null);
  replaceChildren(
    root,
    authView(chat, (user) => showChat(chat, user)),
  );
}

function showChat(chat: ChatClient, me: User): void {
  let leaving = false;
  const leave = (): void => {
    if (leaving) return;
    leaving = true;
    showAuth();
  };
  // Signing out ends the session on the server too: its tokens and sockets everywhere stop.
  const signOut = (): void => {
    chat
      .logout()
      .catch(() => undefined)
      .finally(leave);
  };
  // The session ended elsewhere (signed out in another tab, revoked, expired): sign in again.
  chat.on('state', (state) => state === 'signed-out' && leave());
  replaceChildren(root, chatView(chat, me, signOut));
  chat.connect();
}

async function boot(): Promise<void> {
  localStorage.removeItem('nest-chat.token'); // before sessions: a token nothing can renew
  if (!stored()) return showAuth();
  const chat = newClient();
  try {
    showChat(chat, await chat.api.me());
  } catch (error) {
    if (error instanceof ChatError && error.code === 'UNAUTHORIZED') {
      localStorage.removeItem(SESSION_KEY);
      return showAuth();
    }
    replaceChildren(root, 'The server cannot be reached. Reload to try again.');
  }
}

void boot();
