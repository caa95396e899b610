/** The download engine's parts: the worker hasher, URL rules, the partial-download store, export files. */
import * as assert from 'assert';
import { createHash, randomBytes } from 'crypto';
import { exportFileOf } from '../../src/core/download/exportFile';
import { DownloadError } from '../../src/core/download/errors';
import { InlineMd5, WorkerMd5 } from '../../src/core/download/hasher';
import { PARTIAL_DOWNLOADS_KEY, PartialDownloadsStore } from '../../src/core/download/partialStore';
import { checkDownloadUrl, urlForLog } from '../../src/core/download/url';
import { MemoryKeyValueStore } from '../../src/core/state/keyValueStore';

describe('download parts', () => {
  it('the worker hasher gives the same md5 as a plain one, across chunk sizes and with backpressure', async () => {
    const data = randomBytes(5 * 1024 * 1024 + 17);
    const worker = new WorkerMd5(1024 * 1024);
    const inline = new InlineMd5();
    for (let o = 0; o < data.length; o += 300_001) {
      const chunk = data.subarray(o, o + 300_001);
      inline.update(chunk);
      const wait = worker.update(chunk);
      if (wait) {
        await wait;
      }
    }
    const expected = createHash('md5').update(data).digest('hex');
    assert.strictEqual(await worker.digest(), expected);
    assert.strictEqual(await inline.digest(), expected);
    assert.strictEqual(worker.bytes, data.length);
    worker.dispose();
  });

  it('the worker hasher splits chunks larger than its slots and waits for free slots, in order', async () => {
    const data = randomBytes(100_000);
    const worker = new WorkerMd5(4096, 2);
    let waited = 0;
    for (let o = 0; o < data.length; o += 30_000) {
      const wait = worker.update(data.subarray(o, o + 30_000));
      if (wait) {
        waited++;
        await wait;
      }
    }
    assert.ok(waited > 0, 'a chunk of 30,000 bytes does not fit in 2 slots of 4,096');
    assert.strictEqual(worker.bytes, data.length);
    assert.strictEqual(await worker.digest(), createHash('md5').update(data).digest('hex'));
    worker.dispose();
    assert.throws(() => worker.update(data), /disposed/);
    await assert.rejects(worker.digest(), /disposed/);
  });

  it('the worker hasher: a stopped worker fails whoever waits for it', async () => {
    const worker = new WorkerMd5(1024, 1);
    const wait = worker.update(randomBytes(10_000));
    assert.ok(wait instanceof Promise, 'the chunk does not fit in one slot of 1,024');
    const digest = worker.digest();
    worker.dispose();
    await assert.rejects(wait, /the hashing worker stopped/);
    await assert.rejects(digest, /the hashing worker stopped/);
  });

  it('download URLs: https anywhere, http only on loopback; logs show host and path only', () => {
    assert.strictEqual(checkDownloadUrl('https://bj.bcebos.com/a.tar.gz?authorization=x').host, 'bj.bcebos.com');
    assert.strictEqual(checkDownloadUrl('http://127.0.0.1:9/a').port, '9');
    for (const bad of ['http://bj.bcebos.com/a', 'ftp://127.0.0.1/a', 'file:///etc/passwd', 'https://u:p@bj.bcebos.com/a', 'not a url']) {
      assert.throws(
        () => checkDownloadUrl(bad),
        (e: unknown) => e instanceof DownloadError && e.reason === 'badUrl',
        bad,
      );
    }
    assert.strictEqual(urlForLog('https://bj.bcebos.com/q/a.tar.gz?authorization=bce-auth-v1%2Fsecret#x'), 'bj.bcebos.com/q/a.tar.gz');
  });

  it('the partial-download store keeps clean entries by target, and keeps what it cannot read', async () => {
    const kv = new MemoryKeyValueStore();
    await kv.update(PARTIAL_DOWNLOADS_KEY, [{ target: '/x', bytes: 'many' }]);
    const store = new PartialDownloadsStore(kv);
    const entry = { target: '/t/a.tar.gz', modelId: 'amv-a1b2c3d4', md5: 'A'.repeat(32), fileSize: 10, bytes: 4, updatedAt: 1 };
    await store.put(entry);
    await store.put({ ...entry, bytes: 6, updatedAt: 2 });
    assert.deepStrictEqual(store.list(), [{ ...entry, md5: 'a'.repeat(32), bytes: 6, updatedAt: 2 }]);
    assert.strictEqual(store.forExport('amv-a1b2c3d4', 'A'.repeat(32))?.bytes, 6);
    await assert.rejects(store.put({ ...entry, bytes: 11 }));
    await store.remove(entry);
    assert.deepStrictEqual(kv.get(PARTIAL_DOWNLOADS_KEY), [{ target: '/x', bytes: 'many' }]);
  });

  it('only a Done export with a URL, an md5 and a size can be downloaded', () => {
    const done = { hasRecord: true, status: 'Done', exportId: 'e', downloadUrl: 'https://h/p', md5: 'b'.repeat(32), fileSize: 3 };
    assert.strictEqual(exportFileOf('amv-a1b2c3d4', done).fileSize, 3);
    for (const task of [
      undefined,
      { ...done, status: 'Doing' },
      { ...done, md5: 'x' },
      { ...done, fileSize: undefined },
      { ...done, downloadUrl: undefined },
    ]) {
      assert.throws(
        () => exportFileOf('amv-a1b2c3d4', task),
        (e: unknown) => e instanceof DownloadError && e.reason === 'notReady',
      );
    }
  });
});
