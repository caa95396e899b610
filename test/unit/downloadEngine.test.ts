/** The download engine's own decisions (what to resume, what to keep, when to refuse), over loopback and a temp folder. */
import * as assert from 'assert';
import { existsSync, readFileSync, writeFileSync } from 'fs';
import * as path from 'path';
import { partPath } from '../../src/core/download/engine';
import { type GetRequest } from '../../src/core/download/types';
import { NodeDownloadFs } from '../../src/node/nodeDownloadFs';
import { CancelledError } from '../../src/core/qianfan/errors';
import { type DownloadHarness, startDownloadHarness } from '../support/downloadHarness';
import { failure } from '../support/downloadFailure';
import { bodiesEndInTheirTest } from '../support/bodyEnds';

const MiB = 1024 * 1024;

describe('download: the engine decides', function () {
  this.timeout(20_000);
  let h: DownloadHarness;
  let target: string;
  beforeEach(async () => {
    h = await startDownloadHarness(2 * MiB + 77);
    target = path.join(h.dir, 'model.tar.gz');
  });
  bodiesEndInTheirTest(); // a test failed by an uncaught error ends once, and its body before the emulator stops
  afterEach(() => h.close());

  const request = async (signal = new AbortController().signal) => ({ file: await h.finishedExport(), target, overwrite: false, signal, refresh: h.refresh() });
  const verified = (exportId: string) => assert.ok(readFileSync(target).equals(h.files.content(exportId)), 'the file is byte for byte the export');

  it('one download per target at a time', async () => {
    h.files.faults = { bytesPerSecond: 8 * MiB };
    const downloader = h.downloader();
    const req = await request();
    assert.strictEqual(downloader.isRunning(target), false);
    const first = downloader.download(req);
    assert.strictEqual(downloader.isRunning(target), true);
    const e = await failure(downloader.download(req));
    assert.strictEqual(e.reason, 'targetExists');
    assert.strictEqual(e.message, `${target} is being downloaded already`);
    assert.strictEqual(e.detail.path, target);
    await first;
    assert.strictEqual(downloader.isRunning(target), false);
    verified(req.file.exportId!);
  });

  it('a .part that no remembered download of this export owns is left as it is: the download goes to the next free name', async () => {
    const req = await request();
    const one = `${target} (1).part`;
    const two = `${target} (2).part`;
    writeFileSync(partPath(target), 'not the export');
    const result = await h.downloader().download(req);
    assert.strictEqual(result.resumedFrom, 0);
    assert.ok(h.logs.includes(`${partPath(target)} belongs to no remembered download of this export (another profile's?): it is left as it is`));
    assert.strictEqual(readFileSync(partPath(target), 'utf8'), 'not the export');
    assert.ok(!existsSync(one), 'renamed into place');
    verified(req.file.exportId!);

    const start = h.files.content(req.file.exportId!).subarray(0, 1000);
    for (const other of [{ md5: 'f'.repeat(32) }, { fileSize: req.file.fileSize + 1 }, { modelId: 'amv-34qkndzjf111' }]) {
      writeFileSync(partPath(target), start);
      await h.store.put({ target, modelId: req.file.modelId, md5: req.file.md5, fileSize: req.file.fileSize, bytes: 1000, updatedAt: 1, ...other });
      const again = await h.downloader().download({ ...req, overwrite: true });
      assert.strictEqual(again.resumedFrom, 0, JSON.stringify(other));
      assert.ok(readFileSync(partPath(target)).equals(start), "the other export's .part is untouched");
      assert.strictEqual(h.store.list().length, 1, 'the other export is still remembered');
      await h.store.remove({ target });
      verified(req.file.exportId!);
    }
    assert.ok(h.logs.includes(`${partPath(target)} belongs to a remembered download of another export: it is left as it is`));
    assert.ok(h.logs.every((l) => !l.startsWith('Reading the first')));

    writeFileSync(one, 'a stranger too');
    await h.downloader().download({ ...req, overwrite: true });
    assert.deepStrictEqual([readFileSync(partPath(target)), readFileSync(one, 'utf8'), existsSync(two)], [start, 'a stranger too', false]);
    verified(req.file.exportId!);
  });

  it('remembers another .part name it chose, and resumes from it', async () => {
    h.files.faults = { bytesPerSecond: 4 * MiB };
    writeFileSync(partPath(target), 'a stranger');
    const controller = new AbortController();
    const req = await request(controller.signal);
    await assert.rejects(
      h.downloader().download(req, { progressIntervalMs: 0, onProgress: (p) => p.received > MiB / 2 && controller.abort() }),
      CancelledError,
    );
    h.files.faults = {};
    const kept = h.store.get(target)!;
    assert.strictEqual(kept.part, `${target} (1).part`);
    assert.ok(kept.bytes > 0);
    const result = await h.downloader().download({ ...req, signal: new AbortController().signal });
    assert.strictEqual(result.resumedFrom, kept.bytes);
    assert.ok(h.logs.includes(`Reading the first ${kept.bytes} bytes of ${target} (1).part to resume its md5`));
    assert.deepStrictEqual([readFileSync(partPath(target), 'utf8'), existsSync(`${target} (1).part`), h.store.list()], ['a stranger', false, []]);
    verified(req.file.exportId!);
  });

  it('resumes from the shorter of the remembered length and the .part on disk, reading it once for the md5', async () => {
    const req = await request();
    const content = h.files.content(req.file.exportId!);
    writeFileSync(partPath(target), content.subarray(0, 3000));
    await h.store.put({ target, modelId: req.file.modelId, md5: req.file.md5, fileSize: req.file.fileSize, bytes: 5000, updatedAt: 1 });
    const result = await h.downloader().download(req);
    assert.strictEqual(result.resumedFrom, 3000);
    assert.ok(h.logs.includes(`Reading the first 3000 bytes of ${partPath(target)} to resume its md5`));
    assert.strictEqual(h.files.requests[0].range, 'bytes=3000-');
    verified(req.file.exportId!);

    writeFileSync(partPath(target), content.subarray(0, 9000));
    await h.store.put({ target, modelId: req.file.modelId, md5: req.file.md5.toUpperCase(), fileSize: req.file.fileSize, bytes: 4000, updatedAt: 1 });
    const again = await h.downloader().download({ ...req, overwrite: true, file: { ...req.file, md5: req.file.md5.toUpperCase() } });
    assert.strictEqual(again.resumedFrom, 4000, 'the remembered length when the file holds more');
    assert.strictEqual(again.md5, req.file.md5);
    verified(req.file.exportId!);
  });

  it('a fresh URL for an export that changed (another md5 or size) stops the download', async () => {
    h.files.faults = { expireAfterMs: 0 };
    const req = await request();
    await new Promise((r) => setTimeout(r, 5));
    for (const changed of [{ md5: 'e'.repeat(32) }, { fileSize: req.file.fileSize + 1 }]) {
      const e = await failure(h.downloader().download({ ...req, refresh: () => Promise.resolve({ ...req.file, ...changed }) }));
      assert.strictEqual(e.reason, 'http');
      assert.strictEqual(e.message, 'the export changed on the server (another md5 or size): download it again from the start');
    }
    const e = await failure(h.downloader().download({ ...req, refresh: () => Promise.resolve({ ...req.file, downloadUrl: 'http://example.com/x' }) }));
    assert.strictEqual(e.reason, 'badUrl');
  });

  it('a target that appears while downloading is not replaced; the download stays in the .part', async () => {
    const req = await request();
    const downloader = h.downloader({
      log: (line) => {
        if (line.startsWith('GET ')) {
          writeFileSync(target, 'mine');
        }
      },
    });
    const e = await failure(downloader.download(req));
    assert.strictEqual(e.reason, 'targetExists');
    assert.strictEqual(e.message, `${target} appeared while downloading; the download is kept in ${partPath(target)}`);
    assert.strictEqual(e.detail.path, target);
    assert.strictEqual(readFileSync(target, 'utf8'), 'mine');
    assert.strictEqual(readFileSync(partPath(target)).length, req.file.fileSize);
  });

  it('refuses before anything else: a bad URL (no request, no .part, nothing stored) and an existing target', async () => {
    const req = await request();
    let requests = 0;
    const http = {
      get: () => {
        requests++;
        return Promise.reject(new Error('no request expected'));
      },
    };
    const puts: unknown[] = [];
    h.store.put = (entry) => {
      puts.push(entry);
      return Promise.resolve();
    };
    const bad = await failure(h.downloader({ http }).download({ ...req, file: { ...req.file, downloadUrl: 'http://example.com/x' } }));
    assert.strictEqual(bad.reason, 'badUrl');
    writeFileSync(target, 'mine');
    const exists = await failure(h.downloader({ http }).download(req));
    assert.strictEqual(exists.reason, 'targetExists');
    assert.strictEqual(exists.message, `${target} exists`);
    assert.strictEqual(exists.detail.path, target);
    assert.deepStrictEqual([requests, puts.length, existsSync(partPath(target))], [0, 0, false]);
  });

  it('a fresh URL that breaks the rules is refused before a request to it', async () => {
    h.files.faults = { expireAfterMs: 0 };
    const req = await request();
    await new Promise((r) => setTimeout(r, 5));
    const asked: string[] = [];
    const http = {
      get: (r: GetRequest) => {
        asked.push(r.url);
        return Promise.resolve({ status: 403, headers: {}, body: (async function* () {})(), discard: () => undefined });
      },
    };
    const e = await failure(h.downloader({ http }).download({ ...req, refresh: () => Promise.resolve({ ...req.file, downloadUrl: 'http://example.com/x' }) }));
    assert.strictEqual(e.reason, 'badUrl');
    assert.deepStrictEqual(asked, [req.file.downloadUrl]);
  });

  it('a new .part that cannot be created: a disk error, nothing kept', async () => {
    const fs = new NodeDownloadFs();
    fs.openForWrite = () => Promise.reject(Object.assign(new Error('ro'), { code: 'EROFS' }));
    const e = await failure(h.downloader({ fs }).download(await request()));
    assert.deepStrictEqual([e.reason, e.detail.code, e.detail.partKept, e.detail.path], ['disk', 'EROFS', false, partPath(target)]);
  });

  it('runs with the default hasher and no log, resuming a kept .part and leaving a stranger alone', async () => {
    const req = await request();
    writeFileSync(partPath(target), h.files.content(req.file.exportId!).subarray(0, 1000));
    await h.store.put({ target, modelId: req.file.modelId, md5: req.file.md5, fileSize: req.file.fileSize, bytes: 1000, updatedAt: 1 });
    const result = await h.downloader({ hasher: undefined, log: undefined }).download(req);
    assert.deepStrictEqual([result.resumedFrom, result.md5], [1000, req.file.md5]);
    writeFileSync(partPath(target), 'a stranger');
    const again = await h.downloader({ hasher: undefined, log: undefined }).download({ ...req, overwrite: true });
    assert.strictEqual(again.resumedFrom, 0);
    assert.strictEqual(readFileSync(partPath(target), 'utf8'), 'a stranger');
    verified(req.file.exportId!);
  });

  it('a rename that fails: a disk error, the verified .part kept', async () => {
    const req = await request();
    const fs = new NodeDownloadFs();
    fs.rename = () => Promise.reject(Object.assign(new Error('denied'), { code: 'EACCES' }));
    const e = await failure(h.downloader({ fs }).download(req));
    assert.strictEqual(e.reason, 'disk');
    assert.strictEqual(e.message, `could not rename the download to ${target}: permission denied`);
    assert.strictEqual(e.detail.partKept, true);
    assert.ok(existsSync(partPath(target)) && !existsSync(target));
  });

  it('a .part that cannot be opened again for a resume: a disk error that says the .part is kept', async () => {
    const req = await request();
    writeFileSync(partPath(target), h.files.content(req.file.exportId!).subarray(0, 100));
    await h.store.put({ target, modelId: req.file.modelId, md5: req.file.md5, fileSize: req.file.fileSize, bytes: 100, updatedAt: 1 });
    const fs = new NodeDownloadFs();
    fs.openForWrite = () => Promise.reject(Object.assign(new Error('busy'), { code: 'EBUSY' }));
    const e = await failure(h.downloader({ fs }).download(req));
    assert.deepStrictEqual([e.reason, e.detail.code, e.detail.partKept], ['disk', 'EBUSY', true]);
    assert.strictEqual(e.message, `could not create ${partPath(target)}: EBUSY`);
  });

  it('a .part that cannot be read for its md5: a disk error', async () => {
    const req = await request();
    writeFileSync(partPath(target), h.files.content(req.file.exportId!).subarray(0, 100));
    await h.store.put({ target, modelId: req.file.modelId, md5: req.file.md5, fileSize: req.file.fileSize, bytes: 100, updatedAt: 1 });
    const fs = new NodeDownloadFs();
    fs.read = () => ({
      [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(Object.assign(new Error('io'), { code: 'EIO' })) }),
    });
    const e = await failure(h.downloader({ fs }).download(req));
    assert.deepStrictEqual([e.reason, e.detail.code], ['disk', 'EIO']);
  });

  it('cancelled before a byte: nothing kept, nothing remembered', async () => {
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(h.downloader().download(await request(controller.signal)), CancelledError);
    assert.ok(!existsSync(partPath(target)));
    assert.deepStrictEqual(h.store.list(), []);
  });

  it('after dispose, a cancelled download resumes by reading its .part (the kept hash state is gone)', async () => {
    h.files.faults = { bytesPerSecond: 4 * MiB };
    const controller = new AbortController();
    const downloader = h.downloader();
    const req = await request(controller.signal);
    await assert.rejects(downloader.download(req, { progressIntervalMs: 0, onProgress: (p) => p.received > MiB / 2 && controller.abort() }), CancelledError);
    h.files.faults = {};
    downloader.dispose();
    const from = h.store.get(target)!.bytes;
    const result = await downloader.download({ ...req, signal: new AbortController().signal });
    assert.strictEqual(result.resumedFrom, from);
    assert.ok(h.logs.includes(`Reading the first ${from} bytes of ${partPath(target)} to resume its md5`));
    verified(req.file.exportId!);
  });
});
