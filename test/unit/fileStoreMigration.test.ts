import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { PARTIAL_DOWNLOADS_KEY, PartialDownloadsStore } from '../../src/core/download/partialStore';
import { FileStore, type StoreFs } from '../../src/core/state/fileStore';
import { MemoryKeyValueStore } from '../../src/core/state/keyValueStore';
import { PROFILES_KEY, profileScopedStore } from '../../src/core/state/profiles';
import { isListKey, migrateToFiles, routedStore } from '../../src/core/state/storeRouting';
import { TRACKED_KEY, TrackedVersionsStore } from '../../src/core/state/trackedVersions';
import { PENDING_EXPORTS_KEY, PendingExportsStore } from '../../src/core/work/exportTasks';
import { NodeStoreFs } from '../../src/platform/nodeStoreFs';
import { LISTS, fileStore, tempFolder, versionId } from './fileStoreSupport';

/** globalState as the extension sees it: values by key, and its keys. */
class Memento extends MemoryKeyValueStore {
  private readonly names = new Set<string>();
  constructor(values: Record<string, unknown>) {
    super();
    for (const [k, v] of Object.entries(values)) {
      void this.update(k, v);
    }
  }
  override update(key: string, value: unknown): Promise<void> {
    if (value === undefined) {
      this.names.delete(key);
    } else {
      this.names.add(key);
    }
    return super.update(key, value);
  }
  keys(): readonly string[] {
    return [...this.names];
  }
}

const toFiles = (key: string) => isListKey(LISTS, key);
const open = (folder: string, memento: Memento, fsPort?: StoreFs) =>
  new FileStore({ fs: fsPort ?? new NodeStoreFs(folder, { staleMs: 2000 }), lists: LISTS, legacy: (k) => memento.get(k) });

