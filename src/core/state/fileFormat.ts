/**
 * The file store's files and what one document of them is, as read (fileStore.ts has the whole).
 *
 * One document per key (a profile's tracked versions, pending exports, partial downloads…):
 * - `<name>.json`: `{"format":1,"gen":n,"value":…}`, written whole to a temporary file then renamed
 *   into place (a crash leaves the old one or the new one, never half of one);
 * - `<name>.log`, for lists only: a first line `{"gen":n}`, then one line per change,
 *   `{"put":[items…],"del":[item keys…]}`, appended (fileLog.ts).
 */
import { type Disposable } from '../base/events';
import { isRecord } from './listStore';

/** Where the files are: one folder, files named within it. */
export interface StoreFs {
  /** The file's bytes from `from` on, or undefined when there is no such file. */
  read(name: string, from?: number): Uint8Array | undefined;
  /** A mark that changes whenever the file does (size, time, inode), and its size; undefined when there is none. */
  stat(name: string): { readonly mark: string; readonly size: number } | undefined;
  append(name: string, bytes: Uint8Array): Promise<void>;
  truncate(name: string, size: number): Promise<void>;
  /** Writes a temporary file, flushes it, renames it into place. */
  writeWhole(name: string, bytes: Uint8Array): Promise<void>;
  remove(name: string): Promise<void>;
  /** Renames the file to a new name no file has; returns that name. */
  moveAside(name: string): Promise<string>;
  /** Takes the lock of `name` (shared by processes); resolves to what lets it go. */
  lock(name: string): Promise<() => Promise<void>>;
  /** The names of the folder's files. */
  list(): string[];
  /** Calls back when a file of the folder may have changed. */
  watch(onChange: (name: string | undefined) => void): Disposable;
}

export type ItemKey = (item: unknown) => string | undefined;

/** One key's files as last read. */
export interface Doc {
  readonly key: string;
  readonly name: string;
  readonly keyOf?: ItemKey;
  loaded: boolean;
  value: unknown;
  /** The list file's generation; 0 when there is none. */
  gen: number;
  baseMark?: string;
  baseBytes: number;
  logMark?: string;
  /** Bytes of the log read and applied (whole lines); 0 when there is no log of this generation. */
  logValid: number;
  /** A file that could not be read, to be moved aside under the lock. */
  corrupt?: 'base' | 'log';
  queue: Promise<unknown>;
  busy: number;
  /** The value from before the files was not a list and is in a file of its own. */
  legacyAside?: boolean;
}

/** What the parts of the store (log, repair, migration) write and report through. */
export interface DocWriter {
  readonly fs: StoreFs;
  /** Writes a file whole, counting its bytes. */
  writeBytes(name: string, bytes: Uint8Array): Promise<void>;
  /** Writes the list file anew (the next generation) and drops the log folded into it. */
  writeBase(doc: Doc, value: unknown): Promise<void>;
  /** Tells a problem once. */
  report(key: string, problem: string): void;
}

export const FORMAT = 1;
export const NEWLINE = 10;
export const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** A file name for a key: letters, digits and `._@-` kept, any other character as its UTF-8 bytes in %XX (decodeURIComponent reads it back). */
export function fileNameOf(key: string): string {
  return key.replace(/[^A-Za-z0-9._@-]/gu, (c) =>
    Array.from(encoder.encode(c))
      .map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`)
      .join(''),
  );
}

/** The part of a key before `@profile`. */
export const unscopedKey = (key: string): string => (key.includes('@') ? key.slice(0, key.lastIndexOf('@')) : key);

export const stringify = (v: unknown): string => JSON.stringify(v) ?? 'undefined';

/** A JSON object (not an array), or undefined. */
export function parseLine(bytes: Uint8Array): Record<string, unknown> | undefined {
  try {
    const v = JSON.parse(decoder.decode(bytes)) as unknown;
    return isRecord(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

/** A list file's generation and value, or undefined when it cannot be read (a list's value must be a list). */
export function parseBase(bytes: Uint8Array, doc: Doc): { gen: number; value: unknown } | undefined {
  const parsed = parseLine(bytes);
  const gen = parsed?.gen;
  const ok = parsed?.format === FORMAT && Number.isSafeInteger(gen) && (gen as number) > 0 && (!doc.keyOf || Array.isArray(parsed.value));
  return ok ? { gen: gen as number, value: parsed.value } : undefined;
}

export function encodeBase(gen: number, value: unknown): Uint8Array {
  return encoder.encode(JSON.stringify({ format: FORMAT, gen, value }));
}

/** The key an item is known by; an item without one is known by its whole text. */
export function itemKeyOf(doc: Doc): (item: unknown) => string {
  const keyOf = doc.keyOf ?? (() => undefined);
  return (item) => keyOf(item) ?? `\u0000${stringify(item)}`;
}
