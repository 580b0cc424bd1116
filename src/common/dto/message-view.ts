import { Types } from 'mongoose';
import type { FileDto } from './file.dto';
import type { MessageDto, ReactionSummaryDto, ReplyQuoteDto } from './message.dto';

type Id = Types.ObjectId | string;

/** What a stored message (or a change's copy of one) holds; older documents lack the optional parts. */
export interface MessageSource {
  _id: Id;
  conversationId: Id;
  seq: number;
  senderId: Id;
  receiverId?: Id | null;
  body: string;
  clientMsgId?: string | null;
  createdAt: Date;
  editedAt?: Date | null;
  deletedAt?: Date | null;
  rev?: number;
  replyTo?: { id: Id; seq: number; senderId: Id; excerpt: string } | null;
  mentions?: Id[];
  reactions?: { emoji: string; count: number; userIds: Id[] }[];
  attachments?: AttachmentSource[];
}

interface AttachmentSource {
  id: Id;
  name: string;
  contentType: string;
  size: number;
  sha256: string;
  width?: number | null;
  height?: number | null;
  createdAt: Date;
  uploaderId: Id;
}

const hex = (id: Id): string => (typeof id === 'string' ? id : id.toHexString());
const hexOrNull = (id: Id | null | undefined): string | null =>
  id === null || id === undefined ? null : hex(id);

/**
 * The wire form of a message, mapped field by field: what `serialize(MessageDto, ...)` gives
 * (message-view.spec.ts holds them equal), at a fraction of its cost on the path every message
 * takes (stored, fanned out, acked). MessageDto stays the documented shape.
 */
export function messageView(message: MessageSource): MessageDto {
  return {
    id: hex(message._id),
    conversationId: hex(message.conversationId),
    seq: message.seq,
    senderId: hex(message.senderId),
    receiverId: hexOrNull(message.receiverId),
    body: message.body,
    clientMsgId: message.clientMsgId ?? null,
    createdAt: message.createdAt,
    editedAt: message.editedAt ?? null,
    deletedAt: message.deletedAt ?? null,
    rev: message.rev ?? 0,
    replyTo: message.replyTo ? replyView(message.replyTo) : null,
    mentions: (message.mentions ?? []).map(hex),
    reactions: (message.reactions ?? []).map(reactionView),
    attachments: (message.attachments ?? []).map(attachmentView),
  };
}

function replyView(quote: NonNullable<MessageSource['replyTo']>): ReplyQuoteDto {
  return {
    id: hex(quote.id),
    seq: quote.seq,
    senderId: hex(quote.senderId),
    excerpt: quote.excerpt,
  };
}

function reactionView(
  reaction: NonNullable<MessageSource['reactions']>[number],
): ReactionSummaryDto {
  return { emoji: reaction.emoji, count: reaction.count, userIds: reaction.userIds.map(hex) };
}

function attachmentView(file: AttachmentSource): FileDto {
  const view: FileDto = {
    id: hex(file.id),
    name: file.name,
    contentType: file.contentType,
    size: file.size,
    sha256: file.sha256,
    createdAt: file.createdAt,
    uploaderId: hex(file.uploaderId),
  };
  // Images only, as FileDto leaves them out otherwise.
  if (file.width !== null && file.width !== undefined) view.width = file.width;
  if (file.height !== null && file.height !== undefined) view.height = file.height;
  return view;
}
