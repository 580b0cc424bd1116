import {
  newClientMsgId,
  type ChatClient,
  type Conversation,
  type Member,
  type Message,
  type User,
} from '@nest-chat/client';
import { Composer } from './composer.js';
import { formatTime, h, on, replaceChildren } from './dom.js';
import { describe } from './errors.js';
import { renderMessage, type MessageHost } from './message-view.js';
import { GroupPanel } from './group-panel.js';
import type { UserDirectory } from './user-directory.js';

const PAGE = 50;

/**
 * One open conversation: pinned messages, its messages, history on scroll-up, the composer, who
 * is typing.
 */
export class ConversationPane implements MessageHost {
  readonly element: HTMLElement;
  private readonly scroller = h('div', { class: 'scroller' });
  private readonly list = h('ol', { class: 'messages', 'aria-label': 'Messages' });
  private readonly pendingList = h('ol', { class: 'messages pending', 'aria-label': 'Sending' });
  private readonly items = new Map<string, { element: HTMLLIElement; message: Message }>();
  private readonly typingLine = h('p', { class: 'typing', 'aria-live': 'polite' });
  private readonly status = h('span', { class: 'status' });
  private readonly error = h('p', { class: 'error', role: 'alert' });
  private readonly heading: HTMLHeadingElement;
  private readonly pinnedStrip = h('nav', { class: 'pinned', 'aria-label': 'Pinned messages' });
  private readonly composer: Composer;
  private readonly group: GroupPanel | null;
  private pinnedIds: string[];
  private memberIds: string[];
  private hasOlder = false;
  private loadingOlder = false;

  constructor(
    readonly chat: ChatClient,
    readonly users: UserDirectory,
    readonly me: User,
    readonly conversation: Conversation,
    title: string,
    back: () => void,
  ) {
    const backButton = h('button', { class: 'back', type: 'button', 'aria-label': 'Back' }, '‹');
    on(backButton, 'click', back);
    this.heading = h('h2', {}, title);
    this.pinnedIds = conversation.pinnedMessageIds;
    this.memberIds = conversation.memberIds;
    this.composer = new Composer(
      chat,
      users,
      conversation.id,
      () => this.memberIds,
      (body, replyTo, attachments) => this.send(body, newClientMsgId(), replyTo, attachments),
      (text) => this.showError(text),
    );
    this.group =
      conversation.type === 'group' ? new GroupPanel(chat, users, me, conversation) : null;
    this.element = h(
      'section',
      { class: 'conversation', 'aria-label': title },
      h('header', {}, backButton, h('div', {}, this.heading, this.status)),
      this.group?.element,
      this.pinnedStrip,
      this.scroller,
      this.typingLine,
      this.error,
      this.composer.element,
    );
    this.renderPins();
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
      await this.users.load([
        ...new Set([...this.memberIds, ...page.items.map((m) => m.senderId)]),
      ]);
      this.group?.refresh(); // names now loaded (its members may be newer than this.conversation)
      this.hasOlder = page.hasMore;
      for (const message of page.items) this.add(message, false);
      this.renderPins();
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

  /** An edit, a delete, new reaction counts: shown unless an older state than the one shown. */
  update(message: Message): void {
    const item = this.items.get(message.id);
    if (!item || item.message.rev > message.rev) return;
    const element = this.render(message);
    item.element.replaceWith(element);
    this.items.set(message.id, { element, message });
    if (this.pinnedIds.includes(message.id)) this.renderPins();
  }

  /** The conversation's shared state changed: its pins, its members or their roles, its title. */
  changed(pinnedMessageIds: string[], members: Member[], title: string | null): void {
    this.memberIds = members.map((member) => member.userId);
    this.group?.update(members, title);
    if (this.conversation.type === 'group')
      this.status.textContent = `${this.memberIds.length} members`;
    const repin = new Set([...this.pinnedIds, ...pinnedMessageIds]);
    this.pinnedIds = pinnedMessageIds;
    this.renderPins();
    for (const id of repin) {
      const item = this.items.get(id);
      if (item) item.element.replaceWith((item.element = this.render(item.message)));
    }
  }

  isPinned(messageId: string): boolean {
    return this.pinnedIds.includes(messageId);
  }

  replyTo(message: Message): void {
    this.composer.reply(message);
  }

  /** Scrolls to a message and flashes it; one not loaded yet is loaded with older history. */
  reveal(messageId: string): void {
    void (async () => {
      while (!this.items.has(messageId) && this.hasOlder) {
        if (this.loadingOlder) await new Promise((done) => setTimeout(done, 50));
        else await this.loadOlder();
      }
      const item = this.items.get(messageId);
      if (!item) return this.showError('That message is no longer in the history.');
      item.element.scrollIntoView({ block: 'center' });
      item.element.classList.add('flash');
      setTimeout(() => item.element.classList.remove('flash'), 1500);
    })();
  }

  showError(text: string): void {
    this.error.textContent = text;
  }

  focus(): void {
    this.composer.focus();
  }

  /** The strip of pinned messages under the header; each one scrolls to its message. */
  private renderPins(): void {
    replaceChildren(this.pinnedStrip);
    this.pinnedStrip.hidden = this.pinnedIds.length === 0;
    for (const id of this.pinnedIds) {
      const message = this.items.get(id)?.message;
      const text = message
        ? message.deletedAt
          ? 'Message deleted'
          : message.body
        : 'Pinned message';
      const button = h('button', { type: 'button', class: 'pin' }, '📌 ', text.slice(0, 60));
      on(button, 'click', () => this.reveal(id));
      this.pinnedStrip.append(button);
    }
  }

  typing(userIds: string[]): void {
    const names = userIds.map((id) => this.users.name(id));
    this.typingLine.textContent =
      names.length === 0
        ? ''
        : `${names.join(' and ')} ${names.length === 1 ? 'is' : 'are'} typing…`;
  }

  /** The conversation was renamed, or its members changed. */
  retitle(title: string): void {
    this.heading.textContent = title;
    this.element.setAttribute('aria-label', title);
  }

  /** Someone's read pointer moved: refresh the receipts under one's own messages. */
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

  /** Shows the message as sending until the server stores it; a failure offers a retry. */
  private send(
    body: string,
    clientMsgId: string,
    replyTo: Message | null,
    attachments: string[] = [],
  ): void {
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
    const replyToId = replyTo?.id;
    this.chat.send(this.conversation.id, body, { clientMsgId, replyToId, attachments }).then(
      (message) => this.add(message),
      (error: unknown) => {
        const retry = h('button', { type: 'button', class: 'link' }, 'Retry');
        // The same id: stored once.
        on(retry, 'click', () => this.send(body, clientMsgId, replyTo, attachments));
        replaceChildren(meta, `Not sent: ${describe(error)} `, retry);
        pending.classList.add('failed');
      },
    );
  }

  private render(message: Message): HTMLLIElement {
    return renderMessage(this, message);
  }

  /** Seen, else delivered, else sent: from the pointers the client holds (they survive a reload). */
  receiptText(message: Message): string {
    const others = (userIds: string[]) => userIds.filter((id) => id !== this.me.id).length;
    const readers = others(this.chat.readBy(this.conversation.id, message.seq));
    if (readers > 0)
      return this.conversation.type === 'direct' ? ' · seen' : ` · seen by ${readers}`;
    return others(this.chat.deliveredTo(this.conversation.id, message.seq)) > 0
      ? ' · delivered'
      : ' · sent';
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
      this.renderPins();
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
