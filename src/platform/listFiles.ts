/**
 * The remembered lists in files under the extension's global storage folder (on the remote
 * machine in a remote window), shared safely by the windows; everything else stays in
 * globalState. Built once at activation: the lists move from globalState on the first start.
 */
import { PARTIAL_DOWNLOADS_KEY, type PartialDownload, partOf } from '../core/download/partialStore';
import { type Disposable } from '../core/base/events';
import { FileStore, type FileStoreOptions } from '../core/state/fileStore';
import { type KeyValueStore } from '../core/state/keyValueStore';
import { isRecord } from '../core/state/listStore';
import { type MigrationOutcome, isListKey, migrateToFiles, routedStore } from '../core/state/storeRouting';
import { type SharedKeyValueStore } from '../core/state/sharedStore';
import { TRACKED_KEY } from '../core/state/trackedVersions';
import { FOLLOWED_KEY } from '../core/state/followedModels';
import { PENDING_EXPORTS_KEY } from '../core/work/exportTasks';
import { NodeStoreFs } from './nodeStoreFs';

const field = (name: string) => (item: unknown) => (isRecord(item) && typeof item[name] === 'string' ? item[name] : undefined);

/** The lists kept in files, each with the key its items are known by (the key their store replaces and removes by). */
export const LIST_KEYS: FileStoreOptions['lists'] = {
  [TRACKED_KEY]: field('modelId'),
  [FOLLOWED_KEY]: field('modelSetId'),
  [PENDING_EXPORTS_KEY]: field('modelId'),
  [PARTIAL_DOWNLOADS_KEY]: (item) =>
    isRecord(item) && typeof item.target === 'string' ? partOf(item as unknown as Pick<PartialDownload, 'target' | 'part'>) : undefined,
};

export interface ListFiles {
  /** The folder of the files. */
  readonly folder: string;
  readonly files: FileStore;
  /** The lists in files, the rest in globalState. */
  readonly store: SharedKeyValueStore;
  /** The move from globalState (reads go to globalState's value until a key's file is there). */
  readonly migrated: Promise<MigrationOutcome>;
  /** File events and the poll that bring other windows' changes. */
  readonly watching: Disposable;
  /** The temporary files of writes cut short (a crash) swept from the folder, by name. */
  readonly swept: Promise<string[]>;
}

export interface OpenListFilesOptions {
  readonly pollMs?: number;
  readonly onCompromised?: (error: Error) => void;
  /**
   * Runs what the first paint does not need (the move from globalState, the watch and its poll,
   * the sweep of temporary files) once activation is over: `setTimeout(run, 0)` when not given.
   */
  readonly later?: (run: () => void) => Disposable;
}

const afterActivation = (run: () => void): Disposable => {
  const timer = setTimeout(run, 0);
  return { dispose: () => clearTimeout(timer) };
};

/**
 * The store on `folder`. Activation pays only for making the folder: a list file is read when the
 * list is first asked for (the tree's root reads the tracked versions), and the rest starts after.
 */
export function openListFiles(folder: string, globalState: KeyValueStore & { keys(): readonly string[] }, options: OpenListFilesOptions = {}): ListFiles {
  const storeFs = new NodeStoreFs(folder, { onCompromised: options.onCompromised });
  const files = new FileStore({
    fs: storeFs,
    lists: LIST_KEYS,
    legacy: (key) => globalState.get(key),
  });
  const toFiles = (key: string) => isListKey(LIST_KEYS, key);
  let watch: Disposable | undefined;
  let disposed = false;
  let started: (() => void) | undefined;
  const start = new Promise<void>((resolve) => (started = resolve));
  const pending = (options.later ?? afterActivation)(() => {
    if (disposed) {
      return;
    }
    watch = files.watch(options.pollMs ?? 2000);
    files.refresh(); // what another window wrote before the watch began
    started?.();
  });
  return {
    folder,
    files,
    store: routedStore(files, globalState, toFiles),
    migrated: start.then(() => migrateToFiles(files, globalState, toFiles)),
    watching: {
      dispose: () => {
        disposed = true;
        pending.dispose();
        watch?.dispose();
      },
    },
    swept: start.then(() => storeFs.sweepTemporary()),
  };
}
