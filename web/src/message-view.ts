import type { ChatClient, Conversation, Message, User } from '@nest-chat/client';
import { field, formatTime, h, on } from './dom.js';
import { describe } from './errors.js';
import { renderFiles } from './file-view.js';
import type { UserDirectory } from './user-directory.js';

/** The emoji the picker offers; any other one can still arrive from other clients. */
export const COMMON_EMOJI = ['👍', '❤️', '😂', '🎉', '😮', '😢', '🙏', '👀'];

/** What a rendered message can ask of the conversation it is shown in. */
export interface MessageHost {
  readonly chat: ChatClient;
  readonly users: UserDirectory;
  readonly me: User;
  readonly conversation: Conversation;
  /** Shows a message (the quoted one) in the list, loading history if needed. */
  reveal(messageId: string): void;
  /** Starts a reply to `message` in the composer. */
  replyTo(message: Message): void;
  isPinned(messageId: string): boolean;
  /** Seen, delivered or sent, for one's own messages. */
  receiptText(message: Message): string;
  /** The message as it is now (after an action's answer). */
  update(message: Message): void;
  showError(text: string): void;
}

/** One message as a list item: quote, body with mentions, reactions, and what one may do with it. */
export function renderMessage(host: MessageHost, message: Message): HTMLLIElement {
  const mine = message.senderId === host.me.id;
  const deleted = message.deletedAt !== null;
  const mentionsMe = message.mentions.includes(host.me.id);
  const element = h(
    'li',
    {
      class: `message${mine ? ' mine' : ''}${deleted ? ' deleted' : ''}${mentionsMe ? ' mentions-me' : ''}`,
      'data-id': message.id,
      'data-seq': message.seq,
    },
    host.conversation.type === 'group' && !mine
      ? h('span', { class: 'sender' }, host.users.name(message.senderId))
      : null,
    message.replyTo ? quote(host, message.replyTo) : null,
    deleted
      ? h('p', { class: 'body' }, 'Message deleted')
      : message.body
        ? h('p', { class: 'body' }, ...bodyWithMentions(host, message))
        : null,
    deleted ? null : renderFiles(host.chat, message.attachments),
    h(
      'span',
      { class: 'meta' },
      formatTime(message.createdAt),
      message.editedAt && !deleted ? ' · edited' : '',
      host.isPinned(message.id) ? ' · pinned' : '',
      mine ? h('span', { class: 'receipt' }, host.receiptText(message)) : null,
    ),
    deleted ? null : reactions(host, message),
  );
  if (!deleted) element.append(actions(host, message, element));
  return element;
}

function quote(host: MessageHost, replyTo: NonNullable<Message['replyTo']>): HTMLElement {
  const button = h(
    'button',
    { type: 'button', class: 'quote', 'aria-label': 'Show the message replied to' },
    h('strong', {}, host.users.name(replyTo.senderId)),
    ' ',
    replyTo.excerpt || 'Message deleted',
  );
  on(button, 'click', () => host.reveal(replyTo.id));
  return button;
}

/** The body as text, with each `@username` of a mentioned member marked. */
function bodyWithMentions(host: MessageHost, message: Message): (string | HTMLElement)[] {
  const names = new Set(
    message.mentions.map((id) => host.users.username(id)).filter((name) => name !== undefined),
  );
  if (names.size === 0) return [message.body];
  const parts: (string | HTMLElement)[] = [];
  let last = 0;
  for (const match of message.body.matchAll(/@([a-z0-9_.-]+)/gi)) {
    const name = [...names].find((candidate) => match[1].toLowerCase().startsWith(candidate));
    if (!name || match.index === undefined) continue;
    parts.push(message.body.slice(last, match.index));
    const end = match.index + 1 + name.length;
    parts.push(h('mark', { class: 'mention' }, message.body.slice(match.index, end)));
    last = end;
  }
  parts.push(message.body.slice(last));
  return parts;
}

