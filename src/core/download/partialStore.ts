/**
 * Partial downloads, remembered in a KeyValueStore (globalState, one list per profile) so that a
 * download resumes after a reload: which target, which export (md5 and size), which `.part` file
 * and how many of its bytes are known good. One entry per `.part` file: a `.part` belongs to the
 * entry that names it, and to no other download (another profile's, another export's).
 */
import { type KeyValueStore } from '../state/keyValueStore';
import { ListStore, isRecord, optionalText, withoutUndefined } from '../state/listStore';

export interface PartialDownload {
  readonly target: string;
  readonly modelId: string;
  readonly exportId?: string;
  readonly fileName?: string;
  readonly md5: string;
  readonly fileSize: number;
  /** The `.part` file when it is not `<target>.part` (that one was another download's): `<target> (n).part`. */
  readonly part?: string;
  /** Bytes of the `.part` known to be on disk (the file may hold more after a crash). */
  readonly bytes: number;
  readonly updatedAt: number;
}

export const PARTIAL_DOWNLOADS_KEY = 'qianfan.partialDownloads.v1';

const MD5 = /^[0-9a-f]{32}$/i;

/** The `.part` a download to `target` uses first. */
export const partPath = (target: string): string => `${target}.part`;

/** The n-th other `.part` name of a target, for when `<target>.part` is another download's. */
export const otherPartPath = (target: string, n: number): string => `${target} (${n}).part`;

/** The most other `.part` names a target may have. */
export const MAX_OTHER_PARTS = 99;

/** The `.part` file of a remembered download. */
export const partOf = (p: Pick<PartialDownload, 'target' | 'part'>): string => p.part ?? partPath(p.target);

/** Only a name the engine gives (`<target>.part` or `<target> (n).part`); `<target>.part` is not stored. */
function partName(target: string, value: unknown): { ok: boolean; part?: string } {
  if (value === undefined || value === partPath(target)) {
    return { ok: true };
  }
  if (typeof value !== 'string' || !value.startsWith(`${target} (`)) {
    return { ok: false };
  }
  const n = /^ \(([1-9][0-9]*)\)\.part$/.exec(value.slice(target.length))?.[1];
  return n !== undefined && Number(n) <= MAX_OTHER_PARTS ? { ok: true, part: value } : { ok: false };
}
const count = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

export function normalizePartial(value: unknown): PartialDownload | undefined {
  if (!isRecord(value) || typeof value.target !== 'string' || value.target === '' || typeof value.modelId !== 'string' || value.modelId === '') {
    return undefined;
  }
  if (typeof value.md5 !== 'string' || !MD5.test(value.md5) || !count(value.fileSize) || !count(value.bytes) || value.bytes > value.fileSize) {
    return undefined;
  }
  const part = partName(value.target, value.part);
  if (!part.ok) {
    return undefined;
  }
  return withoutUndefined({
    target: value.target,
    modelId: value.modelId,
    exportId: optionalText(value.exportId),
    fileName: optionalText(value.fileName),
    md5: value.md5.toLowerCase(),
    fileSize: value.fileSize,
    part: part.part,
    bytes: value.bytes,
    updatedAt: typeof value.updatedAt === 'number' && Number.isFinite(value.updatedAt) ? value.updatedAt : 0,
  });
}

export class PartialDownloadsStore {
  private readonly list_: ListStore<PartialDownload>;

  constructor(store: KeyValueStore) {
    this.list_ = new ListStore(store, PARTIAL_DOWNLOADS_KEY, normalizePartial, 'Partial downloads');
  }

  list(): PartialDownload[] {
    return this.list_.list();
  }

  /** The first remembered download to this target (there may be several, each with its own `.part`). */
  get(target: string): PartialDownload | undefined {
    return this.list().find((p) => p.target === target);
  }

  /** The remembered download of this export (version, md5 and size) to this target: the one whose `.part` it may use. */
  owner(target: string, modelId: string, md5: string, fileSize: number): PartialDownload | undefined {
    const hash = md5.toLowerCase();
    return this.list().find((p) => p.target === target && p.modelId === modelId && p.md5 === hash && p.fileSize === fileSize);
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
    await this.list_.replace(clean, partOf);
  }

  /** Forgets the download that uses this `.part`. */
  async remove(entry: Pick<PartialDownload, 'target' | 'part'>): Promise<void> {
    await this.list_.removeKey(partOf(entry), partOf);
  }

  onProblem(listener: (problem: string) => void): { dispose(): void } {
    return this.list_.onProblem(listener);
  }
}
