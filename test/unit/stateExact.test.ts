/** The view filter, the details store and the shared-store test, pinned to what each tells and when. */
import * as assert from 'assert';
import { type ModelVersionDetail } from '../../src/core/qianfan/model';
import { type KeyValueStore } from '../../src/core/state/keyValueStore';
import { isShared } from '../../src/core/state/sharedStore';
import { type TrackedVersion } from '../../src/core/state/trackedVersions';
import { type LiveState, VersionDetailsStore } from '../../src/core/state/versionDetails';
import { ViewFilterStore, matchable, matches, parseFilter, watchFilteredView } from '../../src/core/state/viewFilter';

const tracked = (modelId: string, extra: Partial<TrackedVersion> = {}): TrackedVersion => ({ modelId, addedAt: 0, ...extra });
const loaded = (detail: Partial<ModelVersionDetail>): LiveState => ({
  kind: 'loaded',
  at: 1,
  detail: { modelSetId: 'am-m', modelId: 'amv-x', modelName: 'V1', status: 'Ready', ...detail },
});

describe('view filter, exactly', () => {
  it('a word and a status make a filter; "status:" only at the start of a term', () => {
    assert.deepStrictEqual(parseFilter('news status:Ready'), { words: ['news'], statuses: ['ready'], text: 'news status:Ready' });
    assert.deepStrictEqual(parseFilter('xstatus:ready'), { words: ['xstatus:ready'], statuses: [], text: 'xstatus:ready' });
    assert.strictEqual(parseFilter('   '), undefined);
  });

  it('words match within one field, never across two, nor a field that is missing', () => {
    const v = { modelId: 'amv-abc', modelSetId: 'am-def' };
    assert.ok(matches(parseFilter('abc'), v));
    assert.ok(!matches(parseFilter('abcam'), v), 'not across the ID and the model ID');
    assert.ok(!matches(parseFilter('undefined'), v), 'a missing field is not the word "undefined"');
  });

  it('the name Qianfan gave in this session wins; an empty one does not', () => {
    const t = tracked('amv-x', { name: 'stored', status: 'Creating' });
    assert.deepStrictEqual(
      [matchable(t, loaded({ modelName: 'V9' })).name, matchable(t, loaded({ modelName: '' })).name, matchable(t, undefined).name],
      ['V9', 'stored', 'stored'],
    );
    assert.strictEqual(matchable(t, loaded({ status: 'Ready' })).status, 'Ready');
    assert.strictEqual(matchable(t, { kind: 'missing', at: 1 }).status, 'Creating');
  });

  it('a filtered view is told it is outdated when any changed version flips, never without a filter, and untracked IDs are passed over', () => {
    const details = new VersionDetailsStore();
    const filter = { filter: parseFilter('status:creating') };
    const versions = new Map([
      ['amv-a', tracked('amv-a', { status: 'Creating' })],
      ['amv-b', tracked('amv-b', { status: 'Creating' })],
    ]);
    let told = 0;
    const watch = watchFilteredView({ filter, details, tracked: { get: (id) => versions.get(id) }, shown: () => true }, () => told++);
    details.set('amv-b', loaded({ modelId: 'amv-b', status: 'Creating' })); // still shown
    assert.strictEqual(told, 0);
    details.forget(['amv-zz']); // not stored: no event
    details.set('amv-zz', { kind: 'missing', at: 1 }); // not tracked: passed over
    assert.strictEqual(told, 0);
    details.set('amv-a', loaded({ modelId: 'amv-a', status: 'Ready' })); // no longer matches, still shown
    assert.strictEqual(told, 1);
    details.setLoading(['amv-b', 'amv-a'], true); // one of two flipped (a): told
    assert.strictEqual(told, 2);
    filter.filter = undefined;
    details.set('amv-a', loaded({ modelId: 'amv-a', status: 'Ready' }));
    assert.strictEqual(told, 2, 'no filter: nothing to tell');
    watch.dispose();
  });

  it('the store tells a new filter once, and nothing after it is disposed', () => {
    const store = new ViewFilterStore();
    const seen: (string | undefined)[] = [];
    store.onDidChange((f) => seen.push(f?.text));
    store.set('a  b');
    store.set(' a b ');
    store.set('');
    store.dispose();
    store.set('c');
    assert.deepStrictEqual(seen, ['a b', undefined]);
  });
});

describe('details store, exactly', () => {
  it('loading is told only for versions whose loading changed', () => {
    const store = new VersionDetailsStore();
    const told: string[][] = [];
    store.onDidChange((ids) => told.push([...ids]));
    store.setLoading(['amv-a', 'amv-b'], true);
    store.setLoading(['amv-a'], true);
    store.setLoading(['amv-c'], false);
    store.setLoading(['amv-b'], false);
    assert.deepStrictEqual(told, [['amv-a', 'amv-b'], ['amv-b']]);
  });

  it('clear forgets every version and the problem, telling both', () => {
    const store = new VersionDetailsStore();
    store.set('amv-a', { kind: 'missing', at: 1 });
    store.set('amv-b', { kind: 'missing', at: 2 });
    store.setProblem('no keys');
    const told: string[][] = [];
    let problems = 0;
    store.onDidChange((ids) => told.push([...ids]));
    store.onDidChangeProblem(() => problems++);
    store.clear();
    assert.deepStrictEqual([store.get('amv-a'), store.get('amv-b'), store.problem], [undefined, undefined, undefined]);
    assert.deepStrictEqual(told, [['amv-a', 'amv-b']]);
    assert.strictEqual(problems, 1);
  });

  it('tells nothing once disposed', () => {
    const store = new VersionDetailsStore();
    let told = 0;
    store.onDidChange(() => told++);
    store.onDidChangeProblem(() => told++);
    store.dispose();
    store.set('amv-a', { kind: 'missing', at: 1 });
    store.setProblem('x');
    assert.strictEqual(told, 0);
  });
});

describe('shared store, exactly', () => {
  it('is shared only with all three of change, onDidChangeElsewhere and onProblem', () => {
    const plain: KeyValueStore = { get: () => undefined, update: () => Promise.resolve() };
    const fn = () => undefined;
    assert.strictEqual(isShared(plain), false);
    assert.strictEqual(isShared({ ...plain, change: fn } as KeyValueStore), false);
    assert.strictEqual(isShared({ ...plain, change: fn, onDidChangeElsewhere: fn } as KeyValueStore), false);
    assert.strictEqual(isShared({ ...plain, onDidChangeElsewhere: fn, onProblem: fn } as KeyValueStore), false);
    assert.strictEqual(isShared({ ...plain, change: fn, onProblem: fn } as KeyValueStore), false);
    assert.strictEqual(isShared({ ...plain, change: fn, onDidChangeElsewhere: fn, onProblem: fn } as KeyValueStore), true);
  });
});

describe('the filter finds a status by the word the view shows', () => {
  it('status:Failed, status:fail and the Chinese words match the same versions', () => {
    const failed = { modelId: 'amv-a', status: 'Fail' };
    const ready = { modelId: 'amv-b', status: 'Ready' };
    for (const text of ['status:Failed', 'status:fail', 'status:创建失败', 'status:失败']) {
      assert.ok(matches(parseFilter(text), failed), text);
      assert.ok(!matches(parseFilter(text), ready), text);
    }
    assert.ok(matches(parseFilter('status:就绪'), ready));
    assert.ok(matches(parseFilter('status:创建中'), { modelId: 'amv-c', status: 'Creating' }));
  });
});
