import type { Ack, Message, MessagePage, SendResult } from '@nest-chat/protocol';

// What a client sees on the wire: the contract's types with times as ISO strings.
export type WireMessage = Message;
export type WireAck<T extends object> = Ack<T>;
export type SendAck = Ack<SendResult>;
export type PageAck = Ack<MessagePage>;
