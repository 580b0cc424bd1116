import type { IncomingMessage } from 'node:http';
import proxyaddr from 'proxy-addr';

/** Which proxies to believe (TRUST_PROXY), compiled once: as Express's `trust proxy` is. */
export type TrustedProxies = (address: string, hop: number) => boolean;

/** TRUST_PROXY as proxy-addr takes it: nobody, a hop count, or addresses and subnets. */
export function trustedProxies(setting: string): TrustedProxies {
  if (setting === 'false') return () => false;
  if (/^\d+$/.test(setting)) {
    const hops = Number(setting);
    return (_address, hop) => hop < hops;
  }
  return proxyaddr.compile(setting.split(',').map((part) => part.trim()));
}

/**
 * The client's address behind the trusted proxies: the same one Express gives REST requests as
 * `request.ip`, for a socket.io handshake (whose request Express never sees).
 */
export function clientAddress(request: IncomingMessage, trust: TrustedProxies): string {
  return proxyaddr(request, trust);
}
