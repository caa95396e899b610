/**
 * The store's folder under faults: a write that fails half-way, temporary files left by a crash,
 * a lock left by a window that died whose time is ahead of this machine's clock (or behind it),
 * and a list file that cannot be read while this window holds a newer list than the copy the
 * move from globalState left.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { MemoryKeyValueStore } from '../../src/core/state/keyValueStore';
import { TrackedVersionsStore } from '../../src/core/state/trackedVersions';
import { openListFiles } from '../../src/platform/listFiles';
import { NodeStoreFs, type NodeStoreFsOptions } from '../../src/platform/nodeStoreFs';
import { LISTS, tempFolder, versionId } from './fileStoreSupport';
import { FileStore } from '../../src/core/state/fileStore';
import { isListKey, migrateToFiles, routedStore } from '../../src/core/state/storeRouting';
import { TRACKED_KEY } from '../../src/core/state/trackedVersions';

const files = (folder: string) => fs.readdirSync(folder).sort();

/** `fs.promises.open` replaced for one test: the handle's writes fail with `code` (a full disk, an I/O error). */
function failingWrites(code: string): { restore(): void } {
  const promises = fs.promises as { open: typeof fs.promises.open };
  const open = promises.open;
  promises.open = async (...args: Parameters<typeof fs.promises.open>) => {
    const handle = await open(...args);
    const fail = () => Promise.reject(Object.assign(new Error(`${code}: simulated`), { code }));
    return Object.assign(Object.create(handle) as typeof handle, {
      writeFile: fail,
      write: fail,
      sync: () => handle.sync(),
      close: () => handle.close(),
    });
  };
  return { restore: () => (promises.open = open) };
}

