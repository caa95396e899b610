/**
 * The remembered lists in files that windows share (VS Code keeps an extension's globalState as
 * one value: a window's write replaces what another wrote a moment before, and every write
 * stores all of it).
 *
 * One document per key (a profile's tracked versions, pending exports, partial downloads…):
 * - `<name>.json`: `{"format":1,"gen":n,"value":…}`, written whole to a temporary file then renamed
 *   into place (a crash leaves the old one or the new one, never half of one);
 * - `<name>.log`, for lists only: a first line `{"gen":n}`, then one line per change,
 *   `{"put":[items…],"del":[item keys…]}`, appended; a change costs what it changed. When the
 *   log outgrows the list it is folded into a new `<name>.json` (gen n+1) and started again.
 *   A line cut short by a crash (no newline) is not read, and cut off before the next append.
 *
 * Every change reads the files afresh and writes under a lock the windows share (a window that
 * died leaves a lock that is taken over after a while, the port's business). What another window
 * wrote is read when the files are seen to change (`refresh`: on a file event or a poll), and
 * told by item key. A file that cannot be read is never written over: it is moved aside, the
 * problem is reported once, and the document goes on from what could be read.
 */
import { Emitter, type Disposable } from '../base/events';
import { isRecord } from './listStore';
import { type Change, type ElsewhereChange, type SharedKeyValueStore } from './sharedStore';

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

export interface FileStoreOptions {
  readonly fs: StoreFs;
  /** Keys (before any `@profile`) whose value is a list, each with the key of its items. */
  readonly lists: Readonly<Record<string, ItemKey>>;
  /** The value there was before the files (globalState's), read while a key has no file yet. */
  readonly legacy?: (key: string) => unknown;
  /** The most bytes the log grows to before it is folded into the list file (from the list file's size). */
  readonly compactAt?: (baseBytes: number) => number;
}

const FORMAT = 1;
const NEWLINE = 10;
const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });
const defaultCompactAt = (baseBytes: number) => Math.max(64 * 1024, baseBytes);

interface Doc {
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

const stringify = (v: unknown): string => JSON.stringify(v) ?? 'undefined';

export class FileStore implements SharedKeyValueStore {
  private readonly docs = new Map<string, Doc>();
  private readonly changes = new Emitter<ElsewhereChange>();
  private readonly problems: { key: string; problem: string }[] = [];
  private readonly problemListeners = new Set<(key: string, problem: string) => void>();
  private readonly reported = new Set<string>();
  private readonly compactAt: (baseBytes: number) => number;
  /** Lists whose items are known to have a key each, none twice. */
  private readonly unique = new WeakSet<readonly unknown[]>();
  /** Bytes this store wrote, for the benchmark and the log. */
  bytesWritten = 0;

  constructor(private readonly options: FileStoreOptions) {
    this.compactAt = options.compactAt ?? defaultCompactAt;
  }

  get<T>(key: string): T | undefined {
    const doc = this.doc(key);
    if (!doc.loaded) {
      this.load(doc);
      this.repairSoon(doc);
    }
    return doc.value as T | undefined;
  }

  update(key: string, value: unknown): Promise<void> {
    return this.change(key, () => ({ value, result: undefined })).then(() => undefined);
  }

  change<R>(key: string, change: Change<R>): Promise<R | undefined> {
    return this.locked(this.doc(key), async (doc) => {
      if (doc.gen === 0 && doc.keyOf) {
        const legacy = this.options.legacy?.(doc.key);
        if (!Array.isArray(legacy)) {
          await this.keepLegacyAside(doc, legacy); // before a list is written where it was
        }
      }
      const out = change(doc.value);
      if (!out) {
        return undefined;
      }
      await this.write(doc, out.value);
      return out.result;
    });
  }

  /**
   * Moves a value from before the files (globalState's) into the files: 'written' when the files
   * now hold it, read back whole; 'already' when they held the key before (another window, or an
   * earlier start, moved it); 'aside' when it was not a list and went to a file of its own;
   * 'failed' when the file did not read back whole (the old value must stay).
   */
  adopt(key: string, value: unknown): Promise<'written' | 'already' | 'aside' | 'failed'> {
    return this.locked(this.doc(key), async (doc) => {
      if (doc.gen > 0) {
        return 'already';
      }
      if (doc.keyOf && !Array.isArray(value)) {
        await this.keepLegacyAside(doc, value);
        return 'aside';
      }
      await this.writeBase(doc, value);
      const back = this.options.fs.read(`${doc.name}.json`);
      const parsed = back && this.parseBase(back, doc);
      if (parsed && stringify(parsed.value) === stringify(value)) {
        return 'written';
      }
      this.report(doc.key, 'the list written from the value kept before did not read back the same; the value kept before stays');
      return 'failed';
    });
  }

