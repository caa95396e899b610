/**
 * Partial downloads, remembered in a KeyValueStore (globalState) so that a download resumes
 * after a reload: which target, which export (md5 and size), and how many bytes of its `.part`
 * file are known good. One entry per target path.
 */
import { type KeyValueStore } from '../keyValueStore';
import { ListStore, isRecord, optionalText, withoutUndefined } from '../listStore';

export interface PartialDownload {
  readonly target: string;
  readonly modelId: string;
  readonly exportId?: string;
  readonly fileName?: string;
  readonly md5: string;
  readonly fileSize: number;
  /** Bytes of `<target>.part` known to be on disk (the file may hold more after a crash). */
  readonly bytes: number;
  readonly updatedAt: number;
}

export const PARTIAL_DOWNLOADS_KEY = 'qianfan.partialDownloads.v1';

const MD5 = /^[0-9a-f]{32}$/i;
const count = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

export function normalizePartial(value: unknown): PartialDownload | undefined {
  if (!isRecord(value) || typeof value.target !== 'string' || value.target === '' || typeof value.modelId !== 'string' || value.modelId === '') {
    return undefined;
  }
  if (typeof value.md5 !== 'string' || !MD5.test(value.md5) || !count(value.fileSize) || !count(value.bytes) || value.bytes > value.fileSize) {
    return undefined;
  }
  return withoutUndefined({
    target: value.target,
    modelId: value.modelId,
    exportId: optionalText(value.exportId),
    fileName: optionalText(value.fileName),
    md5: value.md5.toLowerCase(),
    fileSize: value.fileSize,
    bytes: value.bytes,
    updatedAt: typeof value.updatedAt === 'number' && Number.isFinite(value.updatedAt) ? value.updatedAt : 0,
  });
}

const byTarget = (p: PartialDownload) => p.target;

export class PartialDownloadsStore {
  private readonly list_: ListStore<PartialDownload>;

  constructor(store: KeyValueStore) {
    this.list_ = new ListStore(store, PARTIAL_DOWNLOADS_KEY, normalizePartial, 'Partial downloads');
  }

  list(): PartialDownload[] {
    return this.list_.list();
  }

  get(target: string): PartialDownload | undefined {
    return this.list().find((p) => p.target === target);
  }

  /** The newest partial download of this export (same version and md5), wherever it goes. */
  forExport(modelId: string, md5: string): PartialDownload | undefined {
    return this.list()
      .filter((p) => p.modelId === modelId && p.md5 === md5.toLowerCase())
      .sort((a, b) => b.updatedAt - a.updatedAt)[0];
  }

  async put(entry: PartialDownload): Promise<void> {
    const clean = normalizePartial(entry);
    if (!clean) {
      throw new Error('not a partial download entry');
    }
    await this.list_.replace(clean, byTarget);
  }

  async remove(target: string): Promise<void> {
    await this.list_.removeKey(target, byTarget);
  }

  onProblem(listener: (problem: string) => void): { dispose(): void } {
    return this.list_.onProblem(listener);
  }
}
