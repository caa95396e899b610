/**
 * A list's log: `<name>.log`, a first line `{"gen":n}` (the list file it follows), then one line
 * per change, `{"put":[items…],"del":[item keys…]}`, appended; a change costs what it changed.
 * When the log outgrows the list it is folded into a new `<name>.json` (gen n+1) and started
 * again. A line cut short by a crash (no newline) is not read, and cut off before the next append.
 * Also what a change is told as, by item key.
 */
import { type ElsewhereChange } from './sharedStore';
import { type Doc, type DocWriter, NEWLINE, type StoreFs, encoder, itemKeyOf, parseLine, stringify } from './fileFormat';

/** A log's first line, for a list file of generation `gen`. */
export const logHeader = (gen: number): Uint8Array => encoder.encode(`${JSON.stringify({ gen })}\n`);

/** Applies the log's whole lines not read yet; a log of another generation is not this list's. */
export function readLog(fs: StoreFs, doc: Doc, mark: string | undefined): Omit<ElsewhereChange, 'key'> | undefined {
  doc.logMark = mark;
  const from = doc.logValid;
  const bytes = doc.keyOf && fs.read(`${doc.name}.log`, from);
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
    const gen = parseLine(bytes.subarray(0, end))?.gen;
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
    const record = parseLine(bytes.subarray(at, end));
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
  const applied = applyRecords(Array.isArray(doc.value) ? doc.value : [], records, itemKeyOf(doc));
  doc.value = applied.items;
  return applied.change;
}

/** Appends a line to the log (started with its generation's line when there is none); the bytes appended. */
export async function appendLog(w: DocWriter, doc: Doc, line: Uint8Array): Promise<number> {
  const fs = w.fs;
  let appended = 0;
  const name = `${doc.name}.log`;
  if (doc.logValid === 0) {
    const header = logHeader(doc.gen);
    const bytes = new Uint8Array(header.length + line.length);
    bytes.set(header);
    bytes.set(line, header.length);
    await w.writeBytes(name, bytes);
    doc.logValid = bytes.length;
  } else {
    const size = fs.stat(name)?.size ?? 0;
    if (size > doc.logValid) {
      await fs.truncate(name, doc.logValid); // a line cut short by a crash
    }
    await fs.append(name, line);
    appended = line.length;
    doc.logValid += line.length;
  }
  doc.logMark = fs.stat(name)?.mark;
  return appended;
}

/** What changed between two reads of a list, by item key. */
export function classify(doc: Doc, before: unknown, after: unknown): ElsewhereChange | undefined {
  const keyOf = itemKeyOf(doc);
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
