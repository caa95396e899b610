/** An emulator that serves export files, a finished export, and a Downloader over real loopback and a temp folder. */
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { Downloader, type DownloaderDeps, type ExportFile } from '../../src/core/download/engine';
import { exportFileOf } from '../../src/core/download/exportFile';
import { inlineHasher } from '../../src/core/download/hasher';
import { PartialDownloadsStore } from '../../src/core/download/partialStore';
import { type DownloadFs } from '../../src/core/download/types';
import { MemoryKeyValueStore } from '../../src/core/state/keyValueStore';
import { abortableSleep } from '../../src/core/qianfan/retry';
import { NodeDownloadFs } from '../../src/node/nodeDownloadFs';
import { NodeHttpDownload } from '../../src/node/nodeHttpDownload';
import { type ExportFiles } from '../emulator/exportFiles';
import { type Harness, startHarness } from './clientHarness';

export const MODEL_ID = 'amv-g73j3faikzpz';

export interface DownloadHarness extends Harness {
  files: ExportFiles;
  dir: string;
  kv: MemoryKeyValueStore;
  store: PartialDownloadsStore;
  logs: string[];
  /** A Downloader as a fresh window would build it (same stored state). */
  downloader(overrides?: Partial<DownloaderDeps>): Downloader;
  /** Creates an export and waits until it is Done. */
  finishedExport(modelId?: string): Promise<ExportFile>;
  /** A fresh description of the same export (a new URL). */
  refresh(modelId?: string): () => Promise<ExportFile>;
  close(): Promise<void>;
}

export async function startDownloadHarness(bytes: number): Promise<DownloadHarness> {
  const h = await startHarness({ exportBytes: bytes });
  const dir = mkdtempSync(path.join(tmpdir(), 'qianfan-dl-'));
  const kv = new MemoryKeyValueStore();
  const store = new PartialDownloadsStore(kv);
  const logs: string[] = [];
  const describe = async (modelId: string) => exportFileOf(modelId, await h.client.describeModelExportTask(modelId));
  return {
    ...h,
    files: h.emulator.files!,
    dir,
    kv,
    store,
    logs,
    downloader: (overrides = {}) =>
      new Downloader({
        http: new NodeHttpDownload(),
        fs: new NodeDownloadFs(),
        clock: { now: Date.now, sleep: abortableSleep },
        store,
        hasher: inlineHasher,
        log: (line) => logs.push(line),
        ...overrides,
      }),
    finishedExport: async (modelId = MODEL_ID) => {
      await h.client.startExport(modelId);
      for (;;) {
        const task = await h.client.describeModelExportTask(modelId);
        if (task.status === 'Done') {
          return exportFileOf(modelId, task);
        }
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    refresh:
      (modelId = MODEL_ID) =>
      () =>
        describe(modelId),
    close: async () => {
      await h.emulator.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A file system that fails the way a full disk or a read-only folder does. */
export function failingFs(failure: { openCode?: string; writeCode?: string; afterBytes?: number }): DownloadFs {
  const real = new NodeDownloadFs();
  let written = 0;
  const fail = (code: string) => Object.assign(new Error(`${code}: injected`), { code });
  return {
    openForWrite: async (p) => {
      if (failure.openCode) {
        throw fail(failure.openCode);
      }
      const file = await real.openForWrite(p);
      return {
        write: async (data, position) => {
          if (failure.writeCode && written + data.byteLength > (failure.afterBytes ?? 0)) {
            throw fail(failure.writeCode);
          }
          written += data.byteLength;
          await file.write(data, position);
        },
        truncate: (n) => file.truncate(n),
        close: () => file.close(),
      };
    },
    size: (p) => real.size(p),
    read: (p, n) => real.read(p, n),
    rename: (a, b) => real.rename(a, b),
    remove: (p) => real.remove(p),
  };
}
