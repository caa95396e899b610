/**
 * Two windows, one account, in a real extension host: the remembered lists are files under the
 * extension's global storage folder, and a second store on that folder plays the other window.
 * An import there reaches this window's view without a request; an untrack here reaches there;
 * both agree on the list.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { FileStore } from '../../../src/core/state/fileStore';
import { TrackedVersionsStore } from '../../../src/core/state/trackedVersions';
import { LIST_KEYS } from '../../../src/platform/listFiles';
import { NodeStoreFs } from '../../../src/platform/nodeStoreFs';
import { type Fixture, setUp, tearDown, treeLines, waitFor } from './harness';

const ids = (t: TrackedVersionsStore) =>
  t
    .list()
    .map((v) => v.modelId)
    .sort();

describe('shared lists: two windows on one account', function () {
  this.timeout(20_000);
  let f: Fixture;
  afterEach(() => tearDown(f));

  it('an import in the other window shows here without a request; an untrack here reaches the other; both agree', async () => {
    f = await setUp();
    const s = f.api.services;
    const folder = s.listFiles?.folder;
    assert.ok(folder, 'the lists are in files');
    assert.ok(fs.existsSync(folder));
    const otherFiles = new FileStore({ fs: new NodeStoreFs(folder), lists: LIST_KEYS });
    const other = new TrackedVersionsStore(otherFiles);
    const watching = otherFiles.watch(200);
    try {
      const redrawn = new Promise<void>((resolve) => {
        const sub = s.tree.onDidChangeTreeData(() => {
          sub.dispose();
          resolve();
        });
      });
      await other.add([{ modelId: 'amv-g73j3faikzpz', modelSetId: 'am-gh0azfeb9adu' }, { modelId: 'amv-34qkndzjf111' }, { modelId: 'amv-a1s2d3f4g5h6' }]);
      await redrawn; // the view was told, no refresh asked for
      assert.deepStrictEqual(ids(s.tracked), ['amv-34qkndzjf111', 'amv-a1s2d3f4g5h6', 'amv-g73j3faikzpz']);
      const lines = await treeLines(f.api);
      assert.ok(
        lines.some((l) => l.includes('amv-34qkndzjf111') || l.includes('34qkndzjf111')),
        lines.join('\n'),
      );

      const told = new Promise<readonly string[]>((resolve) => other.onDidChange((c) => c.removed.length > 0 && resolve(c.removed)));
      await s.tracked.remove(['amv-34qkndzjf111']);
      assert.deepStrictEqual(await told, ['amv-34qkndzjf111']);
      assert.deepStrictEqual(ids(other), ids(s.tracked));
      assert.deepStrictEqual(ids(s.tracked), ['amv-a1s2d3f4g5h6', 'amv-g73j3faikzpz']);
    } finally {
      watching.dispose();
      otherFiles.dispose();
    }
  });

  it('two stores on one folder in this host: an import in one and an untrack in the other agree', async () => {
    f = await setUp();
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'qianfan-host-lists-'));
    const [filesA, filesB] = [0, 1].map(() => new FileStore({ fs: new NodeStoreFs(folder), lists: LIST_KEYS }));
    const a = new TrackedVersionsStore(filesA);
    const b = new TrackedVersionsStore(filesB);
    assert.deepStrictEqual([a.list(), b.list()], [[], []]); // each window has drawn its (empty) view
    const watching = [filesA.watch(200), filesB.watch(200)];
    try {
      const imported = Array.from({ length: 500 }, (_, i) => ({ modelId: `amv-imp${String(i).padStart(6, '0')}` }));
      const seen = new Promise<void>((resolve) => b.onDidChange((c) => c.added.length === 500 && resolve()));
      await a.add(imported);
      await seen;
      const gone = imported.filter((_, i) => i % 3 === 0).map((v) => v.modelId);
      const removed = new Promise<void>((resolve) => a.onDidChange((c) => c.removed.length === gone.length && resolve()));
      await Promise.all([b.remove(gone), a.updateInfo(imported.map((v) => ({ modelId: v.modelId, status: 'Ready' })))]);
      await removed;
      await waitFor('both agree', () => JSON.stringify(ids(a)) === JSON.stringify(ids(b)) || undefined);
      assert.strictEqual(ids(a).length, 500 - gone.length);
      assert.ok(!ids(a).some((id) => gone.includes(id)), 'nothing untracked comes back');
    } finally {
      watching.forEach((w) => w.dispose());
    }
  });
});
