import type { Message } from '../../client/src';

/** A plain message of conversation `c` with seq `seq` (and id `m<seq>`), as the server sends it. */
export const messageAt = (seq: number, conversationId = 'c'): Message => ({
  id: `m${seq}`,
  conversationId,
  seq,
  senderId: 'u',
  receiverId: null,
  body: `#${seq}`,
  clientMsgId: null,
  createdAt: '2026-01-01T00:00:00.000Z',
  editedAt: null,
  deletedAt: null,
  rev: 0,
  replyTo: null,
  mentions: [],
  reactions: [],
  attachments: [],
});
