import * as assert from 'assert';
import { MemoryKeyValueStore } from '../../src/core/state/keyValueStore';
import { TRACKED_KEY, type TrackedChange, TrackedVersionsStore } from '../../src/core/state/trackedVersions';

const versionId = (prefix: string, i: number) => `amv-${prefix}${String(i).padStart(8, '0')}`;

describe('tracked versions: a large import is linear', () => {
  it('adds 40,000 new versions to a store holding 40,000 in a few seconds of store work at most (linear: a quadratic check took 9 to 13 s)', async () => {
    const kv = new MemoryKeyValueStore();
    // the 40,000 already tracked, stored as a window would have left them
    await kv.update(
      TRACKED_KEY,
      Array.from({ length: 40_000 }, (_, i) => ({ modelId: versionId('old', i), name: 'V1', status: 'Ready', addedAt: 1 })),
    );
    const store = new TrackedVersionsStore(kv, () => 2);
    const changes: TrackedChange[] = [];
    store.onDidChange((c) => changes.push(c));
    const incoming = Array.from({ length: 40_000 }, (_, i) => ({ modelId: versionId('new', i), name: 'V2', modelSetId: 'am-import001' }));

    // store work as CPU time (the process's, in ms), so other processes on a busy machine do not count
    const cpu = process.cpuUsage();
    const added = await store.add(incoming);
    const used = process.cpuUsage(cpu);
    const ms = (used.user + used.system) / 1000;

    // the bound is generous (the work measured about 0.25 s with this in-memory store, which copies through JSON, and 1.5 s
    // under mutation testing's instrumentation on a busy machine); a quadratic check of who is new took 9 to 13 s
    assert.ok(ms < 4000, `store work took ${Math.round(ms)} ms`);
    assert.strictEqual(added, 40_000);
    assert.strictEqual(store.view().length, 80_000);
    assert.strictEqual(changes.length, 1);
    assert.strictEqual(changes[0].added.length, 40_000);
    assert.deepStrictEqual(changes[0].updated, []);
  });

  it('still tells which of an import were new and which were known', async () => {
    const kv = new MemoryKeyValueStore();
    await kv.update(TRACKED_KEY, [{ modelId: versionId('old', 1), addedAt: 1 }]);
    const store = new TrackedVersionsStore(kv, () => 2);
    const changes: TrackedChange[] = [];
    store.onDidChange((c) => changes.push(c));
    assert.strictEqual(await store.add([{ modelId: versionId('new', 1) }, { modelId: versionId('old', 1), name: 'V9' }]), 1);
    assert.deepStrictEqual(changes, [{ added: [versionId('new', 1)], removed: [], updated: [versionId('old', 1)] }]);
    assert.deepStrictEqual(store.get(versionId('old', 1)), { modelId: versionId('old', 1), name: 'V9', addedAt: 1 });
  });
});
