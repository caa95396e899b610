/**
 * The download engine's exact decisions (which .part, which hash state, what is kept after a
 * failure), the block writer's order and backpressure, and the hashers' slots: over an in-memory
 * file system, a scripted file server and a hand-driven clock.
 */
import * as assert from 'assert';
import { createHash } from 'crypto';
import { type Worker } from 'worker_threads';
import { Downloader, type DownloaderDeps, type ExportFile } from '../../src/core/download/engine';
import { InlineMd5, type Md5Hasher, WorkerMd5, workerHasher } from '../../src/core/download/hasher';
import { PartialDownloadsStore, partPath } from '../../src/core/download/partialStore';
import { BlockWriter } from '../../src/core/download/writer';
import { type DownloadFs, type GetRequest, type GetResponse, type StreamingHttp, type WritableFile } from '../../src/core/download/types';
import { CancelledError } from '../../src/core/qianfan/errors';
import { MemoryKeyValueStore } from '../../src/core/state/keyValueStore';
import { failure } from '../support/downloadFailure';

const MiB = 1024 * 1024;
const TARGET = '/downloads/model.tar.gz';
const PART = partPath(TARGET);
const other = (n: number) => `${TARGET} (${n}).part`;

const bytes = (n: number, seed = 0) => Buffer.from(Array.from({ length: n }, (_, i) => (seed + i * 7 + (i >> 8)) % 251));
const md5Of = (data: Uint8Array) => createHash('md5').update(data).digest('hex');
const diskFull = () => Object.assign(new Error('no space'), { code: 'ENOSPC' });

/** Whether a promise has settled once the pending callbacks ran. */
async function state(p: Promise<unknown>): Promise<'pending' | 'resolved' | 'rejected'> {
  let s: 'pending' | 'resolved' | 'rejected' = 'pending';
  p.then(
    () => (s = 'resolved'),
    () => (s = 'rejected'),
  );
  await new Promise((r) => setImmediate(r));
  return s;
}

/** Files in memory; records what was opened and written. */
class MemoryFs implements DownloadFs {
  readonly files = new Map<string, Buffer>();
  readonly opened: string[] = [];
  readonly writes: [string, number, number][] = [];
  failTruncate?: Error;
  /** The write at this position fails (once). */
  failWriteAt?: number;
  failRead?: Error;

  openForWrite(path: string): Promise<WritableFile> {
    this.opened.push(path);
    if (!this.files.has(path)) {
      this.files.set(path, Buffer.alloc(0));
    }
    return Promise.resolve({
      write: async (data: Uint8Array, at: number) => {
        await Promise.resolve();
        if (at === this.failWriteAt) {
          this.failWriteAt = undefined;
          throw diskFull();
        }
        this.writes.push([path, at, data.byteLength]);
        const old = this.files.get(path)!;
        const next = Buffer.alloc(Math.max(old.length, at + data.byteLength));
        old.copy(next);
        Buffer.from(data).copy(next, at);
        this.files.set(path, next);
      },
      truncate: (length: number) => {
        if (this.failTruncate) {
          return Promise.reject(this.failTruncate);
        }
        this.files.set(path, this.files.get(path)!.subarray(0, length));
        return Promise.resolve();
      },
      close: () => Promise.resolve(),
    });
  }
  size(path: string): Promise<number | undefined> {
    return Promise.resolve(this.files.get(path)?.length);
  }
  read(path: string, length: number): AsyncIterable<Uint8Array> {
    const data = this.files.get(path)!.subarray(0, length);
    const failRead = this.failRead;
    return (async function* () {
      if (failRead) {
        throw failRead;
      }
      for (let o = 0; o < data.length; o += 64 * 1024) {
        yield await Promise.resolve(data.subarray(o, o + 64 * 1024));
      }
    })();
  }
  rename(from: string, to: string): Promise<void> {
    this.files.set(to, this.files.get(from)!);
    this.files.delete(from);
    return Promise.resolve();
  }
  remove(path: string): Promise<void> {
    this.files.delete(path);
    return Promise.resolve();
  }
}

/** An md5 that counts its disposals and, like the worker one, refuses to work once disposed. */
class TrackedMd5 implements Md5Hasher {
  private readonly inner = new InlineMd5();
  disposed = 0;
  get bytes(): number {
    return this.inner.bytes;
  }
  update(chunk: Uint8Array): void {
    if (this.disposed > 0) {
      throw new Error('the hasher was disposed');
    }
    this.inner.update(chunk);
  }
  digest(): Promise<string> {
    return this.disposed > 0 ? Promise.reject(new Error('the hasher was disposed')) : this.inner.digest();
  }
  dispose(): void {
    this.disposed++;
  }
}

