import { completeMention, mentionAt, type ChatClient, type Message } from '@nest-chat/client';
import { field, h, on, replaceChildren } from './dom.js';
import type { UserDirectory } from './user-directory.js';

const SUGGESTIONS = 6;

/**
 * The message box: sends on Enter, offers members' usernames while an `@name` is typed, and
 * shows which message a reply answers until it is sent or cancelled.
 */
export class Composer {
  readonly element: HTMLFormElement;
  private readonly input: HTMLTextAreaElement;
  private readonly replyBanner = h('div', { class: 'replying', hidden: true });
  private readonly suggestions = h('ul', { class: 'suggestions', role: 'listbox', hidden: true });
  private replyingTo: Message | null = null;

  constructor(
    private readonly chat: ChatClient,
    private readonly users: UserDirectory,
    private readonly conversationId: string,
    private readonly memberIds: () => string[],
    /** A body to send (and the message it replies to); an empty box is refused before this. */
    send: (body: string, replyTo: Message | null) => void,
    showError: (text: string) => void,
  ) {
    this.input = h('textarea', {
      name: 'body',
      rows: 1,
      maxlength: 4000,
      placeholder: 'Message',
      'aria-label': 'Message',
      autocomplete: 'off',
    });
    this.element = h(
      'form',
      { class: 'composer' },
      this.replyBanner,
      this.suggestions,
      this.input,
      h('button', { type: 'submit' }, 'Send'),
    );
    on(this.input, 'input', () => {
      if (this.input.value.trim()) this.chat.typing(conversationId);
      else this.chat.stopTyping(conversationId);
      this.suggest();
    });
    on(this.input, 'keydown', (event) => {
      if (event.key === 'Enter' && !event.shiftKey) {
        event.preventDefault();
        const first = this.suggestions.hidden ? null : this.suggestions.querySelector('button');
        if (first) first.click();
        else this.element.requestSubmit();
      } else if (event.key === 'Escape') {
        this.suggestions.hidden = true;
      }
    });
    on(this.element, 'submit', (event) => {
      event.preventDefault();
      const body = field(this.element, 'body');
      if (!body) return showError('Type a message first.');
      showError('');
      this.input.value = '';
      this.suggestions.hidden = true;
      const replyTo = this.replyingTo;
      this.reply(null);
      send(body, replyTo);
    });
  }

  focus(): void {
    this.input.focus();
  }

  /** Shows (or, with null, clears) the message the next send answers. */
  reply(message: Message | null): void {
    this.replyingTo = message;
    this.replyBanner.hidden = message === null;
    if (!message) return replaceChildren(this.replyBanner);
    const cancel = h(
      'button',
      { type: 'button', class: 'link', 'aria-label': 'Cancel reply' },
      '✕',
    );
    on(cancel, 'click', () => this.reply(null));
    replaceChildren(
      this.replyBanner,
      h('span', {}, `Replying to ${this.users.name(message.senderId)}: `),
      h('em', {}, message.body.slice(0, 80)),
      cancel,
    );
    this.input.focus();
  }

  /** Members whose username starts with the `@name` being typed, to pick from. */
  private suggest(): void {
    const query = mentionAt(this.input.value, this.input.selectionStart);
    const matches = query
      ? this.memberIds()
          .map((id) => this.users.username(id))
          .filter((name): name is string => name !== undefined && name.startsWith(query.prefix))
          .slice(0, SUGGESTIONS)
      : [];
    this.suggestions.hidden = matches.length === 0;
    replaceChildren(this.suggestions);
    if (!query) return;
    for (const username of matches) {
      const option = h('button', { type: 'button', role: 'option' }, `@${username}`);
      on(option, 'click', () => {
        const done = completeMention(this.input.value, query, username);
        this.input.value = done.text;
        this.input.setSelectionRange(done.caret, done.caret);
        this.suggestions.hidden = true;
        this.input.focus();
      });
      this.suggestions.append(h('li', {}, option));
    }
  }
}
