import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { PendingExportsStore } from '../../src/core/work/exportTasks';
import { FileStore, diff } from '../../src/core/state/fileStore';
import { type TrackedChange, TRACKED_KEY, TrackedVersionsStore } from '../../src/core/state/trackedVersions';
import { profileScopedStore } from '../../src/core/state/profiles';
import { NodeStoreFs } from '../../src/platform/nodeStoreFs';
import { LISTS, fileStore, statusOf, tempFolder, versionId } from './fileStoreSupport';

const ids = (store: TrackedVersionsStore) => store.list().map((v) => v.modelId);
const files = (folder: string) => fs.readdirSync(folder).sort();

describe('file store: the lists in files windows share', () => {
  it('keeps the tracked list in files: a new window (a new store on the folder) reads what was written', async () => {
    const folder = tempFolder();
    const tracked = new TrackedVersionsStore(fileStore(folder), () => 5);
    await tracked.add([{ modelId: versionId('a', 1), name: 'V1' }, { modelId: versionId('a', 2) }]);
    await tracked.updateInfo([{ modelId: versionId('a', 2), status: 'Ready', statusAt: 9 }]);
    await tracked.remove([versionId('a', 1)]);
    await tracked.add([{ modelId: versionId('a', 3) }]);
    const again = new TrackedVersionsStore(fileStore(folder));
    assert.deepStrictEqual(again.list(), [
      { modelId: versionId('a', 2), status: 'Ready', statusAt: 9, addedAt: 5 },
      { modelId: versionId('a', 3), addedAt: 5 },
    ]);
    assert.deepStrictEqual(files(folder), ['qianfan.trackedVersions.v1.json', 'qianfan.trackedVersions.v1.log']);
  });

  it('writes a status batch as a log line of that batch, not the whole list', async () => {
    const folder = tempFolder();
    const store = fileStore(folder);
    const tracked = new TrackedVersionsStore(store, () => 1);
    await tracked.add(Array.from({ length: 2000 }, (_, i) => ({ modelId: versionId('b', i), name: `version ${i}` })));
    const listBytes = fs.statSync(path.join(folder, 'qianfan.trackedVersions.v1.json')).size;
    const before = store.bytesWritten;
    await tracked.updateInfo(Array.from({ length: 50 }, (_, i) => ({ modelId: versionId('b', i * 40), status: 'Ready', statusAt: 2 })));
    const batch = store.bytesWritten - before;
    assert.ok(batch < 50 * 120, `a batch of 50 wrote ${batch} bytes`);
    assert.ok(batch * 20 < listBytes, `the list is ${listBytes} bytes, the batch ${batch}`);
    assert.strictEqual(new TrackedVersionsStore(fileStore(folder)).get(versionId('b', 400))?.status, 'Ready');
  });

  it('folds the log into the list file when it outgrows it, and reads the same after', async () => {
    const folder = tempFolder();
    const store = fileStore(folder, { compactAt: (base) => base / 4 });
    const tracked = new TrackedVersionsStore(store, () => 1);
    await tracked.add(Array.from({ length: 100 }, (_, i) => ({ modelId: versionId('c', i) })));
    const gens = new Set<number>();
    for (let round = 0; round < 60; round++) {
      await tracked.updateInfo([{ modelId: versionId('c', round), status: statusOf(round) }]);
      gens.add((JSON.parse(fs.readFileSync(path.join(folder, 'qianfan.trackedVersions.v1.json'), 'utf8')) as { gen: number }).gen);
    }
    assert.ok(gens.size > 3, `the list file was written anew ${gens.size} times`);
    const again = new TrackedVersionsStore(fileStore(folder));
    assert.deepStrictEqual(again.list(), tracked.list());
    assert.strictEqual(again.get(versionId('c', 59))?.status, statusOf(59));
  });

  it('reads a log line cut short by a crash as not there, and cuts it off before the next append', async () => {
    const folder = tempFolder();
    const tracked = new TrackedVersionsStore(fileStore(folder), () => 1);
    await tracked.add([{ modelId: versionId('d', 1) }, { modelId: versionId('d', 2) }]);
    await tracked.updateInfo([{ modelId: versionId('d', 1), status: 'Creating' }]);
    const log = path.join(folder, 'qianfan.trackedVersions.v1.log');
    fs.appendFileSync(log, '{"put":[{"modelId":"amv-d000002","status":"Fa');
    const reader = new TrackedVersionsStore(fileStore(folder));
    assert.strictEqual(reader.get(versionId('d', 2))?.status, undefined, 'half a line is not read');
    assert.strictEqual(reader.get(versionId('d', 1))?.status, 'Creating');
    await reader.updateInfo([{ modelId: versionId('d', 2), status: 'Ready' }]);
    const lines = fs.readFileSync(log, 'utf8').split('\n');
    assert.strictEqual(lines.at(-1), '', 'the log ends with a whole line');
    assert.ok(
      lines.slice(1, -1).every((l) => JSON.parse(l) !== undefined),
      'every line reads',
    );
    assert.deepStrictEqual(
      new TrackedVersionsStore(fileStore(folder)).list().map((v) => v.status),
      ['Creating', 'Ready'],
    );
  });

  it('never reads a log left from before the list file was written anew (a crash between the two)', async () => {
    const folder = tempFolder();
    const tracked = new TrackedVersionsStore(fileStore(folder), () => 1);
    await tracked.add([{ modelId: versionId('e', 1) }]);
    await tracked.updateInfo([{ modelId: versionId('e', 1), status: 'Creating' }]);
    const log = path.join(folder, 'qianfan.trackedVersions.v1.log');
    const old = fs.readFileSync(log);
    await tracked.add([{ modelId: versionId('e', 2) }]);
    await tracked.remove([versionId('e', 1)]);
    // the list file written anew (gen 2) while the old log (gen 1, which puts e1 back) is still there
    const base = path.join(folder, 'qianfan.trackedVersions.v1.json');
    const state = JSON.parse(fs.readFileSync(base, 'utf8')) as { gen: number; value: unknown[] };
    fs.writeFileSync(base, JSON.stringify({ format: 1, gen: state.gen + 1, value: new TrackedVersionsStore(fileStore(folder)).list() }));
    fs.writeFileSync(log, old);
    assert.deepStrictEqual(ids(new TrackedVersionsStore(fileStore(folder))), [versionId('e', 2)]);
  });

  it('keeps an unreadable list file aside, says so once, and never writes over it', async () => {
    const folder = tempFolder();
    const base = path.join(folder, 'qianfan.trackedVersions.v1.json');
    fs.writeFileSync(base, '{"format":1,"gen":3,"value":[{"modelId":"amv-f000001"');
    const tracked = new TrackedVersionsStore(fileStore(folder), () => 1);
    const problems: string[] = [];
    tracked.onProblem((p) => problems.push(p));
    assert.deepStrictEqual(tracked.list(), []);
    await tracked.add([{ modelId: versionId('f', 2) }]);
    await tracked.add([{ modelId: versionId('f', 3) }]);
    const aside = files(folder).filter((f) => f.includes('.unreadable-'));
    assert.strictEqual(aside.length, 1);
    assert.strictEqual(fs.readFileSync(path.join(folder, aside[0]), 'utf8'), '{"format":1,"gen":3,"value":[{"modelId":"amv-f000001"');
    assert.strictEqual(problems.length, 1, problems.join('\n'));
    assert.match(problems[0], /^Tracked versions: qianfan\.trackedVersions\.v1\.json could not be read; it is kept as /);
    assert.deepStrictEqual(ids(new TrackedVersionsStore(fileStore(folder))), [versionId('f', 2), versionId('f', 3)]);
  });

  it('keeps a log with a broken line aside and goes on from the lines before it', async () => {
    const folder = tempFolder();
    const tracked = new TrackedVersionsStore(fileStore(folder), () => 1);
    await tracked.add([{ modelId: versionId('g', 1) }, { modelId: versionId('g', 2) }]);
    await tracked.updateInfo([{ modelId: versionId('g', 1), status: 'Creating' }]);
    const log = path.join(folder, 'qianfan.trackedVersions.v1.log');
    fs.appendFileSync(log, 'not json\n{"put":[{"modelId":"amv-g000002","addedAt":1,"status":"Ready"}]}\n');
    const reader = new TrackedVersionsStore(fileStore(folder));
    const problems: string[] = [];
    reader.onProblem((p) => problems.push(p));
    assert.strictEqual(reader.get(versionId('g', 1))?.status, 'Creating');
    await reader.updateInfo([{ modelId: versionId('g', 2), name: 'V2' }]);
    assert.strictEqual(problems.length, 1);
    assert.match(problems[0], /qianfan\.trackedVersions\.v1\.log could not be read; it is kept as /);
    const aside = files(folder).filter((f) => f.includes('.unreadable-'));
    assert.ok(fs.readFileSync(path.join(folder, aside[0]), 'utf8').includes('not json\n'));
    assert.deepStrictEqual(new TrackedVersionsStore(fileStore(folder)).list(), [
      { modelId: versionId('g', 1), status: 'Creating', addedAt: 1 },
      { modelId: versionId('g', 2), name: 'V2', addedAt: 1 },
    ]);
  });

  it('applies the same checks as the list store: unreadable entries are kept as they are and reported', async () => {
    const folder = tempFolder();
    const garbage = { modelId: 'not-a-version', addedAt: 1 };
    fs.writeFileSync(
      path.join(folder, 'qianfan.trackedVersions.v1.json'),
      JSON.stringify({ format: 1, gen: 1, value: [{ modelId: versionId('h', 1), addedAt: 1 }, garbage, 42] }),
    );
    const tracked = new TrackedVersionsStore(fileStore(folder), () => 2);
    const problems: string[] = [];
    tracked.onProblem((p) => problems.push(p));
    assert.deepStrictEqual(ids(tracked), [versionId('h', 1)]);
    await tracked.add([{ modelId: versionId('h', 2) }]);
    await tracked.updateInfo([{ modelId: versionId('h', 1), status: 'Ready' }]);
    await assert.rejects(tracked.add([{ modelId: 'nope' }]), /not a model version ID/);
    assert.deepStrictEqual(problems, ['Tracked versions: 2 stored entries could not be read; they are kept as they are']);
    const raw = fileStore(folder).get<unknown[]>(TRACKED_KEY);
    assert.deepStrictEqual(raw?.slice(-2), [garbage, 42]);
  });

  it('tells another window’s adds, removals and status changes by version, after a refresh', async () => {
    const folder = tempFolder();
    const storeA = fileStore(folder);
    const storeB = fileStore(folder);
    const a = new TrackedVersionsStore(storeA, () => 1);
    const b = new TrackedVersionsStore(storeB, () => 1);
    const seen: TrackedChange[] = [];
    b.onDidChange((c) => seen.push(c));
    await a.add([{ modelId: versionId('i', 1) }, { modelId: versionId('i', 2) }, { modelId: versionId('i', 3) }]);
    assert.deepStrictEqual(ids(b), [versionId('i', 1), versionId('i', 2), versionId('i', 3)], 'a read sees the files');
    await a.updateInfo([{ modelId: versionId('i', 2), status: 'Ready' }]);
    await a.remove([versionId('i', 3)]);
    storeB.refresh();
    assert.deepStrictEqual(seen, [{ added: [], removed: [versionId('i', 3)], updated: [versionId('i', 2)] }]);
    assert.strictEqual(b.get(versionId('i', 2))?.status, 'Ready');
    assert.strictEqual(b.has(versionId('i', 3)), false);
    storeB.refresh();
    assert.strictEqual(seen.length, 1, 'nothing new, nothing told');
    // B's own change reads A's latest first (under the lock) and tells it
    await a.add([{ modelId: versionId('i', 4) }]);
    await b.remove([versionId('i', 1)]);
    assert.deepStrictEqual(seen.slice(1), [
      { added: [versionId('i', 4)], removed: [], updated: [] },
      { added: [], removed: [versionId('i', 1)], updated: [] },
    ]);
    assert.deepStrictEqual(ids(a), [versionId('i', 1), versionId('i', 2), versionId('i', 4)], 'A reads from memory until it refreshes');
    storeA.refresh();
    assert.deepStrictEqual(ids(a), [versionId('i', 2), versionId('i', 4)]);
  });

  it('a remove racing an add in another window: neither is lost, nothing comes back', async () => {
    const folder = tempFolder();
    const storeA = fileStore(folder);
    const a = new TrackedVersionsStore(storeA, () => 1);
    const b = new TrackedVersionsStore(fileStore(folder), () => 1);
    await a.add([{ modelId: versionId('j', 1) }, { modelId: versionId('j', 2) }]);
    assert.strictEqual(b.list().length, 2);
    await Promise.all([
      a.remove([versionId('j', 1)]),
      b.add([{ modelId: versionId('j', 3) }]),
      b.updateInfo([{ modelId: versionId('j', 1), status: 'Ready' }]),
    ]);
    const fresh = new TrackedVersionsStore(fileStore(folder));
    assert.deepStrictEqual(ids(fresh), [versionId('j', 2), versionId('j', 3)]);
    storeA.refresh();
    assert.deepStrictEqual(ids(a), ids(fresh));
  });

  it('keeps each profile in its own files, and tells a change only to the store of that profile', async () => {
    const folder = tempFolder();
    let active = 'default';
    const profiles = { key: (k: string) => (active === 'default' ? k : `${k}@${active}`) };
    const other = fileStore(folder);
    const mine = fileStore(folder);
    const tracked = new TrackedVersionsStore(profileScopedStore(mine, profiles), () => 1);
    const pending = new PendingExportsStore(profileScopedStore(mine, profiles));
    const seen: TrackedChange[] = [];
    tracked.onDidChange((c) => seen.push(c));
    await tracked.add([{ modelId: versionId('k', 1) }]);
    await pending.put({ modelId: versionId('k', 1), exportId: 'e1', startedAt: 1 });
    active = 'team';
    tracked.forgetRead();
    assert.deepStrictEqual(tracked.list(), []);
    await tracked.add([{ modelId: versionId('k', 2) }]);
    await new TrackedVersionsStore(profileScopedStore(other, { key: (k) => k }), () => 1).add([{ modelId: versionId('k', 3) }]);
    mine.refresh();
    assert.strictEqual(seen.length, 2, 'the default profile’s change is not told to the team profile');
    assert.deepStrictEqual(files(folder), [
      'qianfan.pendingExports.v1.json',
      'qianfan.trackedVersions.v1.json',
      'qianfan.trackedVersions.v1.log',
      'qianfan.trackedVersions.v1@team.json',
    ]);
  });

  it('takes over a lock left by a window that died, once it is stale', async () => {
    const folder = tempFolder();
    const lock = path.join(folder, 'qianfan.trackedVersions.v1.lock');
    fs.mkdirSync(lock);
    const old = new Date(Date.now() - 60_000);
    fs.utimesSync(lock, old, old);
    const tracked = new TrackedVersionsStore(fileStore(folder), () => 1);
    await tracked.add([{ modelId: versionId('l', 1) }]);
    assert.deepStrictEqual(ids(new TrackedVersionsStore(fileStore(folder))), [versionId('l', 1)]);
    assert.ok(!fs.existsSync(lock), 'the lock is let go');
  });

  it('deletes a profile’s files when its value is cleared', async () => {
    const folder = tempFolder();
    const store = fileStore(folder);
    await new TrackedVersionsStore(profileScopedStore(store, { key: (k) => `${k}@p` }), () => 1).add([{ modelId: versionId('m', 1) }]);
    assert.strictEqual(store.get<unknown[]>(`${TRACKED_KEY}@p`)?.length, 1);
    await store.update(`${TRACKED_KEY}@p`, undefined);
    assert.deepStrictEqual(files(folder), []);
    assert.strictEqual(fileStore(folder).get(`${TRACKED_KEY}@p`), undefined);
  });

  it('diffs a list into puts and deletes only when replaying them gives the same order', () => {
    const key = (v: unknown) => String((v as { k: string }).k);
    const a = { k: 'a' };
    const b = { k: 'b' };
    const c = { k: 'c' };
    assert.strictEqual(diff([a, b], [a, b], key), 'same');
    assert.deepStrictEqual(diff([a, b], [a, { k: 'b', s: 1 }, c], key), { put: [{ k: 'b', s: 1 }, c] });
    assert.deepStrictEqual(diff([a, b, c], [a, c], key), { del: ['b'] });
    assert.strictEqual(diff([a, b], [b, a], key), 'order');
    assert.strictEqual(diff([a, b], [a, c, b], key), 'order', 'a new item before a kept one');
    assert.strictEqual(diff([a, a], [a], key), 'order');
    // a list known to have a key each: a batch in place is found without a map; anything else as before
    const unique = new WeakSet<readonly unknown[]>();
    const prev = [a, b, c];
    assert.deepStrictEqual(diff([a, a, c], [a, { k: 'a', s: 2 }, c], key, unique), 'order', 'not known: checked');
    unique.add(prev);
    const next = [a, { k: 'b', s: 2 }, c];
    assert.deepStrictEqual(diff(prev, next, key, unique), { put: [{ k: 'b', s: 2 }] });
    assert.ok(unique.has(next), 'what it gives is known too');
    assert.strictEqual(diff(prev, [a, { k: 'b' }, c], key, unique), 'same', 'equal, not the same object');
    assert.deepStrictEqual(diff(prev, [a, c, { k: 'd' }], key, unique), { put: [{ k: 'd' }], del: ['b'] }, 'not in place: by the map');
    assert.strictEqual(diff(prev, [c, b, a], key, unique), 'order');
  });

  it('tells another window’s change when the folder’s file events come, without being asked', async () => {
    const folder = tempFolder();
    const storeB = fileStore(folder);
    const b = new TrackedVersionsStore(storeB, () => 1);
    const a = new TrackedVersionsStore(fileStore(folder), () => 1);
    await a.add([{ modelId: versionId('n', 1) }]);
    assert.strictEqual(b.list().length, 1);
    const watching = storeB.watch(0); // file events only, no poll
    try {
      const told = new Promise<TrackedChange>((resolve) => b.onDidChange(resolve));
      await a.updateInfo([{ modelId: versionId('n', 1), status: 'Ready' }]);
      assert.deepStrictEqual(await told, { added: [], removed: [], updated: [versionId('n', 1)] });
      assert.strictEqual(b.get(versionId('n', 1))?.status, 'Ready');
    } finally {
      watching.dispose();
    }
  });

  it('tells another window’s change on the poll where there are no file events (a remote or network folder)', async () => {
    const folder = tempFolder();
    const port = new NodeStoreFs(folder, { staleMs: 2000 });
    const deaf = Object.assign(Object.create(port) as NodeStoreFs, { watch: () => ({ dispose: () => undefined }) });
    const storeB = new FileStore({ fs: deaf, lists: LISTS });
    const b = new TrackedVersionsStore(storeB, () => 1);
    const a = new TrackedVersionsStore(fileStore(folder), () => 1);
    await a.add([{ modelId: versionId('o', 1) }]);
    assert.strictEqual(b.list().length, 1);
    const watching = storeB.watch(30);
    try {
      const told = new Promise<TrackedChange>((resolve) => b.onDidChange(resolve));
      await a.remove([versionId('o', 1)]);
      assert.deepStrictEqual(await told, { added: [], removed: [versionId('o', 1)], updated: [] });
    } finally {
      watching.dispose();
    }
  });

  it('runs without file events too: the folder is made when missing', () => {
    const folder = path.join(tempFolder(), 'deeper', 'still');
    const store = new FileStore({ fs: new NodeStoreFs(folder), lists: LISTS });
    assert.strictEqual(store.get(TRACKED_KEY), undefined);
    assert.ok(fs.existsSync(folder));
  });
});