  /** A value from before the files that is not a list (where one is wanted) goes to a file of its own, once. */
  private async keepLegacyAside(doc: Doc, value: unknown): Promise<void> {
    if (doc.legacyAside || value === undefined || value === null) {
      return;
    }
    doc.legacyAside = true;
    const aside = `${doc.name}.legacy-${Date.now()}.json`;
    await this.writeBytes(aside, encoder.encode(stringify(value)));
    this.report(doc.key, `the value kept before was not a list; it is kept in ${aside} and a new list is started`);
  }

  /** The keys that have a list file in the folder. */
  keys(): string[] {
    return this.options.fs
      .list()
      .filter((n) => n.endsWith('.json') && !n.includes('.legacy-'))
      .map((n) => n.slice(0, -'.json'.length))
      .flatMap((name) => {
        try {
          const key = decodeURIComponent(name);
          return fileNameOf(key) === name ? [key] : []; // only names this store gives
        } catch {
          return [];
        }
      });
  }

  onDidChangeElsewhere(listener: (change: ElsewhereChange) => void): Disposable {
    return this.changes.event(listener);
  }

  onProblem(listener: (key: string, problem: string) => void): Disposable {
    this.problems.forEach((p) => listener(p.key, p.problem));
    this.problemListeners.add(listener);
    return { dispose: () => this.problemListeners.delete(listener) };
  }

  /** Reads again each document whose files changed, and tells what another window changed. */
  refresh(): void {
    for (const doc of this.docs.values()) {
      if (!doc.loaded || doc.busy > 0) {
        continue; // read when it is first asked for; a change under way reads it under the lock
      }
      const change = this.load(doc);
      this.repairSoon(doc);
      if (change) {
        this.changes.fire(change);
      }
    }
  }

  /** Calls `refresh` on the port's file events (soon after, once for a burst) and every `pollMs` (none when 0). */
  watch(pollMs: number): Disposable {
    let soon: ReturnType<typeof setTimeout> | undefined;
    const later = () => {
      soon ??= setTimeout(() => {
        soon = undefined;
        this.refresh();
      }, 20);
    };
    const watcher = this.options.fs.watch(later);
    const poll = pollMs > 0 ? setInterval(() => this.refresh(), pollMs) : undefined;
    return {
      dispose: () => {
        watcher.dispose();
        if (poll) {
          clearInterval(poll);
        }
        if (soon) {
          clearTimeout(soon);
        }
      },
    };
  }

  dispose(): void {
    this.changes.dispose();
    this.problemListeners.clear();
  }

  private doc(key: string): Doc {
    let doc = this.docs.get(key);
    if (!doc) {
      doc = {
        key,
        name: fileNameOf(key),
        keyOf: this.options.lists[unscopedKey(key)],
        loaded: false,
        value: undefined,
        gen: 0,
        baseBytes: 0,
        logValid: 0,
        queue: Promise.resolve(),
        busy: 0,
      };
      this.docs.set(key, doc);
    }
    return doc;
  }

  /** A file found unreadable outside the lock is moved aside under it. */
  private repairSoon(doc: Doc): void {
    if (doc.corrupt) {
      this.locked(doc, () => Promise.resolve()).catch((error: unknown) =>
        this.report(doc.key, `a file that could not be read was not moved aside: ${error instanceof Error ? error.message : String(error)}`),
      );
    }
  }

  /** Runs `work` on the freshest read of `doc`, one at a time here and under the lock shared with other windows. */
  private locked<R>(doc: Doc, work: (doc: Doc) => Promise<R>): Promise<R> {
    doc.busy++;
    const run = doc.queue.then(async () => {
      let release: (() => Promise<void>) | undefined;
      let seen: ElsewhereChange | undefined;
      try {
        release = await this.options.fs.lock(doc.name);
        seen = this.load(doc);
        if (doc.corrupt) {
          await this.repair(doc);
        }
        return await work(doc);
      } finally {
        doc.busy--; // a lock not taken too: the list is refreshed again
        try {
          await release?.();
        } catch (error) {
          this.report(doc.key, `the lock could not be let go: ${error instanceof Error ? error.message : String(error)}`);
        }
        if (seen) {
          this.changes.fire(seen);
        }
      }
    });
    doc.queue = run.catch(() => undefined);
    return run;
  }

