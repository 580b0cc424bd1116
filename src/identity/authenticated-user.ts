/** Who is calling: set by the REST guard on the request and by the socket middleware on the socket. */
export interface AuthenticatedUser {
  id: string;
  username: string;
  /** The session its access token belongs to (logout ends it). */
  sessionId: string;
}
