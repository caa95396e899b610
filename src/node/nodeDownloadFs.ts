/** The download engine's file system over Node's fs. */
import { constants, createReadStream, promises as fsp } from 'fs';
import { type DownloadFs, type WritableFile } from '../core/download/types';

export class NodeDownloadFs implements DownloadFs {
  async openForWrite(path: string): Promise<WritableFile> {
    // Read-write, created when absent, never truncated here (a resume keeps what is there), and
    // never through a link: a `.part` that is a link (say to a file of the user's, or to one not
    // yet there) would have the download write, or create, its target. O_NOFOLLOW refuses it
    // where the system has it (ELOOP); the lstat covers the systems without it.
    if ((await fsp.lstat(path).catch(() => undefined))?.isSymbolicLink()) {
      throw Object.assign(new Error(`${path} is a link`), { code: 'ELOOP' });
    }
    const handle = await fsp.open(path, constants.O_RDWR | constants.O_CREAT | (constants.O_NOFOLLOW ?? 0), 0o666);
    return {
      write: async (data, position) => {
        let done = 0;
        while (done < data.byteLength) {
          const { bytesWritten } = await handle.write(data, done, data.byteLength - done, position + done);
          done += bytesWritten;
        }
      },
      truncate: (length) => handle.truncate(length),
      close: () => handle.close(),
    };
  }

  /** By lstat: a link is something there (a dangling one too), so a download passes it over or asks, never writes through it. */
  async size(path: string): Promise<number | undefined> {
    try {
      return (await fsp.lstat(path)).size;
    } catch (error) {
      if ((error as { code?: string }).code === 'ENOENT') {
        return undefined;
      }
      throw error;
    }
  }

  read(path: string, length: number): AsyncIterable<Uint8Array> {
    const empty = (async function* (): AsyncGenerator<Uint8Array> {})();
    return length > 0 ? (createReadStream(path, { start: 0, end: length - 1, highWaterMark: 1 << 20 }) as AsyncIterable<Uint8Array>) : empty;
  }

  rename(from: string, to: string): Promise<void> {
    return fsp.rename(from, to);
  }

  remove(path: string): Promise<void> {
    return fsp.rm(path, { force: true });
  }
}
