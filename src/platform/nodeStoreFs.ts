/**
 * The file store's folder on Node's file system (globalStorageUri's fsPath: on the remote machine
 * in a remote window). The lock is proper-lockfile's: a directory `<name>.lock` made atomically,
 * its time kept fresh by its holder while held. Whether a lock is dead is judged here, not by
 * proper-lockfile: a lock whose time has not changed for `staleMs` (watched on this process's
 * monotonic clock) is a dead window's and is taken over, whatever its time says compared with this
 * machine's clock (a clock stepped back, a shared folder with a machine whose clock is ahead); a
 * live holder moves its lock's time every `staleMs / 2`, so its lock is never taken.
 */
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import * as lockfile from 'proper-lockfile';
import { type Disposable } from '../core/base/events';
import { type StoreFs } from '../core/state/fileStore';

export interface NodeStoreFsOptions {
  /** A lock whose time does not change for this long is taken over (at least 2,000 ms; its holder moves it every half of it). */
  readonly staleMs?: number;
  /** How long a change waits for a live holder before it fails with ELOCKED (2 × staleMs when not given). */
  readonly waitMs?: number;
  /** What happens when a lock held here was taken over (this window was stalled too long). */
  readonly onCompromised?: (error: Error) => void;
  /** A monotonic clock in ms (tests give their own). */
  readonly now?: () => number;
  /** Waits between two tries of a lock (tests give their own). */
  readonly sleep?: (ms: number) => Promise<void>;
  /** The wall clock, for the age of temporary files (tests give their own). */
  readonly wallNow?: () => number;
}

/** proper-lockfile's own staleness (its lock's time compared with now) is never reached: this file judges it. */
const NEVER_STALE = 2 ** 31 - 1;

/** Retried on Windows, where a rename over a file another process has open fails for a moment. */
const BUSY = new Set(['EPERM', 'EBUSY', 'EACCES']);

/** How a whole write's temporary file ends: `<name>.<12 hex digits>.tmp`. */
const TEMP = '.tmp';

async function retried<T>(run: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      if (attempt >= 5 || !BUSY.has((error as NodeJS.ErrnoException).code ?? '')) {
        throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, 10 * 2 ** attempt));
    }
  }
}

/** What changes whenever a lock's holder moves its time (or another lock takes its place); undefined when there is none. */
function lockMark(lockPath: string): string | undefined {
  try {
    const s = fs.statSync(lockPath, { bigint: true });
    return `${s.mtimeNs}:${s.ino}:${s.ctimeNs}`;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return undefined;
    }
    throw error;
  }
}

export class NodeStoreFs implements StoreFs {
  constructor(
    readonly folder: string,
    private readonly options: NodeStoreFsOptions = {},
  ) {
    fs.mkdirSync(folder, { recursive: true });
  }

  private at(name: string): string {
    return path.join(this.folder, name);
  }

  read(name: string, from = 0): Uint8Array | undefined {
    let fd: number;
    try {
      fd = fs.openSync(this.at(name), 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        return undefined;
      }
      throw error;
    }
    try {
      const size = fs.fstatSync(fd).size;
      const buffer = Buffer.alloc(Math.max(0, size - from));
      let done = 0;
      while (done < buffer.length) {
        const n = fs.readSync(fd, buffer, done, buffer.length - done, from + done);
        if (n === 0) {
          break;
        }
        done += n;
      }
      return buffer.subarray(0, done);
    } finally {
      fs.closeSync(fd);
    }
  }

  stat(name: string): { mark: string; size: number } | undefined {
    try {
      const s = fs.statSync(this.at(name), { bigint: true });
      return { mark: `${s.size}:${s.mtimeNs}:${s.ino}:${s.ctimeNs}`, size: Number(s.size) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        return undefined;
      }
      throw error;
    }
  }

  async append(name: string, bytes: Uint8Array): Promise<void> {
    await fs.promises.appendFile(this.at(name), bytes);
  }

  async truncate(name: string, size: number): Promise<void> {
    await fs.promises.truncate(this.at(name), size);
  }

  async writeWhole(name: string, bytes: Uint8Array): Promise<void> {
    const temp = this.at(`${name}.${randomBytes(6).toString('hex')}${TEMP}`);
    try {
      const file = await fs.promises.open(temp, 'wx');
      try {
        await file.writeFile(bytes);
        await file.sync();
      } finally {
        await file.close();
      }
      await retried(() => fs.promises.rename(temp, this.at(name)));
    } catch (error) {
      // any failure (a full disk, an I/O error, a close or a rename that failed): no temporary file stays
      await fs.promises.rm(temp, { force: true }).catch(() => undefined);
      throw error;
    }
  }

