export { ChatClient } from './chat-client.js';
export type {
  ChatClientEvents,
  ChatClientOptions,
  ConnectionState,
  SendOptions,
  UploadOptions,
} from './chat-client.js';
export type { UploadProgress } from './file-transfer.js';
export { ChatError } from './chat-error.js';
export { newClientMsgId } from './client-msg-id.js';
export { completeMention, mentionAt, mentions } from './mentions.js';
export type { MentionQuery } from './mentions.js';
export { AppsClient } from './apps-client.js';
export { RestClient } from './rest-client.js';
export type { ClientSession } from './session-keeper.js';
export type { RestClientOptions } from './rest-client.js';
export type * from '@nest-chat/protocol';
