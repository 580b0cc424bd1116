import type {
  Change,
  ChangesPage,
  ConversationChangedEvent,
  MemberRole,
} from '@nest-chat/protocol';
import { conversationHelpers } from './support/conversation-helpers';
import { bearer, collect, sendOk, useTestApp, waitFor, type TestUser } from './support/test-app';

/** Group roles: the owner, admins and members, and what each may do. */
describe('group roles', () => {
  const suite = useTestApp();
  const { connect, users, group, conversation } = conversationHelpers(suite);
  const http = () => suite.app.http();

  const setRole = (actor: TestUser, id: string, user: TestUser, role: unknown, status = 200) =>
    http()
      .patch(`/api/conversations/${id}/members/${user.id}`)
      .set(bearer(actor))
      .send({ role })
      .expect(status);
  const add = (actor: TestUser, id: string, user: TestUser) =>
    http().post(`/api/conversations/${id}/members`).set(bearer(actor)).send({ userId: user.id });
  const remove = (actor: TestUser, id: string, user: TestUser) =>
    http().delete(`/api/conversations/${id}/members/${user.id}`).set(bearer(actor));
  const rename = (actor: TestUser, id: string, title: string) =>
    http().patch(`/api/conversations/${id}`).set(bearer(actor)).send({ title });
  const roles = async (viewer: TestUser, id: string): Promise<Record<string, MemberRole>> =>
    Object.fromEntries(
      (await conversation(viewer, id)).members.map((member) => [member.userId, member.role]),
    );

  it('the creator owns the group; the owner makes admins, who then add, remove members, rename and pin', async () => {
    const [owner, admin, member, newcomer] = await users(4);
    const id = await group(owner, [admin, member]);
    expect(await roles(member, id)).toEqual({
      [owner.id]: 'owner',
      [admin.id]: 'member',
      [member.id]: 'member',
    });
    // A plain member may do none of it.
    expect((await add(admin, id, newcomer)).status).toBe(403);
    expect((await rename(admin, id, 'Mine')).status).toBe(403);
    expect((await remove(admin, id, member)).status).toBe(403);

    const memberSocket = await connect(member);
    const heard = collect<ConversationChangedEvent>(memberSocket, 'conversation:updated');
    const view = await setRole(owner, id, admin, 'admin');
    expect(view.body.members).toContainEqual({
      userId: admin.id,
      role: 'admin',
      joinedAt: expect.any(String),
    });
    await waitFor(() => heard.length === 1);
    expect(heard[0]).toMatchObject({
      kind: 'member:role',
      userId: admin.id,
      actorId: owner.id,
      conversation: {
        members: expect.arrayContaining([
          { userId: admin.id, role: 'admin', joinedAt: expect.any(String) },
        ]),
      },
    });
    // The same role again changes nothing and takes no rev.
    const lastRev = (await conversation(owner, id)).lastRev;
    await setRole(owner, id, admin, 'admin');
    expect((await conversation(owner, id)).lastRev).toBe(lastRev);

    expect((await add(admin, id, newcomer)).status).toBe(204);
    expect((await rename(admin, id, 'Renamed')).status).toBe(200);
    const message = await sendOk(memberSocket, { conversationId: id, body: 'pin me' });
    await http().put(`/api/messages/${message.id}/pin`).set(bearer(admin)).expect(204);
    expect((await remove(admin, id, newcomer)).status).toBe(204);
    expect((await conversation(owner, id)).memberIds).not.toContain(newcomer.id);
  });

  it('admins delete any message of the group (as by its sender); members only their own', async () => {
    const [owner, admin, member] = await users(3);
    const id = await group(owner, [admin, member]);
    await setRole(owner, id, admin, 'admin');
    const socket = await connect(member);
    const [first, second] = [
      await sendOk(socket, { conversationId: id, body: 'first' }),
      await sendOk(socket, { conversationId: id, body: 'second' }),
    ];
    const ownerMessage = await sendOk(await connect(owner), { conversationId: id, body: 'mine' });
    const deleted = collect<{ id: string; body: string }>(socket, 'message:deleted');
    await http().delete(`/api/messages/${first.id}`).set(bearer(admin)).expect(200);
    await http().delete(`/api/messages/${second.id}`).set(bearer(owner)).expect(200);
    await waitFor(() => deleted.length === 2);
    expect(deleted.map((m) => m.body)).toEqual(['', '']);
    // Edits stay the sender's own, and a member cannot delete another's message.
    await http()
      .patch(`/api/messages/${ownerMessage.id}`)
      .set(bearer(admin))
      .send({ body: 'x' })
      .expect(403);
    await http().delete(`/api/messages/${ownerMessage.id}`).set(bearer(member)).expect(403);
    const feed = (
      await http()
        .get(`/api/conversations/${id}/changes?afterRev=0`)
        .set(bearer(member))
        .expect(200)
    ).body as ChangesPage;
    const deletes = feed.items.filter((change: Change) => change.kind === 'message:deleted');
    expect(deletes.map((change) => change.actorId)).toEqual([admin.id, owner.id]);
  });

  it('admins cannot remove admins or the owner, nor change roles; only the owner does', async () => {
    const [owner, a1, a2, member] = await users(4);
    const id = await group(owner, [a1, a2, member]);
    await setRole(owner, id, a1, 'admin');
    await setRole(owner, id, a2, 'admin');
    expect((await remove(a1, id, a2)).status).toBe(403);
    expect((await remove(a1, id, owner)).status).toBe(403);
    await setRole(a1, id, member, 'admin', 403);
    await setRole(member, id, member, 'admin', 403);
    // The owner demotes and removes admins.
    await setRole(owner, id, a2, 'member');
    expect((await remove(owner, id, a2)).status).toBe(204);
    expect((await remove(owner, id, a1)).status).toBe(204);
    expect(await roles(owner, id)).toEqual({ [owner.id]: 'owner', [member.id]: 'member' });
  });

  it('the owner hands ownership over (becoming an admin) before leaving; alone, the owner may leave', async () => {
    const [owner, heir] = await users(2);
    const id = await group(owner, [heir]);
    expect((await remove(owner, id, owner)).status).toBe(403);
    await setRole(owner, id, owner, 'admin', 400);
    await setRole(owner, id, heir, 'owner');
    expect(await roles(heir, id)).toEqual({ [owner.id]: 'admin', [heir.id]: 'owner' });
    await setRole(owner, id, heir, 'member', 403);
    expect((await remove(owner, id, owner)).status).toBe(204);
    expect((await remove(heir, id, heir)).status).toBe(204);
  });

  it.each([
    ['an unknown role', 'king', 400],
    ['an operator', { $ne: null }, 400],
    ['a number', 1, 400],
  ])('refuses %s as a role and changes nothing', async (_case, role, status) => {
    const [owner, member] = await users(2);
    const id = await group(owner, [member]);
    const before = (await conversation(owner, id)).lastRev;
    const answer = await setRole(owner, id, member, role, status);
    expect(answer.body.error).toBe('VALIDATION_FAILED');
    expect((await conversation(owner, id)).lastRev).toBe(before);
    expect(await roles(owner, id)).toEqual({ [owner.id]: 'owner', [member.id]: 'member' });
  });

  it('roles exist only in groups; a non-member is NOT_FOUND; a stranger learns nothing', async () => {
    const [owner, member, stranger] = await users(3);
    const id = await group(owner, [member]);
    await setRole(owner, id, stranger, 'admin', 404);
    await setRole(stranger, id, member, 'admin', 404);
    const direct = await http()
      .post('/api/conversations/direct')
      .set(bearer(owner))
      .send({ userId: member.id })
      .expect(200);
    await setRole(owner, direct.body.id as string, member, 'admin', 400);
    // In a direct conversation both may pin, as before.
    const message = await sendOk(await connect(owner), {
      conversationId: direct.body.id,
      body: 'x',
    });
    await http().put(`/api/messages/${message.id}/pin`).set(bearer(member)).expect(204);
  });
});