  async remove(name: string): Promise<void> {
    await retried(() => fs.promises.rm(this.at(name), { force: true }));
  }

  async moveAside(name: string): Promise<string> {
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    for (let n = 0; ; n++) {
      const aside = `${name}.unreadable-${stamp}${n > 0 ? `-${n}` : ''}`;
      try {
        await fs.promises.access(this.at(aside));
        continue; // taken: never written over
      } catch {
        // free
      }
      await retried(() => fs.promises.rename(this.at(name), this.at(aside)));
      return aside;
    }
  }

  /**
   * Takes the lock of `name`: tries proper-lockfile's lock, and while another holds it watches the
   * lock's time; a time unchanged for `staleMs` is a dead holder's, whose lock is removed and taken.
   */
  async lock(name: string): Promise<() => Promise<void>> {
    const lockPath = this.at(`${name}.lock`);
    const now = this.options.now ?? (() => performance.now());
    const sleep = this.options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
    const deadline = now() + (this.options.waitMs ?? 2 * this.staleMs);
    for (let attempt = 0; ; attempt++) {
      try {
        return await lockfile.lock(this.at(name), {
          realpath: false,
          lockfilePath: lockPath,
          stale: NEVER_STALE,
          update: this.staleMs / 2,
          retries: 0,
          onCompromised: (error) => this.options.onCompromised?.(error),
        });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') {
          throw error;
        }
      }
      if (await this.takeOverIfDead(lockPath, now())) {
        continue;
      }
      if (now() >= deadline) {
        throw Object.assign(new Error('Lock file is already being held'), { code: 'ELOCKED', file: this.at(name) });
      }
      await sleep(Math.min(50, 2 * 1.3 ** attempt) * (1 + Math.random()));
    }
  }

  private get staleMs(): number {
    return Math.max(2000, this.options.staleMs ?? 10_000);
  }

  /** The last time seen of each lock held by another, and since when (this process's clock). */
  private readonly seen = new Map<string, { mark: string; since: number }>();

  /** Whether the lock at `lockPath` was a dead holder's and is gone now (true too when it went meanwhile). */
  private async takeOverIfDead(lockPath: string, at: number): Promise<boolean> {
    const mark = lockMark(lockPath);
    if (mark === undefined) {
      this.seen.delete(lockPath);
      return true; // let go meanwhile: try again at once
    }
    const seen = this.seen.get(lockPath);
    if (seen?.mark !== mark) {
      this.seen.set(lockPath, { mark, since: at }); // a new lock, or its holder moved its time: alive
      return false;
    }
    if (at - seen.since < this.staleMs) {
      return false;
    }
    this.seen.delete(lockPath);
    if (lockMark(lockPath) !== mark) {
      return false; // moved just now: alive after all
    }
    await fs.promises.rm(lockPath, { recursive: true, force: true });
    return true;
  }

  /**
   * Removes the temporary files of whole writes (`<name>.<12 hex digits>.tmp`) older than
   * `olderThanMs`: a window that crashed mid-write left them. A younger one may be another
   * window's write under way. Resolves to the names removed.
   */
  async sweepTemporary(olderThanMs = 5 * 60_000): Promise<string[]> {
    const now = (this.options.wallNow ?? Date.now)();
    const removed: string[] = [];
    for (const name of await fs.promises.readdir(this.folder)) {
      if (!/\.[0-9a-f]{12}\.tmp$/.test(name)) {
        continue;
      }
      try {
        const s = await fs.promises.stat(this.at(name));
        if (s.isFile() && now - s.mtimeMs > olderThanMs) {
          await fs.promises.rm(this.at(name), { force: true });
          removed.push(name);
        }
      } catch {
        // gone meanwhile (renamed into place, or swept by another window)
      }
    }
    return removed;
  }

  list(): string[] {
    return fs.readdirSync(this.folder);
  }

  watch(onChange: (name: string | undefined) => void): Disposable {
    let watcher: fs.FSWatcher | undefined;
    try {
      watcher = fs.watch(this.folder, { persistent: false }, (_event, name) => onChange(name ?? undefined));
      watcher.on('error', () => watcher?.close()); // the poll goes on
    } catch {
      watcher = undefined; // no file events here (some remote or network file systems): the poll sees changes
    }
    return { dispose: () => watcher?.close() };
  }
}
