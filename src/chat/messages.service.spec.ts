import type { FilesService } from '../files/files.service';
import { Types } from 'mongoose';
import type { DrainService } from '../common/drain.service';
import { AppError } from '../common/errors/app-error';
import type { ConversationsService } from '../conversations/conversations.service';
import type { MembershipsService } from '../conversations/memberships.service';
import type { Conversation } from '../persistence/conversations/conversation.schema';
import { MetricsService } from '../metrics/metrics.service';
import type { UserRateLimiter } from '../rate-limit/user-rate-limiter';
import type { UsersService } from '../identity/users.service';
import type { MessageChanges } from './edits/message-changes';
import type { MessageDraft } from './sending/message-draft';
import type { SendRouter } from './sending/writer-routing/send-router';
import { MessagesService } from './messages.service';

describe('MessagesService (authorization and what it hands the writer, collaborators stubbed)', () => {
  const alice = { id: new Types.ObjectId().toHexString(), username: 'alice', sessionId: 's1' };
  const bob = new Types.ObjectId();
  const conversation: Conversation = {
    _id: new Types.ObjectId(),
    type: 'direct',
    title: null,
    creatorId: bob,
    uniqueKey: 'k',
    lastSeq: 0,
    lastActivityAt: new Date(),
    createdAt: new Date(),
  };

  let drafts: MessageDraft[];
  let service: MessagesService;

  beforeEach(() => {
    drafts = [];
    const memberships = {
      requireMember: (id: string, userId: string) =>
        id === conversation._id.toHexString() && userId === alice.id
          ? Promise.resolve(conversation)
          : Promise.reject(new AppError('NOT_FOUND', 'Conversation not found')),
      memberIds: () => Promise.resolve([new Types.ObjectId(alice.id), bob]),
    } as unknown as MembershipsService;
    const writer = {
      write: (draft: MessageDraft) => {
        drafts.push(draft);
        return Promise.resolve({ message: { seq: drafts.length }, duplicate: false });
      },
    } as unknown as SendRouter;
    service = new MessagesService(
      {} as never,
      {} as ConversationsService,
      memberships,
      writer,
      {} as MessageChanges,
      { membersNamed: () => Promise.resolve([]) } as unknown as UsersService,
      { attachable: () => Promise.resolve([]) } as unknown as FilesService,
      { consume: () => Promise.resolve() } as unknown as UserRateLimiter,
      new MetricsService(),
      { track: <T>(work: () => Promise<T>) => work() } as unknown as DrainService,
    );
  });

  it('sends as the authenticated user, to the other member as receiver, emitting to both', async () => {
    await service.send(
      { ...alice },
      {
        conversationId: conversation._id.toHexString(),
        body: 'hi',
        clientMsgId: 'c1',
        // A client-supplied sender is not part of the DTO and never reaches the writer.
      },
    );
    expect(drafts).toEqual([
      {
        conversationId: conversation._id,
        senderId: new Types.ObjectId(alice.id),
        receiverId: bob,
        body: 'hi',
        clientMsgId: 'c1',
        replyTo: null,
        mentions: [],
        attachments: [],
        recipients: [alice.id, bob.toHexString()],
      },
    ]);
  });

  it('refuses a non-member with NOT_FOUND before touching messages', async () => {
    const stranger = {
      id: new Types.ObjectId().toHexString(),
      username: 'mallory',
      sessionId: 's2',
    };
    await expect(
      service.send(stranger, { conversationId: conversation._id.toHexString(), body: 'hi' }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(drafts).toEqual([]);
  });

  it('refuses conversationId and to together', async () => {
    await expect(
      service.send(alice, { conversationId: 'x', to: bob.toHexString(), body: 'hi' }),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });
});
