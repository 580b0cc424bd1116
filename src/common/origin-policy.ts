/**
 * Whether a socket.io handshake from `origin` may connect. Browsers do not apply CORS to
 * WebSockets, so the Origin header is checked here. No Origin (a non-browser client) passes;
 * the server's own origin (its web page) always passes; otherwise the origin must be listed, or
 * the list be `*`.
 */
export function isOriginAllowed(
  origin: string | undefined,
  host: string | undefined,
  allowList: readonly string[],
): boolean {
  if (origin === undefined) return true;
  if (allowList.includes('*') || allowList.includes(origin)) return true;
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}
