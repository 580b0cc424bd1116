import { lookup } from 'node:dns/promises';
import { isIP, type LookupFunction } from 'node:net';
import * as ipaddr from 'ipaddr.js';
import { AppError } from '../common/errors/app-error';

const MAX_URL_CHARS = 2048;

/** A webhook URL as given: http(s), no credentials in it; VALIDATION_FAILED otherwise. */
export function parseWebhookUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new AppError('VALIDATION_FAILED', 'webhook.url must be an absolute http(s) URL');
  }
  if (text.length > MAX_URL_CHARS || !['http:', 'https:'].includes(url.protocol)) {
    throw new AppError('VALIDATION_FAILED', 'webhook.url must be an http(s) URL');
  }
  if (url.username || url.password) {
    throw new AppError('VALIDATION_FAILED', 'webhook.url must not carry credentials');
  }
  return url;
}

/**
 * Whether an address is on the public internet: not loopback, private, link-local (which holds
 * the cloud metadata address 169.254.169.254), unique-local, carrier NAT, multicast or reserved.
 * An IPv4-mapped IPv6 address is judged as the IPv4 address it carries.
 */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) {
    parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  }
  return parsed.range() === 'unicast';
}

/** VALIDATION_FAILED unless every address the URL's host resolves to is public. */
export async function requirePublicTarget(url: URL): Promise<void> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const addresses = isIP(host)
    ? [host]
    : await lookup(host, { all: true, verbatim: true }).then(
        (found) => found.map((entry) => entry.address),
        () => {
          throw new AppError('VALIDATION_FAILED', `webhook.url's host ${host} does not resolve`);
        },
      );
  if (addresses.length === 0 || !addresses.every(isPublicAddress)) {
    throw new AppError(
      'VALIDATION_FAILED',
      'webhook.url must reach a public address (WEBHOOK_ALLOW_PRIVATE allows private ones)',
    );
  }
}

/**
 * A DNS lookup for outgoing deliveries that refuses non-public addresses: checked on the address
 * actually connected to, so a name that resolved publicly at creation and privately now (DNS
 * rebinding) is still refused.
 */
export const publicOnlyLookup: LookupFunction = (hostname, options, callback) => {
  lookup(hostname, { ...options, all: true, verbatim: true }).then(
    (found) => {
      const allowed = found.filter((entry) => isPublicAddress(entry.address));
      if (allowed.length === 0) {
        callback(new Error(`${hostname} resolves to no public address`), '', 4);
      } else if (options.all) {
        (callback as unknown as (error: null, all: typeof allowed) => void)(null, allowed);
      } else {
        callback(null, allowed[0].address, allowed[0].family);
      }
    },
    (error: NodeJS.ErrnoException) => callback(error, '', 4),
  );
};
