import type { Namespace, Socket } from 'socket.io';
import type { ErrorCode } from '../common/errors/app-error';
import type { ConversationDto } from '../conversations/dto/conversation.dto';
import type { AuthenticatedUser } from '../identity/authenticated-user';
import type { DeleteMessageDto, EditMessageDto } from './dto/edit-message.dto';
import type { MessagePageDto } from './dto/message-page.dto';
import type { MessageDto } from './dto/message.dto';
import type { ReadDto } from './dto/read.dto';
import type { SendMessageDto } from './dto/send-message.dto';
import type { SyncDto } from './dto/sync.dto';
import type { TypingDto } from './dto/typing.dto';

/** Every ack: `{ ok: true, ...result }` or `{ ok: false, error }`. */
export type Ack<T extends object = object> =
  ({ ok: true } & T) | { ok: false; error: { code: ErrorCode; message: string } };

export interface SendResult {
  message: MessageDto;
  /** True when this clientMsgId was already stored: nothing was stored or emitted again. */
  duplicate: boolean;
}

export type MessagePage = MessagePageDto;

export interface ReadEvent {
  conversationId: string;
  userId: string;
  seq: number;
}

export interface TypingEvent {
  conversationId: string;
  userId: string;
  typing: boolean;
}

export interface PresenceEvent {
  userId: string;
  online: boolean;
  lastSeenAt: Date | null;
}

type Reply<T extends object = object> = (reply: Ack<T>) => void;

/** Client → server events (socket.io `/chat`), each answered through its ack callback. */
export interface ClientToServerEvents {
  'message:send': (payload: SendMessageDto, ack: Reply<SendResult>) => void;
  'message:edit': (payload: EditMessageDto, ack: Reply<{ message: MessageDto }>) => void;
  'message:delete': (payload: DeleteMessageDto, ack: Reply<{ message: MessageDto }>) => void;
  read: (payload: ReadDto, ack: Reply) => void;
  sync: (payload: SyncDto, ack: Reply<MessagePage>) => void;
  typing: (payload: TypingDto, ack?: Reply) => void;
}

/** Server → client events. */
export interface ServerToClientEvents {
  'message:new': (message: MessageDto) => void;
  'message:updated': (message: MessageDto) => void;
  'message:deleted': (message: MessageDto) => void;
  read: (event: ReadEvent) => void;
  typing: (event: TypingEvent) => void;
  presence: (event: PresenceEvent) => void;
  'conversation:new': (conversation: ConversationDto) => void;
  exception: (error: { event: string } & Ack) => void;
}

export interface SocketData {
  user: AuthenticatedUser;
}

/** Between server processes, through the socket.io adapter. */
export interface InterServerEvents {
  /** Someone joined or left the conversation: drop its cached member list. */
  'members:changed': (conversationId: string) => void;
}

export type ChatNamespace = Namespace<
  ClientToServerEvents,
  ServerToClientEvents,
  InterServerEvents,
  SocketData
>;
export type ChatSocket = Socket<
  ClientToServerEvents,
  ServerToClientEvents,
  InterServerEvents,
  SocketData
>;
