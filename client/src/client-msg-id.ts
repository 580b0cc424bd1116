/**
 * A fresh idempotency key: 128 random bits as hex. crypto.getRandomValues, unlike randomUUID,
 * also works on pages served over plain http from another host.
 */
export function newClientMsgId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}
