import type { Message } from '../../client/src';
import fc from 'fast-check';
import { ConversationFeed } from '../../client/src/conversation-feed';
import { messageAt } from './message-fixture';

const message = (seq: number) => messageAt(seq);
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

  it('asks for every gap below the runs it holds, and for the tail only when told', () => {
    const feed = new ConversationFeed(1);
    expect(feed.missing(false, 20)).toBeUndefined();
    expect(feed.missing(true, 20)).toEqual({ afterSeq: 1, except: [] });
    for (const seq of [4, 5, 8, 10, 11]) feed.offer(message(seq));
    expect(feed.missing(false, 20)).toEqual({
      afterSeq: 1,
      beforeSeq: 10,
      except: [
        [4, 5],
        [8, 8],
      ],
    });
    expect(feed.missing(true, 20)).toEqual({
      afterSeq: 1,
      except: [
        [4, 5],
        [8, 8],
        [10, 11],
      ],
    });
    // More runs than a request may leave out: the range ends before the first one it cannot.
    expect(feed.missing(true, 1)).toEqual({ afterSeq: 1, beforeSeq: 8, except: [[4, 5]] });
  });

  it('a page of what is missing delivers it with the held runs, each once and in order', () => {
    const feed = new ConversationFeed(1);
    for (const seq of [4, 5, 8]) feed.offer(message(seq));
    // The server answered for everything below 8: 2, 3, 6 and 7.
    const page = [message(2), message(3), message(6), message(7)];
    expect(seqs(feed.fillMissing(page, 7))).toEqual([2, 3, 4, 5, 6, 7, 8]);
    expect(feed.hasGap).toBe(false);
    expect(seqs(feed.fillMissing([message(8)], 8))).toEqual([]);
  });

  it('a page that was cut short delivers only up to its last message', () => {
    const feed = new ConversationFeed(0);
    feed.offer(message(3));
    feed.offer(message(9));
    expect(seqs(feed.fillMissing([message(1), message(2)], 2))).toEqual([1, 2, 3]);
    expect(feed.missing(false, 20)).toEqual({ afterSeq: 3, beforeSeq: 9, except: [] });
  });

  it('a seq the server says never existed is passed over, not waited for', () => {
    const feed = new ConversationFeed(0);
    feed.offer(message(3));
    expect(seqs(feed.fillMissing([message(1)], 2))).toEqual([1, 3]);
    expect(feed.lastSeq).toBe(3);
  });

  it('whatever is heard live, catching up delivers every message once, in order, asking for none it holds', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 120 }),
        fc.array(fc.integer({ min: 1, max: 120 }), { maxLength: 200 }),
        fc.integer({ min: 1, max: 25 }),
        fc.integer({ min: 1, max: 6 }),
        (stored, heard, limit, maxRuns) => {
          const feed = new ConversationFeed(0);
          const delivered: number[] = [];
          const held = new Set<number>();
          for (const seq of heard.filter((s) => s <= stored)) {
            const out = seqs(feed.offer(message(seq)));
            delivered.push(...out);
            if (seq > feed.lastSeq) held.add(seq);
          }
          let asked = 0;
          for (
            let range = feed.missing(true, maxRuns);
            range;
            range = feed.missing(true, maxRuns)
          ) {
            if (++asked > 500) throw new Error('catching up does not end');
            const { afterSeq, beforeSeq = Infinity, except } = range;
            // The server as the contract has it: wanted seqs ascending, `limit` of them.
            const wanted = Array.from({ length: stored }, (_, i) => i + 1).filter(
              (seq) =>
                seq > afterSeq && seq < beforeSeq && !except.some(([a, b]) => seq >= a && seq <= b),
            );
            for (const seq of wanted) expect(held.has(seq)).toBe(false); // never asked twice
            const items = wanted.slice(0, limit).map(message);
            const hasMore = wanted.length > limit;
            const last = items.at(-1)?.seq ?? afterSeq;
            const knownUpTo = hasMore || beforeSeq === Infinity ? last : beforeSeq - 1;
            delivered.push(...seqs(feed.fillMissing(items, knownUpTo)));
            if (beforeSeq === Infinity && !hasMore) feed.tailDue = false;
            items.forEach((item) => held.add(item.seq));
            if (beforeSeq === Infinity && !hasMore) break;
          }
          expect(delivered).toEqual(Array.from({ length: stored }, (_, i) => i + 1));
        },
      ),
    );
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
