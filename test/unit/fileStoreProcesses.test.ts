import * as assert from 'assert';
import { fork } from 'child_process';
import * as path from 'path';
import * as fs from 'fs';
import { type KeyValueStore } from '../../src/core/state/keyValueStore';
import { TRACKED_KEY, TrackedVersionsStore } from '../../src/core/state/trackedVersions';
import { SHARED, fileStore, sharedId, tempFolder } from './fileStoreSupport';
import { type WorkerResult } from './workers/fileStoreWorker';

/** The value the workers wrote in QIANFAN_STORE_MODE=whole (globalState's way, for comparison). */
function wholeValue(folder: string): KeyValueStore {
  const value = JSON.parse(fs.readFileSync(path.join(folder, 'globalState.json'), 'utf8')) as Record<string, unknown>;
  return { get: <T>(key: string) => value[key] as T, update: () => Promise.resolve() };
}

const WORKER = path.join(__dirname, 'workers', 'fileStoreWorker.js');

/** Starts the worker, waits until it is ready; `go` then starts its rounds. */
function start(args: string[]): Promise<{ go: () => Promise<WorkerResult> }> {
  const child = fork(WORKER, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const result = new Promise<WorkerResult>((resolve, reject) => {
    child.on('message', (message: unknown) => {
      if (message === 'ready') {
        return;
      }
      const m = message as WorkerResult | { error: string };
      if ('error' in m) {
        reject(new Error(m.error));
      } else {
        resolve(m);
      }
    });
    child.on('exit', (code) => (code === 0 ? undefined : reject(new Error(`worker ${args[1]} exited with ${code}`))));
  });
  return new Promise((resolve, reject) => {
    child.once('message', () => resolve({ go: () => (child.send('go'), result) }));
    child.once('error', reject);
  });
}

describe('file store: two processes change the same list at once', function () {
  this.timeout(60_000);

  it('loses nothing and brings nothing back over 1,000 rounds of adds, removals and status batches', async () => {
    const folder = tempFolder();
    const seed = process.env.QIANFAN_STORE_MODE === 'whole' ? undefined : new TrackedVersionsStore(fileStore(folder), () => 1);
    const shared = Array.from({ length: SHARED }, (_, i) => ({ modelId: sharedId(i), addedAt: 1 }));
    if (seed) {
      await seed.add(shared);
    } else {
      fs.writeFileSync(path.join(folder, 'globalState.json'), JSON.stringify({ [TRACKED_KEY]: shared }));
    }
    const workers = await Promise.all([start([folder, 'a', '500', 'b', '7']), start([folder, 'b', '500', 'a', '11'])]);
    const results = await Promise.all(workers.map((w) => w.go()));
    assert.strictEqual(
      results.reduce((n, r) => n + r.rounds, 0),
      1000,
    );

    const final = new TrackedVersionsStore(process.env.QIANFAN_STORE_MODE === 'whole' ? wholeValue(folder) : fileStore(folder));
    const ids = new Set(final.list().map((v) => v.modelId));
    assert.strictEqual(final.list().length, ids.size, 'no version twice');
    for (const r of results) {
      const lost = r.mine.filter((id) => !ids.has(id));
      const back = r.added.filter((id) => !r.mine.includes(id) && ids.has(id));
      assert.deepStrictEqual(lost, [], `${r.name}: tracked versions lost`);
      assert.deepStrictEqual(back, [], `${r.name}: untracked versions back`);
      assert.ok(r.added.length > 100 && r.added.length > r.mine.length + 50, `${r.name} added ${r.added.length}, kept ${r.mine.length}`);
      const wrong = Object.entries(r.statuses).filter(([id, status]) => final.get(id)?.status !== status);
      assert.deepStrictEqual(wrong, [], `${r.name}: statuses lost`);
      assert.ok(Object.keys(r.statuses).length > 50);
    }
    for (let i = 0; i < SHARED; i++) {
      assert.ok(ids.has(sharedId(i)), `shared ${i} is still tracked`);
    }
    assert.strictEqual(ids.size, SHARED + results[0].mine.length + results[1].mine.length, 'nothing else');
  });
});
