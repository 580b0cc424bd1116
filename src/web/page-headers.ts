import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';

/**
 * Security headers for the web page's files. The Content-Security-Policy allows only the page's
 * own scripts and its one inline script, the import map, by hash: so a message body that somehow
 * reached the DOM as markup still could not run script.
 */
export function pageHeaders(indexHtmlPath: string): (response: ServerResponse) => void {
  const scriptSources = ["'self'", ...inlineScriptHashes(indexHtmlPath)];
  const policy = [
    "default-src 'self'",
    `script-src ${scriptSources.join(' ')}`,
    "connect-src 'self'",
    // blob: the files and thumbnails, fetched with the token (an <img> cannot send one).
    "img-src 'self' data: blob:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
  return (response) => {
    response.setHeader('Content-Security-Policy', policy);
    response.setHeader('X-Content-Type-Options', 'nosniff');
    response.setHeader('Referrer-Policy', 'no-referrer');
  };
}

function inlineScriptHashes(indexHtmlPath: string): string[] {
  let html: string;
  try {
    html = readFileSync(indexHtmlPath, 'utf8');
  } catch {
    return []; // no page to serve
  }
  return [...html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)].map(
    ([, body]) => `'sha256-${createHash('sha256').update(body).digest('base64')}'`,
  );
}
