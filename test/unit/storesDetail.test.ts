/** The stores in detail: what is checked, what is written, and when listeners hear of it. */
import * as assert from 'assert';
import { PENDING_EXPORTS_KEY, PendingExportsStore, formatBytes, normalizePending, pollExport } from '../../src/core/work/exportTasks';
import { QianfanError } from '../../src/core/qianfan/errors';
import { type KeyValueStore, MemoryKeyValueStore } from '../../src/core/state/keyValueStore';
import { ListStore, isRecord, optionalText } from '../../src/core/state/listStore';
import { type ExportTask } from '../../src/core/qianfan/model';
import { TRACKED_KEY, TrackedVersionsStore, normalizeTracked } from '../../src/core/state/trackedVersions';

const A = 'amv-aaaaaaaaaaaa';

/** Counts the writes. */
class CountingStore extends MemoryKeyValueStore {
  writes: string[] = [];
  override update(key: string, value: unknown): Promise<void> {
    this.writes.push(key);
    return super.update(key, value);
  }
}

describe('stores: keys and checks', () => {
  it('use their documented keys', () => {
    assert.strictEqual(TRACKED_KEY, 'qianfan.trackedVersions.v1');
    assert.strictEqual(PENDING_EXPORTS_KEY, 'qianfan.pendingExports.v1');
  });

  it('normalizeTracked keeps valid fields and refuses what has no ID or time', () => {
    assert.deepStrictEqual(normalizeTracked({ modelId: A, modelSetId: 'am-bbbbbbbb', modelSetName: 'S', name: 'N', addedAt: 5, extra: 1 }), {
      modelId: A,
      modelSetId: 'am-bbbbbbbb',
      modelSetName: 'S',
      name: 'N',
      addedAt: 5,
    });
    assert.deepStrictEqual(normalizeTracked({ modelId: A, modelSetName: 3, name: '', addedAt: 0 }), { modelId: A, addedAt: 0 });
    for (const bad of [
      null,
      'x',
      [A],
      { modelId: 7, addedAt: 1 },
      { modelId: 'amv-X', addedAt: 1 },
      { modelId: A },
      { modelId: A, addedAt: '1' },
      { modelId: A, addedAt: NaN },
    ]) {
      assert.strictEqual(normalizeTracked(bad), undefined, JSON.stringify(bad));
    }
  });

  it('normalizePending keeps valid fields and refuses the rest', () => {
    assert.deepStrictEqual(normalizePending({ modelId: A, exportId: 'e', startedAt: 1, label: 'L', x: 2 }), {
      modelId: A,
      exportId: 'e',
      startedAt: 1,
      label: 'L',
    });
    assert.deepStrictEqual(normalizePending({ modelId: A, exportId: 'e', startedAt: 0, label: 4 }), { modelId: A, exportId: 'e', startedAt: 0 });
    const bad = [
      null,
      [],
      { exportId: 'e', startedAt: 1 },
      { modelId: 'amv-Bad', exportId: 'e', startedAt: 1 },
      { modelId: A, startedAt: 1 },
      { modelId: A, exportId: 3, startedAt: 1 },
      { modelId: A, exportId: '', startedAt: 1 },
      { modelId: A, exportId: 'e' },
      { modelId: A, exportId: 'e', startedAt: Infinity },
    ];
    for (const value of bad) {
      assert.strictEqual(normalizePending(value), undefined, JSON.stringify(value));
    }
  });

  it('optionalText and isRecord', () => {
    assert.strictEqual(optionalText('a'), 'a');
    assert.strictEqual(optionalText(''), undefined);
    assert.strictEqual(optionalText(1), undefined);
    assert.strictEqual(
      optionalText('a', () => false),
      undefined,
    );
    assert.strictEqual(isRecord({}), true);
    assert.strictEqual(isRecord(null), false);
    assert.strictEqual(isRecord([]), false);
    assert.strictEqual(isRecord('x'), false);
  });
});