  /** Brings `doc` up to its files; what changed since the last read (when it had been read). */
  private load(doc: Doc): ElsewhereChange | undefined {
    const baseMark = this.mark(`${doc.name}.json`);
    const logMark = this.mark(`${doc.name}.log`);
    const before = doc.value;
    const wasLoaded = doc.loaded;
    const incremental = doc.loaded && baseMark === doc.baseMark && !doc.corrupt;
    if (!incremental) {
      doc.corrupt = undefined;
      this.readBase(doc, baseMark);
      doc.logMark = undefined;
      doc.logValid = 0;
    }
    // (a log on a list file that cannot be read is not read: it goes aside with it)
    const records = logMark !== doc.logMark && doc.corrupt !== 'base' ? this.readLog(doc, logMark) : undefined;
    doc.loaded = true;
    if (!wasLoaded || !doc.keyOf) {
      return undefined;
    }
    if (incremental) {
      // only the log grew: its lines say what changed
      return records && records.added.length + records.removed.length + records.updated.length > 0 ? { key: doc.key, ...records } : undefined;
    }
    return this.classify(doc, before, doc.value);
  }

  /** What changes whenever the file does; undefined when there is no such file. */
  private mark(name: string): string | undefined {
    return this.options.fs.stat(name)?.mark;
  }

  private readBase(doc: Doc, mark: string | undefined): void {
    const bytes = this.options.fs.read(`${doc.name}.json`);
    doc.baseMark = mark;
    doc.baseBytes = bytes?.length ?? 0;
    const parsed = bytes && this.parseBase(bytes, doc);
    if (parsed) {
      doc.gen = parsed.gen;
      doc.value = parsed.value;
      return;
    }
    if (bytes) {
      // The files held the list: globalState's copy from the move is older than they were, never
      // read again. The list this window read last (when it read one) is the latest it knew.
      doc.corrupt = 'base';
      if (doc.gen === 0) {
        doc.value = undefined;
      }
      return;
    }
    doc.gen = 0;
    const legacy = this.options.legacy?.(doc.key);
    doc.value = doc.keyOf && !Array.isArray(legacy) ? undefined : legacy;
  }

  private parseBase(bytes: Uint8Array, doc: Doc): { gen: number; value: unknown } | undefined {
    const parsed = this.parseLine(bytes);
    const gen = parsed?.gen;
    const ok = parsed?.format === FORMAT && Number.isSafeInteger(gen) && (gen as number) > 0 && (!doc.keyOf || Array.isArray(parsed.value));
    return ok ? { gen: gen as number, value: parsed.value } : undefined;
  }

  /** Applies the log's whole lines not read yet; a log of another generation is not this list's. */
  private readLog(doc: Doc, mark: string | undefined): Omit<ElsewhereChange, 'key'> | undefined {
    doc.logMark = mark;
    const from = doc.logValid;
    const bytes = doc.keyOf && this.options.fs.read(`${doc.name}.log`, from);
    if (!bytes) {
      doc.logValid = 0;
      return;
    }
    let at = 0;
    if (from === 0) {
      const end = bytes.indexOf(NEWLINE);
      if (end < 0) {
        return; // its first line cut short: read once it is whole
      }
      const gen = this.parseLine(bytes.subarray(0, end))?.gen;
      if (typeof gen !== 'number') {
        doc.corrupt = 'log';
        return;
      }
      if (gen !== doc.gen || gen === 0) {
        return; // an old log, folded already (or of no list file): not read
      }
      at = end + 1;
    }
    const records: { put?: unknown[]; del?: unknown[] }[] = [];
    for (;;) {
      const end = bytes.indexOf(NEWLINE, at);
      if (end < 0) {
        break; // nothing more, or a line cut short: read once it is whole
      }
      const record = this.parseLine(bytes.subarray(at, end));
      if (!record || (record.put !== undefined && !Array.isArray(record.put)) || (record.del !== undefined && !Array.isArray(record.del))) {
        doc.corrupt = 'log';
        break;
      }
      records.push(record);
      at = end + 1;
    }
    doc.logValid = from + at;
    if (records.length === 0) {
      return undefined;
    }
    const applied = applyRecords(Array.isArray(doc.value) ? doc.value : [], records, this.keyOf(doc));
    doc.value = applied.items;
    return applied.change;
  }

  /** A JSON object (not an array), or undefined. */
  private parseLine(bytes: Uint8Array): Record<string, unknown> | undefined {
    try {
      const v = JSON.parse(decoder.decode(bytes)) as unknown;
      return isRecord(v) ? v : undefined;
    } catch {
      return undefined;
    }
  }

