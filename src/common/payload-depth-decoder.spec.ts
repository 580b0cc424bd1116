import { depthLimitedParser } from './payload-depth-decoder';
import { PAYLOAD_TOO_DEEP } from './validation/payload-depth';

const decode = (text: string): { data?: unknown; id?: number; nsp: string } => {
  const decoder = new depthLimitedParser.Decoder();
  let packet: { data?: unknown; id?: number; nsp: string } | undefined;
  decoder.on('decoded', (decoded: typeof packet) => (packet = decoded));
  decoder.add(text);
  if (!packet) throw new Error('nothing decoded');
  return packet;
};

describe('the depth-limited socket.io decoder', () => {
  it('decodes a payload within the limit as socket.io does', () => {
    expect(decode('2/chat,7["sync",{"except":[[1,2]]}]')).toMatchObject({
      nsp: '/chat',
      id: 7,
      data: ['sync', { except: [[1, 2]] }],
    });
  });

  it('replaces a payload that nests too deep, unparsed, keeping the event and its ack id', () => {
    const deep = `${'['.repeat(15_000)}1${']'.repeat(15_000)}`;
    const packet = decode(`2/chat,9["message:send",${deep}]`);
    expect(packet).toMatchObject({ nsp: '/chat', id: 9 });
    expect(packet.data).toEqual(['message:send', PAYLOAD_TOO_DEEP]);
    expect((packet.data as unknown[])[1]).toBe(PAYLOAD_TOO_DEEP);
  });

  it('refuses a deep packet without an event name to answer, as an invalid packet', () => {
    expect(() => decode(`2/chat,${'['.repeat(50)}${']'.repeat(50)}`)).toThrow(/invalid payload/);
  });
});