describe('stores: writes', () => {
  it('a change that changes nothing writes nothing and tells no listener', async () => {
    const kv = new CountingStore();
    const store = new TrackedVersionsStore(kv, () => 1);
    let heard = 0;
    const sub = store.onDidChange(() => heard++);
    await store.add([{ modelId: A, name: 'V1' }]);
    assert.deepStrictEqual([kv.writes.length, heard], [1, 1]);
    assert.strictEqual(await store.remove(['amv-zzzzzzzzzzzz']), 0);
    await store.updateInfo([{ modelId: A, name: 'V1' }]);
    await store.updateInfo([{ modelId: 'amv-zzzzzzzzzzzz', name: 'V9' }]);
    assert.deepStrictEqual([kv.writes.length, heard], [1, 1]);
    await store.updateInfo([{ modelId: A, name: 'V2', modelSetName: '' }]);
    assert.deepStrictEqual([kv.writes.length, heard, store.get(A)?.name], [2, 2, 'V2']);
    sub.dispose();
    assert.strictEqual(await store.remove([A]), 1);
    assert.deepStrictEqual([kv.writes.length, heard, store.has(A)], [3, 2, false]);
  });

  it('an empty or missing value in an update keeps what is known', async () => {
    const store = new TrackedVersionsStore(new MemoryKeyValueStore(), () => 1);
    await store.add([{ modelId: A, name: 'V1', modelSetName: 'S' }]);
    await store.add([{ modelId: A, name: '', modelSetName: undefined }]);
    assert.deepStrictEqual(store.get(A), { modelId: A, name: 'V1', modelSetName: 'S', addedAt: 1 });
    assert.strictEqual(store.has(A), true);
  });

  it('an invalid ID is refused with its first 64 characters', async () => {
    const store = new TrackedVersionsStore(new MemoryKeyValueStore());
    await assert.rejects(store.add([{ modelId: 'x'.repeat(100) }]), { message: `not a model version ID: ${'x'.repeat(64)}` });
    const pending = new PendingExportsStore(new MemoryKeyValueStore());
    await assert.rejects(pending.put({ modelId: 'y'.repeat(100), exportId: 'e', startedAt: 1 }), {
      message: `not a pending export of a model version: ${'y'.repeat(64)}`,
    });
  });

  it('a pending export replaces the one of the same version; removing a stranger writes nothing', async () => {
    const kv = new CountingStore();
    const store = new PendingExportsStore(kv);
    await store.put({ modelId: A, exportId: 'e1', startedAt: 1 });
    await store.put({ modelId: 'amv-bbbbbbbbbbbb', exportId: 'e2', startedAt: 2 });
    await store.put({ modelId: A, exportId: 'e3', startedAt: 3 });
    assert.deepStrictEqual(
      store.list().map((p) => p.exportId),
      ['e2', 'e3'],
    );
    await store.remove('amv-zzzzzzzzzzzz');
    assert.strictEqual(kv.writes.length, 3);
    await store.remove(A);
    assert.deepStrictEqual(
      store.list().map((p) => p.exportId),
      ['e2'],
    );
  });

  it('a null stored value reads as empty and raises no problem; a non-list adds to what was kept aside', async () => {
    const kv = new MemoryKeyValueStore();
    const problems: string[] = [];
    const list = new ListStore(kv, 'k', (v) => (typeof v === 'number' ? v : undefined), 'Numbers');
    list.onProblem((p) => problems.push(p));
    await kv.update('k', null);
    assert.deepStrictEqual(list.list(), []);
    assert.deepStrictEqual(problems, []);
    await kv.update('k.unreadable', 'older');
    await kv.update('k', 'not a list');
    await list.update((items) => ({ items: [...items, 1], result: true }));
    assert.deepStrictEqual(kv.get('k.unreadable'), ['older', 'not a list']);
    await kv.update('k', { again: true });
    await list.update((items) => ({ items: [...items, 2], result: true }));
    assert.deepStrictEqual(kv.get('k.unreadable'), ['older', 'not a list', { again: true }]);
    assert.deepStrictEqual(kv.get('k'), [2]);
    assert.deepStrictEqual(problems, ['Numbers: the stored value is not a list; it is kept under k.unreadable and a new list is started']);
    assert.strictEqual(await list.update(() => undefined), undefined);
  });

  it('a listener that is disposed hears no more problems', async () => {
    const kv = new MemoryKeyValueStore();
    const store = new PendingExportsStore(kv);
    const heard: string[] = [];
    store.onProblem((p) => heard.push(p)).dispose();
    await kv.update(PENDING_EXPORTS_KEY, ['junk']);
    store.list();
    assert.deepStrictEqual(heard, []);
    const later: string[] = [];
    store.onProblem((p) => later.push(p));
    assert.deepStrictEqual(later, ['Pending exports: 1 stored entries could not be read; they are kept as they are']);
  });

  it('a failed write does not block the next one', async () => {
    let fail = true;
    const inner = new MemoryKeyValueStore();
    const kv: KeyValueStore = {
      get: (key) => inner.get(key),
      update: (key, value) => (fail ? Promise.reject(new Error('disk full')) : inner.update(key, value)),
    };
    const store = new TrackedVersionsStore(kv, () => 1);
    await assert.rejects(store.add([{ modelId: A }]), /disk full/);
    fail = false;
    assert.strictEqual(await store.add([{ modelId: A }]), 1);
  });
});