describe('file store: the first start after the update moves the lists from globalState', () => {
  it('moves 10,000 tracked versions and the other lists of every profile, reads them back whole, and keeps the copy in globalState for windows on other machines', async () => {
    const folder = tempFolder();
    const tracked = Array.from({ length: 10_000 }, (_, i) => ({ modelId: versionId('t', i), name: `v${i}`, status: 'Ready', statusAt: i, addedAt: i }));
    const pending = [{ modelId: versionId('t', 1), exportId: 'ex-1', startedAt: 3 }];
    const team = [{ modelId: versionId('u', 1), addedAt: 1 }];
    const memento = new Memento({
      [TRACKED_KEY]: tracked,
      [PENDING_EXPORTS_KEY]: pending,
      [`${TRACKED_KEY}@team`]: team,
      [PROFILES_KEY]: [
        { id: 'default', name: 'default' },
        { id: 'team', name: 'team' },
      ],
      'qianfan.envKeysOffered': ['abc'],
    });
    const files = open(folder, memento);
    const store = routedStore(files, memento, toFiles);
    // before the move is done, the lists read as they were
    const view = new TrackedVersionsStore(profileScopedStore(store, { key: (k) => k }));
    assert.strictEqual(view.list().length, 10_000);

    const outcome = await migrateToFiles(files, memento, toFiles);
    assert.deepStrictEqual(outcome.moved.sort(), [PENDING_EXPORTS_KEY, TRACKED_KEY, `${TRACKED_KEY}@team`].sort());
    assert.deepStrictEqual(outcome.kept, []);
    assert.deepStrictEqual(
      [...memento.keys()].sort(),
      [PROFILES_KEY, 'qianfan.envKeysOffered', PENDING_EXPORTS_KEY, TRACKED_KEY, `${TRACKED_KEY}@team`].sort(),
      'settings stay in globalState, and so does its copy of each list (for windows on other machines)',
    );
    // a window on another machine (a remote one: files of its own, the same globalState) starts from that copy
    const elsewhere = tempFolder();
    const there = open(elsewhere, memento);
    assert.deepStrictEqual((await migrateToFiles(there, memento, toFiles)).moved.sort(), outcome.moved.sort());
    assert.strictEqual(new TrackedVersionsStore(fileStore(elsewhere)).list().length, 10_000);

    const fresh = fileStore(folder); // another window, with globalState empty of the lists
    assert.deepStrictEqual(fresh.get(TRACKED_KEY), tracked);
    assert.deepStrictEqual(fresh.get(PENDING_EXPORTS_KEY), pending);
    assert.deepStrictEqual(fresh.get(`${TRACKED_KEY}@team`), team);
    assert.deepStrictEqual(new PendingExportsStore(store).list(), pending);
    assert.strictEqual(view.get(versionId('t', 9999))?.status, 'Ready');
    assert.deepStrictEqual(await migrateToFiles(files, memento, toFiles), { moved: [], kept: [] }, 'once');
  });

  it('moves a globalState of garbage without losing it: values that are not lists go to files aside, reported', async () => {
    const folder = tempFolder();
    const garbageEntries = [1, 'x', null, { modelId: 'nope' }, { modelId: versionId('g', 1), addedAt: 4 }];
    const memento = new Memento({
      [TRACKED_KEY]: 'not a list at all',
      [PENDING_EXPORTS_KEY]: { modelId: versionId('g', 2) },
      [PARTIAL_DOWNLOADS_KEY]: garbageEntries,
      [`${TRACKED_KEY}.unreadable`]: [{ old: true }],
      [`${TRACKED_KEY}@team`]: 42,
      [PROFILES_KEY]: 'also garbage',
    });
    const files = open(folder, memento);
    const store = routedStore(files, memento, toFiles);
    const tracked = new TrackedVersionsStore(profileScopedStore(store, { key: (k) => k }));
    const problems: string[] = [];
    tracked.onProblem((p) => problems.push(p));
    const outcome = await migrateToFiles(files, memento, toFiles);
    assert.strictEqual(outcome.moved.length, 5);
    assert.deepStrictEqual(
      [...memento.keys()].sort(),
      [PROFILES_KEY, PARTIAL_DOWNLOADS_KEY, `${TRACKED_KEY}.unreadable`].sort(),
      'not a list key: left alone; the lists stay as copies; what was not a list leaves once kept aside',
    );

    const aside = fs.readdirSync(folder).filter((f) => f.includes('.legacy-'));
    const kept = aside
      .map((f) => JSON.parse(fs.readFileSync(path.join(folder, f), 'utf8')) as unknown)
      .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
    assert.deepStrictEqual(
      kept,
      [42, 'not a list at all', { modelId: versionId('g', 2) }].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
    );
    assert.strictEqual(problems.length, 2, problems.join('\n')); // the default and team tracked lists (the profile's store tells every profile's problems)
    assert.ok(problems.every((p) => p.startsWith('Tracked versions: the value kept before was not a list; it is kept in ')));
    // a list with unreadable entries is moved as it is: the list store's checks read it as before
    const partial = new PartialDownloadsStore(store);
    const partialProblems: string[] = [];
    partial.onProblem((p) => partialProblems.push(p));
    assert.deepStrictEqual(partial.list(), []);
    assert.deepStrictEqual(partialProblems, ['Partial downloads: 5 stored entries could not be read; they are kept as they are']);
    assert.deepStrictEqual(fileStore(folder).get(PARTIAL_DOWNLOADS_KEY), garbageEntries);
    assert.deepStrictEqual(fileStore(folder).get(`${TRACKED_KEY}.unreadable`), [{ old: true }]);
    // and the lists work
    await tracked.add([{ modelId: versionId('g', 3) }]);
    assert.deepStrictEqual(
      new TrackedVersionsStore(fileStore(folder)).list().map((v) => v.modelId),
      [versionId('g', 3)],
    );
  });

  it('keeps the globalState value when the file does not read back whole', async () => {
    const folder = tempFolder();
    const list = [{ modelId: versionId('r', 1), addedAt: 1 }];
    const memento = new Memento({ [TRACKED_KEY]: list });
    const real = new NodeStoreFs(folder, { staleMs: 2000 });
    let damage = true;
    // a disk that hands back something else than what was written, the first time
    const flaky: StoreFs = Object.assign(Object.create(real) as StoreFs, {
      read: (name: string, from?: number) => {
        const bytes = real.read(name, from);
        if (damage && bytes && name.endsWith('.json')) {
          damage = false;
          return bytes.subarray(0, bytes.length - 3);
        }
        return bytes;
      },
    });
    const files = open(folder, memento, flaky);
    const problems: string[] = [];
    files.onProblem((_k, p) => problems.push(p));
    const outcome = await migrateToFiles(files, memento, toFiles);
    assert.deepStrictEqual(outcome, { moved: [], kept: [TRACKED_KEY] });
    assert.deepStrictEqual(memento.get(TRACKED_KEY), list, 'globalState keeps it');
    assert.match(problems[0], /did not read back the same; the value kept before stays/);
    // the next start finds the file whole, and only then lets globalState's value go
    const again = await migrateToFiles(open(folder, memento), memento, toFiles);
    assert.deepStrictEqual(again, { moved: [], kept: [] }, 'the file was whole on disk: nothing to move again');
    assert.deepStrictEqual(fileStore(folder).get(TRACKED_KEY), list);
  });

  it('two windows starting at once move the list once, and a change made meanwhile is kept', async () => {
    const folder = tempFolder();
    const list = Array.from({ length: 100 }, (_, i) => ({ modelId: versionId('w', i), addedAt: 1 }));
    const mementoA = new Memento({ [TRACKED_KEY]: list });
    const mementoB = new Memento({ [TRACKED_KEY]: list }); // the same globalState, seen by each window
    const a = open(folder, mementoA);
    const b = open(folder, mementoB);
    const trackedB = new TrackedVersionsStore(routedStore(b, mementoB, toFiles), () => 2);
    await Promise.all([migrateToFiles(a, mementoA, toFiles), trackedB.remove([versionId('w', 5)]), migrateToFiles(b, mementoB, toFiles)]);
    const ids = new TrackedVersionsStore(fileStore(folder)).list().map((v) => v.modelId);
    assert.strictEqual(ids.length, 99);
    assert.ok(!ids.includes(versionId('w', 5)), 'the removal is not undone by the move');
    assert.deepStrictEqual([mementoA.keys(), mementoB.keys()], [[TRACKED_KEY], [TRACKED_KEY]], 'globalState keeps its copy');
  });

  it('clearing a list (a profile removed) clears what globalState still had of it', async () => {
    const folder = tempFolder();
    const memento = new Memento({ [`${TRACKED_KEY}@p`]: [{ modelId: versionId('x', 1), addedAt: 1 }] });
    const store = routedStore(open(folder, memento), memento, toFiles);
    assert.strictEqual(store.get<unknown[]>(`${TRACKED_KEY}@p`)?.length, 1);
    await store.update(`${TRACKED_KEY}@p`, undefined);
    assert.strictEqual(store.get(`${TRACKED_KEY}@p`), undefined);
    assert.deepStrictEqual(memento.keys(), []);
    await store.update('qianfan.activeProfile', 'p');
    assert.strictEqual(memento.get('qianfan.activeProfile'), 'p', 'settings go to globalState');
  });
});
