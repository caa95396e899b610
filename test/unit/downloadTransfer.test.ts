/** The network half of a download (transfer) and the block writer, against a scripted file server and an in-memory file. */
import * as assert from 'assert';
import { DownloadError } from '../../src/core/download/errors';
import { InlineMd5 } from '../../src/core/download/hasher';
import { type TransferOptions, transfer } from '../../src/core/download/transfer';
import { BlockWriter } from '../../src/core/download/writer';
import { type DownloadProgress, type GetRequest, type GetResponse, type StreamingHttp, type WritableFile } from '../../src/core/download/types';
import { CancelledError } from '../../src/core/qianfan/errors';

/** A file in memory; `failAt` makes the write at that position fail. */
class MemoryFile implements WritableFile {
  data = Buffer.alloc(0);
  writes: [number, number][] = [];
  failAt?: number;
  async write(chunk: Uint8Array, position: number): Promise<void> {
    await Promise.resolve();
    if (position === this.failAt) {
      throw Object.assign(new Error('no space'), { code: 'ENOSPC' });
    }
    this.writes.push([position, chunk.byteLength]);
    const end = position + chunk.byteLength;
    if (end > this.data.length) {
      this.data = Buffer.concat([this.data, Buffer.alloc(end - this.data.length)]);
    }
    Buffer.from(chunk).copy(this.data, position);
  }
  async truncate(length: number): Promise<void> {
    this.data = this.data.subarray(0, length);
    return Promise.resolve();
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

type Answer = { status: number; headers?: Record<string, string>; chunks?: Uint8Array[]; fail?: Error } | Error;

/** Answers GETs from a script, one answer a request; records what was asked. */
class ScriptedHttp implements StreamingHttp {
  readonly requests: GetRequest[] = [];
  discarded = 0;
  constructor(private readonly answers: Answer[]) {}
  get(request: GetRequest): Promise<GetResponse> {
    this.requests.push(request);
    const a = this.answers.shift();
    if (!a) {
      return Promise.reject(new Error('no more answers'));
    }
    if (a instanceof Error) {
      return Promise.reject(a);
    }
    return Promise.resolve({
      status: a.status,
      headers: a.headers ?? {},
      body: (async function* () {
        for (const c of a.chunks ?? []) {
          yield await Promise.resolve(c);
        }
        if (a.fail) {
          throw a.fail;
        }
      })(),
      discard: () => {
        this.discarded++;
      },
    });
  }
}

const bytes = (n: number, from = 0) => Buffer.from(Array.from({ length: n }, (_, i) => (from + i) % 251));

function setup(answers: Answer[], size: number, extra: Partial<TransferOptions> = {}) {
  const http = new ScriptedHttp(answers);
  const file = new MemoryFile();
  const sleeps: number[] = [];
  let now = 1_000_000;
  const logs: string[] = [];
  let urls = 0;
  let restarts = 0;
  const options: TransferOptions = {
    http,
    clock: {
      now: () => now,
      sleep: (ms: number) => {
        sleeps.push(ms);
        now += ms;
        return Promise.resolve();
      },
    },
    fileSize: size,
    signal: new AbortController().signal,
    freshUrl: () => Promise.resolve(`http://127.0.0.1:9/fresh${++urls}`),
    restart: () => {
      restarts++;
      return Promise.resolve(new BlockWriter(file, 0, new InlineMd5(), 4));
    },
    log: (line) => logs.push(line),
    retryDelayMs: 100,
    ...extra,
  };
  const writer = new BlockWriter(file, 0, new InlineMd5(), 4);
  return {
    http,
    file,
    sleeps,
    logs,
    options,
    writer,
    restarts: () => restarts,
    advance: (ms: number) => (now += ms),
    run: (w = writer) => transfer(w, 'http://127.0.0.1:9/f?sig=secret', options),
  };
}

describe('download: transfer, case by case', () => {
  it('asks for the rest with Range and identity encoding, and counts attempts', async () => {
    const t = setup(
      [
        { status: 200, chunks: [bytes(5)], fail: new Error('reset') },
        { status: 206, headers: { 'content-range': 'bytes 5-9/10' }, chunks: [bytes(5, 5)] },
      ],
      10,
    );
    const { writer, stats } = await t.run();
    await writer.finish();
    assert.deepStrictEqual(
      t.http.requests.map((r) => r.headers),
      [{ 'accept-encoding': 'identity' }, { 'accept-encoding': 'identity', range: 'bytes=5-' }],
    );
    assert.deepStrictEqual(stats, { attempts: 2, urlRefreshes: 0, restarts: 0 });
    assert.ok(t.file.data.equals(bytes(10)));
    assert.deepStrictEqual(t.sleeps, [100]);
    assert.ok(t.logs.some((l) => l === 'The download stopped at byte 5 of 10 (reset); resuming in 100 ms'));
    assert.ok(t.logs.every((l) => !l.includes('secret')));
    assert.ok(t.logs.includes('GET 127.0.0.1:9/f from byte 5'));
    assert.ok(t.logs.includes('GET 127.0.0.1:9/f'));
  });

  it('waits longer after each failure without progress (doubling, at most 10 s), and gives up after maxRetries', async () => {
    const t = setup(
      [500, 503, 429, 408, 502, 500, 500, 500].map((status) => ({ status })),
      10,
      { maxRetries: 7, retryDelayMs: 2000 },
    );
    const error = await t.run().then(
      () => assert.fail('expected a failure'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof DownloadError && error.reason === 'network');
    assert.strictEqual(error.message, 'the download failed 8 times in a row at byte 0: HTTP 500');
    assert.deepStrictEqual(t.sleeps, [2000, 4000, 8000, 10_000, 10_000, 10_000, 10_000]);
    assert.strictEqual(t.http.discarded, 8, 'an answer that is not read is discarded');
  });

  it('a failure after progress starts the count again', async () => {
    const t = setup(
      [
        { status: 500 },
        { status: 500 },
        { status: 200, chunks: [bytes(3)], fail: new Error('reset') },
        { status: 500 },
        { status: 206, headers: { 'content-range': 'bytes 3-9/10' }, chunks: [bytes(7, 3)] },
      ],
      10,
      { maxRetries: 2 },
    );
    await t.run();
    assert.deepStrictEqual(t.sleeps, [100, 200, 100, 200]);
  });

  it('by default retries 5 times, from 500 ms', async () => {
    const t = setup(new Array<Answer>(6).fill(new Error('refused')), 10, { retryDelayMs: undefined });
    await assert.rejects(t.run(), /failed 6 times in a row at byte 0: refused/);
    assert.deepStrictEqual(t.sleeps, [500, 1000, 2000, 4000, 8000]);
  });

  it('an expired URL (401, 403, 410): a fresh one, from the same byte; gives up after maxUrlRefreshes', async () => {
    const t = setup(
      [{ status: 401 }, { status: 403 }, { status: 410 }, { status: 206, headers: { 'content-range': 'bytes 0-9/10' }, chunks: [bytes(10)] }],
      10,
    );
    const { stats } = await t.run();
    assert.deepStrictEqual(
      t.http.requests.map((r) => r.url),
      ['http://127.0.0.1:9/f?sig=secret', 'http://127.0.0.1:9/fresh1', 'http://127.0.0.1:9/fresh2', 'http://127.0.0.1:9/fresh3'],
    );
    assert.strictEqual(stats.urlRefreshes, 3);
    assert.deepStrictEqual(t.sleeps, [], 'no wait before a fresh URL');
    assert.ok(t.logs.includes('The download URL was refused (HTTP 401, expired?): asking Qianfan for a fresh one'));

    const u = setup([{ status: 403 }, { status: 403 }, { status: 403 }], 10, { maxUrlRefreshes: 2 });
    await assert.rejects(u.run(), (e: unknown) => {
      assert.ok(e instanceof DownloadError && e.reason === 'http' && e.detail.status === 403);
      assert.strictEqual(e.message, 'the file server still refuses the download after 2 fresh URLs (HTTP 403)');
      return true;
    });
    const d = setup(new Array<Answer>(5).fill({ status: 403 }), 10);
    await assert.rejects(d.run(), /after 3 fresh URLs/);
    assert.strictEqual(d.http.requests.length, 4);
  });

  it('a status that is neither retried nor an expiry fails at once with it (404, 3xx)', async () => {
    for (const status of [404, 302, 400]) {
      const t = setup([{ status }], 10);
      await assert.rejects(
        t.run(),
        (e: unknown) =>
          e instanceof DownloadError && e.reason === 'http' && e.detail.status === status && e.message === `the file server answered HTTP ${status}`,
      );
      assert.strictEqual(t.http.requests.length, 1);
      assert.strictEqual(t.http.discarded, 1, 'the refused answer is discarded, not left holding its connection');
    }
  });

  it('a Range that is ignored (200), answered from another byte, or unreadable: starts again from 0, at most twice', async () => {
    const resumed = (w: BlockWriter) => w.push(bytes(4)).then(() => w);
    const t = setup(
      [
        { status: 200, chunks: [bytes(10)] },
        { status: 200, chunks: [bytes(10)] },
      ],
      10,
    );
    const { writer, stats } = await t.run(await resumed(t.writer));
    await writer.finish();
    assert.strictEqual(t.restarts(), 1);
    assert.strictEqual(stats.restarts, 1);
    assert.strictEqual(t.http.requests[0].headers.range, 'bytes=4-');
    assert.strictEqual(t.http.requests[1].headers.range, undefined, 'the new writer starts from byte 0');
    assert.strictEqual(t.http.discarded, 1, 'the answer that ignored the Range is not read');
    assert.ok(t.file.data.equals(bytes(10)));
    assert.ok(t.logs.includes('The file server ignored the Range (HTTP 200): starting again from byte 0'));

    for (const range of ['bytes 3-9/10', 'bytes 4-9/*x', 'nonsense']) {
      const u = setup([{ status: 206, headers: { 'content-range': range } }], 10);
      await assert.rejects(u.run(await resumed(u.writer)), /no more answers/);
      assert.strictEqual(u.restarts(), 1, range);
    }
    const star = setup([{ status: 206, headers: { 'content-range': 'bytes 4-9/*' }, chunks: [bytes(6, 4)] }], 10);
    await star.run(await resumed(star.writer));
    assert.strictEqual(star.restarts(), 0, 'an unknown total is fine');

    const stubborn = setup(new Array<Answer>(4).fill({ status: 206, headers: { 'content-range': 'bytes 7-9/10' } }), 10);
    await assert.rejects(stubborn.run(await resumed(stubborn.writer)), (e: unknown) => {
      assert.ok(e instanceof DownloadError && e.reason === 'http' && e.detail.status === 206);
      assert.strictEqual(e.message, 'the file server keeps ignoring the Range of a resumed download');
      return true;
    });
    assert.strictEqual(stubborn.restarts(), 3);
  });

  it('416 before the end of the file: starts again from byte 0', async () => {
    const u = setup([{ status: 416 }, { status: 200, chunks: [bytes(4)] }], 4);
    await u.writer.push(bytes(3));
    const { writer } = await u.run(u.writer);
    await writer.finish();
    assert.strictEqual(u.restarts(), 1);
    assert.ok(u.logs.includes('The file server ignored the Range (HTTP 416): starting again from byte 0'));
    assert.ok(u.file.data.equals(bytes(4)));
  });

  it('more bytes than the export: a size mismatch, the answer discarded', async () => {
    const t = setup([{ status: 200, chunks: [bytes(6), bytes(5)] }], 10);
    await assert.rejects(
      t.run(),
      (e: unknown) => e instanceof DownloadError && e.reason === 'sizeMismatch' && e.message === "the file server sent more than the export's 10 bytes",
    );
    assert.strictEqual(t.http.discarded, 1);
    const exact = setup([{ status: 200, chunks: [bytes(6), bytes(4)] }], 10);
    await exact.run();
  });

  it('a cancel stops it, before a request and after a failed one', async () => {
    const controller = new AbortController();
    controller.abort();
    const t = setup([], 10, { signal: controller.signal });
    await assert.rejects(t.run(), CancelledError);
    assert.strictEqual(t.http.requests.length, 0);
    const later = new AbortController();
    const u = setup([], 10, { signal: later.signal });
    u.options.http.get = () => {
      later.abort();
      return Promise.reject(new Error('aborted'));
    };
    await assert.rejects(u.run(), CancelledError);
  });

  it('reports progress with the rate over the last seconds, time left, and where it resumed; checkpoints each second', async () => {
    const progress: DownloadProgress[] = [];
    const checkpoints: number[] = [];
    const t = setup([], 1000, { onProgress: (p) => progress.push(p), onCheckpoint: (c) => checkpoints.push(c), progressIntervalMs: 500 });
    const w = t.writer;
    await w.push(bytes(100));
    t.http.get = () =>
      Promise.resolve({
        status: 206,
        headers: { 'content-range': 'bytes 100-999/1000' },
        discard: () => undefined,
        body: (async function* () {
          for (let i = 0; i < 9; i++) {
            t.advance(400);
            yield await Promise.resolve(bytes(100));
          }
        })(),
      });
    await t.run(w);
    // Ticks at +400 … +3600 ms; reports when 500 ms passed since the last one, and at the end.
    assert.deepStrictEqual(
      progress.map((p) => p.received),
      [200, 400, 600, 800, 1000],
    );
    assert.ok(progress.every((p) => p.total === 1000 && p.resumedAt === 100));
    assert.strictEqual(progress[0].bytesPerSecond, 250); // 100 bytes in 400 ms
    assert.strictEqual(progress[0].secondsLeft, 3.2);
    assert.strictEqual(progress[4].secondsLeft, 0);
    assert.deepStrictEqual(checkpoints, [100, 400, 700], 'about once a second, the bytes on disk');
  });
});

describe('download: transfer, stalls and the rate', () => {
  it('no byte for stallMs counts as a dropped connection: the same byte again', async () => {
    const t = setup([], 10, { stallMs: 40 });
    let calls = 0;
    t.http.get = (request) => {
      calls++;
      if (calls === 1) {
        return Promise.resolve({
          status: 200,
          headers: {},
          discard: () => undefined,
          body: (async function* () {
            yield await Promise.resolve(bytes(4));
            await new Promise<void>((_resolve, reject) => request.signal.addEventListener('abort', () => reject(new Error('aborted by the watchdog'))));
          })(),
        });
      }
      return Promise.resolve({
        status: 206,
        headers: { 'content-range': 'bytes 4-9/10' },
        discard: () => undefined,
        body: (async function* () {
          yield await Promise.resolve(bytes(6, 4));
        })(),
      });
    };
    t.options.clock.now = Date.now;
    const started = Date.now();
    const { stats } = await t.run();
    assert.strictEqual(stats.attempts, 2);
    assert.ok(Date.now() - started < 2000, 'the watchdog looks often enough');
    assert.ok(t.logs.includes('The download stopped at byte 4 of 10 (no data for 40 ms); resuming in 100 ms'), t.logs.join('\n'));
  });

  it('an error that is not a stall is passed on as it is', async () => {
    const t = setup([{ status: 200, chunks: [bytes(2)], fail: new DownloadError('http', 'odd') }], 10);
    await assert.rejects(t.run(), /^DownloadError: odd$/);
  });

  it('the rate is over the last five seconds or so; unknown before time passes', async () => {
    const progress: DownloadProgress[] = [];
    const t = setup([], 100_000, { onProgress: (p) => progress.push(p), progressIntervalMs: 0 });
    t.http.get = () =>
      Promise.resolve({
        status: 200,
        headers: {},
        discard: () => undefined,
        body: (async function* () {
          yield await Promise.resolve(bytes(1000)); // no time has passed: no rate yet
          for (let i = 0; i < 10; i++) {
            t.advance(1000);
            yield await Promise.resolve(bytes(i < 5 ? 1000 : 10_000)); // slow, then fast
          }
        })(),
      });
    await assert.rejects(t.run()); // the body ended early, and the same answer comes again
    assert.strictEqual(progress[0].bytesPerSecond, 0);
    assert.strictEqual(progress[0].secondsLeft, undefined);
    const last = progress[10];
    assert.strictEqual(last.received, 56_000);
    // 5 s window: from the sample at +5 s (6,000 bytes) to +10 s (56,000 bytes).
    assert.strictEqual(last.bytesPerSecond, 10_000);
    assert.strictEqual(last.secondsLeft, 4.4);
  });
});

describe('download: the block writer', () => {
  it('writes blocks at their positions, hashes them in order, and commits the prefix on disk', async () => {
    const file = new MemoryFile();
    const hasher = new InlineMd5();
    const w = new BlockWriter(file, 10, hasher, 4, 2);
    await w.push(bytes(3));
    assert.deepStrictEqual([w.position, w.committed, file.writes.length], [13, 10, 0]);
    await w.push(bytes(3, 3));
    await w.push(bytes(5, 6));
    await w.finish();
    assert.deepStrictEqual(file.writes, [
      [10, 6],
      [16, 5],
    ]);
    assert.deepStrictEqual([w.position, w.committed, hasher.bytes], [21, 21, 11]);
    assert.ok(file.data.subarray(10).equals(bytes(11)));
  });

  it('a failed write: committed stops before it, later pushes and finish throw it', async () => {
    const file = new MemoryFile();
    file.failAt = 4;
    const w = new BlockWriter(file, 0, new InlineMd5(), 4, 8);
    await w.push(bytes(4));
    await w.push(bytes(4));
    await w.push(bytes(4)).catch(() => undefined);
    await assert.rejects(w.finish(), /no space/);
    assert.strictEqual(w.committed, 4);
    await assert.rejects(w.push(bytes(1)), /no space/);
    await assert.rejects(w.finish(), /no space/);
    assert.strictEqual(w.committed, 4, 'never past the failed write');
  });
});
