/**
 * globalState and the file store side by side: the remembered lists (and what is kept aside of
 * them) go to the files, small settings-like values stay in globalState. The first start after
 * the update copies the lists from globalState into the files. The files are per machine (in a
 * remote window, on the remote machine) while globalState follows the user to every machine, so
 * globalState keeps its copy of a list as it was at the update: a window on another machine
 * starts from it instead of from nothing. Only a value that is not a list (kept in a file aside)
 * leaves globalState, once its file is written.
 */
import { type Disposable } from '../base/events';
import { type FileStore, unscopedKey } from './fileStore';
import { type KeyValueStore } from './keyValueStore';
import { type SharedKeyValueStore } from './sharedStore';

const ASIDE = '.unreadable';

/** Whether a key (of any profile) is one of `lists`, or what a ListStore keeps aside of one. */
export function isListKey(lists: Readonly<Record<string, unknown>>, key: string): boolean {
  const base = unscopedKey(key);
  return base in lists || (base.endsWith(ASIDE) && base.slice(0, -ASIDE.length) in lists);
}

/** One store: keys for which `toFiles` holds go to the files, the others to globalState. */
export function routedStore(files: FileStore, legacy: KeyValueStore, toFiles: (key: string) => boolean): SharedKeyValueStore {
  return {
    get: <T>(key: string) => (toFiles(key) ? files.get<T>(key) : legacy.get<T>(key)),
    update: async (key, value) => {
      if (!toFiles(key)) {
        await legacy.update(key, value);
        return;
      }
      await files.update(key, value);
      if (value === undefined && legacy.get(key) !== undefined) {
        await legacy.update(key, undefined); // cleared: what was there before the files never comes back
      }
    },
    change: async (key, change) => {
      if (toFiles(key)) {
        return files.change(key, change);
      }
      const out = change(legacy.get(key));
      if (out) {
        await legacy.update(key, out.value);
      }
      return out?.result;
    },
    onDidChangeElsewhere: (listener): Disposable => files.onDidChangeElsewhere(listener),
    onProblem: (listener): Disposable => files.onProblem(listener),
  };
}

export interface MigrationOutcome {
  /** Keys whose value this start wrote into the files (globalState keeps its copy for other machines). */
  readonly moved: string[];
  /** Keys whose file did not read back whole (reported by the store): the next start tries again. */
  readonly kept: string[];
}

/**
 * Copies every list key's value from globalState into the files where the files do not hold it
 * yet (another window may be doing the same: the first one writes, the other finds the file).
 * A value that is not a list is kept in a file aside, reported, and only then leaves globalState.
 */
export async function migrateToFiles(
  files: FileStore,
  legacy: KeyValueStore & { keys(): readonly string[] },
  toFiles: (key: string) => boolean,
): Promise<MigrationOutcome> {
  const moved: string[] = [];
  const kept: string[] = [];
  for (const key of legacy.keys().filter(toFiles)) {
    const value = legacy.get<unknown>(key);
    if (value === undefined) {
      continue;
    }
    switch (await files.adopt(key, value)) {
      case 'written':
        moved.push(key);
        break;
      case 'aside':
        await legacy.update(key, undefined); // kept in its file aside: it would go aside again at each start
        moved.push(key);
        break;
      case 'failed':
        kept.push(key);
        break;
      case 'already':
        break;
    }
  }
  return { moved, kept };
}