interface Serve {
  /** Bytes per chunk of a body. */
  chunk?: number;
  /** Answers 200 with the whole file even when a Range is asked. */
  ignoreRange?: boolean;
  /** Called before each chunk of a body is sent (n counts the chunks of this answer). */
  beforeChunk?: (n: number, request: GetRequest) => void;
}

/** Serves `content` with Range support, in chunks; records the requests. */
function fileServer(served: { content: Buffer }, o: Serve = {}): StreamingHttp & { requests: GetRequest[] } {
  const requests: GetRequest[] = [];
  return {
    requests,
    get(request: GetRequest): Promise<GetResponse> {
      requests.push(request);
      const content = served.content;
      const range = /^bytes=(\d+)-$/.exec(request.headers.range ?? '');
      const from = range && !o.ignoreRange ? Number(range[1]) : 0;
      const size = o.chunk ?? 256 * 1024;
      const headers: Record<string, string> = from > 0 ? { 'content-range': `bytes ${from}-${content.length - 1}/${content.length}` } : {};
      return Promise.resolve({
        status: from > 0 ? 206 : 200,
        headers,
        body: (async function* () {
          for (let at = from, n = 0; at < content.length; at += size, n++) {
            o.beforeChunk?.(n, request);
            if (request.signal.aborted) {
              throw Object.assign(new Error('aborted'), { name: 'AbortError' });
            }
            yield await Promise.resolve(content.subarray(at, at + size));
          }
        })(),
        discard: () => undefined,
      });
    },
  };
}

function setup(content: Buffer, serve: Serve = {}, overrides: Partial<DownloaderDeps> = {}) {
  const fs = new MemoryFs();
  const served = { content };
  const http = fileServer(served, serve);
  const store = new PartialDownloadsStore(new MemoryKeyValueStore());
  const hashers: TrackedMd5[] = [];
  const logs: string[] = [];
  const clock = { t: 1_000_000 };
  const file: ExportFile = {
    modelId: 'amv-a1b2c3d4',
    exportId: 'ex-1',
    fileSize: content.length,
    md5: md5Of(content),
    downloadUrl: 'https://files.example/ex-1',
  };
  const downloader = new Downloader({
    http,
    fs,
    clock: { now: () => clock.t, sleep: () => Promise.resolve() },
    store,
    hasher: () => {
      const h = new TrackedMd5();
      hashers.push(h);
      return h;
    },
    log: (line) => logs.push(line),
    ...overrides,
  });
  const request = (signal = new AbortController().signal, more: Partial<{ file: ExportFile; overwrite: boolean }> = {}) => ({
    file,
    target: TARGET,
    overwrite: false,
    signal,
    refresh: () => Promise.resolve(file),
    ...more,
  });
  const remember = (bytes: number, more: Partial<{ md5: string; part: string }> = {}) =>
    store.put({ target: TARGET, modelId: file.modelId, md5: file.md5, fileSize: file.fileSize, bytes, updatedAt: 1, ...more });
  return { fs, http, served, store, hashers, logs, clock, file, downloader, request, remember };
}

