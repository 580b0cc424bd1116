import {
  ChatError,
  type ChatClient,
  type Conversation,
  type Member,
  type MemberRole,
  type User,
} from '@nest-chat/client';
import { h, on, replaceChildren } from './dom.js';
import { describe } from './errors.js';
import type { UserDirectory } from './user-directory.js';

const ROLE_NAMES: Record<MemberRole, string> = { owner: 'Owner', admin: 'Admin', member: 'Member' };

/**
 * A group's members with their roles, and what the viewer's own role lets them do: admins and
 * the owner add, remove and rename; the owner changes roles; anyone leaves. The server decides
 * (these only hide what would be refused); changes arrive back as `conversationChanged`.
 */
export class GroupPanel {
  readonly element: HTMLDetailsElement;
  private readonly list = h('ul', { class: 'members', 'aria-label': 'Members' });
  private readonly titleInput = h('input', {
    name: 'title',
    'aria-label': 'Group name',
    maxlength: 100,
    required: true,
  });
  // Made once and only shown or hidden: a re-render never takes what someone is typing.
  private readonly renameForm = this.makeRenameForm();
  private readonly addForm = this.makeAddForm();
  private readonly leave = h('button', { type: 'button', class: 'link danger' }, 'Leave group');
  private readonly error = h('p', { class: 'error', role: 'alert' });
  private readonly conversationId: string;
  private members: Member[];
  private title: string;
  /** The title last put in the input: a different value there is someone's edit, kept. */
  private shownTitle = '';

  constructor(
    private readonly chat: ChatClient,
    private readonly users: UserDirectory,
    private readonly me: User,
    conversation: Conversation,
  ) {
    this.conversationId = conversation.id;
    this.members = conversation.members;
    this.title = conversation.title ?? '';
    this.element = h(
      'details',
      { class: 'group-panel' },
      h('summary', {}, 'Members'),
      this.renameForm,
      this.list,
      this.addForm,
      this.leave,
      this.error,
    );
    on(this.leave, 'click', () => {
      if (confirm('Leave this group?'))
        this.run(() => this.chat.api.removeMember(this.conversationId, this.me.id));
    });
    this.render();
  }

  /** The members or the title changed (live or caught up). */
  update(members: Member[], title: string | null): void {
    this.members = members;
    this.title = title ?? '';
    this.refresh();
  }

  /** Shows the members by name, once their names are loaded. */
  refresh(): void {
    void this.users.load(this.members.map((member) => member.userId)).then(() => this.render());
  }

  private get myRole(): MemberRole | null {
    return this.members.find((member) => member.userId === this.me.id)?.role ?? null;
  }

  private render(): void {
    const mine = this.myRole;
    const manager = mine === 'owner' || mine === 'admin';
    replaceChildren(this.list, ...this.members.map((member) => this.row(member, mine)));
    this.renameForm.hidden = !manager;
    this.addForm.hidden = !manager;
    // Not on focus alone: between a click's mouse-down (focus leaves the input) and its submit,
    // a render would put the old title back and the rename would send it.
    const edited = this.titleInput.value !== this.shownTitle;
    if (!edited || this.titleInput.value === this.title) {
      this.titleInput.value = this.title;
      this.shownTitle = this.title;
    }
    const blocked = mine === 'owner' && this.members.length > 1;
    this.leave.disabled = blocked;
    this.leave.title = blocked ? 'Make another member the owner first' : '';
  }

  private row(member: Member, mine: MemberRole | null): HTMLLIElement {
    const self = member.userId === this.me.id;
    const name = `${this.users.name(member.userId)}${self ? ' (you)' : ''}`;
    const item = h('li', { 'data-user-id': member.userId }, h('span', { class: 'name' }, name));
    if (mine === 'owner' && !self) {
      const select = h('select', { 'aria-label': `Role of ${this.users.name(member.userId)}` });
      for (const role of ['member', 'admin', 'owner'] as const) {
        const option = h('option', { value: role }, ROLE_NAMES[role]);
        option.selected = role === member.role;
        select.append(option);
      }
      on(select, 'change', () => {
        const role = select.value as MemberRole;
        if (role === 'owner' && !confirm('Hand ownership over? You will become an admin.')) {
          select.value = member.role;
          return;
        }
        this.run(() => this.chat.api.setRole(this.conversationId, member.userId, role));
      });
      item.append(select);
    } else {
      item.append(h('span', { class: `role ${member.role}` }, ROLE_NAMES[member.role]));
    }
    const removable = !self && (mine === 'owner' || (mine === 'admin' && member.role === 'member'));
    if (removable) {
      const remove = h('button', { type: 'button', class: 'link' }, 'Remove');
      on(remove, 'click', () =>
        this.run(() => this.chat.api.removeMember(this.conversationId, member.userId)),
      );
      item.append(remove);
    }
    return item;
  }

  private makeRenameForm(): HTMLFormElement {
    const form = h(
      'form',
      { class: 'rename' },
      this.titleInput,
      h('button', { type: 'submit' }, 'Rename'),
    );
    on(form, 'submit', (event) => {
      event.preventDefault();
      this.run(() => this.chat.api.rename(this.conversationId, this.titleInput.value));
    });
    return form;
  }

  private makeAddForm(): HTMLFormElement {
    const input = h('input', {
      name: 'username',
      'aria-label': 'Add by username',
      placeholder: 'username',
      autocomplete: 'off',
    });
    const form = h('form', { class: 'add-member' }, input, h('button', { type: 'submit' }, 'Add'));
    on(form, 'submit', (event) => {
      event.preventDefault();
      this.run(async () => {
        const user = await this.users.byUsername(input.value.trim());
        if (!user) throw new ChatError('NOT_FOUND', `No user named ${input.value.trim()}`);
        await this.chat.api.addMember(this.conversationId, user.id);
        input.value = '';
      });
    });
    return form;
  }

  private run(action: () => Promise<unknown>): void {
    this.error.textContent = '';
    action().catch((error: unknown) => (this.error.textContent = describe(error)));
  }
}
