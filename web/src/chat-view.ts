import type { ChatClient, Conversation, Message, User } from '@nest-chat/client';
import { ConversationPane } from './conversation-pane.js';
import { field, h, on, replaceChildren } from './dom.js';
import { describe } from './errors.js';
import { UserDirectory } from './user-directory.js';

interface Entry {
  conversation: Conversation;
  unread: number;
  /** Unread messages that mention the user. */
  mentions: number;
  element: HTMLLIElement;
}

/** The signed-in page: conversations on the side (or alone, on a phone), the open one beside. */
export function chatView(chat: ChatClient, me: User, signOut: () => void): HTMLElement {
  const users = new UserDirectory(chat.api);
  users.add(me);
  const entries = new Map<string, Entry>();
  let pane: ConversationPane | null = null;

  const state = h('span', { class: 'state', 'data-state': chat.state }, chat.state);
  const signOutButton = h('button', { type: 'button', class: 'link' }, 'Sign out');
  const list = h('ul', { class: 'conversations', 'aria-label': 'Conversations' });
  const error = h('p', { class: 'error', role: 'alert' });
  const placeholder = h('p', { class: 'placeholder' }, 'Pick a conversation, or start one.');
  const main = h('main', { class: 'pane' }, placeholder);
  const layout = h(
    'div',
    { class: 'chat' },
    h(
      'aside',
      { class: 'sidebar' },
      h('header', {}, h('strong', {}, me.displayName), state, signOutButton),
      directForm(),
      groupForm(),
      error,
      list,
    ),
    main,
  );
  on(signOutButton, 'click', signOut);

  function title(conversation: Conversation): string {
    if (conversation.type === 'group') return conversation.title ?? 'Group';
    const other = conversation.memberIds.find((id) => id !== me.id) ?? me.id;
    return users.name(other);
  }

  function renderEntry(entry: Entry): void {
    const { conversation, unread, mentions } = entry;
    const last = conversation.lastMessage;
    const button = h(
      'button',
      { type: 'button', class: 'entry', 'aria-current': pane?.conversation.id === conversation.id },
      h('span', { class: 'title' }, title(conversation)),
      mentions > 0
        ? h('span', { class: 'mention-badge', 'aria-label': `${mentions} mentions` }, '@')
        : null,
      unread > 0 ? h('span', { class: 'unread', 'aria-label': `${unread} unread` }, unread) : null,
      h('span', { class: 'preview' }, last ? (last.deletedAt ? 'Message deleted' : last.body) : ''),
    );
    on(button, 'click', () => void open(conversation.id));
    replaceChildren(entry.element, button);
  }

  async function remember(conversation: Conversation, unread: number): Promise<Entry> {
    const existing = entries.get(conversation.id);
    if (existing) return existing;
    const mentions = unread > 0 ? conversation.mentionCount : 0;
    const element = h('li', { 'data-id': conversation.id });
    const entry = { conversation, unread, mentions, element };
    entries.set(conversation.id, entry);
    await users.load(conversation.memberIds);
    renderEntry(entry);
    return entry;
  }

  function toTop(entry: Entry): void {
    list.prepend(entry.element);
  }

  async function open(conversationId: string): Promise<void> {
    const entry = entries.get(conversationId);
    if (!entry) return;
    entry.unread = 0;
    entry.mentions = 0;
    const back = (): void => {
      layout.classList.remove('open');
    };
    pane = new ConversationPane(
      chat,
      users,
      me,
      entry.conversation,
      title(entry.conversation),
      back,
    );
    replaceChildren(main, pane.element);
    layout.classList.add('open');
    for (const other of entries.values()) renderEntry(other);
    await pane.load();
    pane.focus();
  }

  /** A conversation the person just opened or created: listed first, and shown. */
  async function started(conversation: Conversation, form: HTMLFormElement): Promise<void> {
    chat.track(conversation.id, conversation.lastSeq, conversation.lastRev);
    toTop(await remember(conversation, conversation.unreadCount));
    form.reset();
    await open(conversation.id);
  }

  function directForm(): HTMLFormElement {
    const form = h(
      'form',
      { class: 'start', 'aria-label': 'New direct chat' },
      h('input', {
        name: 'username',
        placeholder: 'Username',
        'aria-label': 'Username',
        required: true,
      }),
      h('button', { type: 'submit' }, 'Chat'),
    );
    on(form, 'submit', (event) => {
      event.preventDefault();
      const username = field(form, 'username');
      run(async () => {
        const user = await users.byUsername(username);
        if (!user) throw new Error(`No user is called “${username}”.`);
        await started(await chat.api.openDirect(user.id), form);
      });
    });
    return form;
  }

  function groupForm(): HTMLFormElement {
    const form = h(
      'form',
      { class: 'start', 'aria-label': 'New group' },
      h('input', {
        name: 'title',
        placeholder: 'Group title',
        'aria-label': 'Group title',
        required: true,
      }),
      h('input', {
        name: 'members',
        placeholder: 'Usernames, comma separated',
        'aria-label': 'Members',
      }),
      h('button', { type: 'submit' }, 'Create group'),
    );
    on(form, 'submit', (event) => {
      event.preventDefault();
      const names = field(form, 'members')
        .split(',')
        .map((name) => name.trim())
        .filter(Boolean);
      run(async () => {
        const memberIds: string[] = [];
        for (const name of names) {
          const user = await users.byUsername(name);
          if (!user) throw new Error(`No user is called “${name}”.`);
          memberIds.push(user.id);
        }
        await started(await chat.api.createGroup({ title: field(form, 'title'), memberIds }), form);
      });
    });
    return form;
  }

  /** Runs a sidebar action, showing its failure in words. */
  function run(action: () => Promise<void>): void {
    error.textContent = '';
    action().catch((failure: unknown) => {
      error.textContent =
        failure instanceof Error && !('code' in failure) ? failure.message : describe(failure);
    });
  }

  async function onMessage(message: Message): Promise<void> {
    let entry = entries.get(message.conversationId);
    entry ??= await remember(await chat.api.conversation(message.conversationId), 0);
    entry.conversation = { ...entry.conversation, lastMessage: message, lastSeq: message.seq };
    const isOpen = pane?.conversation.id === message.conversationId;
    if (isOpen) pane?.add(message);
    else if (message.senderId !== me.id) {
      entry.unread += 1;
      if (message.mentions.includes(me.id)) entry.mentions += 1;
    }
    renderEntry(entry);
    toTop(entry);
  }

  chat.on('message', (message) => {
    onMessage(message).catch(() => undefined);
  });
  chat.on('messageChanged', (message) => {
    if (pane?.conversation.id === message.conversationId) pane.update(message);
    const entry = entries.get(message.conversationId);
    if (entry?.conversation.lastMessage?.id === message.id) {
      entry.conversation = { ...entry.conversation, lastMessage: message };
      renderEntry(entry);
    }
  });
  chat.on('conversation', (conversation) => {
    remember(conversation, conversation.unreadCount).then(toTop, () => undefined);
  });
  chat.on('read', (event) => {
    if (pane?.conversation.id === event.conversationId) pane.receipts();
  });
  chat.on('delivered', (event) => {
    if (pane?.conversation.id === event.conversationId) pane.receipts();
  });
  chat.on('conversationChanged', ({ conversationId, conversation }) => {
    const entry = entries.get(conversationId);
    if (!entry) return;
    const { title: renamed, memberIds, members, pinnedMessageIds } = conversation;
    entry.conversation = {
      ...entry.conversation,
      title: renamed,
      memberIds,
      members,
      pinnedMessageIds,
    };
    renderEntry(entry);
    if (pane?.conversation.id !== conversationId) return;
    pane.retitle(title(entry.conversation));
    pane.changed(pinnedMessageIds, members, renamed);
  });
  chat.on('removed', (conversationId) => {
    entries.get(conversationId)?.element.remove();
    entries.delete(conversationId);
    if (pane?.conversation.id === conversationId) {
      pane = null;
      replaceChildren(main);
      layout.classList.remove('open');
    }
  });
  chat.on('typing', (conversationId, userIds) => {
    if (pane?.conversation.id === conversationId) pane.typing(userIds);
  });
  chat.on('presence', () => pane?.showPresence());
  chat.on('state', (now) => {
    state.dataset.state = now;
    state.textContent = now;
  });

  chat.conversations({ limit: 100 }).then(
    async (conversations) => {
      await users.load([...new Set(conversations.flatMap((c) => c.memberIds))]);
      for (const conversation of conversations)
        list.append((await remember(conversation, conversation.unreadCount)).element);
    },
    (failure: unknown) => (error.textContent = describe(failure)),
  );
  return layout;
}
