/**
 * The remembered lists in files that windows share (VS Code keeps an extension's globalState as
 * one value: a window's write replaces what another wrote a moment before, and every write
 * stores all of it).
 *
 * One document per key, in a list file and, for lists, an append-only log (the format in
 * fileFormat.ts, the log in fileLog.ts). Every change reads the files afresh and writes under a
 * lock the windows share (a window that died leaves a lock that is taken over after a while, the
 * port's business). What another window wrote is read when the files are seen to change
 * (`refresh`: on a file event or a poll, fileWatch.ts), and told by item key. A file that cannot
 * be read is never written over (fileRepair.ts). The values from before the files are moved in
 * once (fileMigration.ts).
 */
import { Emitter, type Disposable } from '../base/events';
import { type Change, type ElsewhereChange, type SharedKeyValueStore } from './sharedStore';
import { type Doc, type DocWriter, type ItemKey, type StoreFs, encodeBase, encoder, fileNameOf, itemKeyOf, parseBase, unscopedKey } from './fileFormat';
import { appendLog, classify, diff, readLog } from './fileLog';
import { type AdoptOutcome, adoptLegacy, keepLegacyAside } from './fileMigration';
import { repair } from './fileRepair';
import { watchFolder } from './fileWatch';

export { type ItemKey, type StoreFs, fileNameOf, unscopedKey } from './fileFormat';
export { diff } from './fileLog';

export interface FileStoreOptions {
  readonly fs: StoreFs;
  /** Keys (before any `@profile`) whose value is a list, each with the key of its items. */
  readonly lists: Readonly<Record<string, ItemKey>>;
  /** The value there was before the files (globalState's), read while a key has no file yet. */
  readonly legacy?: (key: string) => unknown;
  /** The most bytes the log grows to before it is folded into the list file (from the list file's size). */
  readonly compactAt?: (baseBytes: number) => number;
}

const defaultCompactAt = (baseBytes: number) => Math.max(64 * 1024, baseBytes);

export class FileStore implements SharedKeyValueStore {
  private readonly docs = new Map<string, Doc>();
  private readonly changes = new Emitter<ElsewhereChange>();
  private readonly problems: { key: string; problem: string }[] = [];
  private readonly problemListeners = new Set<(key: string, problem: string) => void>();
  private readonly reported = new Set<string>();
  private readonly compactAt: (baseBytes: number) => number;
  /** Lists whose items are known to have a key each, none twice. */
  private readonly unique = new WeakSet<readonly unknown[]>();
  /** What the log, the repair and the migration write and report through. */
  private readonly writer: DocWriter;
  /** Bytes this store wrote, for the benchmark and the log. */
  bytesWritten = 0;

  constructor(private readonly options: FileStoreOptions) {
    this.compactAt = options.compactAt ?? defaultCompactAt;
    this.writer = {
      fs: options.fs,
      writeBytes: (name, bytes) => this.writeBytes(name, bytes),
      writeBase: (doc, value) => this.writeBase(doc, value),
      report: (key, problem) => this.report(key, problem),
    };
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
          await keepLegacyAside(this.writer, doc, legacy); // before a list is written where it was
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
  adopt(key: string, value: unknown): Promise<AdoptOutcome> {
    return this.locked(this.doc(key), (doc) => adoptLegacy(this.writer, doc, value));
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
    return watchFolder(this.options.fs, () => this.refresh(), pollMs);
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
          await repair(this.writer, doc);
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
    const records = logMark !== doc.logMark && doc.corrupt !== 'base' ? readLog(this.options.fs, doc, logMark) : undefined;
    doc.loaded = true;
    if (!wasLoaded || !doc.keyOf) {
      return undefined;
    }
    if (incremental) {
      // only the log grew: its lines say what changed
      return records && records.added.length + records.removed.length + records.updated.length > 0 ? { key: doc.key, ...records } : undefined;
    }
    return classify(doc, before, doc.value);
  }

  /** What changes whenever the file does; undefined when there is no such file. */
  private mark(name: string): string | undefined {
    return this.options.fs.stat(name)?.mark;
  }

  private readBase(doc: Doc, mark: string | undefined): void {
    const bytes = this.options.fs.read(`${doc.name}.json`);
    doc.baseMark = mark;
    doc.baseBytes = bytes?.length ?? 0;
    const parsed = bytes && parseBase(bytes, doc);
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

  private async write(doc: Doc, next: unknown): Promise<void> {
    const fs = this.options.fs;
    if (next === undefined) {
      await fs.remove(`${doc.name}.json`);
      await fs.remove(`${doc.name}.log`);
      Object.assign(doc, { value: undefined, gen: 0, baseMark: undefined, baseBytes: 0, logMark: undefined, logValid: 0 });
      return;
    }
    if (doc.keyOf && doc.gen > 0 && Array.isArray(doc.value) && Array.isArray(next)) {
      const delta = diff(doc.value, next, itemKeyOf(doc), this.unique);
      if (delta === 'same') {
        doc.value = next;
        return;
      }
      if (delta !== 'order') {
        const line = encoder.encode(`${JSON.stringify(delta)}\n`);
        if (doc.logValid + line.length <= this.compactAt(doc.baseBytes)) {
          const appended = await appendLog(this.writer, doc, line); // (the log's first write is counted by writeBytes meanwhile)
          this.bytesWritten += appended;
          doc.value = next;
          return;
        }
      }
    }
    await this.writeBase(doc, next);
  }

  private async writeBase(doc: Doc, value: unknown): Promise<void> {
    const fs = this.options.fs;
    const gen = doc.gen + 1;
    const bytes = encodeBase(gen, value);
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
