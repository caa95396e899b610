/** The download engine against the emulator over loopback: a verified file, resumes, and each fault. */
import * as assert from 'assert';
import { createHash } from 'crypto';
import { existsSync, readFileSync, writeFileSync } from 'fs';
import * as path from 'path';
import { DownloadError } from '../../src/core/download/errors';
import { partPath } from '../../src/core/download/engine';
import { CancelledError } from '../../src/core/qianfan/errors';
import { type DownloadHarness, failingFs, startDownloadHarness } from '../support/downloadHarness';
import { bodiesEndInTheirTest } from '../support/bodyEnds';

const MiB = 1024 * 1024;

async function rejection<T extends Error>(promise: Promise<unknown>, type: new (...a: never[]) => T): Promise<T> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof type, `expected ${type.name}, got ${String(error)}`);
    return error;
  }
  assert.fail('expected a rejection');
}

describe('download: a verified file on disk', function () {
  this.timeout(20_000);
  let h: DownloadHarness;
  let target: string;
  beforeEach(async () => {
    h = await startDownloadHarness(3 * MiB + 123);
    target = path.join(h.dir, 'model.tar.gz');
  });
  bodiesEndInTheirTest(); // a test failed by an uncaught error ends once, and its body before the emulator stops
  afterEach(() => h.close());

  const expected = async () => {
    const file = await h.finishedExport();
    return { file, bytes: h.files.content(file.exportId!) };
  };

  it('streams the export to the target, byte for byte and by md5, with no .part and nothing remembered left', async () => {
    const { file, bytes } = await expected();
    const progress: number[] = [];
    const result = await h
      .downloader()
      .download(
        { file, target, overwrite: false, signal: new AbortController().signal, refresh: h.refresh() },
        { onProgress: (p) => progress.push(p.received), progressIntervalMs: 0 },
      );
    const written = readFileSync(target);
    assert.ok(written.equals(bytes));
    assert.strictEqual(createHash('md5').update(written).digest('hex'), file.md5);
    assert.deepStrictEqual([result.bytes, result.resumedFrom, result.attempts], [bytes.length, 0, 1]);
    assert.ok(!existsSync(partPath(target)));
    assert.deepStrictEqual(h.store.list(), []);
    assert.strictEqual(progress[progress.length - 1], bytes.length);
  });

  it('never sends the Qianfan Authorization to the file host, and logs only its host and path', async () => {
    const { file } = await expected();
    await h.downloader().download({ file, target, overwrite: false, signal: new AbortController().signal, refresh: h.refresh() });
    assert.ok(h.files.requests.length > 0 && h.files.requests.every((r) => !r.authorization));
    const logs = h.logs.join('\n');
    assert.ok(logs.includes('/qianfan-export/'), logs);
    assert.ok(!/authorization=|issued=|[0-9a-f]{64}/.test(logs), logs);
  });

  it('refuses a plain-http URL that is not loopback, before any request', async () => {
    const { file } = await expected();
    const e = await rejection(
      h.downloader().download({
        file: { ...file, downloadUrl: 'http://bj.bcebos.com/x.tar.gz?authorization=s' },
        target,
        overwrite: false,
        signal: new AbortController().signal,
        refresh: h.refresh(),
      }),
      DownloadError,
    );
    assert.strictEqual(e.reason, 'badUrl');
    assert.ok(!existsSync(partPath(target)));
  });

  it('never replaces an existing file unless told to', async () => {
    const { file } = await expected();
    writeFileSync(target, 'mine');
    const e = await rejection(
      h.downloader().download({ file, target, overwrite: false, signal: new AbortController().signal, refresh: h.refresh() }),
      DownloadError,
    );
    assert.strictEqual(e.reason, 'targetExists');
    assert.strictEqual(readFileSync(target, 'utf8'), 'mine');
    await h.downloader().download({ file, target, overwrite: true, signal: new AbortController().signal, refresh: h.refresh() });
    assert.strictEqual(readFileSync(target).length, file.fileSize);
  });
});

