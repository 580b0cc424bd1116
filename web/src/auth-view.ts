import type { ChatClient, User } from '@nest-chat/client';
import { field, h, on } from './dom.js';
import { describe } from './errors.js';

/** Log in or create an account; calls `signedIn` once the client holds a token. */
export function authView(chat: ChatClient, signedIn: (user: User) => void): HTMLElement {
  const error = h('p', { class: 'error', role: 'alert' });
  const form = h(
    'form',
    { class: 'auth', 'aria-label': 'Sign in' },
    h('h1', {}, 'Chat'),
    h(
      'label',
      {},
      'Username',
      h('input', {
        name: 'username',
        autocomplete: 'username',
        required: true,
        minlength: 3,
        maxlength: 32,
        autocapitalize: 'none',
      }),
    ),
    h(
      'label',
      {},
      'Password',
      h('input', {
        name: 'password',
        type: 'password',
        autocomplete: 'current-password',
        required: true,
        minlength: 8,
        maxlength: 128,
      }),
    ),
    h(
      'label',
      {},
      'Display name ',
      h('small', {}, '(new accounts, optional)'),
      h('input', { name: 'displayName', maxlength: 64 }),
    ),
    error,
    h(
      'div',
      { class: 'row' },
      h('button', { type: 'submit', value: 'login' }, 'Log in'),
      h('button', { type: 'submit', value: 'register', class: 'secondary' }, 'Create account'),
    ),
  );
  on(form, 'submit', (event) => {
    event.preventDefault();
    const button = event.submitter as HTMLButtonElement | null;
    const username = field(form, 'username');
    const password = field(form, 'password');
    const displayName = field(form, 'displayName');
    const attempt =
      button?.value === 'register'
        ? chat.register({ username, password, ...(displayName ? { displayName } : {}) })
        : chat.login({ username, password });
    error.textContent = '';
    form.setAttribute('aria-busy', 'true');
    attempt.then(
      ({ user }) => signedIn(user),
      (failure: unknown) => {
        form.removeAttribute('aria-busy');
        error.textContent = describe(failure);
      },
    );
  });
  return form;
}
