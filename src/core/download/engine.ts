/**
 * Downloads a finished export to a verified file: streamed to `<target>.part`, md5 and size
 * computed on the way (no second read), renamed into place only when both match. The `.part`
 * and its good length are remembered (PartialDownloadsStore) so that a later run resumes from
 * the same byte: after a dropped connection (inside one run), after Cancel, and after a reload.
 * A `.part` is used only by the remembered download that owns it (this profile's store, this
 * export's version, md5 and size): a `.part` no such entry owns (another profile's, another
 * export's, or one nobody remembers) is never truncated nor written; the download goes to
 * `<target> (n).part` instead, and remembers that name.
 * In one session the hash state of a cancelled download is kept in memory; after a reload it
 * cannot be restored (Node cannot serialize an MD5 state), so the kept `.part` is read once.
 */
import { CancelledError } from '../qianfan/errors';
import { DownloadError, diskError } from './errors';
import { type HasherFactory, type Md5Hasher, inlineHasher } from './hasher';
import { MAX_OTHER_PARTS, type PartialDownload, type PartialDownloadsStore, otherPartPath, partOf, partPath } from './partialStore';
import { type TransferOptions, WriteFailure, transfer } from './transfer';
import { checkDownloadUrl } from './url';
import { BlockWriter } from './writer';
import { type Clock, type DownloadFs, type StreamingHttp, type WritableFile } from './types';

/** The finished export to download (from DescribeModelExportTask). */
export interface ExportFile {
  readonly modelId: string;
  readonly exportId?: string;
  readonly fileName?: string;
  readonly fileSize: number;
  readonly md5: string;
  readonly downloadUrl: string;
}

export interface DownloadRequest {
  readonly file: ExportFile;
  /** The final path; the bytes go to `<target>.part` first. */
  readonly target: string;
  /** Whether an existing target may be replaced (the user was asked). */
  readonly overwrite: boolean;
  readonly signal: AbortSignal;
  /** A fresh export description, when the URL has expired; its md5 and size must not change. */
  readonly refresh: () => Promise<ExportFile>;
}

export type DownloadRunOptions = Pick<TransferOptions, 'onProgress' | 'maxRetries' | 'retryDelayMs' | 'stallMs' | 'maxUrlRefreshes' | 'progressIntervalMs'>;

export interface DownloadResult {
  readonly path: string;
  readonly bytes: number;
  readonly md5: string;
  /** The byte it resumed from (0 for a fresh start). */
  readonly resumedFrom: number;
  readonly attempts: number;
  readonly urlRefreshes: number;
}

export interface DownloaderDeps {
  readonly http: StreamingHttp;
  readonly fs: DownloadFs;
  readonly clock: Clock;
  readonly store: PartialDownloadsStore;
  readonly hasher?: HasherFactory;
  readonly log?: (line: string) => void;
}

export { partPath };

export class Downloader {
  /** Hash states of cancelled downloads in this session, by `.part` path. */
  private readonly suspended = new Map<string, { md5: string; hasher: Md5Hasher }>();
  private readonly running = new Set<string>();

  constructor(private readonly deps: DownloaderDeps) {}

  isRunning(target: string): boolean {
    return this.running.has(target);
  }

  async download(request: DownloadRequest, options: DownloadRunOptions = {}): Promise<DownloadResult> {
    if (this.running.has(request.target)) {
      throw new DownloadError('targetExists', `${request.target} is being downloaded already`, { path: request.target });
    }
    this.running.add(request.target);
    try {
      return await this.run(request, options);
    } finally {
      this.running.delete(request.target);
    }
  }

  dispose(): void {
    this.suspended.forEach((s) => s.hasher.dispose());
    this.suspended.clear();
  }

  private async run(request: DownloadRequest, options: DownloadRunOptions): Promise<DownloadResult> {
    const { fs, store } = this.deps;
    const f = request.file;
    const md5 = f.md5.toLowerCase();
    checkDownloadUrl(f.downloadUrl);
    if (!request.overwrite && (await fs.size(request.target)) !== undefined) {
      throw new DownloadError('targetExists', `${request.target} exists`, { path: request.target });
    }
    const { part, from } = await this.choosePart(request, md5);
    let file: WritableFile;
    try {
      file = await fs.openForWrite(part);
    } catch (error) {
      throw diskError('create', part, error, from > 0);
    }
    const entry = (bytes: number): PartialDownload => ({
      target: request.target,
      modelId: f.modelId,
      exportId: f.exportId,
      fileName: f.fileName,
      md5,
      fileSize: f.fileSize,
      part,
      bytes,
      updatedAt: this.deps.clock.now(),
    });
    let writer: BlockWriter | undefined;
    try {
      await file.truncate(from).catch((error: unknown) => Promise.reject(new WriteFailure(error)));
      writer = new BlockWriter(file, from, await this.hasherAt(part, md5, from));
      await store.put(entry(from));
      const { writer: done, stats } = await transfer(writer, f.downloadUrl, {
        ...options,
        http: this.deps.http,
        clock: this.deps.clock,
        fileSize: f.fileSize,
        signal: request.signal,
        log: this.deps.log,
        freshUrl: () => this.freshUrl(request, md5),
        restart: async () => {
          await writer!.finish().catch(() => undefined);
          writer!.hasher.dispose();
          await file.truncate(0);
          writer = new BlockWriter(file, 0, this.newHasher());
          return writer;
        },
        onCheckpoint: (bytes) => void store.put(entry(bytes)).catch(() => undefined),
      });
      writer = done;
      await writer.finish();
      await file.close();
      const actual = await writer.hasher.digest();
      writer.hasher.dispose();
      if (actual !== md5) {
        await this.forget(request.target, part);
        throw new DownloadError('md5Mismatch', `the file's md5 is ${actual}, not the export's ${md5}; the partial file was deleted`, { path: part });
      }
      await this.moveIntoPlace(request, part);
      await store.remove({ target: request.target, part });
      return { path: request.target, bytes: f.fileSize, md5: actual, resumedFrom: from, attempts: stats.attempts, urlRefreshes: stats.urlRefreshes };
    } catch (error) {
      throw await this.keepOrDrop(request, part, file, writer, entry, error);
    }
  }

