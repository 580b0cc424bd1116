import { conversationHelpers } from '../../../test/support/conversation-helpers';
import { bearer, sendOk, useTestApp, type TestUser } from '../../../test/support/test-app';
import { MessageStatsModule } from '../src/message-stats/message-stats.module';

/** The example feature module, loaded beside AppModule against the real test database. */
describe('examples/feature-module: message stats', () => {
  const suite = useTestApp([MessageStatsModule]);
  const { connect, users, group } = conversationHelpers(suite);
  const stats = (user: TestUser, conversationId: string) =>
    suite.app.http().get(`/api/message-stats/${conversationId}`).set(bearer(user));

  it('counts what was stored, per sender, for members', async () => {
    const [ann, bob] = await users(2);
    const crew = await group(ann, [bob]);
    await sendOk(await connect(ann), { conversationId: crew, body: 'one' });
    await sendOk(await connect(ann), { conversationId: crew, body: 'two' });
    await sendOk(await connect(bob), { conversationId: crew, body: 'three' });
    const answer = await stats(bob, crew).expect(200);
    expect(answer.body).toEqual({
      conversationId: crew,
      messages: 3,
      bySender: { [ann.id]: 2, [bob.id]: 1 },
    });
  });

  it('tells a stranger nothing, exactly as for no such conversation', async () => {
    const [ann, bob, stranger] = await users(3);
    const crew = await group(ann, [bob]);
    const refused = await stats(stranger, crew).expect(404);
    const missing = await stats(stranger, '0123456789abcdef01234567').expect(404);
    const malformed = await stats(stranger, 'not-an-id').expect(404);
    expect([refused.body, malformed.body]).toEqual([missing.body, missing.body]);
    await suite.app.http().get(`/api/message-stats/${crew}`).expect(401);
  });
});
