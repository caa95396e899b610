/**
 * A list kept under one key of a KeyValueStore (globalState), shared by windows:
 * - every entry is checked by one function, on read and on write alike;
 * - what cannot be read is never dropped: unreadable entries are written back as they were,
 *   a stored value that is not a list is kept under `<key>.unreadable`; each problem is
 *   reported once;
 * - every change re-reads the list right before it writes, one change at a time per store;
 *   on a store windows share (the file store), the read and the write are one step under their
 *   shared lock, and what another window changed is told (`onDidChangeElsewhere`).
 */
import { type Disposable } from '../base/events';
import { type KeyValueStore } from './keyValueStore';
import { type ElsewhereChange, isShared } from './sharedStore';

/** A clean entry, or undefined when the value cannot be read as one. */
export type Normalize<T> = (value: unknown) => T | undefined;

const queues = new WeakMap<KeyValueStore, Promise<void>>();

/** Runs changes to one KeyValueStore one after another, so none works from a stale read. */
function serialized<R>(kv: KeyValueStore, change: () => Promise<R>): Promise<R> {
  const run = (queues.get(kv) ?? Promise.resolve()).then(change);
  queues.set(
    kv,
    run.then(
      () => undefined,
      () => undefined,
    ),
  );
  return run;
}

interface Snapshot<T> {
  readonly items: T[];
  readonly unreadable: unknown[];
  /** The stored value when it is there but not a list. */
  readonly notAList?: unknown;
}

export class ListStore<T> {
  private readonly reported = new Set<string>();
  /** The last read, kept while the store hands back the same stored value (a Memento does until it changes). */
  private cache?: { readonly raw: unknown; readonly snapshot: Snapshot<T> };
  private readonly problems: string[] = [];
  /** Each stored entry read (entries are never changed in place), with what it reads as. */
  private memo = new WeakMap<object, T>();
  private readonly listeners = new Set<(problem: string) => void>();

  constructor(
    private readonly kv: KeyValueStore,
    readonly key: string,
    private readonly normalize: Normalize<T>,
    private readonly what: string,
  ) {
    if (isShared(kv)) {
      kv.onProblem((key, problem) => {
        if (key === this.key || key === this.unreadableKey) {
          this.report(`${this.what}: ${problem}`);
        }
      });
    }
  }

  /** Changes another window made to this list (by the keys the shared store knows its items by). */
  onDidChangeElsewhere(listener: (change: ElsewhereChange) => void): Disposable {
    if (!isShared(this.kv)) {
      return { dispose: () => undefined };
    }
    return this.kv.onDidChangeElsewhere((change) => {
      if (change.key === this.key) {
        listener(change);
      }
    });
  }

  get unreadableKey(): string {
    return `${this.key}.unreadable`;
  }

  list(): T[] {
    return [...this.read().items];
  }

  /** Reads the stored value afresh next time, as a new window would. */
  forgetRead(): void {
    this.cache = undefined;
    this.memo = new WeakMap();
  }

  /** The entries without a copy: for reads of a large list that change nothing. */
  view(): readonly T[] {
    return this.read().items;
  }

  /** Applies `change` to a fresh read and writes the result; undefined from `change` writes nothing. */
  update<R>(change: (items: T[]) => { items: T[]; result: R } | undefined): Promise<R | undefined> {
    const kv = this.kv;
    if (isShared(kv)) {
      return serialized(kv, async () => {
        let wrote: { readonly raw: unknown[]; readonly snapshot: Snapshot<T> } | undefined;
        const result = await kv.change(this.key, (raw) => {
          const snapshot = this.snapshotOf(raw);
          if (snapshot.notAList !== undefined) {
            // a shared store keeps a value that is not a list aside itself: never written over here
            throw new Error(`${this.what}: the stored value is not a list`);
          }
          const next = change([...snapshot.items]);
          if (!next) {
            return undefined;
          }
          const value = [...next.items, ...snapshot.unreadable];
          wrote = { raw: value, snapshot: { items: next.items, unreadable: snapshot.unreadable } };
          return { value, result: next.result };
        });
        if (wrote && kv.get(this.key) === wrote.raw) {
          this.cache = wrote; // the items just written, as they are: the next change compares them by identity
        }
        return result;
      });
    }
    return serialized(this.kv, async () => {
      const snapshot = this.read();
      const next = change([...snapshot.items]);
      if (!next) {
        return undefined;
      }
      if (snapshot.notAList !== undefined) {
        await this.kv.update(this.unreadableKey, [...this.keptAside(), snapshot.notAList]);
      }
      await this.kv.update(this.key, [...next.items, ...snapshot.unreadable]);
      return next.result;
    });
  }

