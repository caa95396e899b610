/** Text from outside (server messages, codes, IDs) made safe to show or log: one short line. */

export const MAX_SERVER_TEXT = 300;

// C0 and C1 controls, DEL, zero-width and bidirectional controls, line and paragraph separators.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]+/g;

/** Control characters become spaces, runs of spaces one space, and the text is cut at `max` characters. */
export function cleanText(value: string, max = MAX_SERVER_TEXT): string {
  const flat = value.replace(CONTROL, ' ').replace(/ {2,}/g, ' ').trim();
  return flat.length > max ? flat.slice(0, max - 1).trimEnd() + '…' : flat;
}

/** cleanText for an optional value; an empty result is undefined. */
export function cleanOptional(value: string | undefined, max = MAX_SERVER_TEXT): string | undefined {
  if (value === undefined) {
    return undefined;
  }
  return cleanText(value, max) || undefined;
}
