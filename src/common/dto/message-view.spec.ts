import { Types } from 'mongoose';
import { serialize } from '../serialize';
import { MessageDto } from './message.dto';
import { messageView, type MessageSource } from './message-view';

const id = () => new Types.ObjectId();
const at = new Date('2026-12-01T10:00:00.000Z');

const full: MessageSource = {
  _id: id(),
  conversationId: id(),
  seq: 7,
  senderId: id(),
  receiverId: id(),
  body: 'hello @ann',
  clientMsgId: 'k-1',
  createdAt: at,
  editedAt: at,
  deletedAt: null,
  rev: 12,
  replyTo: { id: id(), seq: 3, senderId: id(), excerpt: 'earlier' },
  mentions: [id(), id()],
  reactions: [
    { emoji: '👍', count: 2, userIds: [id(), id()] },
    { emoji: '🎉', count: 1, userIds: [id()] },
  ],
  attachments: [
    {
      id: id(),
      name: 'photo.jpg',
      contentType: 'image/jpeg',
      size: 1234,
      sha256: 'ab'.repeat(32),
      width: 800,
      height: 600,
      createdAt: at,
      uploaderId: id(),
    },
    {
      id: id(),
      name: 'notes.pdf',
      contentType: 'application/pdf',
      size: 99,
      sha256: 'cd'.repeat(32),
      width: null,
      height: null,
      createdAt: at,
      uploaderId: id(),
    },
  ],
};

/** As JSON puts them on the wire: what clients receive. */
const wire = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

describe('messageView: the plain mapping of a message to its wire form', () => {
  it.each([
    ['a message with everything', full],
    [
      'an older document without the later fields',
      {
        _id: id(),
        conversationId: id(),
        seq: 1,
        senderId: id(),
        receiverId: null,
        body: 'hi',
        clientMsgId: null,
        createdAt: at,
        editedAt: null,
        deletedAt: null,
      },
    ],
    [
      'a deleted group message',
      { ...full, receiverId: null, body: '', deletedAt: at, attachments: [], replyTo: null },
    ],
    [
      'a change-feed copy with string ids',
      { ...full, _id: 'a'.repeat(24), senderId: 'b'.repeat(24) },
    ],
  ] as [string, MessageSource][])('%s: the same as serialize(MessageDto)', (_, source) => {
    expect(wire(messageView(source))).toEqual(wire(serialize(MessageDto, source)));
  });

  it('keeps the Date objects (the socket and REST encoders turn them into ISO strings)', () => {
    expect(messageView(full).createdAt).toBeInstanceOf(Date);
  });
});
