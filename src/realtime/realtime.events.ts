import type { Namespace, Socket } from 'socket.io';
import type {
  Ack,
  ChangesPage as WireChangesPage,
  ClientToServerEvents as WireClientEvents,
  MessagePage as WireMessagePage,
  PresenceEvent as WirePresenceEvent,
  SendResult as WireSendResult,
  ServerToClientEvents as WireServerEvents,
} from '@nest-chat/protocol';
import type { AuthenticatedUser } from '../identity/authenticated-user';

// The events are the wire contract's (@nest-chat/protocol); inside the server, times are still Dates.
export type { Ack };
export type SendResult = WireSendResult<Date>;
export type MessagePage = WireMessagePage<Date>;
export type ChangesPage = WireChangesPage<Date>;
export type PresenceEvent = WirePresenceEvent<Date>;
export type ClientToServerEvents = WireClientEvents<Date>;
export type ServerToClientEvents = WireServerEvents<Date>;

export interface SocketData {
  user: AuthenticatedUser;
  /** Set once the handshake became a connection (its connection slot is then given back on disconnect). */
  connected?: boolean;
  /** When the socket's access token runs out (ms since the epoch), unless renewed in band. */
  expiresAt?: number;
}

/** Between server processes, through the socket.io adapter. */
export interface InterServerEvents {
  /** Someone joined or left the conversation: drop its cached member list. */
  'members:changed': (conversationId: string) => void;
  /** Fan-out lost packets for these users (null: for anyone): close their sockets here. */
  'users:resync': (userIds: string[] | null) => void;
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