  /**
   * The `.part` of this download and the byte it starts from: the remembered one of this export
   * (resumed from the shorter of its remembered length and its size on disk), else the first
   * name that is on disk nowhere and remembered by no other download (from 0).
   */
  private async choosePart(request: DownloadRequest, md5: string): Promise<{ part: string; from: number }> {
    const { fs, store } = this.deps;
    const own = store.owner(request.target, request.file.modelId, md5, request.file.fileSize);
    if (own) {
      const part = partOf(own);
      const size = await fs.size(part);
      return { part, from: size === undefined ? 0 : Math.min(size, own.bytes) };
    }
    const taken = new Set(store.list().map(partOf));
    for (let n = 0; n <= MAX_OTHER_PARTS; n++) {
      const part = n === 0 ? partPath(request.target) : otherPartPath(request.target, n);
      if (taken.has(part)) {
        this.deps.log?.(`${part} belongs to a remembered download of another export: it is left as it is`);
      } else if ((await fs.size(part)) !== undefined) {
        this.deps.log?.(`${part} belongs to no remembered download of this export (another profile's?): it is left as it is`);
      } else {
        return { part, from: 0 };
      }
    }
    throw new DownloadError('targetExists', `${request.target} has ${MAX_OTHER_PARTS + 1} partial downloads of other exports or profiles beside it`, {
      path: partPath(request.target),
    });
  }

  /** The hash of the first `from` bytes: kept in memory from a Cancel, or read once from the file. */
  private async hasherAt(part: string, md5: string, from: number): Promise<Md5Hasher> {
    const kept = this.suspended.get(part);
    this.suspended.delete(part);
    if (kept && kept.md5 === md5 && kept.hasher.bytes === from) {
      return kept.hasher;
    }
    kept?.hasher.dispose();
    const hasher = this.newHasher();
    if (from > 0) {
      this.deps.log?.(`Reading the first ${from} bytes of ${part} to resume its md5`);
      try {
        for await (const chunk of this.deps.fs.read(part, from)) {
          await hasher.update(chunk); // a promise when the hasher asks to wait
        }
      } catch (error) {
        hasher.dispose();
        throw new WriteFailure(error);
      }
    }
    return hasher;
  }

  private newHasher(): Md5Hasher {
    return (this.deps.hasher ?? inlineHasher)();
  }

  private async freshUrl(request: DownloadRequest, md5: string): Promise<string> {
    const fresh = await request.refresh();
    if (fresh.md5.toLowerCase() !== md5 || fresh.fileSize !== request.file.fileSize) {
      throw new DownloadError('http', 'the export changed on the server (another md5 or size): download it again from the start');
    }
    checkDownloadUrl(fresh.downloadUrl);
    return fresh.downloadUrl;
  }

  private async moveIntoPlace(request: DownloadRequest, part: string): Promise<void> {
    if (!request.overwrite && (await this.deps.fs.size(request.target)) !== undefined) {
      throw new DownloadError('targetExists', `${request.target} appeared while downloading; the download is kept in ${part}`, { path: request.target });
    }
    try {
      await this.deps.fs.rename(part, request.target);
    } catch (error) {
      throw diskError('rename the download to', request.target, error, true);
    }
  }

  /** After a failure: keep the `.part` (remembered) when a resume can use it, else remove it. */
  private async keepOrDrop(
    request: DownloadRequest,
    part: string,
    file: WritableFile,
    writer: BlockWriter | undefined,
    entry: (bytes: number) => PartialDownload,
    error: unknown,
  ): Promise<unknown> {
    await writer?.finish().catch(() => undefined);
    await file.close().catch(() => undefined);
    if (error instanceof DownloadError && (error.reason === 'md5Mismatch' || error.reason === 'targetExists')) {
      return error;
    }
    const keep = writer !== undefined && writer.committed > 0 && !(error instanceof DownloadError && error.reason === 'sizeMismatch');
    if (keep) {
      await this.deps.store.put(entry(writer.committed)).catch(() => undefined);
      if (writer.hasher.bytes === writer.committed) {
        this.suspended.set(part, { md5: entry(0).md5, hasher: writer.hasher });
      } else {
        writer.hasher.dispose();
      }
    } else {
      writer?.hasher.dispose();
      await this.forget(request.target, part);
    }
    if (error instanceof WriteFailure) {
      return diskError('write', part, error.cause, keep);
    }
    return error instanceof CancelledError || (error instanceof Error && error.name === 'AbortError') ? new CancelledError() : error;
  }

  /** Forgets this download and removes its own `.part`. */
  private async forget(target: string, part: string): Promise<void> {
    await this.deps.store.remove({ target, part }).catch(() => undefined);
    await this.deps.fs.remove(part).catch(() => undefined);
  }
}
