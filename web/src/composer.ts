import { AttachmentTray } from './attachment-tray.js';
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
  private readonly tray: AttachmentTray;

  constructor(
    private readonly chat: ChatClient,
    private readonly users: UserDirectory,
    private readonly conversationId: string,
    private readonly memberIds: () => string[],
    /** A body to send (the message it replies to, the files it carries); never nothing at all. */
    send: (body: string, replyTo: Message | null, attachments: string[]) => void,
    showError: (text: string) => void,
  ) {
    this.tray = new AttachmentTray(chat, showError);
    const picker = h('input', {
      type: 'file',
      multiple: true,
      hidden: true,
      'aria-label': 'Files to attach',
    });
    const attach = h(
      'button',
      { type: 'button', class: 'attach', 'aria-label': 'Attach files' },
      '📎',
    );
    on(attach, 'click', () => picker.click());
    on(picker, 'change', () => {
      if (picker.files) this.tray.add(picker.files);
      picker.value = '';
    });
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
      this.tray.element,
      this.suggestions,
      attach,
      picker,
      this.input,
      h('button', { type: 'submit' }, 'Send'),
    );
    // Files dropped anywhere on the composer are attached.
    on(this.element, 'dragover', (event) => {
      event.preventDefault();
      this.element.classList.add('dropping');
    });
    on(this.element, 'dragleave', () => this.element.classList.remove('dropping'));
    on(this.element, 'drop', (event) => {
      event.preventDefault();
      this.element.classList.remove('dropping');
      if (event.dataTransfer?.files.length) this.tray.add(event.dataTransfer.files);
    });
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
      if (this.tray.busy) return showError('Wait for the files to finish uploading.');
      const attachments = this.tray.take();
      if (!body && attachments.length === 0) return showError('Type a message first.');
      showError('');
      this.input.value = '';
      this.suggestions.hidden = true;
      const replyTo = this.replyingTo;
      this.reply(null);
      send(body, replyTo, attachments);
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
