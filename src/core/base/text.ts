/** Text from outside (server messages, codes, IDs) made safe to show or log: one short line. */

export const MAX_SERVER_TEXT = 300;

/** C0 and C1 controls, DEL, zero-width and bidirectional marks, line and paragraph separators, BOM. */
export function isControlCode(code: number): boolean {
  return (
    code <= 0x1f ||
    (code >= 0x7f && code <= 0x9f) ||
    (code >= 0x200b && code <= 0x200f) ||
    (code >= 0x2028 && code <= 0x202e) ||
    (code >= 0x2066 && code <= 0x2069) ||
    code === 0xfeff
  );
}

/**
 * Control characters become spaces, runs of spaces one space, and the text is cut at `max`
 * characters (with "…"). Only the head of a huge text is looked at.
 */
export function cleanText(value: string, max = MAX_SERVER_TEXT): string {
  const head = value.length > max * 4 ? value.slice(0, max * 4) : value;
  let out = '';
  for (const ch of head) {
    const c = isControlCode(ch.codePointAt(0) ?? 0) ? ' ' : ch;
    if (c !== ' ' || !out.endsWith(' ')) {
      out += c;
    }
  }
  const flat = out.trim();
  return flat.length > max ? flat.slice(0, max - 1).trimEnd() + '…' : flat;
}

/** cleanText for an optional value; an empty result is undefined. */
export function cleanOptional(value: string | undefined, max = MAX_SERVER_TEXT): string | undefined {
  if (value === undefined) {
    return undefined;
  }
  return cleanText(value, max) || undefined;
}
