/**
 * Activation pays only for what the first paint needs: opening the list files reads nothing and
 * watches nothing; the tracked list is read when it is first asked for (the tree's root), from
 * its file; the move from globalState, the watch and the sweep start after activation.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { type Disposable } from '../../src/core/base/events';
import { FileStore } from '../../src/core/state/fileStore';
import { MemoryKeyValueStore } from '../../src/core/state/keyValueStore';
import { TRACKED_KEY, TrackedVersionsStore } from '../../src/core/state/trackedVersions';
import { openListFiles } from '../../src/platform/listFiles';
import { flush } from '../support/fakeTimers';
import { tempFolder, versionId } from './fileStoreSupport';

describe('file store at activation', () => {
  it('opening the files reads and watches nothing until activation is over; the stored list is read on first ask', async () => {
    const folder = tempFolder();
    const stored = [{ modelId: versionId('p', 1), addedAt: 1 }];
    fs.writeFileSync(path.join(folder, `${TRACKED_KEY}.json`), JSON.stringify({ format: 1, gen: 1, value: stored }));
    const moved = [{ modelId: versionId('q', 1), addedAt: 1 }];
    const globalState = Object.assign(new MemoryKeyValueStore(), { keys: () => ['qianfan.pendingExports.v1'] });
    await globalState.update('qianfan.pendingExports.v1', moved);
    const watched: number[] = [];
    // eslint-disable-next-line @typescript-eslint/unbound-method -- called back with its `this`
    const realWatch = FileStore.prototype.watch;
    FileStore.prototype.watch = function (this: FileStore, pollMs: number) {
      watched.push(pollMs);
      return realWatch.call(this, pollMs);
    };
    let run: (() => void) | undefined;
    let lists: ReturnType<typeof openListFiles> | undefined;
    try {
      lists = openListFiles(folder, globalState, {
        pollMs: 0,
        later: (r): Disposable => {
          run = r;
          return { dispose: () => (run = undefined) };
        },
      });
      await flush();
      assert.deepStrictEqual(watched, [], 'no watch during activation');
      assert.ok(!fs.existsSync(path.join(folder, 'qianfan.pendingExports.v1.json')), 'the move from globalState waits');
      assert.deepStrictEqual(
        new TrackedVersionsStore(lists.store).list().map((v) => v.modelId),
        [versionId('p', 1)],
        'the first paint reads the stored list',
      );
      assert.ok(run, 'the rest is left for later');
      run();
      assert.deepStrictEqual(watched, [0], 'watched once activation is over');
      assert.deepStrictEqual(await lists.migrated, { moved: ['qianfan.pendingExports.v1'], kept: [] });
      assert.deepStrictEqual(await lists.swept, []);
    } finally {
      FileStore.prototype.watch = realWatch;
      lists?.watching.dispose();
      lists?.files.dispose();
    }
  });

  it('disposed before activation is over: nothing starts, even when the timer left for later fires anyway', async () => {
    const folder = tempFolder();
    const globalState = Object.assign(new MemoryKeyValueStore(), { keys: () => [] });
    const later: (() => void)[] = [];
    let watches = 0;
    // eslint-disable-next-line @typescript-eslint/unbound-method -- called back with its `this`
    const realWatch = FileStore.prototype.watch;
    FileStore.prototype.watch = function (this: FileStore, pollMs: number) {
      watches++;
      return realWatch.call(this, pollMs);
    };
    try {
      const lists = openListFiles(folder, globalState, { pollMs: 0, later: (r) => (later.push(r), { dispose: () => undefined }) });
      lists.watching.dispose();
      lists.files.dispose();
      later.forEach((r) => r());
      await flush();
    } finally {
      FileStore.prototype.watch = realWatch;
    }
    assert.strictEqual(watches, 0);
  });
});
