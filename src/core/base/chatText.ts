/**
 * Text from Qianfan (names, descriptions, file names) as data in an answer to a language model: a
 * chat tool's today, an MCP server's or a script's later. Whoever writes such an answer puts each
 * value through `dataText` (or `quotedData`), lists through `bounded`, and the whole answer through
 * `boundText`; no pre-signed URL is ever given (`withoutUrlSecrets`). Plain text in, plain text out:
 * the words around it are the caller's (the core has no English for the UI).
 */
import { MAX_SERVER_TEXT, cleanText } from './text';

/** At most this many items (versions, services) in one answer's list. */
export const MAX_ANSWER_ITEMS = 200;

/** At most this many characters in one answer (about 16 K tokens). */
export const MAX_ANSWER_CHARS = 64_000;

/** The characters that make Markdown (or HTML) structure anywhere in a line. */
const MARKDOWN_INLINE = /[\\`*_[\]<>#|~]/g;

/** What makes a list item or a heading's underline at the start of a line. */
const BULLET_AT_START = /^[-+=]/;

/** What makes a numbered list item at the start of a line. */
const NUMBER_AT_START = /^(\d+)([.)])/;

/** An absolute URL (scheme://…), up to white space, a quote or a parenthesis. */
const URL_IN_TEXT = /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>“”`()]+/gi;

/**
 * Text with every URL cut before its query and fragment: where a pre-signed URL carries its
 * signature (`?authorization=…`) and its expiry. What is left names the host and the file, and
 * downloads nothing.
 */
export function withoutUrlSecrets(text: string): string {
  return text.replace(URL_IN_TEXT, (url) => url.replace(/[?#].*$/s, ''));
}

/** Whether the value is a link (an absolute URL and nothing else), such as an export's download URL. */
export function isUrl(value: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\/\S+$/i.test(value.trim());
}

/**
 * A value from the server as data on one line: control characters and line breaks become spaces
 * (cleanText), it is cut at `max` characters, URLs lose their query (`withoutUrlSecrets`), curly
 * quotes become straight ones (so that `quotedData` cannot be closed from inside), and Markdown
 * (and HTML) structure is escaped with backslashes: `# heading`, `[link](…)`, `![image](…)`,
 * `<tag>`, `` `code` ``, emphasis, tables, a list item at the start.
 */
export function dataText(value: string | undefined, max = MAX_SERVER_TEXT): string {
  const line = withoutUrlSecrets(cleanText(value ?? '', max)).replace(/[“”]/g, '"');
  return line.replace(MARKDOWN_INLINE, '\\$&').replace(BULLET_AT_START, '\\$&').replace(NUMBER_AT_START, '$1\\$2');
}

/** `dataText` between curly quotes: the value is plainly data, whatever it says. */
export function quotedData(value: string | undefined, max = MAX_SERVER_TEXT): string {
  return `“${dataText(value, max)}”`;
}

/** What `dataText` escaped, unescaped: a name as a model copies it back from an answer. */
export function unescapeData(text: string): string {
  return text.replace(/\\([\\`*_[\]<>#|~\-+=.)])/g, '$1');
}

/** The first `max` items, and how many more there are. */
export function bounded<T>(items: readonly T[], max = MAX_ANSWER_ITEMS): { shown: T[]; more: number } {
  return { shown: items.slice(0, max), more: Math.max(0, items.length - max) };
}

/**
 * The text cut at the last whole line within `max` characters, and how many lines were left off
 * (0 when it fits). A single line longer than `max` is cut within itself.
 */
export function boundText(text: string, max = MAX_ANSWER_CHARS): { text: string; linesLeftOff: number } {
  if (text.length <= max) {
    return { text, linesLeftOff: 0 };
  }
  const head = text.slice(0, max);
  const end = head.lastIndexOf('\n');
  const kept = end > 0 ? head.slice(0, end) : head;
  const all = text.split('\n').length;
  const shown = kept.split('\n').length;
  return { text: kept, linesLeftOff: Math.max(1, all - shown) };
}