describe('download: faults', function () {
  this.timeout(20_000);
  let h: DownloadHarness;
  let target: string;
  beforeEach(async () => {
    h = await startDownloadHarness(3 * MiB + 123);
    target = path.join(h.dir, 'model.tar.gz');
  });
  bodiesEndInTheirTest(); // a test failed by an uncaught error ends once, and its body before the emulator stops
  afterEach(() => h.close());

  const request = async (signal = new AbortController().signal) => ({ file: await h.finishedExport(), target, overwrite: false, signal, refresh: h.refresh() });
  const verified = (exportId: string) => assert.ok(readFileSync(target).equals(h.files.content(exportId)), 'the file is byte for byte the export');

  it('a dropped connection: resumes with Range from the byte it reached, twice', async () => {
    h.files.faults = { dropAfterBytes: MiB + 5000, dropTimes: 2 };
    const req = await request();
    const result = await h.downloader().download(req, { retryDelayMs: 10 });
    verified(req.file.exportId!);
    assert.strictEqual(result.attempts, 3);
    assert.deepStrictEqual(
      h.files.requests.map((r) => [r.status, r.range]),
      [
        [200, undefined],
        [206, `bytes=${MiB + 5000}-`],
        [206, `bytes=${2 * (MiB + 5000)}-`],
      ],
    );
  });

  it('an expired URL (403): a fresh one from DescribeModelExportTask, continuing from the same byte', async () => {
    h.files.faults = { dropAfterBytes: MiB, expireAfterMs: 1000 };
    const req = await request();
    const describes = h.emulator.count('DescribeModelExportTask');
    const result = await h.downloader().download(req, { retryDelayMs: 1200 });
    verified(req.file.exportId!);
    assert.strictEqual(result.urlRefreshes, 1, JSON.stringify(h.files.requests) + h.logs.join('\n'));
    assert.strictEqual(h.emulator.count('DescribeModelExportTask'), describes + 1);
    assert.deepStrictEqual(
      h.files.requests.map((r) => [r.status, r.range]),
      [
        [200, undefined],
        [403, `bytes=${MiB}-`],
        [206, `bytes=${MiB}-`],
      ],
    );
    assert.notStrictEqual(h.files.requests[1].query, h.files.requests[2].query, 'a new URL');
  });

  it('an md5 mismatch: the file is not renamed into place, the .part is deleted, the error says so', async () => {
    h.files.faults = { wrongMd5: true };
    const e = await rejection(h.downloader().download(await request()), DownloadError);
    assert.strictEqual(e.reason, 'md5Mismatch');
    assert.match(e.message, /md5 is [0-9a-f]{32}, not the export's [0-9a-f]{32}/);
    assert.ok(!existsSync(target) && !existsSync(partPath(target)));
    assert.deepStrictEqual(h.store.list(), []);
  });

  it('more bytes than the export says: a size mismatch, nothing kept', async () => {
    const req = await request();
    h.files.bytes += 1000; // the server now sends more than DescribeModelExportTask said
    const e = await rejection(h.downloader().download(req), DownloadError);
    assert.strictEqual(e.reason, 'sizeMismatch');
    assert.ok(!existsSync(target) && !existsSync(partPath(target)));
  });

  it('a full disk: a clear error, the .part kept and remembered, then a resume from it completes', async () => {
    const req = await request();
    const e = await rejection(h.downloader({ fs: failingFs({ writeCode: 'ENOSPC', afterBytes: 2 * MiB }) }).download(req), DownloadError);
    assert.strictEqual(e.reason, 'disk');
    assert.strictEqual(e.detail.code, 'ENOSPC');
    assert.strictEqual(e.detail.partKept, true);
    assert.match(e.message, /the disk is full/);
    assert.ok(!existsSync(target));
    const kept = h.store.get(target)!;
    assert.ok(kept.bytes > 0 && kept.bytes <= 2 * MiB, String(kept.bytes));
    const result = await h.downloader().download({ ...req, signal: new AbortController().signal });
    assert.strictEqual(result.resumedFrom, kept.bytes);
    verified(req.file.exportId!);
  });

  it('a read-only folder: a clear error, nothing created, nothing remembered', async () => {
    const e = await rejection(h.downloader({ fs: failingFs({ openCode: 'EROFS' }) }).download(await request()), DownloadError);
    assert.strictEqual(e.detail.code, 'EROFS');
    assert.match(e.message, /read-only/);
    assert.ok(!existsSync(partPath(target)));
    assert.deepStrictEqual(h.store.list(), []);
  });

  it('Cancel, then Download again: resumes from the kept .part with the hash state kept in memory', async () => {
    h.files.faults = { bytesPerSecond: 4 * MiB };
    const controller = new AbortController();
    const downloader = h.downloader();
    const req = await request(controller.signal);
    await rejection(downloader.download(req, { progressIntervalMs: 0, onProgress: (p) => p.received > MiB && controller.abort() }), CancelledError);
    const kept = h.store.get(target)!;
    assert.ok(kept.bytes >= MiB && existsSync(partPath(target)));
    h.files.faults = {};
    const result = await downloader.download({ ...req, signal: new AbortController().signal });
    assert.strictEqual(result.resumedFrom, kept.bytes);
    assert.ok(!h.logs.some((l) => l.startsWith('Reading the first')), 'no second read of the .part');
    verified(req.file.exportId!);
  });

  it('after a reload (a new Downloader over the same stored state): resumes, reading the kept .part once for its md5', async () => {
    h.files.faults = { bytesPerSecond: 4 * MiB };
    const controller = new AbortController();
    const req = await request(controller.signal);
    await rejection(h.downloader().download(req, { progressIntervalMs: 0, onProgress: (p) => p.received > MiB && controller.abort() }), CancelledError);
    h.files.faults = {};
    const from = h.store.get(target)!.bytes;
    const result = await h.downloader().download({ ...req, signal: new AbortController().signal });
    assert.strictEqual(result.resumedFrom, from);
    assert.ok(h.logs.some((l) => l.startsWith(`Reading the first ${from} bytes`)));
    verified(req.file.exportId!);
  });

  it('a server that ignores Range: starts again from byte 0 and still ends verified', async () => {
    h.files.faults = { dropAfterBytes: MiB, ignoreRange: true };
    const req = await request();
    await h.downloader().download(req, { retryDelayMs: 10 });
    verified(req.file.exportId!);
    assert.deepStrictEqual(
      h.files.requests.map((r) => r.status),
      [200, 200, 200],
    );
  });

  it('a file server that keeps failing: gives up with the reason, keeping the .part for a later resume', async () => {
    const req = await request();
    h.files.faults = { dropAfterBytes: MiB };
    const downloader = h.downloader({
      log: (line) => {
        h.logs.push(line);
        if (line.includes('resuming')) {
          h.files.faults.status = { status: 503, times: 100 }; // after the drop, the server fails
        }
      },
    });
    const e = await rejection(downloader.download(req, { retryDelayMs: 5, maxRetries: 2 }), DownloadError);
    assert.strictEqual(e.reason, 'network');
    assert.match(e.message, /HTTP 503/);
    assert.strictEqual(h.store.get(target)!.bytes, MiB);
    assert.ok(existsSync(partPath(target)));
  });
});
