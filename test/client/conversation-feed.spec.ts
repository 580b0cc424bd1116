import type { Message } from '../../client/src';
import { ConversationFeed } from '../../client/src/conversation-feed';

const message = (seq: number): Message => ({
  id: `m${seq}`,
  conversationId: 'c',
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
const seqs = (messages: Message[]): number[] => messages.map((m) => m.seq);

describe('ConversationFeed (client)', () => {
  it('delivers the next seq at once and drops what it already delivered', () => {
    const feed = new ConversationFeed(2);
    expect(seqs(feed.offer(message(2)))).toEqual([]);
    expect(seqs(feed.offer(message(3)))).toEqual([3]);
    expect(seqs(feed.offer(message(3)))).toEqual([]);
    expect(feed.hasGap).toBe(false);
  });

  it('holds messages behind a gap until the missing one arrives, then delivers in order', () => {
    const feed = new ConversationFeed(0);
    expect(seqs(feed.offer(message(3)))).toEqual([]);
    expect(seqs(feed.offer(message(2)))).toEqual([]);
    expect(feed.hasGap).toBe(true);
    expect(seqs(feed.offer(message(1)))).toEqual([1, 2, 3]);
    expect(feed.hasGap).toBe(false);
    expect(feed.lastSeq).toBe(3);
  });

  it('a sync page fills the gap; held and repeated messages are not delivered twice', () => {
    const feed = new ConversationFeed(1);
    feed.offer(message(4));
    feed.offer(message(6));
    expect(seqs(feed.fill([message(2), message(3), message(4)]))).toEqual([2, 3, 4]);
    expect(feed.hasGap).toBe(true); // 5 is still missing, 6 held
    expect(seqs(feed.fill([message(4), message(5), message(6)]))).toEqual([5, 6]);
    expect(feed.hasGap).toBe(false);
  });

  it('skipTo marks what the app already holds, releasing held messages right after it', () => {
    const feed = new ConversationFeed(0);
    feed.offer(message(5));
    feed.offer(message(7));
    expect(seqs(feed.skipTo(4))).toEqual([5]);
    expect(seqs(feed.skipTo(2))).toEqual([]);
    expect(feed.lastSeq).toBe(5);
    expect(feed.hasGap).toBe(true);
  });

  it('applies changes in rev order: the next one at once, old ones never, a gap by catching up', () => {
    const feed = new ConversationFeed(0, 4);
    expect(feed.offerRev(5)).toBe('apply');
    expect(feed.offerRev(5)).toBe('stale');
    expect(feed.offerRev(3)).toBe('stale');
    expect(feed.offerRev(7)).toBe('gap');
    expect(feed.lastRev).toBe(5);
    // The catch-up reads 6 and 7 from the feed; 7 heard live again is old news.
    expect([feed.takeRev(5), feed.takeRev(6), feed.takeRev(7)]).toEqual([false, true, true]);
    expect(feed.offerRev(7)).toBe('stale');
    expect(feed.offerRev(8)).toBe('apply');
  });

  it('catches up by rev when it does not know where the conversation stands', () => {
    const feed = new ConversationFeed(3);
    expect(feed.offerRev(9)).toBe('gap');
    expect(feed.takeRev(1)).toBe(true);
    expect(feed.lastRev).toBe(1);
  });
});
