import {
  newClientMsgId,
  type ChatClient,
  type Conversation,
  type Message,
  type User,
} from '@nest-chat/client';
import { field, formatTime, h, on, replaceChildren } from './dom.js';
import { describe } from './errors.js';
import type { UserDirectory } from './user-directory.js';

const PAGE = 50;

/** One open conversation: its messages, history on scroll-up, the composer, who is typing. */
export class ConversationPane {
  readonly element: HTMLElement;
  private readonly scroller = h('div', { class: 'scroller' });
  private readonly list = h('ol', { class: 'messages', 'aria-label': 'Messages' });
  private readonly pendingList = h('ol', { class: 'messages pending', 'aria-label': 'Sending' });
  private readonly items = new Map<string, { element: HTMLLIElement; message: Message }>();
  private readonly typingLine = h('p', { class: 'typing', 'aria-live': 'polite' });
  private readonly status = h('span', { class: 'status' });
  private readonly error = h('p', { class: 'error', role: 'alert' });
  private readonly heading: HTMLHeadingElement;
  private hasOlder = false;
  private loadingOlder = false;

  constructor(
    private readonly chat: ChatClient,
    private readonly users: UserDirectory,
    private readonly me: User,
    readonly conversation: Conversation,
    title: string,
    back: () => void,
  ) {
    const backButton = h('button', { class: 'back', type: 'button', 'aria-label': 'Back' }, '‹');
    on(backButton, 'click', back);
    this.heading = h('h2', {}, title);
    this.element = h(
      'section',
      { class: 'conversation', 'aria-label': title },
      h('header', {}, backButton, h('div', {}, this.heading, this.status)),
      this.scroller,
      this.typingLine,
      this.error,
      this.composer(),
    );
    this.scroller.append(this.list, this.pendingList);
    on(this.scroller, 'scroll', () => {
      if (this.scroller.scrollTop < 40) void this.loadOlder();
    });
    this.showPresence();
  }

  /** The latest page; from here on the client delivers what comes after it. */
  async load(): Promise<void> {
    try {
      const page = await this.chat.history(this.conversation.id, { limit: PAGE });
      await this.users.load([...new Set(page.items.map((m) => m.senderId))]);
      this.hasOlder = page.hasMore;
      for (const message of page.items) this.add(message, false);
      this.scrollToEnd();
      this.markRead();
    } catch (error) {
      this.error.textContent = describe(error);
    }
  }

  /** A message of this conversation: new, acked, or from history. */
  add(message: Message, follow = true): void {
    if (this.items.has(message.id)) return this.update(message);
    const nearEnd = this.isNearEnd();
    const element = this.render(message);
    this.items.set(message.id, { element, message });
    this.pendingList
      .querySelector(`[data-client-id="${CSS.escape(message.clientMsgId ?? '')}"]`)
      ?.remove();
    const later = [...this.list.children].find(
      (li) => Number((li as HTMLElement).dataset.seq) > message.seq,
    );
    this.list.insertBefore(element, later ?? null);
    if (follow && (nearEnd || message.senderId === this.me.id)) this.scrollToEnd();
    if (follow && message.senderId !== this.me.id) this.markRead();
  }

  /** An edit or a delete. */
  update(message: Message): void {
    const item = this.items.get(message.id);
    if (!item) return;
    const element = this.render(message);
    item.element.replaceWith(element);
    this.items.set(message.id, { element, message });
  }

  typing(userIds: string[]): void {
    const names = userIds.map((id) => this.users.name(id));
    this.typingLine.textContent =
      names.length === 0
        ? ''
        : `${names.join(' and ')} ${names.length === 1 ? 'is' : 'are'} typing…`;
  }

  /** Someone's read pointer moved: refresh the receipts under one's own messages. */
  /** The conversation was renamed, or its members changed. */
  retitle(title: string): void {
    this.heading.textContent = title;
    this.element.setAttribute('aria-label', title);
  }

  receipts(): void {
    for (const { element, message } of this.items.values()) {
      const receipt = element.querySelector('.receipt');
      if (receipt) receipt.textContent = this.receiptText(message);
    }
  }

  showPresence(): void {
    if (this.conversation.type === 'group') {
      this.status.textContent = `${this.conversation.memberIds.length} members`;
      return;
    }
    const other = this.conversation.memberIds.find((id) => id !== this.me.id);
    const presence = other ? this.chat.presenceOf(other) : undefined;
    this.status.textContent = presence?.online
      ? 'online'
      : presence?.lastSeenAt
        ? `last seen ${formatTime(presence.lastSeenAt)}`
        : '';
  }

  private composer(): HTMLFormElement {
    const input = h('textarea', {
      name: 'body',
      rows: 1,
      maxlength: 4000,
      placeholder: 'Message',
      'aria-label': 'Message',
    });
    const form = h('form', { class: 'composer' }, input, h('button', { type: 'submit' }, 'Send'));
    on(input, 'input', () => {
      if (input.value.trim()) this.chat.typing(this.conversation.id);
      else this.chat.stopTyping(this.conversation.id);
    });
    on(input, 'keydown', (event) => {
      if (event.key === 'Enter' && !event.shiftKey) {
        event.preventDefault();
        form.requestSubmit();
      }
    });
    on(form, 'submit', (event) => {
      event.preventDefault();
      const body = field(form, 'body');
      if (!body) {
        this.error.textContent = 'Type a message first.';
        return;
      }
      this.error.textContent = '';
      input.value = '';
      this.send(body, newClientMsgId());
    });
    return form;
  }

