// file-type 16 is the last line of it that is CommonJS, as this server is (and Jest loads).
import { fromBuffer } from 'file-type';

/** How many leading bytes the sniffing looks at (what file-type needs for every format). */
export const SNIFF_BYTES = 4100;

/**
 * The content type of a file from its first bytes, never from what the client claims: binary
 * formats by their magic numbers (file-type); text by its first markup (HTML, SVG, XML), else
 * plain text when it is UTF-8, else `application/octet-stream`.
 */
export async function sniffType(head: Buffer): Promise<string> {
  const found = await fromBuffer(head);
  if (found) return found.mime;
  if (!isText(head)) return 'application/octet-stream';
  const start = head.toString('utf8').trimStart().slice(0, 256).toLowerCase();
  if (/^(<\?xml[^>]*>\s*)?(<!--.*?-->\s*)*<svg[\s>]/s.test(start)) return 'image/svg+xml';
  if (/^<!doctype html|^<html[\s>]|^<head[\s>]|^<body[\s>]|^<script[\s>]/.test(start)) {
    return 'text/html';
  }
  if (start.startsWith('<?xml')) return 'application/xml';
  return 'text/plain';
}

/** UTF-8 without NUL bytes (the last character may be cut off by the sniffing window). */
function isText(head: Buffer): boolean {
  if (head.includes(0)) return false;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(head.subarray(0, trimToWholeCharacter(head)));
    return true;
  } catch {
    return false;
  }
}

function trimToWholeCharacter(head: Buffer): number {
  let end = head.length;
  // Back over continuation bytes to the start of the last character; drop it if incomplete.
  let back = 0;
  while (back < 3 && end - back - 1 >= 0 && (head[end - back - 1] & 0xc0) === 0x80) back += 1;
  const leadIndex = end - back - 1;
  if (leadIndex < 0) return end;
  const lead = head[leadIndex];
  const needed = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  if (back + 1 < needed) end = leadIndex;
  return end;
}
