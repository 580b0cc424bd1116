import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { DatabaseCapabilities } from './database-capabilities';
import { App, AppSchema } from './apps/app.schema';
import { AppsRepository } from './apps/apps.repository';
import { AppKey, AppKeySchema } from './app-keys/app-key.schema';
import { AppKeysRepository } from './app-keys/app-keys.repository';
import { ExternalUser, ExternalUserSchema } from './external-users/external-user.schema';
import { ExternalUsersRepository } from './external-users/external-users.repository';
import { Block, BlockSchema } from './blocks/block.schema';
import { BlocksRepository } from './blocks/blocks.repository';
import { Change, ChangeSchema } from './changes/change.schema';
import { ChangesRepository } from './changes/changes.repository';
import { Conversation, ConversationSchema } from './conversations/conversation.schema';
import { ConversationsRepository } from './conversations/conversations.repository';
import { DeliveryMark, DeliveryMarkSchema } from './delivery-marks/delivery-mark.schema';
import { DeliveryMarksRepository } from './delivery-marks/delivery-marks.repository';
import { LastSeen, LastSeenSchema } from './last-seen/last-seen.schema';
import { LastSeenRepository } from './last-seen/last-seen.repository';
import { Membership, MembershipSchema } from './memberships/membership.schema';
import { MembershipsRepository } from './memberships/memberships.repository';
import { Message, MessageSchema } from './messages/message.schema';
import { ReadMark, ReadMarkSchema } from './read-marks/read-mark.schema';
import { ReadMarksRepository } from './read-marks/read-marks.repository';
import { StoredFile, StoredFileSchema } from './files/stored-file.schema';
import { FilesRepository } from './files/files.repository';
import { Session, SessionSchema } from './sessions/session.schema';
import { SessionsRepository } from './sessions/sessions.repository';
import { Reaction, ReactionSchema } from './reactions/reaction.schema';
import { ReactionsRepository } from './reactions/reactions.repository';
import { MessagesRepository } from './messages/messages.repository';
import { User, UserSchema } from './users/user.schema';
import { UploadLock, UploadLockSchema } from './upload-locks/upload-lock.schema';
import { UploadLocksRepository } from './upload-locks/upload-locks.repository';
import { UsersRepository } from './users/users.repository';
import { WebhookAttempt, WebhookAttemptSchema } from './webhook-attempts/webhook-attempt.schema';
import { WebhookAttemptsRepository } from './webhook-attempts/webhook-attempts.repository';
import { WebhookCursor, WebhookCursorSchema } from './webhook-cursors/webhook-cursor.schema';
import { WebhookCursorsRepository } from './webhook-cursors/webhook-cursors.repository';
import { WebhookLease, WebhookLeaseSchema } from './webhook-leases/webhook-lease.schema';
import { WebhookLeasesRepository } from './webhook-leases/webhook-leases.repository';

const REPOSITORIES = [
  AppKeysRepository,
  AppsRepository,
  BlocksRepository,
  ChangesRepository,
  ConversationsRepository,
  DeliveryMarksRepository,
  ExternalUsersRepository,
  FilesRepository,
  LastSeenRepository,
  MembershipsRepository,
  MessagesRepository,
  ReactionsRepository,
  ReadMarksRepository,
  SessionsRepository,
  UploadLocksRepository,
  UsersRepository,
  WebhookAttemptsRepository,
  WebhookCursorsRepository,
  WebhookLeasesRepository,
];

/**
 * The persistence layer: each collection registered once, behind the one repository that owns
 * it, and what the database can do. Feature modules import this; none registers a model.
 */
@Module({
  imports: [
    MongooseModule.forFeature([
      { name: App.name, schema: AppSchema },
      { name: AppKey.name, schema: AppKeySchema },
      { name: Block.name, schema: BlockSchema },
      { name: Change.name, schema: ChangeSchema },
      { name: Conversation.name, schema: ConversationSchema },
      { name: DeliveryMark.name, schema: DeliveryMarkSchema },
      { name: ExternalUser.name, schema: ExternalUserSchema },
      { name: LastSeen.name, schema: LastSeenSchema },
      { name: Membership.name, schema: MembershipSchema },
      { name: Message.name, schema: MessageSchema },
      { name: Reaction.name, schema: ReactionSchema },
      { name: ReadMark.name, schema: ReadMarkSchema },
      { name: Session.name, schema: SessionSchema },
      { name: StoredFile.name, schema: StoredFileSchema },
      { name: UploadLock.name, schema: UploadLockSchema },
      { name: User.name, schema: UserSchema },
      { name: WebhookAttempt.name, schema: WebhookAttemptSchema },
      { name: WebhookCursor.name, schema: WebhookCursorSchema },
      { name: WebhookLease.name, schema: WebhookLeaseSchema },
    ]),
  ],
  providers: [DatabaseCapabilities, ...REPOSITORIES],
  exports: [DatabaseCapabilities, ...REPOSITORIES],
})
export class PersistenceModule {}
