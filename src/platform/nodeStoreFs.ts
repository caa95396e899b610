/**
 * The file store's folder on Node's file system (globalStorageUri's fsPath: on the remote machine
 * in a remote window). The lock is proper-lockfile's: a directory `<name>.lock` made atomically,
 * its time kept fresh while held; one older than `staleMs` (a window that died) is taken over.
 */
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import * as lockfile from 'proper-lockfile';
import { type Disposable } from '../core/base/events';
import { type StoreFs } from '../core/state/fileStore';

export interface NodeStoreFsOptions {
  /** A lock not kept fresh for this long is taken over (proper-lockfile: at least 2,000 ms). */
  readonly staleMs?: number;
  /** What happens when a lock held here was taken over (this window was stalled too long). */
  readonly onCompromised?: (error: Error) => void;
}

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

  lock(name: string): Promise<() => Promise<void>> {
    return lockfile.lock(this.at(name), {
      realpath: false,
      lockfilePath: this.at(`${name}.lock`),
      stale: this.options.staleMs ?? 10_000,
      retries: { retries: 400, factor: 1.3, minTimeout: 2, maxTimeout: 50, randomize: true },
      onCompromised: (error) => this.options.onCompromised?.(error),
    });
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