describe('download engine, exactly', () => {
  it('a target with 100 .part files of other downloads beside it is refused, before any request', async () => {
    const t = setup(bytes(1000));
    t.fs.files.set(PART, Buffer.from('a stranger'));
    for (let n = 1; n <= 99; n++) {
      t.fs.files.set(other(n), Buffer.from('a stranger'));
    }
    const e = await failure(t.downloader.download(t.request()));
    assert.strictEqual(e.reason, 'targetExists');
    assert.strictEqual(e.message, `${TARGET} has 100 partial downloads of other exports or profiles beside it`);
    assert.strictEqual(e.detail.path, PART);
    assert.deepStrictEqual([t.http.requests.length, t.fs.opened, t.store.list()], [0, [], []]);
  });

  it('the 99th other .part name is the last one it uses', async () => {
    const content = bytes(1000);
    const t = setup(content);
    t.fs.files.set(PART, Buffer.from('a stranger'));
    for (let n = 1; n <= 98; n++) {
      t.fs.files.set(other(n), Buffer.from('a stranger'));
    }
    const result = await t.downloader.download(t.request());
    assert.deepStrictEqual([result.resumedFrom, t.fs.opened], [0, [other(99)]]);
    assert.ok(t.fs.files.get(TARGET)!.equals(content));
    assert.deepStrictEqual([t.fs.files.has(other(99)), t.fs.files.get(other(98))!.toString()], [false, 'a stranger']);
  });

  it('a .part remembered for another export is left alone, also with no log', async () => {
    const content = bytes(5000);
    const t = setup(content, {}, { log: undefined });
    t.fs.files.set(PART, Buffer.from('theirs'));
    await t.remember(6, { md5: 'f'.repeat(32) });
    const result = await t.downloader.download(t.request());
    assert.deepStrictEqual([result.resumedFrom, t.fs.opened, t.fs.files.get(PART)!.toString()], [0, [other(1)], 'theirs']);
    assert.ok(t.fs.files.get(TARGET)!.equals(content));
    assert.deepStrictEqual(
      t.store.list().map((p) => p.md5),
      ['f'.repeat(32)],
    );
  });

  it('a remembered download whose .part is gone starts again from byte 0', async () => {
    const content = bytes(5000);
    const t = setup(content);
    await t.remember(3000);
    const result = await t.downloader.download(t.request());
    assert.deepStrictEqual([result.resumedFrom, result.md5, t.http.requests[0].headers], [0, t.file.md5, { 'accept-encoding': 'identity' }]);
    assert.ok(t.fs.files.get(TARGET)!.equals(content));
    assert.deepStrictEqual(t.store.list(), []);
  });

  it('a .part that cannot be truncated: a disk error on writing it, nothing kept, no request', async () => {
    const t = setup(bytes(5000));
    t.fs.failTruncate = diskFull();
    const e = await failure(t.downloader.download(t.request()));
    assert.strictEqual(e.reason, 'disk');
    assert.strictEqual(e.message, `could not write ${PART}: the disk is full`);
    assert.deepStrictEqual([e.detail.code, e.detail.partKept, e.detail.path], ['ENOSPC', false, PART]);
    assert.deepStrictEqual([t.http.requests.length, t.store.list(), t.fs.files.has(PART)], [0, [], false]);
  });

  it('a write that fails after the first block: the good prefix is kept and remembered, its hash state dropped', async () => {
    const content = bytes(2 * MiB + 500);
    const t = setup(content);
    t.fs.failWriteAt = MiB;
    const e = await failure(t.downloader.download(t.request()));
    assert.strictEqual(e.message, `could not write ${PART}: the disk is full`);
    assert.deepStrictEqual([e.reason, e.detail.partKept], ['disk', true]);
    assert.strictEqual(t.store.get(TARGET)!.bytes, MiB);
    assert.deepStrictEqual(
      t.hashers.map((h) => h.disposed),
      [1],
      'the hash covers a block that is not on disk: it cannot be resumed',
    );
    const result = await t.downloader.download(t.request());
    assert.strictEqual(result.resumedFrom, MiB);
    assert.ok(t.logs.includes(`Reading the first ${MiB} bytes of ${PART} to resume its md5`));
    assert.ok(t.fs.files.get(TARGET)!.equals(content));
    assert.deepStrictEqual(
      t.hashers.map((h) => h.disposed),
      [1, 1],
    );
  });

  it('bytes that do not hash to the md5: the .part is deleted and forgotten, the error names it', async () => {
    const t = setup(bytes(3000));
    const e = await failure(t.downloader.download(t.request(undefined, { file: { ...t.file, md5: 'a'.repeat(32) } })));
    assert.strictEqual(e.reason, 'md5Mismatch');
    assert.strictEqual(e.message, `the file's md5 is ${md5Of(bytes(3000))}, not the export's ${'a'.repeat(32)}; the partial file was deleted`);
    assert.strictEqual(e.detail.path, PART);
    assert.deepStrictEqual([t.fs.files.has(PART), t.fs.files.has(TARGET), t.store.list()], [false, false, []]);
    assert.deepStrictEqual(
      t.hashers.map((h) => h.disposed),
      [1],
    );
  });

  it('remembers the bytes on disk about once a second while it downloads', async () => {
    const content = bytes(3 * MiB);
    const seen: number[] = [];
    let t: ReturnType<typeof setup> | undefined = undefined;
    t = setup(content, {
      beforeChunk: () => {
        t!.clock.t += 1000;
        seen.push(t!.store.get(TARGET)!.bytes);
      },
    });
    await t.downloader.download(t.request());
    // 12 chunks of 256 KiB; a block of 1 MiB counts once a later block is handed to the disk.
    assert.deepStrictEqual(seen, [0, 0, 0, 0, 0, 0, 0, 0, 0, MiB, MiB, MiB]);
    assert.deepStrictEqual(t.store.list(), []);
  });

  it('a cancelled download keeps its hash state in memory and resumes with it (no read); dispose drops a kept one', async () => {
    const content = bytes(2 * MiB);
    const controller = new AbortController();
    const t = setup(content, { beforeChunk: (n, r) => n === 5 && !r.headers.range && controller.abort() });
    await assert.rejects(t.downloader.download(t.request(controller.signal)), CancelledError);
    const kept = t.store.get(TARGET)!.bytes;
    assert.strictEqual(kept, 5 * 256 * 1024);
    assert.deepStrictEqual([t.hashers.length, t.hashers[0].disposed, t.hashers[0].bytes], [1, 0, kept]);

    const result = await t.downloader.download(t.request());
    assert.strictEqual(result.resumedFrom, kept);
    assert.ok(t.logs.every((l) => !l.startsWith('Reading the first')));
    assert.deepStrictEqual([t.hashers.length, t.hashers[0].disposed], [1, 1]);
    t.downloader.dispose();
    assert.strictEqual(t.hashers[0].disposed, 1, 'a hash state used by a resume is no longer kept');
    assert.ok(t.fs.files.get(TARGET)!.equals(content));

    const again = new AbortController();
    const u = setup(content, { beforeChunk: (n) => n === 2 && again.abort() });
    await assert.rejects(u.downloader.download(u.request(again.signal)), CancelledError);
    assert.strictEqual(u.hashers[0].disposed, 0);
    u.downloader.dispose();
    assert.strictEqual(u.hashers[0].disposed, 1);
  });

  it('a kept hash state is not used for another export on the same .part', async () => {
    const content = bytes(2 * MiB);
    const controller = new AbortController();
    const t = setup(content, { beforeChunk: (n, r) => n === 4 && !r.headers.range && controller.abort() });
    await assert.rejects(t.downloader.download(t.request(controller.signal)), CancelledError);
    assert.strictEqual(t.store.get(TARGET)!.bytes, MiB);

    // Another window remembered another export for the same .part, and wrote its first MiB there.
    const theirs = bytes(2 * MiB, 99);
    t.fs.files.set(PART, theirs.subarray(0, MiB));
    await t.store.remove({ target: TARGET });
    await t.remember(MiB, { md5: md5Of(theirs) });
    t.served.content = theirs;
    const result = await t.downloader.download(t.request(undefined, { file: { ...t.file, md5: md5Of(theirs), downloadUrl: 'https://files.example/ex-2' } }));
    assert.deepStrictEqual([result.resumedFrom, result.md5], [MiB, md5Of(theirs)]);
    assert.ok(t.logs.includes(`Reading the first ${MiB} bytes of ${PART} to resume its md5`));
    assert.strictEqual(t.hashers[0].disposed, 1);
  });

  it('a kept hash state is not used when the .part on disk is shorter: the .part is read instead', async () => {
    const content = bytes(2 * MiB);
    const controller = new AbortController();
    const t = setup(content, { beforeChunk: (n, r) => n === 4 && !r.headers.range && controller.abort() });
    await assert.rejects(t.downloader.download(t.request(controller.signal)), CancelledError);
    t.fs.files.set(PART, content.subarray(0, 1000));
    const result = await t.downloader.download(t.request());
    assert.deepStrictEqual([result.resumedFrom, result.md5], [1000, t.file.md5]);
    assert.ok(t.logs.includes(`Reading the first 1000 bytes of ${PART} to resume its md5`));
    assert.deepStrictEqual(
      t.hashers.map((h) => h.disposed),
      [1, 1],
    );
  });

  it('a server that ignores the Range of a resume: starts again from byte 0 with a new hash', async () => {
    const content = bytes(5000);
    const t = setup(content, { ignoreRange: true });
    t.fs.files.set(PART, content.subarray(0, 1000));
    await t.remember(1000);
    const result = await t.downloader.download(t.request());
    assert.deepStrictEqual([result.resumedFrom, result.md5], [1000, t.file.md5]);
    assert.ok(t.fs.files.get(TARGET)!.equals(content));
    assert.deepStrictEqual(
      t.hashers.map((h) => [h.bytes, h.disposed]),
      [
        [1000, 1],
        [5000, 1],
      ],
    );
  });

  it('after the target appeared while downloading, a download that may overwrite it completes', async () => {
    const content = bytes(2 * MiB);
    const t = setup(content, { beforeChunk: (n) => n === 7 && t.fs.files.set(TARGET, Buffer.from('mine')) });
    const e = await failure(t.downloader.download(t.request()));
    assert.strictEqual(e.reason, 'targetExists');
    assert.ok(t.fs.files.get(PART)!.equals(content));
    const result = await t.downloader.download(t.request(undefined, { overwrite: true }));
    assert.strictEqual(result.md5, t.file.md5);
    assert.ok(t.fs.files.get(TARGET)!.equals(content));
    assert.deepStrictEqual([t.fs.files.has(PART), t.store.list()], [false, []]);
  });

  it('an AbortError from the clock while waiting to retry is a Cancel', async () => {
    const controller = new AbortController();
    const t = setup(
      bytes(5000),
      {},
      {
        clock: {
          now: () => 1,
          sleep: () => {
            controller.abort();
            return Promise.reject(Object.assign(new Error('The operation was aborted'), { name: 'AbortError' }));
          },
        },
      },
    );
    t.http.get = () => Promise.reject(new Error('connection reset'));
    await assert.rejects(t.downloader.download(t.request(controller.signal)), (e: unknown) => e instanceof CancelledError);
    assert.deepStrictEqual([t.store.list(), t.fs.files.has(PART)], [[], false]);
  });

  it('a .part that cannot be read for its md5: its new hasher is dropped', async () => {
    const t = setup(bytes(5000));
    t.fs.files.set(PART, bytes(100));
    await t.remember(100);
    t.fs.failRead = Object.assign(new Error('io'), { code: 'EIO' });
    const e = await failure(t.downloader.download(t.request()));
    assert.deepStrictEqual([e.reason, e.message, e.detail.partKept], ['disk', `could not write ${PART}: EIO`, false]);
    assert.deepStrictEqual(
      t.hashers.map((h) => h.disposed),
      [1],
    );
  });

  it('reading a .part for its md5 waits whenever the hasher asks', async () => {
    const content = bytes(3 * 64 * 1024 + 5);
    const hasher = new SlowMd5();
    const t = setup(content, {}, { hasher: () => hasher });
    t.fs.files.set(PART, content.subarray(0, 2 * 64 * 1024));
    await t.remember(2 * 64 * 1024);
    const done = t.downloader.download(t.request());
    for (let i = 0; i < 3; i++) {
      await state(Promise.resolve());
      hasher.next();
    }
    const result = await done;
    assert.strictEqual(result.md5, t.file.md5);
    assert.deepStrictEqual(hasher.events, ['update 65536', 'free', 'update 65536', 'free', `update ${64 * 1024 + 5}`, 'free']);
  });
});

