/**
 * How deeply a request body or socket payload may nest (objects and arrays). The deepest the
 * contract has is 3 (`sync`'s `except` runs); anything past this is refused before any walk
 * that recurses (class-transformer's, class-validator's) could overflow the stack on it.
 */
export const MAX_PAYLOAD_DEPTH = 10;

/** What a payload nested too deep is told (VALIDATION_FAILED), on REST and sockets alike. */
export const TOO_DEEP_MESSAGE = `The payload nests deeper than ${MAX_PAYLOAD_DEPTH} levels`;

/** Whether `value` nests deeper than `max`; iterative and stops at the first level too deep. */
export function nestsDeeperThan(value: unknown, max = MAX_PAYLOAD_DEPTH): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop() as [unknown, number];
    if (typeof current !== 'object' || current === null || ArrayBuffer.isView(current)) continue;
    if (depth + 1 > max) return true;
    for (const child of Object.values(current)) stack.push([child, depth + 1]);
  }
  return false;
}

/**
 * As nestsDeeperThan, on JSON text before it is parsed (a scan costs a twentieth of a parse of a
 * deep payload): brackets outside strings, counted as they open and close.
 */
export function textNestsDeeperThan(json: string, max = MAX_PAYLOAD_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < json.length; i++) {
    const c = json.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // a backslash: the next character is escaped
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    }
  }
  return false;
}

/**
 * What a socket event's payload is replaced with when its text nests too deep to be parsed
 * (see PayloadDepthDecoder); the packet middleware (guardPackets) answers it.
 */
export const PAYLOAD_TOO_DEEP: object = Object.freeze({});