  /** Under the lock: the file that could not be read goes aside (never written over) and what was read is written anew. */
  private async repair(doc: Doc): Promise<void> {
    const which = doc.corrupt;
    doc.corrupt = undefined;
    const file = which === 'base' ? `${doc.name}.json` : `${doc.name}.log`;
    const aside = await this.options.fs.moveAside(file);
    if (this.options.fs.stat(`${doc.name}.log`)) {
      await this.options.fs.moveAside(`${doc.name}.log`); // (a log left after its list file) its lines were changes to the list kept aside
    }
    this.report(doc.key, `${file} could not be read; it is kept as ${aside} and the list goes on from what could be read`);
    if (doc.value === undefined && doc.keyOf) {
      // nothing read (a window that had not read the list): an empty list is written, so that
      // the copy from before the files (older than what is aside) is neither read nor moved again
      await this.writeBase(doc, []);
      return;
    }
    if (doc.value === undefined) {
      // (only a list file can be unreadable with nothing read: a log is read on a list file)
      doc.gen = 0;
      doc.baseMark = undefined;
      doc.logMark = undefined;
      doc.logValid = 0;
      return;
    }
    await this.writeBase(doc, doc.value);
  }

  private keyOf(doc: Doc): (item: unknown) => string {
    const keyOf = doc.keyOf ?? (() => undefined);
    return (item) => keyOf(item) ?? `\u0000${stringify(item)}`;
  }

  private async write(doc: Doc, next: unknown): Promise<void> {
    const fs = this.options.fs;
    if (next === undefined) {
      await fs.remove(`${doc.name}.json`);
      await fs.remove(`${doc.name}.log`);
      Object.assign(doc, { value: undefined, gen: 0, baseMark: undefined, baseBytes: 0, logMark: undefined, logValid: 0 });
      return;
    }
    if (doc.keyOf && doc.gen > 0 && Array.isArray(doc.value) && Array.isArray(next)) {
      const delta = diff(doc.value, next, this.keyOf(doc), this.unique);
      if (delta === 'same') {
        doc.value = next;
        return;
      }
      if (delta !== 'order') {
        const line = encoder.encode(`${JSON.stringify(delta)}\n`);
        if (doc.logValid + line.length <= this.compactAt(doc.baseBytes)) {
          await this.append(doc, line);
          doc.value = next;
          return;
        }
      }
    }
    await this.writeBase(doc, next);
  }

  private async append(doc: Doc, line: Uint8Array): Promise<void> {
    const fs = this.options.fs;
    const name = `${doc.name}.log`;
    if (doc.logValid === 0) {
      const header = encoder.encode(`${JSON.stringify({ gen: doc.gen })}\n`);
      const bytes = new Uint8Array(header.length + line.length);
      bytes.set(header);
      bytes.set(line, header.length);
      await this.writeBytes(name, bytes);
      doc.logValid = bytes.length;
    } else {
      const size = fs.stat(name)?.size ?? 0;
      if (size > doc.logValid) {
        await fs.truncate(name, doc.logValid); // a line cut short by a crash
      }
      await fs.append(name, line);
      this.bytesWritten += line.length;
      doc.logValid += line.length;
    }
    doc.logMark = this.mark(name);
  }

  private async writeBase(doc: Doc, value: unknown): Promise<void> {
    const fs = this.options.fs;
    const gen = doc.gen + 1;
    const bytes = encoder.encode(JSON.stringify({ format: FORMAT, gen, value }));
    await this.writeBytes(`${doc.name}.json`, bytes);
    if (fs.stat(`${doc.name}.log`)) {
      await fs.remove(`${doc.name}.log`); // folded into the list file
    }
    Object.assign(doc, {
      value,
      gen,
      baseMark: this.mark(`${doc.name}.json`),
      baseBytes: bytes.length,
      logMark: undefined,
      logValid: 0,
    });
  }

  private async writeBytes(name: string, bytes: Uint8Array): Promise<void> {
    await this.options.fs.writeWhole(name, bytes);
    this.bytesWritten += bytes.length;
  }