/** A file whose writes wait until the test settles them. */
class GatedFile implements WritableFile {
  readonly writes: { at: number; data: Uint8Array; done: () => void; fail: (e: Error) => void }[] = [];
  write(data: Uint8Array, at: number): Promise<void> {
    return new Promise((done, fail) => this.writes.push({ at, data, done, fail }));
  }
  truncate(): Promise<void> {
    return Promise.resolve();
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** An md5 that asks the caller to wait after each update, until the test lets it go on. */
class SlowMd5 implements Md5Hasher {
  private readonly inner = new InlineMd5();
  readonly events: string[] = [];
  private release?: () => void;
  get bytes(): number {
    return this.inner.bytes;
  }
  update(chunk: Uint8Array): Promise<void> {
    this.inner.update(chunk);
    this.events.push(`update ${chunk.byteLength}`);
    return new Promise((r) => (this.release = r));
  }
  /** Lets the caller feed the next bytes. */
  next(): void {
    this.events.push('free');
    this.release!();
  }
  digest(): Promise<string> {
    return this.inner.digest();
  }
  dispose(): void {}
}

describe('block writer, exactly', () => {
  it('writes blocks of 1 MiB by default, a block made of one chunk as it is (no copy)', async () => {
    const file = new GatedFile();
    const w = new BlockWriter(file, 0, new InlineMd5());
    await w.push(bytes(1000));
    assert.strictEqual(file.writes.length, 0);
    const rest = bytes(MiB - 1000);
    await w.push(rest);
    assert.deepStrictEqual(
      file.writes.map((x) => [x.at, x.data.byteLength]),
      [[0, MiB]],
    );
    const whole = bytes(MiB, 5);
    await w.push(whole);
    assert.strictEqual(file.writes[1].data, whole, 'the pushed chunk itself');
    assert.deepStrictEqual([file.writes[1].at, w.committed], [MiB, 0]);
    file.writes.forEach((x) => x.done());
    await w.finish();
    assert.deepStrictEqual([w.position, w.committed], [2 * MiB, 2 * MiB]);
  });

  it('at most maxInFlight writes at once: a push waits for the oldest', async () => {
    const file = new GatedFile();
    const w = new BlockWriter(file, 0, new InlineMd5(), 4, 2);
    assert.strictEqual(await state(w.push(bytes(4))), 'resolved');
    const second = w.push(bytes(4, 4));
    assert.strictEqual(await state(second), 'pending', 'two writes in flight');
    assert.strictEqual(file.writes.length, 2);
    file.writes[0].done();
    assert.strictEqual(await state(second), 'resolved');
    assert.strictEqual(w.committed, 4);
    file.writes[1].done();
    await w.finish();
    assert.strictEqual(w.committed, 8);
  });

  it('the push that waits for a failed write throws its error', async () => {
    const file = new GatedFile();
    const w = new BlockWriter(file, 0, new InlineMd5(), 4, 1);
    const first = w.push(bytes(4));
    assert.strictEqual(await state(first), 'pending');
    file.writes[0].fail(diskFull());
    await assert.rejects(first, /no space/);
    assert.strictEqual(w.committed, 0);
  });

  it('after a failed write, finish writes nothing more', async () => {
    const file = new GatedFile();
    const w = new BlockWriter(file, 0, new InlineMd5(), 4, 4);
    await w.push(bytes(4));
    await w.push(bytes(2, 4));
    file.writes[0].fail(diskFull());
    await state(Promise.resolve());
    await assert.rejects(w.finish(), /no space/);
    assert.deepStrictEqual(
      file.writes.map((x) => x.at),
      [0],
    );
    assert.deepStrictEqual([w.position, w.committed], [6, 0]);
  });

  it('waits for the hasher before taking the next block', async () => {
    const file = new GatedFile();
    const hasher = new SlowMd5();
    const w = new BlockWriter(file, 0, hasher, 4, 8);
    const first = w.push(bytes(4));
    assert.strictEqual(await state(first), 'pending');
    hasher.next();
    assert.strictEqual(await state(first), 'resolved');
    assert.deepStrictEqual(hasher.events, ['update 4', 'free']);
  });
});

describe('md5 hashers, exactly', () => {
  it('the worker hasher takes 8 slots of 1 MiB by default; a chunk that fits is taken at once', async () => {
    const hasher = workerHasher();
    try {
      assert.strictEqual(hasher.update(bytes(8 * MiB)), undefined);
      const wait = hasher.update(bytes(1));
      assert.ok(wait instanceof Promise, 'every slot is taken');
      await wait;
      assert.strictEqual(hasher.bytes, 8 * MiB + 1);
      assert.strictEqual(await hasher.digest(), md5Of(Buffer.concat([bytes(8 * MiB), bytes(1)])));
    } finally {
      hasher.dispose();
    }
  });

  it('a small chunk takes one slot only', async () => {
    const hasher = new WorkerMd5(1024, 2);
    try {
      assert.strictEqual(hasher.update(bytes(1000)), undefined);
      assert.strictEqual(hasher.update(bytes(1000, 1)), undefined);
      const wait = hasher.update(bytes(1, 2));
      assert.ok(wait instanceof Promise, 'both slots are taken');
      await wait;
      assert.strictEqual(await hasher.digest(), md5Of(Buffer.concat([bytes(1000), bytes(1000, 1), bytes(1, 2)])));
    } finally {
      hasher.dispose();
    }
  });

  it('a failure inside the worker fails the hasher with its error', async () => {
    const hasher = new WorkerMd5(1024, 2);
    // A message the worker cannot read makes its code throw (the only way in from outside).
    (hasher as unknown as { worker: Worker }).worker.postMessage(null);
    await assert.rejects(hasher.digest(), /Cannot read properties of null/);
    assert.throws(() => hasher.update(bytes(1)), /Cannot read properties of null/);
    hasher.dispose();
  });
});
