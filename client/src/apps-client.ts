import type {
  App,
  AppConversationBody,
  AppScope,
  AuthResult,
  Conversation,
  CreateAppBody,
  CreatedApp,
  CreatedKey,
  ProvisionUserBody,
  UpdateAppBody,
  User,
  WebhookDelivery,
} from '@nest-chat/protocol';
import { RestClient } from './rest-client.js';

const appPath = (appId: string) => `/api/apps/${encodeURIComponent(appId)}`;
const externalPath = (externalId: string) => `/api/apps/users/${encodeURIComponent(externalId)}`;

/**
 * The integration routes, for a product's backend: with an instance admin's token, apps, keys
 * and webhooks; with an app's key (`getToken: () => 'chk_…'`), provisioning users and opening
 * conversations on their behalf. The user routes a bot may use (send, edit, delete, history) are
 * RestClient's own.
 */
export class AppsClient extends RestClient {
  createApp(body: CreateAppBody): Promise<CreatedApp> {
    return this.request({ method: 'POST', path: '/api/apps', body });
  }

  apps(): Promise<App[]> {
    return this.request({ method: 'GET', path: '/api/apps' });
  }

  app(appId: string): Promise<App> {
    return this.request({ method: 'GET', path: appPath(appId) });
  }

  /** `webhook: { status: 'active' }` re-enables a disabled endpoint; `webhook: null` removes it. */
  updateApp(appId: string, body: UpdateAppBody): Promise<CreatedApp> {
    return this.request({ method: 'PATCH', path: appPath(appId), body });
  }

  deleteApp(appId: string): Promise<void> {
    return this.request({ method: 'DELETE', path: appPath(appId) });
  }

  /** Another key (rotation); its text is in the answer only. */
  addKey(appId: string, scopes?: AppScope[]): Promise<CreatedKey> {
    const body = scopes ? { scopes } : {};
    return this.request({ method: 'POST', path: `${appPath(appId)}/keys`, body });
  }

  deleteKey(appId: string, keyId: string): Promise<void> {
    const path = `${appPath(appId)}/keys/${encodeURIComponent(keyId)}`;
    return this.request({ method: 'DELETE', path });
  }

  /** Every event since `since` is sent again, with the same webhook-ids. */
  replayWebhook(appId: string, since: Date | string): Promise<void> {
    const body = { since: typeof since === 'string' ? since : since.toISOString() };
    return this.request({ method: 'POST', path: `${appPath(appId)}/webhook/replay`, body });
  }

  /** The latest 100 delivery attempts, newest first. */
  deliveries(appId: string): Promise<WebhookDelivery[]> {
    return this.request({ method: 'GET', path: `${appPath(appId)}/deliveries` });
  }

  /** Creates or updates the user linked to the product's id (key with `users:write`). */
  putUser(externalId: string, body: ProvisionUserBody): Promise<User> {
    return this.request({ method: 'PUT', path: externalPath(externalId), body });
  }

  /** Signs the user in: a session and its tokens, as a login would give. */
  signInUser(externalId: string): Promise<AuthResult> {
    return this.request({ method: 'POST', path: `${externalPath(externalId)}/sessions` });
  }

  /** Ends every session of the user. */
  signOutUser(externalId: string): Promise<void> {
    return this.request({ method: 'DELETE', path: `${externalPath(externalId)}/sessions` });
  }

  /** Opens a conversation between users (key with `conversations:write`). */
  openConversationFor(body: AppConversationBody): Promise<Conversation> {
    return this.request({ method: 'POST', path: '/api/apps/conversations', body });
  }

  addMemberFor(conversationId: string, userId: string): Promise<void> {
    const path = `/api/apps/conversations/${encodeURIComponent(conversationId)}/members`;
    return this.request({ method: 'POST', path, body: { userId } });
  }

  removeMemberFor(conversationId: string, userId: string): Promise<void> {
    const path = `/api/apps/conversations/${encodeURIComponent(conversationId)}/members/${encodeURIComponent(userId)}`;
    return this.request({ method: 'DELETE', path });
  }
}
