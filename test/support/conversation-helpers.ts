import { bearer, registerUser, type TestSuite, type TestUser } from './test-app';
import type { Conversation as WireConversation } from '@nest-chat/protocol';
import type { WireAck, WireMessage } from './wire';

/** A conversation as the REST API returns it. */
export type Conversation = WireConversation;

export type MessageAck = WireAck<{ message: WireMessage }>;

/** Users, groups and conversation views on a spec file's app. */
export function conversationHelpers(suite: TestSuite) {
  return {
    connect: (user: TestUser) => suite.connect(user),

    users: (count: number): Promise<TestUser[]> =>
      Promise.all(Array.from({ length: count }, () => registerUser(suite.app, 'cv'))),

    group: async (creator: TestUser, members: TestUser[], title = 'Team'): Promise<string> => {
      const response = await suite.app
        .http()
        .post('/api/conversations')
        .set(bearer(creator))
        .send({ title, memberIds: members.map((m) => m.id) })
        .expect(201);
      return response.body.id as string;
    },

    /** The owner makes `user` an admin of the group. */
    makeAdmin: async (owner: TestUser, id: string, user: TestUser): Promise<void> => {
      await suite.app
        .http()
        .patch(`/api/conversations/${id}/members/${user.id}`)
        .set(bearer(owner))
        .send({ role: 'admin' })
        .expect(200);
    },

    conversation: async (user: TestUser, id: string): Promise<Conversation> => {
      const response = await suite.app
        .http()
        .get(`/api/conversations/${id}`)
        .set(bearer(user))
        .expect(200);
      return response.body as Conversation;
    },
  };
}
