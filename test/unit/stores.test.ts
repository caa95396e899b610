import * as assert from 'assert';
import { runBatch } from '../../src/core/work/batch';
import { CancelledError, QianfanError } from '../../src/core/qianfan/errors';
import { PendingExportsStore, formatBytes, pollExport } from '../../src/core/work/exportTasks';
import { accessKeyProblem, modelVersionIdProblem } from '../../src/core/base/ids';
import { MemoryKeyValueStore } from '../../src/core/state/keyValueStore';
import { type ExportTask } from '../../src/core/qianfan/model';
import { backoffDelay, retryAfterMs } from '../../src/core/qianfan/retry';
import { TRACKED_KEY, TrackedVersionsStore } from '../../src/core/state/trackedVersions';

describe('tracked versions store', () => {
  it('adds, de-duplicates, updates names and removes', async () => {
    const kv = new MemoryKeyValueStore();
    const store = new TrackedVersionsStore(kv, () => 1000);
    let changes = 0;
    store.onDidChange(() => changes++);
    assert.strictEqual(await store.add([{ modelId: 'amv-aaaaaaaaaaaa' }, { modelId: 'amv-bbbbbbbbbbbb', name: 'V2' }]), 2);
    assert.strictEqual(await store.add([{ modelId: 'amv-aaaaaaaaaaaa', name: 'V1' }]), 0);
    assert.deepStrictEqual(store.get('amv-aaaaaaaaaaaa'), { modelId: 'amv-aaaaaaaaaaaa', name: 'V1', addedAt: 1000 });
    await store.updateInfo([{ modelId: 'amv-bbbbbbbbbbbb', modelSetId: 'am-cccccccccccc' }, { modelId: 'amv-notracked1' }]);
    assert.strictEqual(store.get('amv-bbbbbbbbbbbb')?.modelSetId, 'am-cccccccccccc');
    assert.strictEqual(store.list().length, 2, 'updateInfo never adds');
    assert.strictEqual(await store.remove(['amv-aaaaaaaaaaaa']), 1);
    assert.deepStrictEqual(
      store.list().map((v) => v.modelId),
      ['amv-bbbbbbbbbbbb'],
    );
    assert.strictEqual(changes, 4);
  });

  it('refuses an invalid ID and keeps what was there', async () => {
    const store = new TrackedVersionsStore(new MemoryKeyValueStore());
    await store.add([{ modelId: 'amv-aaaaaaaaaaaa' }]);
    await assert.rejects(store.add([{ modelId: 'amv-bbbbbbbbbbbb' }, { modelId: 'nope' }]), /not a model version ID/);
    assert.deepStrictEqual(
      store.list().map((v) => v.modelId),
      ['amv-aaaaaaaaaaaa'],
    );
  });

  it('reads malformed stored entries one by one, without wiping the good ones', async () => {
    const kv = new MemoryKeyValueStore();
    await kv.update(TRACKED_KEY, [
      { modelId: 'amv-aaaaaaaaaaaa', addedAt: 1 },
      { modelId: 42 },
      null,
      'x',
      { modelId: 'amv-bbbbbbbbbbbb', modelSetId: 'bad', addedAt: 2 },
    ]);
    assert.deepStrictEqual(new TrackedVersionsStore(kv).list(), [
      { modelId: 'amv-aaaaaaaaaaaa', addedAt: 1 },
      { modelId: 'amv-bbbbbbbbbbbb', addedAt: 2 }, // an invalid modelSetId is left out, the version kept
    ]);
    await kv.update(TRACKED_KEY, { not: 'a list' });
    assert.deepStrictEqual(new TrackedVersionsStore(kv).list(), []);
  });
});

describe('batch runner', () => {
  it('runs at most N at once and reports every outcome in order', async () => {
    let running = 0;
    let peak = 0;
    const outcomes = await runBatch(
      [1, 2, 3, 4, 5, 6, 7],
      async (n) => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((r) => setTimeout(r, 5 * (8 - n)));
        running--;
        if (n === 4) {
          throw new Error('four');
        }
        return n * 10;
      },
      { concurrency: 3 },
    );
    assert.strictEqual(peak, 3);
    assert.deepStrictEqual(
      outcomes.map((o) => (o.ok ? o.value : (o.error as Error).message)),
      [10, 20, 30, 'four', 50, 60, 70],
    );
  });

  it('marks items not started before a cancel as cancelled', async () => {
    const controller = new AbortController();
    const outcomes = await runBatch(
      [1, 2, 3, 4],
      (n, signal) => {
        if (n === 2) {
          controller.abort();
        }
        return signal?.aborted && n === 2 ? Promise.reject(new CancelledError()) : Promise.resolve(n);
      },
      { concurrency: 1, signal: controller.signal },
    );
    assert.deepStrictEqual(
      outcomes.map((o) => (o.ok ? 'ok' : o.cancelled ? 'cancelled' : 'failed')),
      ['ok', 'cancelled', 'cancelled', 'cancelled'],
    );
  });
});

