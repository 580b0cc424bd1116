import { Injectable } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import type { Types } from 'mongoose';
import { ChangeLog } from '../../changes/change-log';
import { ConversationTurns } from '../../changes/conversation-turns';
import { MessageDto } from '../../common/dto/message.dto';
import { messageView } from '../../common/dto/message-view';
import { AppError } from '../../common/errors/app-error';
import { MembershipsService } from '../../conversations/memberships.service';
import { FilesService } from '../../files/files.service';
import type { Message, StoredAttachment } from '../../persistence/messages/message.schema';
import {
  MessagesRepository,
  type MessageChangeGuard,
} from '../../persistence/messages/messages.repository';
import { MessageChanged, type MessageChangeKind } from './message-events';

/** What one change sets on its message. */
export type MessagePatch = Partial<
  Pick<Message, 'body' | 'editedAt' | 'deletedAt' | 'mentions' | 'reactions' | 'attachments'>
>;

/** Which applied changes an update of these fields is ordered against. */
const GUARD: Record<MessageChangeKind, MessageChangeGuard> = {
  'message:updated': 'textRev',
  'message:deleted': 'textRev',
  reaction: 'reactionsRev',
};

/**
 * Changes of stored messages (edits, deletes, reactions), each numbered in the conversation's
 * change feed with the message as it leaves it, then applied to the message, then told to the
 * members; all in the conversation's turn within this process.
 */
@Injectable()
export class MessageChanges {
  constructor(
    private readonly messages: MessagesRepository,
    private readonly memberships: MembershipsService,
    private readonly turns: ConversationTurns,
    private readonly changeLog: ChangeLog,
    private readonly events: EventEmitter2,
    private readonly files: FilesService,
  ) {}

  /**
   * Changes `message` as `patchFor` says, given the message as it is now (null: nothing to change,
   * no rev, nothing emitted). `patchFor` runs again on each try at a rev (see DraftBuilder).
   * Returns the message as the change left it.
   */
  change(
    message: Message,
    actorId: Types.ObjectId,
    kind: MessageChangeKind,
    patchFor: (current: Message) => Promise<MessagePatch | null> | MessagePatch | null,
  ): Promise<MessageDto> {
    const { conversationId, _id: id } = message;
    return this.turns.exclusive(conversationId.toHexString(), async () => {
      const current = await this.messages.findById(id);
      if (!current) throw new AppError('NOT_FOUND', 'Message not found');
      let patch: MessagePatch | null = null;
      const change = await this.changeLog.record(conversationId, async () => {
        patch = await patchFor(current);
        return patch && { kind, actorId, messageId: id, message: { ...current, ...patch } };
      });
      if (!change || !patch) {
        // Deleted already: a crash may have come before its copies were erased.
        if (kind === 'message:deleted' && current.deletedAt) await this.eraseCopies(current, []);
        return messageView(current);
      }
      await this.messages.applyChange(id, change.rev, patch, GUARD[kind]);
      if (kind === 'message:deleted') {
        await this.eraseCopies({ ...current, ...(patch as MessagePatch) }, current.attachments);
      }
      const updated = messageView({
        ...current,
        ...(patch as MessagePatch),
        rev: change.rev,
      });
      const members = await this.memberships.memberIds(conversationId);
      const recipients = members.map((member) => member.toHexString());
      this.events.emit(MessageChanged.event, new MessageChanged(kind, updated, recipients));
      return updated;
    });
  }

  /**
   * A deleted message's text, mentions and attachments leave every other place that holds a copy:
   * earlier changes of it (edits, reactions, pins) and the quotes of the replies to it. The files
   * it carried (`attachments`) that nothing else carries go to the orphan sweep.
   */
  private async eraseCopies(
    deleted: Message,
    attachments: readonly StoredAttachment[] | undefined,
  ): Promise<void> {
    // Only where copies can be (see Message.copied): on FerretDB each look is a scan.
    if ((deleted.rev ?? 0) > 0 || deleted.copied) {
      await this.changeLog.eraseTextOf(
        deleted._id,
        deleted.deletedAt ?? new Date(),
        deleted.copied === true,
      );
    }
    if (deleted.copied) await this.messages.eraseQuotesOf(deleted._id);
    if (attachments?.length) await this.files.released(attachments.map((file) => file.id));
  }
}
