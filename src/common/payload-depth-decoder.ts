import * as parser from 'socket.io-parser';
import {
  MAX_PAYLOAD_DEPTH,
  PAYLOAD_TOO_DEEP,
  textNestsDeeperThan,
} from './validation/payload-depth';

// The event's name, first in the packet's array: `["message:send", …`.
const EVENT_NAME = /^\[\s*("(?:[^"\\]|\\.){1,100}")\s*,/;

/**
 * socket.io's decoder, with a packet whose JSON nests too deep replaced by `[event,
 * PAYLOAD_TOO_DEEP]` before it is parsed: parsing a 15,000-deep array costs 0.7 ms, the scan
 * a twentieth of that, and the event is still answered (VALIDATION_FAILED, through its ack).
 */
class PayloadDepthDecoder extends parser.Decoder {
  constructor(options?: ConstructorParameters<typeof parser.Decoder>[0]) {
    super(options);
    // tryParse is private in the typings, so it is replaced on the instance, not overridden.
    const own = this as unknown as { tryParse(text: string): unknown };
    const parse = own.tryParse.bind(this);
    own.tryParse = (text) => {
      // One level more than a payload may have: the packet's array holds event and payload.
      if (!textNestsDeeperThan(text, MAX_PAYLOAD_DEPTH + 1)) return parse(text);
      const name = EVENT_NAME.exec(text)?.[1];
      // No name to answer to: an invalid packet, which closes the connection as socket.io does.
      return name === undefined ? false : [JSON.parse(name) as string, PAYLOAD_TOO_DEEP];
    };
  }
}

/** The socket.io parser to give the server: the default one with PayloadDepthDecoder. */
export const depthLimitedParser = { ...parser, Decoder: PayloadDepthDecoder };