describe('export polling', () => {
  const pending = { modelId: 'amv-aaaaaaaaaaaa', exportId: 'exp-1', startedAt: 0 };
  const reader = (answers: (ExportTask | Error)[]) => ({
    calls: 0,
    describeModelExportTask() {
      const a = answers[Math.min(this.calls++, answers.length - 1)];
      return a instanceof Error ? Promise.reject(a) : Promise.resolve(a);
    },
  });
  const noSleep = () => Promise.resolve();

  it('polls through Doing to Done, with growing intervals', async () => {
    const waits: number[] = [];
    const r = reader([
      { hasRecord: true, status: 'Doing', exportId: 'exp-1' },
      { hasRecord: true, status: 'Doing', exportId: 'exp-1' },
      { hasRecord: true, status: 'Done', fileName: 'f', md5: 'm', fileSize: 1, exportId: 'exp-1' },
    ]);
    const out = await pollExport(r, pending, { sleep: (ms) => Promise.resolve(void waits.push(ms)), intervalMs: 100, maxIntervalMs: 120, now: () => 0 });
    assert.strictEqual(out.status, 'Done');
    assert.deepStrictEqual(waits, [100, 120]);
  });

  it('reports Fail, and "no record" after the grace period as a failure', async () => {
    assert.strictEqual((await pollExport(reader([{ hasRecord: true, status: 'Fail', exportId: 'exp-1' }]), pending, { sleep: noSleep })).status, 'Fail');
    let now = 0;
    const out = await pollExport(reader([{ hasRecord: false }]), pending, {
      sleep: () => Promise.resolve(void (now += 1000)),
      noRecordGraceMs: 3000,
      now: () => now,
      monotonic: () => now,
    });
    assert.strictEqual(out.status, 'Fail');
    assert.match((out as { reason: string }).reason, /no record/);
  });

  it('rides out passing errors but gives up after several in a row, and never swallows a 4xx', async () => {
    const net = new QianfanError({ kind: 'network', message: 'reset' });
    const ok = await pollExport(reader([net, net, { hasRecord: true, status: 'Done', exportId: 'exp-1' }]), pending, { sleep: noSleep });
    assert.strictEqual(ok.status, 'Done');
    await assert.rejects(pollExport(reader([net]), pending, { sleep: noSleep, maxConsecutiveErrors: 3 }), /reset/);
    const denied = new QianfanError({ kind: 'api', status: 403, code: 'AccessDenied', message: 'no' });
    const r = reader([denied]);
    await assert.rejects(pollExport(r, pending, { sleep: noSleep }), /no/);
    assert.strictEqual(r.calls, 1);
  });

  it('remembers pending exports in the store', async () => {
    const store = new PendingExportsStore(new MemoryKeyValueStore());
    await store.put(pending);
    await store.put({ ...pending, exportId: 'exp-2' });
    assert.deepStrictEqual(store.list(), [{ ...pending, exportId: 'exp-2' }]);
    await store.remove(pending.modelId);
    assert.deepStrictEqual(store.list(), []);
  });

  it('formats sizes', () => {
    assert.strictEqual(formatBytes(512), '512 B');
    assert.strictEqual(formatBytes(1_048_576 + 40), '1.0 MB');
    assert.strictEqual(formatBytes(undefined), '?');
  });
});

describe('validation and retry arithmetic', () => {
  it('explains bad version IDs and keys', () => {
    assert.strictEqual(modelVersionIdProblem(' amv-g73j3faikzpz '), undefined);
    assert.deepStrictEqual(modelVersionIdProblem('am-gh0azfeb9adu'), { code: 'modelId' });
    assert.deepStrictEqual(modelVersionIdProblem('  '), { code: 'empty' });
    assert.deepStrictEqual(modelVersionIdProblem('bce-v3/ALTAK-abc/def'), { code: 'apiKey' });
    assert.deepStrictEqual(modelVersionIdProblem('AMV-G73J3FAIKZPZ'), { code: 'upperCase', suggestion: 'amv-g73j3faikzpz' });
    assert.deepStrictEqual(modelVersionIdProblem('V1 (amv-g73j3faikzpz)'), { code: 'contains', suggestion: 'amv-g73j3faikzpz' });
    assert.deepStrictEqual(modelVersionIdProblem('https://x/y?modelId=amv-g73j3faikzpz&a=amv-g73j3faikzpz'), {
      code: 'contains',
      suggestion: 'amv-g73j3faikzpz',
    });
    assert.deepStrictEqual(modelVersionIdProblem('amv-aaaaaaaa amv-bbbbbbbb'), { code: 'notAnId' }, 'two IDs: no guess');
    assert.deepStrictEqual(modelVersionIdProblem('amv-g73j!'), { code: 'notAnId' });
    assert.deepStrictEqual(modelVersionIdProblem('hello'), { code: 'notAnId' });
    assert.strictEqual(accessKeyProblem('a'.repeat(32), 'access key'), undefined);
    assert.match(accessKeyProblem('short', 'access key')!, /16 to 128/);
  });

  it('backs off exponentially with jitter, capped, honouring a larger server hint', () => {
    const policy = { maxRetries: 3, baseDelayMs: 300, maxDelayMs: 20_000 };
    assert.strictEqual(
      backoffDelay(policy, 0, () => 0),
      150,
    );
    assert.strictEqual(
      backoffDelay(policy, 0, () => 1),
      300,
    );
    assert.strictEqual(
      backoffDelay(policy, 3, () => 1),
      2400,
    );
    assert.strictEqual(
      backoffDelay(policy, 20, () => 1),
      20_000,
    );
    assert.strictEqual(
      backoffDelay(policy, 0, () => 0, 5000),
      5000,
    );
    assert.strictEqual(retryAfterMs({ 'retry-after': '2' }, 0), 2000);
    assert.strictEqual(retryAfterMs({ 'retry-after-ms': '150' }, 0), 150);
    assert.strictEqual(retryAfterMs({ 'retry-after': new Date(10_000).toUTCString() }, 4000), 6000);
    assert.strictEqual(retryAfterMs({}, 0), undefined);
  });
});
