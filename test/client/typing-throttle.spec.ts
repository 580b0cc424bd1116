import { TypingThrottle } from '../../client/src/typing-throttle';

describe('TypingThrottle (client)', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('sends typing: true at most once per interval while typing, and false once after idling', () => {
    const sent: [number, boolean][] = [];
    const throttle = new TypingThrottle(
      (_id, typing) => sent.push([Date.now(), typing]),
      3000,
      5000,
    );
    const start = Date.now();
    for (let t = 0; t < 7000; t += 100) {
      throttle.keystroke('c');
      jest.advanceTimersByTime(100);
    }
    jest.advanceTimersByTime(10_000);
    expect(sent.map(([at, typing]) => [at - start, typing])).toEqual([
      [0, true],
      [3000, true],
      [6000, true],
      [11_900, false],
    ]);
  });

  it('stop() sends false at once only when true was sent', () => {
    const sent: boolean[] = [];
    const throttle = new TypingThrottle((_id, typing) => sent.push(typing), 3000, 5000);
    throttle.stop('c');
    throttle.keystroke('c');
    throttle.stop('c');
    jest.advanceTimersByTime(10_000);
    expect(sent).toEqual([true, false]);
  });
});