  /** What changed between two reads of a list, by item key. */
  private classify(doc: Doc, before: unknown, after: unknown): ElsewhereChange | undefined {
    const keyOf = this.keyOf(doc);
    const byKey = (list: unknown) => new Map<string, unknown>((Array.isArray(list) ? (list as unknown[]) : []).map((v) => [keyOf(v), v]));
    const was = byKey(before);
    const now = byKey(after);
    const added: string[] = [];
    const removed: string[] = [];
    const updated: string[] = [];
    const keys = new Set([...was.keys(), ...now.keys()]);
    for (const k of keys) {
      const a = was.get(k);
      const b = now.get(k);
      if (!was.has(k)) {
        added.push(k);
      } else if (!now.has(k)) {
        removed.push(k);
      } else if (a !== b && stringify(a) !== stringify(b)) {
        updated.push(k);
      }
    }
    return added.length + removed.length + updated.length > 0 ? { key: doc.key, added, removed, updated } : undefined;
  }

  private report(key: string, problem: string): void {
    const id = `${key}\n${problem}`;
    if (this.reported.has(id)) {
      return;
    }
    this.reported.add(id);
    this.problems.push({ key, problem });
    this.problemListeners.forEach((l) => l(key, problem));
  }
}

/**
 * The change from `prev` to `next` as items put and keys deleted, when replaying it on `prev`
 * gives `next` (items kept in their order, new ones at the end, no key twice); 'order' when not.
 */
export function diff(
  prev: readonly unknown[],
  next: readonly unknown[],
  keyOf: (item: unknown) => string,
  unique?: WeakSet<readonly unknown[]>,
): { put?: unknown[]; del?: string[] } | 'same' | 'order' {
  if (unique?.has(prev) && prev.length === next.length) {
    // the common case, a batch of statuses: the same keys in the same places, most items the same objects
    const put: unknown[] = [];
    let aligned = true;
    for (const [i, a] of prev.entries()) {
      const b = next[i];
      if (a === b) {
        continue;
      }
      if (keyOf(a) !== keyOf(b)) {
        aligned = false;
        break;
      }
      if (stringify(a) !== stringify(b)) {
        put.push(b);
      }
    }
    if (aligned) {
      unique.add(next);
      return put.length > 0 ? { put } : 'same';
    }
  }
  const at = new Map<string, number>();
  for (let i = 0; i < prev.length; i++) {
    const k = keyOf(prev[i]);
    if (at.has(k)) {
      return 'order';
    }
    at.set(k, i);
  }
  const put: unknown[] = [];
  const seen = new Set<string>();
  let last = -1;
  let fresh = false;
  for (const item of next) {
    const k = keyOf(item);
    if (seen.has(k)) {
      return 'order';
    }
    seen.add(k);
    const i = at.get(k);
    if (i === undefined) {
      fresh = true;
      put.push(item);
      continue;
    }
    if (fresh || i < last) {
      return 'order';
    }
    last = i;
    if (item !== prev[i] && stringify(item) !== stringify(prev[i])) {
      put.push(item);
    }
  }
  unique?.add(next);
  const del = [...at.keys()].filter((k) => !seen.has(k));
  if (put.length === 0 && del.length === 0) {
    return 'same';
  }
  return { ...(put.length > 0 ? { put } : {}), ...(del.length > 0 ? { del } : {}) };
}

const GONE = Symbol('gone');

/** `records` replayed on `items`: a put replaces the item with its key in place or adds it at the end, a del removes it. */
function applyRecords(
  items: readonly unknown[],
  records: readonly { put?: unknown[]; del?: unknown[] }[],
  keyOf: (item: unknown) => string,
): { items: unknown[]; change: Omit<ElsewhereChange, 'key'> } {
  const out: unknown[] = [...items];
  const at = new Map<string, number>();
  out.forEach((v, i) => at.set(keyOf(v), i));
  /** Whether each touched key was there before the records. */
  const was = new Map<string, boolean>();
  const touch = (key: string) => {
    if (!was.has(key)) {
      was.set(key, at.has(key));
    }
  };
  for (const record of records) {
    for (const k of record.del ?? []) {
      const key = String(k);
      touch(key);
      const i = at.get(key);
      if (i !== undefined) {
        out[i] = GONE;
        at.delete(key);
      }
    }
    for (const item of record.put ?? []) {
      const key = keyOf(item);
      touch(key);
      const i = at.get(key);
      if (i === undefined) {
        at.set(key, out.length);
        out.push(item);
      } else {
        out[i] = item;
      }
    }
  }
  const added: string[] = [];
  const removed: string[] = [];
  const updated: string[] = [];
  for (const [key, before] of was) {
    const now = at.has(key);
    if (before && now) {
      updated.push(key);
    } else if (now) {
      added.push(key);
    } else if (before) {
      removed.push(key);
    }
  }
  return { items: out.filter((v) => v !== GONE), change: { added, removed, updated } };
}
