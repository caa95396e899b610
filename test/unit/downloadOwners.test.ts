/** A `.part` belongs to the remembered download that owns it: two owners downloading to the same path, over loopback and a temp folder. */
import * as assert from 'assert';
import { existsSync, readFileSync } from 'fs';
import * as path from 'path';
import { type Downloader, type DownloadRequest, partPath } from '../../src/core/download/engine';
import { PartialDownloadsStore } from '../../src/core/download/partialStore';
import { CancelledError } from '../../src/core/qianfan/errors';
import { MemoryKeyValueStore } from '../../src/core/state/keyValueStore';
import { type DownloadHarness, MODEL_ID, startDownloadHarness } from '../support/downloadHarness';
import { bodiesEndInTheirTest } from '../support/bodyEnds';

const MiB = 1024 * 1024;
const OTHER_MODEL = 'amv-34qkndzjf111';

describe('download: a .part is used only by the download that owns it', function () {
  this.timeout(30_000);
  let h: DownloadHarness;
  let target: string;
  beforeEach(async () => {
    h = await startDownloadHarness(2 * MiB + 77);
    target = path.join(h.dir, 'model.tar.gz');
  });
  bodiesEndInTheirTest(); // a test failed by an uncaught error ends once, and its body before the emulator stops
  afterEach(() => h.close());

  /** Starts a download and cancels it once more than `after` bytes have come; gives the request to resume with. */
  async function cancelled(downloader: Downloader, modelId: string, after: number): Promise<DownloadRequest> {
    h.files.faults = { bytesPerSecond: 4 * MiB };
    const controller = new AbortController();
    const req: DownloadRequest = { file: await h.finishedExport(modelId), target, overwrite: false, signal: controller.signal, refresh: h.refresh(modelId) };
    await assert.rejects(downloader.download(req, { progressIntervalMs: 0, onProgress: (p) => p.received > after && controller.abort() }), CancelledError);
    h.files.faults = {};
    return { ...req, signal: new AbortController().signal, overwrite: true };
  }

  const verified = (exportId: string) => assert.ok(readFileSync(target).equals(h.files.content(exportId)), 'the file is byte for byte the export');

  for (const owners of ['two profiles (two stores)', 'one profile, two exports (one store)']) {
    it(`${owners}: B's download leaves A's .part as it is, and A's resume completes with the right md5`, async () => {
      const storeB = owners.startsWith('two') ? new PartialDownloadsStore(new MemoryKeyValueStore()) : h.store;
      const a = await cancelled(h.downloader(), MODEL_ID, MiB / 2);
      const keptA = h.store.get(target)!;
      const partA = readFileSync(partPath(target));
      assert.ok(keptA.bytes > 0 && partA.length >= keptA.bytes);

      // B: another export to the same path, cancelled too (its .part kept beside A's).
      const b = await cancelled(h.downloader({ store: storeB }), OTHER_MODEL, MiB / 4);
      assert.ok(readFileSync(partPath(target)).equals(partA), "A's .part is byte for byte as A left it");
      const keptB = storeB.owner(target, OTHER_MODEL, b.file.md5, b.file.fileSize)!;
      assert.strictEqual(keptB.part, `${target} (1).part`, 'B remembers the name it chose');
      assert.ok(
        readFileSync(keptB.part)
          .subarray(0, keptB.bytes)
          .equals(h.files.content(b.file.exportId!, 0, keptB.bytes)),
      );

      // A resumes (a new window: its md5 is read back from its .part) and ends verified.
      const doneA = await h.downloader().download(a);
      assert.deepStrictEqual([doneA.resumedFrom, doneA.md5], [keptA.bytes, a.file.md5]);
      verified(a.file.exportId!);
      assert.ok(!existsSync(partPath(target)));

      // B resumes from its own .part, replacing A's file as its user agreed.
      const doneB = await h.downloader({ store: storeB }).download(b);
      assert.deepStrictEqual([doneB.resumedFrom, doneB.md5], [keptB.bytes, b.file.md5]);
      verified(b.file.exportId!);
      assert.ok(!existsSync(keptB.part));
      assert.deepStrictEqual([h.store.list(), storeB.list()], [[], []]);
    });
  }

  it("two profiles, the same export: B finishes beside A's .part, and A still resumes from its own bytes", async () => {
    const storeB = new PartialDownloadsStore(new MemoryKeyValueStore());
    const downloader = h.downloader();
    const a = await cancelled(downloader, MODEL_ID, MiB / 2);
    const keptA = h.store.get(target)!;
    const partA = readFileSync(partPath(target));
    // B (the other profile's store) downloads the same export to the same path; A then resumes with the hash state it kept.
    const doneB = await h.downloader({ store: storeB }).download({ ...a, overwrite: false });
    assert.strictEqual(doneB.resumedFrom, 0);
    verified(a.file.exportId!);
    assert.ok(readFileSync(partPath(target)).equals(partA), "A's .part is byte for byte as A left it");
    assert.deepStrictEqual(storeB.list(), []);
    const doneA = await downloader.download(a);
    assert.deepStrictEqual([doneA.resumedFrom, doneA.md5], [keptA.bytes, a.file.md5]);
    verified(a.file.exportId!);
  });
});