  /** Puts `entry` in place of the item with the same key (or adds it at the end). */
  async replace(entry: T, keyOf: (item: T) => string): Promise<void> {
    const key = keyOf(entry);
    await this.update((current) => ({ items: [...current.filter((item) => keyOf(item) !== key), entry], result: true }));
  }

  /** Removes the item with this key; writes nothing when there is none. */
  async removeKey(key: string, keyOf: (item: T) => string): Promise<void> {
    await this.update((current) => {
      const items = current.filter((item) => keyOf(item) !== key);
      return items.length === current.length ? undefined : { items, result: true };
    });
  }

  /** Each problem met in the stored value, once; those met before the listener came are replayed. */
  onProblem(listener: (problem: string) => void): { dispose(): void } {
    this.problems.forEach((p) => listener(p));
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  private read(): Snapshot<T> {
    return this.snapshotOf(this.kv.get<unknown>(this.key));
  }

  private snapshotOf(raw: unknown): Snapshot<T> {
    if (this.cache && this.cache.raw === raw && raw !== undefined && raw !== null) {
      return this.cache.snapshot;
    }
    const snapshot = this.readFresh(raw);
    this.cache = { raw, snapshot };
    return snapshot;
  }

  /** An entry read before is not checked again: a store that reads another window's change keeps the entries it did not change. */
  private normalized(value: unknown): T | undefined {
    if (typeof value !== 'object' || value === null) {
      return this.normalize(value);
    }
    const known = this.memo.get(value);
    if (known !== undefined) {
      return known;
    }
    const item = this.normalize(value);
    if (item !== undefined) {
      this.memo.set(value, item);
    }
    return item;
  }

  private readFresh(raw: unknown): Snapshot<T> {
    if (raw === undefined || raw === null) {
      return { items: [], unreadable: [] };
    }
    if (!Array.isArray(raw)) {
      this.report(`${this.what}: the stored value is not a list; it is kept under ${this.unreadableKey} and a new list is started`);
      return { items: [], unreadable: [], notAList: raw };
    }
    const items: T[] = [];
    const unreadable: unknown[] = [];
    for (const value of raw as unknown[]) {
      const item = this.normalized(value);
      if (item === undefined) {
        unreadable.push(value);
      } else {
        items.push(item);
      }
    }
    if (unreadable.length > 0) {
      this.report(`${this.what}: ${unreadable.length} stored entries could not be read; they are kept as they are`);
    }
    return { items, unreadable };
  }

  private keptAside(): unknown[] {
    const kept = this.kv.get<unknown>(this.unreadableKey);
    return Array.isArray(kept) ? (kept as unknown[]) : kept === undefined ? [] : [kept];
  }

  private report(problem: string): void {
    if (this.reported.has(problem)) {
      return;
    }
    this.reported.add(problem);
    this.problems.push(problem);
    this.listeners.forEach((l) => l(problem));
  }
}

/** An optional string field: kept when it is a non-empty string that passes `valid`, else left out. */
export function optionalText(value: unknown, valid: (s: string) => boolean = () => true): string | undefined {
  return typeof value === 'string' && value !== '' && valid(value) ? value : undefined;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The object without its undefined fields (so stored entries compare and serialize cleanly). */
export function withoutUndefined<V extends object>(value: V): V {
  // a plain loop: Object.fromEntries(Object.entries(…)) cost most of reading a list of 40,000
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const v = (value as Record<string, unknown>)[key];
    if (v !== undefined) {
      out[key] = v;
    }
  }
  return out as V;
}