function reactions(host: MessageHost, message: Message): HTMLElement {
  const row = h('div', { class: 'reactions', 'aria-label': 'Reactions' });
  for (const { emoji, count, userIds } of message.reactions) {
    const mine = userIds.includes(host.me.id);
    const chip = h(
      'button',
      {
        type: 'button',
        class: 'reaction',
        'aria-pressed': String(mine),
        title: userIds.map((id) => host.users.name(id)).join(', '),
      },
      `${emoji} ${count}`,
    );
    on(chip, 'click', () => react(host, message, emoji, !mine));
    row.append(chip);
  }
  return row;
}

function react(host: MessageHost, message: Message, emoji: string, on: boolean): void {
  host.chat.react(message.id, emoji, on).then(
    (updated) => host.update(updated),
    (error: unknown) => host.showError(describe(error)),
  );
}

function actions(host: MessageHost, message: Message, element: HTMLLIElement): HTMLElement {
  const mine = message.senderId === host.me.id;
  const reply = h('button', { type: 'button', class: 'link' }, 'Reply');
  const reactButton = h(
    'button',
    { type: 'button', class: 'link', 'aria-expanded': false },
    'React',
  );
  const pinned = host.isPinned(message.id);
  const pin = h('button', { type: 'button', class: 'link' }, pinned ? 'Unpin' : 'Pin');
  on(reply, 'click', () => host.replyTo(message));
  on(reactButton, 'click', () => {
    const open = element.querySelector('.picker');
    if (open) return open.remove();
    element.append(picker(host, message));
  });
  on(pin, 'click', () => {
    host.chat.pin(message.id, !pinned).catch((error: unknown) => host.showError(describe(error)));
  });
  const row = h('span', { class: 'actions' }, reply, reactButton, pin);
  if (mine) {
    const edit = h('button', { type: 'button', class: 'link' }, 'Edit');
    const remove = h('button', { type: 'button', class: 'link' }, 'Delete');
    on(edit, 'click', () => startEdit(host, message, element));
    on(remove, 'click', () => {
      if (!confirm('Delete this message for everyone?')) return;
      host.chat.delete(message.id).then(
        (deleted) => host.update(deleted),
        (error: unknown) => host.showError(describe(error)),
      );
    });
    row.append(edit, remove);
  }
  return row;
}

/** A small row of common emoji; picking one sets it (or unsets it, if it was one's own). */
function picker(host: MessageHost, message: Message): HTMLElement {
  const row = h('div', { class: 'picker', role: 'group', 'aria-label': 'Pick a reaction' });
  for (const emoji of COMMON_EMOJI) {
    const mine = message.reactions.some(
      (reaction) => reaction.emoji === emoji && reaction.userIds.includes(host.me.id),
    );
    const button = h('button', { type: 'button', 'aria-label': `React ${emoji}` }, emoji);
    on(button, 'click', () => {
      row.remove();
      react(host, message, emoji, !mine);
    });
    row.append(button);
  }
  return row;
}

function startEdit(host: MessageHost, message: Message, element: HTMLLIElement): void {
  const input = h('input', {
    name: 'body',
    value: message.body,
    maxlength: 4000,
    'aria-label': 'Edit message',
  });
  const cancel = h('button', { type: 'button', class: 'link' }, 'Cancel');
  const form = h('form', { class: 'edit' }, input, h('button', { type: 'submit' }, 'Save'), cancel);
  on(cancel, 'click', () => host.update(message));
  on(form, 'submit', (event) => {
    event.preventDefault();
    const body = field(form, 'body');
    if (!body) return host.showError('A message cannot be empty: delete it instead.');
    host.chat.edit(message.id, body).then(
      (edited) => host.update(edited),
      (error: unknown) => host.showError(describe(error)),
    );
  });
  element.querySelector('.body')?.replaceWith(form);
  input.focus();
}
