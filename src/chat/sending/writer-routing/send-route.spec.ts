import { Types } from 'mongoose';
import type { SendResult } from '../../../realtime/realtime.events';
import type { MessageDraft } from '../message-draft';
import { type ForwardReply, ForwardUnanswered, type Unanswered } from './send-forwarding';
import { MAX_HOPS, type RouteParts, routeSend } from './send-route';

const ME = 'process-me';
const draft = { conversationId: new Types.ObjectId() } as MessageDraft;
const storedHere = { duplicate: false, where: 'here' } as unknown as SendResult;
const storedThere = { duplicate: false, where: 'there' } as unknown as SendResult;

/** Parts whose lease holders and forward answers come from the lists, in turn. */
function parts(holders: (string | null)[], answers: (ForwardReply | Unanswered)[]) {
  const log: string[] = [];
  const routeParts: RouteParts = {
    leases: {
      processId: ME,
      holderOf: () => Promise.resolve(holders.length > 1 ? holders.shift()! : holders[0]),
      takeOver: (_key, gone) => {
        log.push(`take over from ${gone}`);
        return Promise.resolve(ME);
      },
      forget: () => void log.push('forget'),
    },
    forwarding: {
      forward: (holder) => {
        log.push(`forward to ${holder}`);
        const answer = answers.shift();
        if (typeof answer === 'string') return Promise.reject(new ForwardUnanswered(answer));
        return Promise.resolve(answer ?? { kind: 'not-holder' });
      },
    },
    writeHere: () => {
      log.push('write here');
      return Promise.resolve(storedHere);
    },
    counted: (outcome) => void log.push(`count ${outcome}`),
  };
  return { routeParts, log };
}

describe('routeSend: where a send is written', () => {
  it('writes here when this process holds the lease, or when nobody can say who does', async () => {
    for (const holder of [ME, null]) {
      const { routeParts, log } = parts([holder], []);
      await expect(routeSend(draft, routeParts)).resolves.toBe(storedHere);
      expect(log).toEqual(['write here']);
    }
  });

  it('forwards to the holder and answers with what it stored', async () => {
    const { routeParts, log } = parts(['other'], [{ kind: 'stored', result: storedThere }]);
    await expect(routeSend(draft, routeParts)).resolves.toBe(storedThere);
    expect(log).toEqual(['forward to other', 'count stored']);
  });

  it('passes the holder’s refusal on with its code and retry time', async () => {
    const refusal: ForwardReply = {
      kind: 'refused',
      code: 'RATE_LIMITED',
      message: 'slow down',
      retryAfterSeconds: 3,
    };
    const { routeParts } = parts(['other'], [refusal]);
    await expect(routeSend(draft, routeParts)).rejects.toMatchObject({
      code: 'RATE_LIMITED',
      message: 'slow down',
      retryAfterSeconds: 3,
    });
  });

  it('takes the lease over from a holder nobody listens for (killed), then writes here', async () => {
    const { routeParts, log } = parts(['dead', ME], ['not-listening']);
    await expect(routeSend(draft, routeParts)).resolves.toBe(storedHere);
    expect(log).toEqual([
      'forward to dead',
      'count not-listening',
      'take over from dead',
      'write here',
    ]);
  });

  it('writes here when Redis cannot take the forward (the index arbitrates)', async () => {
    const { routeParts, log } = parts(['other'], ['unreachable']);
    await expect(routeSend(draft, routeParts)).resolves.toBe(storedHere);
    expect(log).toEqual(['forward to other', 'count unreachable', 'write here']);
  });

  it('answers UNAVAILABLE when the holder does not answer in time, and reads the lease again next time', async () => {
    const { routeParts, log } = parts(['slow'], ['timed-out']);
    await expect(routeSend(draft, routeParts)).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    expect(log).toEqual(['forward to slow', 'count timed-out', 'forget']);
  });

  it('follows a lease that moved at most MAX_HOPS times, then writes here', async () => {
    const { routeParts, log } = parts(['a', 'b', 'c', 'd'], []);
    await expect(routeSend(draft, routeParts)).resolves.toBe(storedHere);
    expect(log.filter((line) => line.startsWith('forward'))).toEqual(
      ['forward to a', 'forward to b', 'forward to c'].slice(0, MAX_HOPS),
    );
    expect(log.at(-1)).toBe('write here');
  });
});
