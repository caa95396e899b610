/** An export is told as running only once its task is remembered: a reload from then on resumes the follow. */
import * as assert from 'assert';
import { type ExportTask } from '../../src/core/qianfan/model';
import { MemoryKeyValueStore } from '../../src/core/state/keyValueStore';
import { PendingExportsStore, followExport } from '../../src/core/work/exportTasks';

const pending = { modelId: 'amv-g73j3faikzpz', exportId: 'exp-1', startedAt: 1 };

describe('followExport: remembered before it is told as running', () => {
  it('calls onRemembered once, with the task stored and before the first poll; forgets it at the end', async () => {
    const store = new PendingExportsStore(new MemoryKeyValueStore());
    const seen: string[] = [];
    const client = {
      describeModelExportTask: (): Promise<ExportTask> => {
        seen.push(`poll, stored ${store.list().length}`);
        return Promise.resolve({ hasRecord: true, exportId: 'exp-1', status: 'Done' });
      },
    };
    const outcome = await followExport(client, store, pending, {
      onRemembered: () => seen.push(`remembered, stored ${JSON.stringify(store.list())}`),
    });
    assert.strictEqual(outcome.status, 'Done');
    assert.deepStrictEqual(seen, [`remembered, stored ${JSON.stringify([pending])}`, 'poll, stored 1']);
    assert.deepStrictEqual(store.list(), []);
  });

  it('a store that cannot remember it: never told as running, the failure rejects', async () => {
    const kv = new MemoryKeyValueStore();
    kv.update = () => Promise.reject(new Error('ENOSPC'));
    let told = false;
    const client = { describeModelExportTask: () => Promise.reject(new Error('not polled')) };
    await assert.rejects(followExport(client, new PendingExportsStore(kv), pending, { onRemembered: () => (told = true) }), /ENOSPC/);
    assert.strictEqual(told, false);
  });
});