describe('file store under faults', () => {
  describe('no litter', () => {
    for (const code of ['ENOSPC', 'EIO']) {
      it(`a whole write that fails with ${code} removes its temporary file and leaves the old file`, async () => {
        const folder = tempFolder();
        const store = new NodeStoreFs(folder);
        await store.writeWhole('L.json', new TextEncoder().encode('old'));
        const stub = failingWrites(code);
        try {
          for (let i = 0; i < 3; i++) {
            await assert.rejects(store.writeWhole('L.json', new TextEncoder().encode('new')), { code });
          }
        } finally {
          stub.restore();
        }
        assert.deepStrictEqual(files(folder), ['L.json'], 'no .tmp left, one retry after another');
        assert.strictEqual(fs.readFileSync(path.join(folder, 'L.json'), 'utf8'), 'old');
      });
    }
  });

  describe('temporary files left by a crash', () => {
    it('are swept when the folder is opened, once older than a few minutes; a young one and other files stay', async () => {
      const folder = tempFolder();
      const at = (name: string, agoMs: number) => {
        fs.writeFileSync(path.join(folder, name), 'x');
        const t = new Date(Date.now() - agoMs);
        fs.utimesSync(path.join(folder, name), t, t);
      };
      at('qianfan.trackedVersions.v1.json.0123456789ab.tmp', 10 * 60_000);
      at('qianfan.trackedVersions.v1.json.abcdef012345.tmp', 30_000); // another window's write under way
      at('notes.tmp', 10 * 60_000); // not a name of this store's
      const globalState = Object.assign(new MemoryKeyValueStore(), { keys: () => [] });
      const lists = openListFiles(folder, globalState, { pollMs: 0 });
      try {
        assert.deepStrictEqual(await lists.swept, ['qianfan.trackedVersions.v1.json.0123456789ab.tmp']);
        await lists.migrated;
      } finally {
        lists.watching.dispose();
        lists.files.dispose();
      }
      assert.deepStrictEqual(files(folder), ['notes.tmp', 'qianfan.trackedVersions.v1.json.abcdef012345.tmp']);
    });
  });

  describe('a lock left by a window that died', () => {
    /** A clock that moves only when the lock waits; `onWait` runs at each wait (a live holder moves its lock's time there). */
    function clock(onWait: (t: number) => void = () => undefined): Required<Pick<NodeStoreFsOptions, 'now' | 'sleep'>> & { readonly t: number } {
      let t = 0;
      return {
        get t() {
          return t;
        },
        now: () => t,
        sleep: (ms) => {
          t += ms;
          onWait(t);
          return Promise.resolve();
        },
      };
    }
    const lockOf = (folder: string) => path.join(folder, 'qianfan.trackedVersions.v1.lock');
    const deadLock = (folder: string, offsetMs: number) => {
      fs.mkdirSync(lockOf(folder));
      const t = new Date(Date.now() + offsetMs);
      fs.utimesSync(lockOf(folder), t, t);
    };

    for (const [what, offsetMs] of [
      ['an hour ahead of this clock (a clock stepped back, a machine ahead)', 3_600_000],
      ['a minute ahead', 60_000],
      ['an hour behind', -3_600_000],
    ] as const) {
      it(`is taken over within the stale time when its time is ${what}`, async () => {
        const folder = tempFolder();
        deadLock(folder, offsetMs);
        const c = clock();
        const store = new NodeStoreFs(folder, { staleMs: 2000, now: c.now, sleep: c.sleep });
        const release = await store.lock('qianfan.trackedVersions.v1');
        try {
          assert.ok(c.t >= 2000 && c.t <= 2000 + 100, `taken after ${c.t} ms of its time not moving`);
          assert.ok(Math.abs(fs.statSync(lockOf(folder)).mtimeMs - Date.now()) < 60_000, 'the lock is this window’s now');
        } finally {
          await release();
        }
        assert.ok(!fs.existsSync(lockOf(folder)), 'let go');
      });
    }

    it('a change waits for it no longer than the stale time: the list is written (no ELOCKED)', async () => {
      const folder = tempFolder();
      deadLock(folder, 3_600_000);
      const c = clock();
      const tracked = new TrackedVersionsStore(
        new FileStore({ fs: new NodeStoreFs(folder, { staleMs: 2000, now: c.now, sleep: c.sleep }), lists: LISTS }),
        () => 1,
      );
      await tracked.add([{ modelId: versionId('d', 1) }]);
      assert.ok(c.t <= 2100, `${c.t} ms`);
      assert.deepStrictEqual(
        tracked.list().map((v) => v.modelId),
        [versionId('d', 1)],
      );
    });

    for (const [what, offsetMs] of [
      ['behind this clock (its holder’s clock is behind)', -3_600_000],
      ['ahead of this clock', 3_600_000],
    ] as const) {
      it(`a live holder’s lock is never taken, its time ${what}: the change fails with ELOCKED after waiting`, async () => {
        const folder = tempFolder();
        deadLock(folder, offsetMs);
        let holderTime = Date.now() + offsetMs;
        let lastMove = 0;
        const c = clock((t) => {
          if (t - lastMove >= 1000) {
            // the holder moves its lock's time every stale / 2, on its own clock
            lastMove = t;
            holderTime += 1000;
            fs.utimesSync(lockOf(folder), new Date(holderTime), new Date(holderTime));
          }
        });
        const store = new NodeStoreFs(folder, { staleMs: 2000, waitMs: 10_000, now: c.now, sleep: c.sleep });
        await assert.rejects(store.lock('qianfan.trackedVersions.v1'), { code: 'ELOCKED' });
        assert.ok(c.t >= 10_000, `waited ${c.t} ms`);
        assert.strictEqual(Math.round(fs.statSync(lockOf(folder)).mtimeMs), holderTime, 'still the holder’s');
      });
    }

    it('a lock held by a live store in this process is not taken while its holder keeps it', async () => {
      const folder = tempFolder();
      const holder = new NodeStoreFs(folder, { staleMs: 2000 });
      const release = await holder.lock('qianfan.trackedVersions.v1');
      try {
        const c = clock();
        const other = new NodeStoreFs(folder, { staleMs: 2000, waitMs: 1000, now: c.now, sleep: c.sleep });
        await assert.rejects(other.lock('qianfan.trackedVersions.v1'), { code: 'ELOCKED' });
      } finally {
        await release();
      }
      assert.ok(!fs.existsSync(lockOf(folder)));
    });
  });

  describe('repair keeps the newest truth', () => {
    /** globalState with the copy the move to the files left in it (tracked: a, c). */
    const memento = () => {
      const m = Object.assign(new MemoryKeyValueStore(), { keys: () => [TRACKED_KEY] });
      void m.update(TRACKED_KEY, [
        { modelId: versionId('a', 1), addedAt: 1 },
        { modelId: versionId('c', 3), addedAt: 1 },
      ]);
      return m;
    };
    const toFiles = (key: string) => isListKey(LISTS, key);
    const window = (folder: string, m: ReturnType<typeof memento>) => {
      const files = new FileStore({ fs: new NodeStoreFs(folder, { staleMs: 2000 }), lists: LISTS, legacy: (k) => m.get(k) });
      return { files, tracked: new TrackedVersionsStore(routedStore(files, m, toFiles), () => 2) };
    };
    const ids = (t: TrackedVersionsStore) => t.list().map((v) => v.modelId);
    const listFile = (folder: string) => path.join(folder, `${TRACKED_KEY}.json`);

    it('an unreadable list file is written anew from the list the running window read last, not from the copy of the move', async () => {
      const folder = tempFolder();
      const m = memento();
      const w = window(folder, m);
      assert.deepStrictEqual(await migrateToFiles(w.files, m, toFiles), { moved: [TRACKED_KEY], kept: [] });
      await w.tracked.remove([versionId('c', 3)]); // untracked since the update
      await w.tracked.add([{ modelId: versionId('b', 2) }]); // tracked since
      const problems: string[] = [];
      w.tracked.onProblem((p) => problems.push(p));
      const told: unknown[] = [];
      w.tracked.onDidChange((c) => told.push(c));

      fs.writeFileSync(listFile(folder), '{"format":1,"gen":'); // cut short (another window, a disk)
      w.files.refresh();
      await w.tracked.updateInfo([{ modelId: versionId('a', 1), name: 'V1' }]); // the next change waits for the repair

      assert.deepStrictEqual(ids(w.tracked), [versionId('a', 1), versionId('b', 2)]);
      assert.deepStrictEqual(told, [{ added: [], removed: [], updated: [versionId('a', 1)] }], 'only its own change: nothing removed nor added');
      const next = window(folder, m);
      assert.deepStrictEqual(ids(next.tracked), [versionId('a', 1), versionId('b', 2)], 'a new window reads the same');
      assert.deepStrictEqual(await migrateToFiles(next.files, m, toFiles), { moved: [], kept: [] }, 'the next start moves nothing back');
      assert.deepStrictEqual(ids(window(folder, m).tracked), [versionId('a', 1), versionId('b', 2)], 'the untracked version never comes back');
      assert.strictEqual(problems.length, 1, problems.join('\n'));
      assert.match(problems[0], /could not be read; it is kept as /);
      const aside = files(folder).filter((f) => f.includes('.unreadable-'));
      assert.deepStrictEqual(
        aside.map((f) => f.slice(0, f.indexOf('.unreadable-'))),
        [`${TRACKED_KEY}.json`, `${TRACKED_KEY}.log`],
        'what cannot be told apart is kept aside: the list file and its log',
      );
      assert.strictEqual(fs.readFileSync(path.join(folder, aside[0]), 'utf8'), '{"format":1,"gen":');
    });

    it('a window that had read nothing starts from an empty list, never from the copy of the move, and no start moves it back', async () => {
      const folder = tempFolder();
      const m = memento();
      const first = window(folder, m);
      await migrateToFiles(first.files, m, toFiles);
      await first.tracked.remove([versionId('c', 3)]);
      fs.writeFileSync(listFile(folder), 'garbage');

      const w = window(folder, m);
      const problems: string[] = [];
      w.tracked.onProblem((p) => problems.push(p));
      assert.deepStrictEqual(await migrateToFiles(w.files, m, toFiles), { moved: [], kept: [] });
      assert.deepStrictEqual(ids(w.tracked), [], 'the copy of the move (with the untracked c) is not read');
      assert.deepStrictEqual(ids(window(folder, m).tracked), []);
      assert.strictEqual(problems.length, 1, problems.join('\n'));
    });
  });
});
