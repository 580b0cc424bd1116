import type { AppScope } from '../persistence/apps/app.schema';

/** Who is calling: set by the REST guard on the request and by the socket middleware on the socket. */
export interface AuthenticatedUser {
  id: string;
  username: string;
  /** The session its access token belongs to (logout ends it); `key:<id>` for an API key. */
  sessionId: string;
  /** Set when an app's API key calls: the caller is then the app's bot user. */
  app?: { id: string; keyId: string; scopes: readonly AppScope[] };
}

/** The caller of a key route: the app's bot, with its app. */
export type KeyCaller = AuthenticatedUser & Required<Pick<AuthenticatedUser, 'app'>>;