  /** Shows the message as sending until the server stores it; a failure offers a retry. */
  private send(body: string, clientMsgId: string): void {
    const meta = h('span', { class: 'meta' }, 'sending…');
    const pending = h(
      'li',
      { class: 'message mine', 'data-client-id': clientMsgId },
      h('p', { class: 'body' }, body),
      meta,
    );
    this.pendingList.querySelector(`[data-client-id="${CSS.escape(clientMsgId)}"]`)?.remove();
    this.pendingList.append(pending);
    this.scrollToEnd();
    this.chat.send(this.conversation.id, body, { clientMsgId }).then(
      (message) => this.add(message),
      (error: unknown) => {
        const retry = h('button', { type: 'button', class: 'link' }, 'Retry');
        on(retry, 'click', () => this.send(body, clientMsgId)); // same id: stored at most once
        replaceChildren(meta, `Not sent: ${describe(error)} `, retry);
        pending.classList.add('failed');
      },
    );
  }

  private render(message: Message): HTMLLIElement {
    const mine = message.senderId === this.me.id;
    const deleted = message.deletedAt !== null;
    const element = h(
      'li',
      {
        class: `message${mine ? ' mine' : ''}${deleted ? ' deleted' : ''}`,
        'data-id': message.id,
        'data-seq': message.seq,
      },
      this.conversation.type === 'group' && !mine
        ? h('span', { class: 'sender' }, this.users.name(message.senderId))
        : null,
      h('p', { class: 'body' }, deleted ? 'Message deleted' : message.body),
      h(
        'span',
        { class: 'meta' },
        formatTime(message.createdAt),
        message.editedAt && !deleted ? ' · edited' : '',
        mine ? h('span', { class: 'receipt' }, this.receiptText(message)) : null,
      ),
    );
    if (mine && !deleted) element.append(this.actions(message, element));
    return element;
  }

  /** Seen, else delivered, else sent: from the pointers the client holds (they survive a reload). */
  private receiptText(message: Message): string {
    const others = (userIds: string[]) => userIds.filter((id) => id !== this.me.id).length;
    const readers = others(this.chat.readBy(this.conversation.id, message.seq));
    if (readers > 0)
      return this.conversation.type === 'direct' ? ' · seen' : ` · seen by ${readers}`;
    return others(this.chat.deliveredTo(this.conversation.id, message.seq)) > 0
      ? ' · delivered'
      : ' · sent';
  }

  private actions(message: Message, element: HTMLLIElement): HTMLElement {
    const edit = h('button', { type: 'button', class: 'link' }, 'Edit');
    const remove = h('button', { type: 'button', class: 'link' }, 'Delete');
    on(edit, 'click', () => this.startEdit(message, element));
    on(remove, 'click', () => {
      if (!confirm('Delete this message for everyone?')) return;
      this.chat.delete(message.id).then(
        (deleted) => this.update(deleted),
        (error: unknown) => (this.error.textContent = describe(error)),
      );
    });
    return h('span', { class: 'actions' }, edit, remove);
  }

  private startEdit(message: Message, element: HTMLLIElement): void {
    const input = h('input', {
      name: 'body',
      value: message.body,
      maxlength: 4000,
      'aria-label': 'Edit message',
    });
    const cancel = h('button', { type: 'button', class: 'link' }, 'Cancel');
    const form = h(
      'form',
      { class: 'edit' },
      input,
      h('button', { type: 'submit' }, 'Save'),
      cancel,
    );
    on(cancel, 'click', () => this.update(message));
    on(form, 'submit', (event) => {
      event.preventDefault();
      const body = field(form, 'body');
      if (!body) {
        this.error.textContent = 'A message cannot be empty: delete it instead.';
        return;
      }
      this.chat.edit(message.id, body).then(
        (edited) => this.update(edited),
        (error: unknown) => (this.error.textContent = describe(error)),
      );
    });
    element.querySelector('.body')?.replaceWith(form);
    input.focus();
  }

  private async loadOlder(): Promise<void> {
    if (!this.hasOlder || this.loadingOlder) return;
    const first = Number((this.list.firstElementChild as HTMLElement | null)?.dataset.seq);
    if (!first) return;
    this.loadingOlder = true;
    try {
      const page = await this.chat.history(this.conversation.id, { beforeSeq: first, limit: PAGE });
      await this.users.load([...new Set(page.items.map((m) => m.senderId))]);
      const height = this.scroller.scrollHeight;
      for (const message of page.items) this.add(message, false);
      this.scroller.scrollTop += this.scroller.scrollHeight - height; // stay where the reader was
      this.hasOlder = page.hasMore;
    } catch (error) {
      this.error.textContent = describe(error);
    } finally {
      this.loadingOlder = false;
    }
  }

  private markRead(): void {
    const last = Math.max(0, ...[...this.items.values()].map(({ message }) => message.seq));
    if (last > 0 && document.visibilityState === 'visible')
      this.chat.markRead(this.conversation.id, last).catch(() => undefined);
  }

  private isNearEnd(): boolean {
    const { scrollTop, scrollHeight, clientHeight } = this.scroller;
    return scrollHeight - scrollTop - clientHeight < 80;
  }

  private scrollToEnd(): void {
    this.scroller.scrollTop = this.scroller.scrollHeight;
  }
}
