/** Finding 5: the stores never lose data silently. */
import * as assert from 'assert';
import { PENDING_EXPORTS_KEY, PendingExportsStore, followExport } from '../../src/core/work/exportTasks';
import { type KeyValueStore, MemoryKeyValueStore } from '../../src/core/state/keyValueStore';
import { TRACKED_KEY, TrackedVersionsStore } from '../../src/core/state/trackedVersions';
import { type Harness, startHarness } from '../support/clientHarness';

/** globalState as two windows see it: a write lands only after a few milliseconds. */
class SlowKeyValueStore implements KeyValueStore {
  readonly inner = new MemoryKeyValueStore();
  get<T>(key: string): T | undefined {
    return this.inner.get<T>(key);
  }
  async update(key: string, value: unknown): Promise<void> {
    await new Promise((r) => setTimeout(r, 5));
    await this.inner.update(key, value);
  }
}

const A = 'amv-aaaaaaaaaaaa';
const B = 'amv-bbbbbbbbbbbb';

describe('finding 5: tracked versions are never lost silently', () => {
  it('a version added with the modelSetId am-Upper_Case stays listed', async () => {
    const store = new TrackedVersionsStore(new MemoryKeyValueStore(), () => 7);
    assert.strictEqual(await store.add([{ modelId: A, modelSetId: 'am-Upper_Case', name: 'V1' }]), 1);
    assert.deepStrictEqual(store.list(), [{ modelId: A, name: 'V1', addedAt: 7 }]);
  });

  it('entries that cannot be read are kept through a save, and reported once', async () => {
    const kv = new MemoryKeyValueStore();
    const odd = [{ modelId: 42 }, 'x', { modelId: 'amv-cccccccccccc' }];
    await kv.update(TRACKED_KEY, [{ modelId: A, addedAt: 1 }, ...odd]);
    const store = new TrackedVersionsStore(kv, () => 2);
    const problems: string[] = [];
    store.onProblem((p) => problems.push(p));
    await store.add([{ modelId: B }]);
    await store.remove([A]);
    assert.deepStrictEqual(kv.get(TRACKED_KEY), [{ modelId: B, addedAt: 2 }, ...odd]);
    assert.deepStrictEqual(problems, ['Tracked versions: 3 stored entries could not be read; they are kept as they are']);
  });

  it('a stored value that is not a list is kept aside, not overwritten', async () => {
    const kv = new MemoryKeyValueStore();
    await kv.update(TRACKED_KEY, { v: 'not a list' });
    const store = new TrackedVersionsStore(kv, () => 3);
    await store.add([{ modelId: A }]);
    assert.deepStrictEqual(kv.get(`${TRACKED_KEY}.unreadable`), [{ v: 'not a list' }]);
    assert.deepStrictEqual(kv.get(TRACKED_KEY), [{ modelId: A, addedAt: 3 }]);
    const late: string[] = [];
    store.onProblem((p) => late.push(p)); // a listener that comes later still hears it
    assert.match(late[0], /not a list; it is kept under qianfan\.trackedVersions\.v1\.unreadable/);
  });

  it('two windows adding at once both keep their version', async () => {
    const kv = new SlowKeyValueStore();
    const one = new TrackedVersionsStore(kv);
    const two = new TrackedVersionsStore(kv);
    await Promise.all([one.add([{ modelId: A }]), two.add([{ modelId: B }])]);
    assert.deepStrictEqual(
      one
        .list()
        .map((v) => v.modelId)
        .sort(),
      [A, B],
    );
  });

  it('a remove racing an add does not bring the removed version back', async () => {
    const kv = new SlowKeyValueStore();
    const one = new TrackedVersionsStore(kv);
    await one.add([{ modelId: A }]);
    const two = new TrackedVersionsStore(kv);
    await Promise.all([one.remove([A]), two.add([{ modelId: B }])]);
    assert.deepStrictEqual(
      two.list().map((v) => v.modelId),
      [B],
    );
  });

  it('a refresh of names racing a remove does not bring the removed version back', async () => {
    const kv = new SlowKeyValueStore();
    const store = new TrackedVersionsStore(kv);
    await store.add([{ modelId: A }, { modelId: B }]);
    await Promise.all([
      store.remove([A]),
      store.updateInfo([
        { modelId: A, name: 'V1' },
        { modelId: B, name: 'V2' },
      ]),
    ]);
    assert.deepStrictEqual(store.list(), [{ modelId: B, name: 'V2', addedAt: store.get(B)!.addedAt }]);
  });
});

describe('finding 5: pending exports are never lost silently, and dropped when their version is gone', () => {
  it('validates on write the way it reads', async () => {
    const store = new PendingExportsStore(new MemoryKeyValueStore());
    await assert.rejects(store.put({ modelId: 'AMV-X', exportId: 'e', startedAt: 1 }), /not a pending export/);
    await assert.rejects(store.put({ modelId: A, exportId: '', startedAt: 1 }), /not a pending export/);
    assert.deepStrictEqual(store.list(), []);
  });

  it('keeps unreadable entries and merges with what another window wrote', async () => {
    const kv = new SlowKeyValueStore();
    await kv.update(PENDING_EXPORTS_KEY, [{ modelId: 'junk' }]);
    const one = new PendingExportsStore(kv);
    const two = new PendingExportsStore(kv);
    await Promise.all([one.put({ modelId: A, exportId: 'e1', startedAt: 1 }), two.put({ modelId: B, exportId: 'e2', startedAt: 2, label: 'V2' })]);
    assert.deepStrictEqual(kv.get(PENDING_EXPORTS_KEY), [
      { modelId: A, exportId: 'e1', startedAt: 1 },
      { modelId: B, exportId: 'e2', startedAt: 2, label: 'V2' },
      { modelId: 'junk' },
    ]);
  });

  describe('against the emulator', () => {
    let h: Harness;
    beforeEach(async () => (h = await startHarness()));
    afterEach(() => h.emulator.stop());

    it('a pending export whose version was deleted elsewhere ends as versionGone and is forgotten', async () => {
      const store = new PendingExportsStore(new MemoryKeyValueStore());
      const started = await h.client.startExport('amv-34qkndzjf111');
      await h.makeClient().deleteModel('amv-34qkndzjf111'); // another window
      const pending = { modelId: 'amv-34qkndzjf111', exportId: started.exportId, startedAt: Date.now() };
      const outcome = await followExport(h.client, store, pending, { intervalMs: 5 });
      assert.strictEqual(outcome.status, 'Fail');
      assert.strictEqual(outcome.status === 'Fail' && outcome.failure, 'versionGone');
      assert.deepStrictEqual(store.list(), []);
    });

    it('a followed export that finishes is forgotten; one that is cancelled is remembered', async () => {
      const store = new PendingExportsStore(new MemoryKeyValueStore());
      const started = await h.client.startExport('amv-g73j3faikzpz');
      const pending = { modelId: 'amv-g73j3faikzpz', exportId: started.exportId, startedAt: Date.now() };
      await assert.rejects(followExport(h.client, store, pending, { signal: AbortSignal.abort() }));
      assert.deepStrictEqual(store.list(), [pending]);
      assert.strictEqual((await followExport(h.client, store, pending, { intervalMs: 20 })).status, 'Done');
      assert.deepStrictEqual(store.list(), []);
    });
  });
});