describe('export polling: the edges', () => {
  const pending = { modelId: A, exportId: 'e', startedAt: 1000 };
  const reader = (answers: (ExportTask | Error)[]) => ({
    calls: 0,
    signals: [] as (AbortSignal | undefined)[],
    describeModelExportTask(_id: string, opts?: { signal?: AbortSignal }) {
      this.signals.push(opts?.signal);
      const a = answers[Math.min(this.calls++, answers.length - 1)];
      return a instanceof Error ? Promise.reject(a) : Promise.resolve(a);
    },
  });
  const noSleep = () => Promise.resolve();

  it('waits exactly the grace period before calling "no record" a failure', async () => {
    let now = 1000;
    const r = reader([{ hasRecord: false }]);
    const out = await pollExport(r, pending, {
      sleep: () => Promise.resolve(void (now += 1000)),
      noRecordGraceMs: 3000,
      now: () => now,
      monotonic: () => now,
    });
    assert.strictEqual(r.calls, 5); // at 1000, 2000, 3000, 4000 within the grace; at 5000 past it
    assert.deepStrictEqual(out, {
      status: 'Fail',
      task: { hasRecord: false },
      failure: 'noRecord',
      reason: 'the service has no record of the export (failed exports are not listed)',
    });
  });

  it('says why an export failed, and passes the signal on', async () => {
    const signal = new AbortController().signal;
    const r = reader([{ hasRecord: true, status: 'Fail', exportId: 'e' }]);
    assert.deepStrictEqual(await pollExport(r, pending, { sleep: noSleep, signal }), {
      status: 'Fail',
      task: { hasRecord: true, status: 'Fail', exportId: 'e' },
      failure: 'failed',
      reason: 'the service reported the export as failed',
    });
    assert.deepStrictEqual(r.signals, [signal]);
  });

  it('gives up after exactly maxConsecutiveErrors failed polls (default 5)', async () => {
    const net = new QianfanError({ kind: 'network', message: 'reset' });
    const three = reader([net]);
    await assert.rejects(pollExport(three, pending, { sleep: noSleep, maxConsecutiveErrors: 3 }), /reset/);
    assert.strictEqual(three.calls, 3);
    const five = reader([net]);
    await assert.rejects(pollExport(five, pending, { sleep: noSleep }), /reset/);
    assert.strictEqual(five.calls, 5);
  });

  it('a version found gone (absent from its model) ends the poll at once; a "not found" alone does not', async () => {
    const notFound = new QianfanError({ kind: 'api', status: 404, code: 'ResourceNotFound', message: 'no' });
    const asked: string[] = [];
    const gone = Object.assign(reader([notFound]), {
      versionPresence: (id: string) => Promise.resolve(void asked.push(id)).then(() => 'gone' as const),
    });
    assert.deepStrictEqual(await pollExport(gone, pending, { sleep: noSleep }), {
      status: 'Fail',
      failure: 'versionGone',
      reason: 'the model version no longer exists (absent from its model)',
    });
    assert.deepStrictEqual(asked, [A]);
    const present = Object.assign(reader([notFound, notFound, { hasRecord: true, status: 'Done', exportId: 'e' }]), {
      versionPresence: () => Promise.resolve('present' as const),
    });
    assert.strictEqual((await pollExport(present, pending, { sleep: noSleep })).status, 'Done', 'still there: polled on');
    const noLook = reader([notFound]);
    await assert.rejects(pollExport(noLook, pending, { sleep: noSleep }), /no/, 'without a way to look, the error stands after several tries');
    assert.strictEqual(noLook.calls, 5);
  });

  it('formats sizes in every unit', () => {
    assert.strictEqual(formatBytes(0), '0 B');
    assert.strictEqual(formatBytes(1023), '1023 B');
    assert.strictEqual(formatBytes(1024), '1.0 KB');
    assert.strictEqual(formatBytes(1024 ** 2 * 1.5), '1.5 MB');
    assert.strictEqual(formatBytes(1024 ** 3), '1.0 GB');
    assert.strictEqual(formatBytes(1024 ** 4), '1.0 TB');
    assert.strictEqual(formatBytes(1024 ** 5), '1024.0 TB');
    assert.strictEqual(formatBytes(NaN), '?');
    assert.strictEqual(formatBytes(Infinity), '?');
  });
});
