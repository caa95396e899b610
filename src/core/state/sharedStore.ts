/**
 * A KeyValueStore that several windows share safely: each change is a read-modify-write of the
 * freshest value under a lock the windows share, and what another window changed is told.
 * The file store (fileStore.ts) is one; ListStore uses these parts when its store has them.
 */
import { type Disposable } from '../base/events';
import { type KeyValueStore } from './keyValueStore';

/** What changed in a list under `key` elsewhere (another window), by the keys of its items. */
export interface ElsewhereChange {
  readonly key: string;
  readonly added: readonly string[];
  readonly removed: readonly string[];
  readonly updated: readonly string[];
}

/** What a change makes of the freshest value: the value to write and a result, or undefined to write nothing. */
export type Change<R> = (current: unknown) => { readonly value: unknown; readonly result: R } | undefined;

export interface SharedKeyValueStore extends KeyValueStore {
  /** Reads the freshest value under the shared lock, applies `change` and writes what it returns, before the lock is let go. */
  change<R>(key: string, change: Change<R>): Promise<R | undefined>;
  /** Changes made by another window, as this one learns of them. */
  onDidChangeElsewhere(listener: (change: ElsewhereChange) => void): Disposable;
  /** Problems met in what is stored (a file kept aside…), each once, with the key they belong to; earlier ones are replayed. */
  onProblem(listener: (key: string, problem: string) => void): Disposable;
}

export function isShared(store: KeyValueStore): store is SharedKeyValueStore {
  const s = store as Partial<SharedKeyValueStore>;
  return typeof s.change === 'function' && typeof s.onDidChangeElsewhere === 'function' && typeof s.onProblem === 'function';
}
