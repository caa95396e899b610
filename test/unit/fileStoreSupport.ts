/** What the file store's tests (and the two-process worker, and the benchmark) share: a store on a folder as the extension builds it. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { FileStore, type FileStoreOptions } from '../../src/core/state/fileStore';
import { LIST_KEYS } from '../../src/platform/listFiles';
import { NodeStoreFs } from '../../src/platform/nodeStoreFs';

/** The lists the extension keeps in files. */
export const LISTS: FileStoreOptions['lists'] = LIST_KEYS;

export function tempFolder(prefix = 'qianfan-store-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function fileStore(folder: string, more: Partial<FileStoreOptions> = {}): FileStore {
  return new FileStore({ fs: new NodeStoreFs(folder, { staleMs: 2000 }), lists: LISTS, ...more });
}

/** A model version ID from a number (IDs are `amv-` and 6 to 32 lower-case letters or digits). */
export const versionId = (prefix: string, n: number): string => `amv-${prefix}${String(n).padStart(6, '0')}`;

/** A status (letters only) that says which round wrote it. */
export function statusOf(round: number): string {
  let s = '';
  let n = round;
  do {
    s = String.fromCharCode(65 + (n % 26)) + s;
    n = Math.floor(n / 26);
  } while (n > 0);
  return `R${s}`;
}

/** The versions both processes of the two-process test set statuses of (each its half). */
export const SHARED = 200;
export const sharedId = (i: number): string => versionId('s', i);
