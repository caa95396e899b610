import * as assert from 'assert';
import { DetailLoader, type DetailLoaderDeps } from '../../src/core/work/detailLoader';
import { QianfanError } from '../../src/core/qianfan/errors';
import { Emitter } from '../../src/core/base/events';
import { ExportStateStore, exportOf } from '../../src/core/work/exportStates';
import { MemoryKeyValueStore } from '../../src/core/state/keyValueStore';
import { ListStore } from '../../src/core/state/listStore';
import { type ModelVersionDetail } from '../../src/core/qianfan/model';
import { naturalOrder } from '../../src/core/base/naturalOrder';
import { DEFAULT_POLLER_TIMING, MAX_POLLED_PER_ROUND, StatusPoller } from '../../src/core/work/statusPoller';
import { type TrackedChange, type TrackedInfo, TrackedVersionsStore } from '../../src/core/state/trackedVersions';
import { VersionDetailsStore } from '../../src/core/state/versionDetails';
import { ViewFilterStore, matchable, matches, parseFilter, watchFilteredView } from '../../src/core/state/viewFilter';
import { SameObjectStore } from '../support/sameObjectStore';

const ids = (n: number) => Array.from({ length: n }, (_, i) => `amv-${String(i).padStart(8, '0')}`);

function detail(modelId: string, status = 'Ready'): ModelVersionDetail {
  return { modelId, modelSetId: 'am-aaaaaaaaaaaa', modelName: `V${modelId.slice(-2)}`, status };
}

/** A describe whose answers the test releases by hand. */
class ManualDescribe {
  readonly started: string[] = [];
  readonly signals = new Map<string, AbortSignal>();
  private readonly answers = new Map<string, { resolve(d: ModelVersionDetail): void; reject(e: unknown): void }>();
  inFlight = 0;
  maxInFlight = 0;

  readonly describe = (id: string, signal: AbortSignal): Promise<ModelVersionDetail> => {
    this.started.push(id);
    this.signals.set(id, signal);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    return new Promise<ModelVersionDetail>((resolve, reject) => {
      this.answers.set(id, { resolve, reject });
      signal.addEventListener('abort', () => reject(Object.assign(new Error('aborted'), { name: 'AbortError' })));
    }).finally(() => this.inFlight--);
  };

  answer(id: string, status = 'Ready'): void {
    this.answers.get(id)!.resolve(detail(id, status));
  }

  fail(id: string, error: unknown): void {
    this.answers.get(id)!.reject(error);
  }
}

const tick = () => new Promise((r) => setImmediate(r));

function loaderWith(describe: DetailLoaderDeps['describe'], extra: Partial<DetailLoaderDeps> = {}) {
  const store = new VersionDetailsStore();
  const persisted: TrackedInfo[][] = [];
  const logged: string[] = [];
  const loader = new DetailLoader({
    describe,
    concurrency: () => 2,
    store,
    persist: (info) => {
      persisted.push([...info]);
      return Promise.resolve();
    },
    now: () => 5000,
    log: (m) => logged.push(m),
    persistDelayMs: 10,
    ...extra,
  });
  return { store, loader, persisted, logged };
}

describe('the list store reads once per stored value', () => {
  it('checks each entry once while the stored value stays the same, and again after it changes', async () => {
    const kv = new SameObjectStore();
    let checks = 0;
    const list = new ListStore<string>(kv, 'k', (v) => (checks++, typeof v === 'string' ? v : undefined), 'Test');
    await kv.update('k', ['a', 'b', 3]);
    assert.deepStrictEqual(list.list(), ['a', 'b']);
    assert.deepStrictEqual(list.view(), ['a', 'b']);
    list.list();
    assert.strictEqual(checks, 3, 'three entries checked once');
    await list.update((items) => ({ items: [...items, 'c'], result: true }));
    assert.deepStrictEqual(list.list(), ['a', 'b', 'c']);
    assert.deepStrictEqual(kv.get('k'), ['a', 'b', 'c', 3], 'the unreadable entry is kept');
    await kv.update('k', ['z']); // another window wrote
    assert.deepStrictEqual(list.list(), ['z']);
  });

  it('reads afresh after forgetRead(), as a new window would', async () => {
    const kv = new SameObjectStore();
    let checks = 0;
    const list = new ListStore<string>(kv, 'k', (v) => (checks++, typeof v === 'string' ? v : undefined), 'Test');
    await kv.update('k', ['a']);
    list.list();
    list.forgetRead();
    list.list();
    assert.strictEqual(checks, 2);
    const tracked = new TrackedVersionsStore(kv);
    await tracked.add([{ modelId: 'amv-aaaaaaaaaaaa' }]);
    const stored = kv.get<{ modelId: string }[]>('qianfan.trackedVersions.v1')!;
    assert.ok(tracked.get('amv-aaaaaaaaaaaa'));
    stored[0].modelId = 'amv-bbbbbbbbbbbb'; // the same object, changed under the store
    assert.ok(tracked.get('amv-aaaaaaaaaaaa'), 'the read is kept while the stored value is the same');
    tracked.forgetRead();
    assert.ok(tracked.get('amv-bbbbbbbbbbbb'));
    assert.strictEqual(tracked.get('amv-aaaaaaaaaaaa'), undefined);
  });

  it('hands out a copy from list(), so a caller cannot change what the store holds', async () => {
    const kv = new SameObjectStore();
    const list = new ListStore<string>(kv, 'k', (v) => (typeof v === 'string' ? v : undefined), 'Test');
    await kv.update('k', ['a']);
    list.list().push('x');
    assert.deepStrictEqual(list.list(), ['a']);
  });
});

describe('tracked versions: last known status and what changed', () => {
  it('keeps the last status and its time, and drops a status that is not a word', async () => {
    const kv = new MemoryKeyValueStore();
    const store = new TrackedVersionsStore(kv, () => 1);
    await store.add([{ modelId: 'amv-aaaaaaaaaaaa' }, { modelId: 'amv-bbbbbbbbbbbb' }]);
    await store.updateInfo([
      { modelId: 'amv-aaaaaaaaaaaa', status: 'Creating', statusAt: 42 },
      { modelId: 'amv-bbbbbbbbbbbb', status: '<b>Ready</b>', statusAt: Number.NaN },
    ]);
    assert.deepStrictEqual(store.get('amv-aaaaaaaaaaaa'), { modelId: 'amv-aaaaaaaaaaaa', status: 'Creating', statusAt: 42, addedAt: 1 });
    assert.deepStrictEqual(store.get('amv-bbbbbbbbbbbb'), { modelId: 'amv-bbbbbbbbbbbb', addedAt: 1 });
    const reread = new TrackedVersionsStore(kv);
    assert.strictEqual(reread.get('amv-aaaaaaaaaaaa')?.status, 'Creating', 'it survives a reload');
  });

  it('says which versions were added, removed or updated', async () => {
    const store = new TrackedVersionsStore(new MemoryKeyValueStore(), () => 1);
    const changes: TrackedChange[] = [];
    store.onDidChange((c) => changes.push(c));
    await store.add([{ modelId: 'amv-aaaaaaaaaaaa' }]);
    await store.add([{ modelId: 'amv-aaaaaaaaaaaa', name: 'V1' }, { modelId: 'amv-bbbbbbbbbbbb' }]);
    await store.updateInfo([{ modelId: 'amv-bbbbbbbbbbbb', status: 'Ready', statusAt: 2 }]);
    await store.updateInfo([{ modelId: 'amv-bbbbbbbbbbbb', status: 'Ready', statusAt: 2 }]); // nothing new: no event
    await store.remove(['amv-aaaaaaaaaaaa', 'amv-cccccccccccc']);
    await store.remove(['amv-cccccccccccc']); // nothing removed: no event
    assert.deepStrictEqual(changes, [
      { added: ['amv-aaaaaaaaaaaa'], removed: [], updated: [] },
      { added: ['amv-bbbbbbbbbbbb'], removed: [], updated: ['amv-aaaaaaaaaaaa'] },
      { added: [], removed: [], updated: ['amv-bbbbbbbbbbbb'] },
      { added: [], removed: ['amv-aaaaaaaaaaaa'], updated: [] },
    ]);
  });

  it('finds a version among thousands without reading the list again', async () => {
    const store = new TrackedVersionsStore(new MemoryKeyValueStore(), () => 1);
    await store.add(ids(3000).map((modelId) => ({ modelId })));
    assert.strictEqual(store.get('amv-00002999')?.modelId, 'amv-00002999');
    assert.strictEqual(store.get('amv-99999999'), undefined);
    assert.strictEqual(store.has('amv-00000000'), true);
  });
});

describe('export state store', () => {
  it('tells the versions whose export changed, and only when something changed', () => {
    const store = new ExportStateStore();
    const events: (readonly string[])[] = [];
    store.onDidChange((e) => events.push(e));
    store.set('amv-aaaaaaaaaaaa', { status: 'Doing' });
    assert.strictEqual(store.done('amv-aaaaaaaaaaaa'), undefined);
    const task = { hasRecord: true, status: 'Done', downloadUrl: 'https://x/y' };
    store.set('amv-aaaaaaaaaaaa', { status: 'Done', task });
    store.set('amv-bbbbbbbbbbbb', { status: 'Fail', failure: 'failed' });
    assert.strictEqual(store.done('amv-aaaaaaaaaaaa'), task);
    store.delete(['amv-cccccccccccc']);
    store.delete(['amv-aaaaaaaaaaaa', 'amv-cccccccccccc']);
    store.clear();
    assert.strictEqual(store.get('amv-bbbbbbbbbbbb'), undefined);
    assert.deepStrictEqual(events, [['amv-aaaaaaaaaaaa'], ['amv-aaaaaaaaaaaa'], ['amv-bbbbbbbbbbbb'], ['amv-aaaaaaaaaaaa'], ['amv-bbbbbbbbbbbb']]);
  });
  it("a version's export: the finished one this window saw, asking nobody; else Qianfan's answer; else nothing, with the reason heard", async () => {
    const store = new ExportStateStore();
    const seen = { hasRecord: true, status: 'Done', downloadUrl: 'https://x/seen' } as const;
    const told = { hasRecord: true, status: 'Doing' } as const;
    const asked: string[] = [];
    const errors: unknown[] = [];
    store.set('amv-aaaaaaaaaaaa', { status: 'Done', task: seen });
    store.set('amv-bbbbbbbbbbbb', { status: 'Doing' });
    const ask = (id: string) => {
      asked.push(id);
      return id === 'amv-cccccccccccc' ? Promise.reject(new Error('timed out')) : Promise.resolve(told);
    };
    assert.strictEqual(await exportOf(store, 'amv-aaaaaaaaaaaa', ask), seen);
    assert.strictEqual(await exportOf(store, 'amv-bbbbbbbbbbbb', ask, (e) => errors.push(e)), told);
    assert.strictEqual(await exportOf(store, 'amv-cccccccccccc', ask, (e) => errors.push(e)), undefined);
    assert.strictEqual(await exportOf(store, 'amv-cccccccccccc', ask), undefined, 'no listener: still nothing, never a throw');
    assert.deepStrictEqual(asked, ['amv-bbbbbbbbbbbb', 'amv-cccccccccccc', 'amv-cccccccccccc']);
    assert.deepStrictEqual(
      errors.map((e) => (e as Error).message),
      ['timed out'],
    );
  });
});

describe('events', () => {
  it('reaches every listener even when one throws; the failure goes to its handler, not to whoever fired', () => {
    const failures: unknown[] = [];
    const emitter = new Emitter<number>((e) => failures.push(e));
    const heard: number[] = [];
    emitter.event(() => {
      throw new Error('boom');
    });
    const sub = emitter.event((n) => heard.push(n));
    emitter.fire(1);
    sub.dispose();
    emitter.fire(2);
    assert.deepStrictEqual(heard, [1]);
    assert.deepStrictEqual(
      failures.map((e) => (e as Error).message),
      ['boom', 'boom'],
    );
    emitter.dispose();
    emitter.fire(3);
    assert.strictEqual(failures.length, 2, 'no listener after dispose');
  });
});

describe('version details store', () => {
  it('fires for the versions that changed; a set ends loading; the problem fires only when it changes', () => {
    const store = new VersionDetailsStore();
    const events: (readonly string[])[] = [];
    let problems = 0;
    store.onDidChange((e) => events.push(e));
    store.onDidChangeProblem(() => problems++);
    store.setLoading(['amv-a', 'amv-b'], true);
    store.setLoading(['amv-a'], true); // already loading
    assert.ok(store.isLoading('amv-a'));
    store.set('amv-a', { kind: 'loaded', detail: detail('amv-a', 'Creating'), at: 1 });
    assert.ok(!store.isLoading('amv-a'));
    assert.strictEqual(store.liveStatus('amv-a'), 'Creating');
    assert.strictEqual(store.liveStatus('amv-b'), undefined);
    store.setLoading(['amv-a', 'amv-b'], false);
    store.forget(['amv-a', 'amv-z']);
    assert.strictEqual(store.get('amv-a'), undefined);
    const error = new Error('x');
    store.setProblem(error);
    store.setProblem(error);
    store.setProblem(undefined);
    assert.strictEqual(problems, 2);
    assert.deepStrictEqual(events, [['amv-a', 'amv-b'], ['amv-a'], ['amv-b'], ['amv-a']]);
  });
});

describe('the detail loader', () => {
  it('keeps to its concurrency and lands each answer as it arrives', async () => {
    const d = new ManualDescribe();
    const { store, loader } = loaderWith(d.describe);
    const all = loader.load(ids(5));
    await tick();
    assert.deepStrictEqual(d.started, ids(2));
    assert.ok(store.isLoading('amv-00000004'), 'what waits shows as loading');
    d.answer('amv-00000001');
    await tick();
    assert.strictEqual(store.liveStatus('amv-00000001'), 'Ready', 'the answer is in before the others');
    assert.strictEqual(store.get('amv-00000000'), undefined);
    assert.deepStrictEqual(d.started, ids(3));
    for (const id of ids(5)) {
      await tick();
      d.answer(id);
    }
    await all;
    assert.strictEqual(d.maxInFlight, 2);
    assert.deepStrictEqual(loader.pending, { running: 0, queued: 0 });
  });

  it('never holds the others back behind a version that does not answer', async () => {
    const d = new ManualDescribe();
    const { store, loader } = loaderWith(d.describe);
    void loader.load(ids(6));
    for (let i = 1; i < 6; i++) {
      await tick();
      d.answer(ids(6)[i]);
    }
    await tick();
    assert.strictEqual(ids(6).filter((id) => store.liveStatus(id) === 'Ready').length, 5);
    assert.ok(store.isLoading('amv-00000000'), 'the hung one is still loading');
    loader.cancelAll();
    await tick();
    assert.ok(d.signals.get('amv-00000000')!.aborted, 'cancel reaches the request');
    assert.strictEqual(store.get('amv-00000000'), undefined, 'a cancel is no error');
  });

  it('puts what the user just opened first, and background work last', async () => {
    const d = new ManualDescribe();
    const { loader } = loaderWith(d.describe, { concurrency: () => 1 });
    void loader.load(['amv-aaaaaaaa01', 'amv-aaaaaaaa02', 'amv-aaaaaaaa03']);
    void loader.load(['amv-bbbbbbbb01'], { background: true });
    void loader.load(['amv-cccccccc01', 'amv-aaaaaaaa03']);
    const order = ['amv-aaaaaaaa01', 'amv-cccccccc01', 'amv-aaaaaaaa03', 'amv-aaaaaaaa02', 'amv-bbbbbbbb01'];
    for (const id of order) {
      await tick();
      d.answer(id);
    }
    await loader.idle();
    assert.deepStrictEqual(d.started, order);
  });

  it('loads a known version again only when forced, and joins a request already out', async () => {
    const d = new ManualDescribe();
    const { loader } = loaderWith(d.describe);
    const first = loader.load(['amv-aaaaaaaa01']);
    const again = loader.load(['amv-aaaaaaaa01'], { force: true }); // joins the one out
    await tick();
    d.answer('amv-aaaaaaaa01');
    await Promise.all([first, again]);
    await loader.load(['amv-aaaaaaaa01']); // known: nothing sent
    assert.strictEqual(d.started.length, 1);
    const forced = loader.load(['amv-aaaaaaaa01'], { force: true });
    await tick();
    d.answer('amv-aaaaaaaa01', 'Fail');
    await forced;
    assert.strictEqual(d.started.length, 2);
  });

  it('marks a version the service does not know, and keeps a failure on its own node', async () => {
    const d = new ManualDescribe();
    const { store, loader, logged } = loaderWith(d.describe, { presence: (id) => Promise.resolve(id === 'amv-aaaaaaaa01' ? 'gone' : 'present') });
    const done = loader.load(['amv-aaaaaaaa01', 'amv-aaaaaaaa02']);
    await tick();
    d.fail('amv-aaaaaaaa01', new QianfanError({ kind: 'api', status: 404, code: 'ResourceNotFound', message: 'gone' }));
    d.fail('amv-aaaaaaaa02', new QianfanError({ kind: 'api', status: 503, code: 'ServiceUnavailable', message: 'busy' }));
    await done;
    assert.strictEqual(store.get('amv-aaaaaaaa01')?.kind, 'missing');
    const failed = store.get('amv-aaaaaaaa02');
    assert.strictEqual(failed?.kind, 'error');
    assert.match(String((failed as { error: Error }).error.message), /busy/);
    assert.strictEqual(store.problem, undefined);
    assert.deepStrictEqual(logged, ['Could not load amv-aaaaaaaa02']);
  });

  it('stops at refused keys: one problem, the rest dropped, statuses untouched, nothing more until it is cleared', async () => {
    const d = new ManualDescribe();
    const { store, loader } = loaderWith(d.describe);
    const done = loader.load(ids(5));
    await tick();
    d.fail('amv-00000000', new QianfanError({ kind: 'api', status: 403, code: 'SignatureDoesNotMatch', message: 'bad' }));
    await done;
    assert.match(String((store.problem as Error).message), /bad/);
    assert.deepStrictEqual(d.started, ids(2), 'what waited was not sent');
    assert.ok(d.signals.get('amv-00000001')!.aborted, 'what was out is cancelled');
    assert.ok(
      ids(5).every((id) => store.get(id) === undefined && !store.isLoading(id)),
      'no version turns into an error',
    );
    await loader.load(ids(5));
    assert.strictEqual(d.started.length, 2, 'nothing is sent while the problem stands');
    store.setProblem(undefined);
    void loader.load(['amv-00000004']);
    await tick();
    assert.strictEqual(d.started.at(-1), 'amv-00000004');
  });

  it('also stops when no keys are set', async () => {
    const { store, loader } = loaderWith(() => Promise.reject(new QianfanError({ kind: 'noCredentials', message: 'none' })));
    await loader.load(ids(3));
    assert.strictEqual((store.problem as QianfanError).kind, 'noCredentials');
  });

  it('takes back what waits under a collapsed model, but lets what is out finish', async () => {
    const d = new ManualDescribe();
    const { store, loader } = loaderWith(d.describe, { concurrency: () => 1 });
    const done = loader.load(ids(3));
    await tick();
    loader.drop(ids(3));
    assert.ok(!store.isLoading('amv-00000002'));
    d.answer('amv-00000000');
    await done;
    assert.deepStrictEqual(d.started, ['amv-00000000']);
    assert.strictEqual(store.liveStatus('amv-00000000'), 'Ready');
  });

  it('writes what it learnt in one batch, and what is left when disposed', async () => {
    const d = new ManualDescribe();
    const { loader, persisted } = loaderWith(d.describe, { concurrency: () => 3 });
    const done = loader.load(ids(3));
    await tick();
    ids(3).forEach((id) => d.answer(id, 'Creating'));
    await done;
    assert.strictEqual(persisted.length, 0, 'not at each answer');
    await new Promise((r) => setTimeout(r, 30));
    assert.deepStrictEqual(persisted, [
      ids(3).map((modelId) => ({ modelId, modelSetId: 'am-aaaaaaaaaaaa', name: `V${modelId.slice(-2)}`, status: 'Creating', statusAt: 5000 })),
    ]);
    const more = loader.load(['amv-00000009']);
    await tick();
    d.answer('amv-00000009');
    await more;
    await loader.dispose();
    assert.strictEqual(persisted.length, 2);
    assert.strictEqual(persisted[1][0].modelId, 'amv-00000009');
    await loader.load(['amv-00000010']);
    assert.ok(!d.started.includes('amv-00000010'), 'a disposed loader sends nothing');
  });

  it('logs, and does not throw, when the write fails', async () => {
    const d = new ManualDescribe();
    const { loader, logged } = loaderWith(d.describe, { persist: () => Promise.reject(new Error('disk')) });
    const done = loader.load(['amv-00000001']);
    await tick();
    d.answer('amv-00000001');
    await done;
    await loader.flush();
    assert.deepStrictEqual(logged, ['Could not store the last known statuses']);
  });
});

describe('the status poller', () => {
  function pollerWith(tracked: { modelId: string; status?: string }[]) {
    const store = new VersionDetailsStore();
    const loads: { ids: readonly string[]; force?: boolean; background?: boolean }[] = [];
    const announced: string[] = [];
    let next: Record<string, string> = {};
    const poller = new StatusPoller({
      store,
      loader: {
        load: (ids, options) => {
          loads.push({ ids, ...options });
          ids.forEach((id) => store.set(id, { kind: 'loaded', detail: detail(id, next[id] ?? 'Creating'), at: 1 }));
          return Promise.resolve();
        },
      },
      visible: () => tracked,
      announce: (id, status) => announced.push(`${id} ${status}`),
    });
    poller.timing = { intervalMs: 5, maxIntervalMs: 20 };
    return { store, poller, loads, announced, setNext: (n: Record<string, string>) => (next = n) };
  }

  it('polls what is Creating while active, announces a change once, and stops when hidden', async () => {
    const p = pollerWith([
      { modelId: 'amv-aaaaaaaa01', status: 'Creating' },
      { modelId: 'amv-aaaaaaaa02', status: 'Ready' },
    ]);
    p.poller.setActive(true);
    await new Promise((r) => setTimeout(r, 15));
    assert.ok(p.loads.length >= 1);
    assert.deepStrictEqual(p.loads[0], { ids: ['amv-aaaaaaaa01'], force: true, background: true });
    p.setNext({ 'amv-aaaaaaaa01': 'Ready' });
    await new Promise((r) => setTimeout(r, 40));
    assert.deepStrictEqual(p.announced, ['amv-aaaaaaaa01 Ready']);
    const count = p.loads.length;
    await new Promise((r) => setTimeout(r, 40));
    assert.strictEqual(p.loads.length, count, 'nothing Creating: nothing polled');
    p.store.set('amv-aaaaaaaa01', { kind: 'loaded', detail: detail('amv-aaaaaaaa01', 'Ready'), at: 2 });
    assert.deepStrictEqual(p.announced, ['amv-aaaaaaaa01 Ready'], 'announced once');
    p.poller.setActive(false);
    assert.strictEqual(p.poller.isActive, false);
    p.poller.dispose();
  });

  it('polls nothing while hidden', async () => {
    const p = pollerWith([{ modelId: 'amv-aaaaaaaa01', status: 'Creating' }]);
    await new Promise((r) => setTimeout(r, 20));
    assert.strictEqual(p.loads.length, 0);
    p.poller.setActive(true);
    p.poller.setActive(false);
    await new Promise((r) => setTimeout(r, 20));
    assert.strictEqual(p.loads.length, 0);
    p.poller.dispose();
  });

  it('backs off while nothing changes', async () => {
    const p = pollerWith([{ modelId: 'amv-aaaaaaaa01', status: 'Creating' }]);
    p.poller.setActive(true);
    await new Promise((r) => setTimeout(r, 100));
    // 5, 8, 12, 18, 20, 20 … ms apart: far fewer than 100 / 5 rounds
    assert.ok(p.loads.length >= 3 && p.loads.length <= 9, `${p.loads.length} rounds`);
    p.poller.dispose();
  });

  it('announces a version seen Creating that another load finds Ready, and nothing for one no longer visible', () => {
    const visible = [{ modelId: 'amv-aaaaaaaa01' }, { modelId: 'amv-aaaaaaaa02' }];
    const p = pollerWith(visible);
    p.store.set('amv-aaaaaaaa01', { kind: 'loaded', detail: detail('amv-aaaaaaaa01', 'Creating'), at: 1 });
    p.store.set('amv-aaaaaaaa02', { kind: 'loaded', detail: detail('amv-aaaaaaaa02', 'Creating'), at: 1 });
    visible.pop(); // its model was collapsed
    assert.deepStrictEqual(p.poller.creating(), ['amv-aaaaaaaa01']);
    p.store.set('amv-aaaaaaaa01', { kind: 'loaded', detail: detail('amv-aaaaaaaa01', 'Fail'), at: 2 });
    p.store.set('amv-aaaaaaaa02', { kind: 'loaded', detail: detail('amv-aaaaaaaa02', 'Ready'), at: 2 });
    assert.deepStrictEqual(p.announced, ['amv-aaaaaaaa01 Fail']);
    assert.deepStrictEqual(p.poller.creating(), []);
    p.poller.dispose();
  });

  it('after a reset, forgets what it watched and looks again at once', async () => {
    const p = pollerWith([{ modelId: 'amv-aaaaaaaa01', status: 'Creating' }]);
    p.poller.timing = { intervalMs: 10_000, maxIntervalMs: 10_000 };
    p.store.set('amv-aaaaaaaa01', { kind: 'loaded', detail: detail('amv-aaaaaaaa01', 'Creating'), at: 1 });
    p.poller.reset(); // not active: nothing scheduled
    await new Promise((r) => setTimeout(r, 10));
    assert.strictEqual(p.loads.length, 0);
    p.store.set('amv-aaaaaaaa01', { kind: 'loaded', detail: detail('amv-aaaaaaaa01', 'Ready'), at: 2 });
    assert.deepStrictEqual(p.announced, [], 'a reset forgets what was watched');
    p.poller.setActive(true);
    await new Promise((r) => setTimeout(r, 10));
    p.poller.reset();
    await new Promise((r) => setTimeout(r, 10));
    assert.strictEqual(p.loads.length, 0, 'nothing Creating any more');
    p.poller.dispose();
  });

  it('looks soon at a version newly seen Creating, even during a long wait', async () => {
    const visible: { modelId: string; status?: string }[] = [];
    const p = pollerWith(visible);
    p.poller.timing = { intervalMs: 5, maxIntervalMs: 10_000 };
    p.poller.setActive(true);
    await new Promise((r) => setTimeout(r, 10));
    p.poller.timing = { intervalMs: 5, maxIntervalMs: 10_000 };
    visible.push({ modelId: 'amv-aaaaaaaa01' });
    p.store.set('amv-aaaaaaaa01', { kind: 'loaded', detail: detail('amv-aaaaaaaa01', 'Creating'), at: 1 });
    await new Promise((r) => setTimeout(r, 30));
    assert.ok(p.loads.some((l) => l.ids.includes('amv-aaaaaaaa01')));
    p.poller.dispose();
  });
});

describe('natural order', () => {
  it('puts model-2 before model-10 and V2 before V10, case aside, ties by ID', () => {
    const items = ['model-10', 'model-2', 'Model-1', 'V10', 'v2', 'V2'].map((label, i) => ({ label, id: `id${9 - i}` }));
    assert.deepStrictEqual(
      [...items].sort(naturalOrder).map((x) => `${x.label}/${x.id}`),
      ['Model-1/id7', 'model-2/id8', 'model-10/id9', 'V2/id4', 'v2/id5', 'V10/id6'],
    );
  });
});

describe('the detail loader writes in order', () => {
  it('a flush waits for a write already under way', async () => {
    const d = new ManualDescribe();
    let release!: () => void;
    const writes: string[] = [];
    const { loader } = loaderWith(d.describe, {
      persist: (info) => {
        writes.push(`start ${info.length}`);
        return new Promise<void>((r) => (release = r)).then(() => void writes.push('end'));
      },
    });
    const done = loader.load(['amv-00000001']);
    await tick();
    d.answer('amv-00000001');
    await done;
    await new Promise((r) => setTimeout(r, 30)); // the timer's write has begun
    assert.deepStrictEqual(writes, ['start 1']);
    let flushed = false;
    const flush = loader.flush().then(() => (flushed = true));
    await tick();
    assert.strictEqual(flushed, false, 'not before the write under way is done');
    release();
    await flush;
    assert.deepStrictEqual(writes, ['start 1', 'end']);
  });
});

describe('the view filter', () => {
  const v = {
    modelId: 'amv-pllfs0000001',
    modelSetId: 'am-news000001',
    modelSetName: 'News-Summarizer',
    name: 'V3',
    baseModel: 'ERNIE-Lite-8K',
    status: 'Ready',
  };

  it('parses words and status terms, and nothing as no filter', () => {
    assert.strictEqual(parseFilter('   '), undefined);
    assert.deepStrictEqual(parseFilter('  News  status:Ready status:FAIL '), {
      words: ['news'],
      statuses: ['ready', 'fail'],
      text: 'News status:Ready status:FAIL',
    });
  });

  it('matches every word somewhere (ID, model, version, base model), case aside, and any of the statuses', () => {
    assert.ok(matches(undefined, v));
    assert.ok(matches(parseFilter('amv-pllfs'), v), 'by ID');
    assert.ok(matches(parseFilter('news v3'), v), 'model and version');
    assert.ok(matches(parseFilter('ernie-lite'), v), 'base model');
    assert.ok(matches(parseFilter('am-news'), v), 'model ID');
    assert.ok(!matches(parseFilter('news v4'), v), 'every word must match');
    assert.ok(matches(parseFilter('status:creating status:ready'), v));
    assert.ok(!matches(parseFilter('status:fail'), v));
    assert.ok(matches(parseFilter('status:unknown'), { modelId: 'amv-x' }), 'no status known');
    assert.ok(!matches(parseFilter('news'), { modelId: 'amv-x' }));
  });

  it('tells a change once, and clears on empty text', () => {
    const store = new ViewFilterStore();
    const seen: (string | undefined)[] = [];
    store.onDidChange((f) => seen.push(f?.text));
    store.set('news');
    store.set(' news ');
    store.set('');
    store.set('');
    assert.deepStrictEqual(seen, ['news', undefined]);
    assert.strictEqual(store.filter, undefined);
  });
});

describe('a filtered view, as statuses arrive', () => {
  /** The tree's way: the versions the filter lets through are drawn; a told change draws them again. */
  async function setup(text: string) {
    const tracked = new TrackedVersionsStore(new MemoryKeyValueStore());
    const [a, b] = ids(2);
    await tracked.add([
      { modelId: a, status: 'Creating' },
      { modelId: b, status: 'Creating' },
    ]);
    const details = new VersionDetailsStore();
    const filter = new ViewFilterStore();
    filter.set(text);
    let shown = new Set<string>();
    let draws = 0;
    const draw = () => {
      draws++;
      shown = new Set(
        tracked
          .view()
          .filter((t) => matches(filter.filter, matchable(t, details.get(t.modelId))))
          .map((t) => t.modelId),
      );
    };
    draw();
    watchFilteredView({ filter, details, tracked, shown: (id) => shown.has(id) }, draw);
    return { a, b, details, filter, shown: () => [...shown].sort(), draws: () => draws };
  }

  it('under status:creating, a version that became Ready leaves the list at once', async () => {
    const view = await setup('status:creating');
    assert.deepStrictEqual(view.shown(), [view.a, view.b]);
    view.details.set(view.a, { kind: 'loaded', detail: detail(view.a, 'Ready'), at: 1 });
    assert.deepStrictEqual(view.shown(), [view.b]);
    assert.strictEqual(view.draws(), 2);
  });

  it('under status:ready, a version that became Ready joins the list at once', async () => {
    const view = await setup('status:ready');
    assert.deepStrictEqual(view.shown(), []);
    view.details.set(view.b, { kind: 'loaded', detail: detail(view.b, 'Ready'), at: 1 });
    assert.deepStrictEqual(view.shown(), [view.b]);
  });

  it('draws nothing again when what arrived changes nothing the filter sees, or when there is no filter', async () => {
    const view = await setup('status:creating');
    view.details.set(view.a, { kind: 'loaded', detail: detail(view.a, 'Creating'), at: 1 });
    view.details.setLoading([view.b], true);
    assert.strictEqual(view.draws(), 1);
    view.filter.set('');
    view.details.set(view.b, { kind: 'loaded', detail: detail(view.b, 'Ready'), at: 1 });
    assert.strictEqual(view.draws(), 1, 'without a filter every version is shown already');
  });
});

describe('the status poller, its timing', () => {
  function setup(visible: { modelId: string; status?: string }[]) {
    const store = new VersionDetailsStore();
    const loads: (readonly string[])[] = [];
    const announced: string[] = [];
    let next = 'Creating';
    const poller = new StatusPoller({
      store,
      loader: {
        load: (ids) => {
          loads.push(ids);
          ids.forEach((id) => store.set(id, { kind: 'loaded', detail: detail(id, next), at: 1 }));
          return Promise.resolve();
        },
      },
      visible: () => visible,
      announce: (id, status) => announced.push(`${id} ${status}`),
    });
    return { store, poller, loads, announced, finish: (status: string) => (next = status) };
  }
  const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

  it('starts from 3 s, backing off to a minute', () => {
    assert.deepStrictEqual(DEFAULT_POLLER_TIMING, { intervalMs: 3000, maxIntervalMs: 60_000 });
    assert.strictEqual(MAX_POLLED_PER_ROUND, 50);
  });

  it('describes at most 50 versions a round', async () => {
    const p = setup(ids(60).map((modelId) => ({ modelId, status: 'Creating' })));
    p.poller.timing = { intervalMs: 10_000, maxIntervalMs: 10_000 };
    p.poller.setActive(true);
    await wait(20);
    assert.strictEqual(p.loads.length, 1);
    assert.deepStrictEqual(p.loads[0], ids(50));
    p.poller.dispose();
  });

  it('a version newly seen Creating cuts a long wait short', async () => {
    const visible: { modelId: string; status?: string }[] = [];
    const p = setup(visible);
    p.poller.timing = { intervalMs: 10_000, maxIntervalMs: 20_000 };
    p.poller.setActive(true);
    await wait(20); // the first round found nothing; the next is 15 s away
    assert.strictEqual(p.loads.length, 0);
    p.poller.timing = { intervalMs: 5, maxIntervalMs: 20_000 };
    visible.push({ modelId: 'amv-aaaaaaaa01' });
    p.store.set('amv-aaaaaaaa01', { kind: 'loaded', detail: detail('amv-aaaaaaaa01', 'Creating'), at: 1 });
    await wait(40);
    assert.ok(p.loads.length >= 1, 'looked again soon');
    p.poller.dispose();
  });

  it('after a change, looks again at the first interval, not the grown one', async () => {
    const p = setup([
      { modelId: 'amv-aaaaaaaa01', status: 'Creating' },
      { modelId: 'amv-aaaaaaaa02', status: 'Creating' },
    ]);
    p.poller.timing = { intervalMs: 10, maxIntervalMs: 400 };
    p.poller.setActive(true);
    await wait(150); // rounds at 0, 10, 25, 47, 80, 130: the wait has grown
    const grown = p.loads.length;
    assert.ok(grown >= 3 && grown <= 8, `${grown} rounds`);
    p.store.set('amv-aaaaaaaa02', { kind: 'loaded', detail: detail('amv-aaaaaaaa02', 'Ready'), at: 2 }); // not a poll's change
    p.finish('Ready');
    await wait(250);
    assert.deepStrictEqual(p.announced.sort(), ['amv-aaaaaaaa01 Ready', 'amv-aaaaaaaa02 Ready']);
    p.poller.dispose();
  });

  it('announces nothing once disposed', () => {
    const p = setup([]);
    p.store.set('amv-aaaaaaaa01', { kind: 'loaded', detail: detail('amv-aaaaaaaa01', 'Creating'), at: 1 });
    p.poller.dispose();
    p.store.set('amv-aaaaaaaa01', { kind: 'loaded', detail: detail('amv-aaaaaaaa01', 'Ready'), at: 2 });
    assert.deepStrictEqual(p.announced, []);
  });

  it('a version the service no longer knows is not polled as Creating', () => {
    const p = setup([{ modelId: 'amv-aaaaaaaa01', status: 'Creating' }]);
    p.store.set('amv-aaaaaaaa01', { kind: 'missing', at: 1 });
    assert.deepStrictEqual(p.poller.creating(), []);
    p.store.set('amv-aaaaaaaa01', { kind: 'error', error: new Error('x'), at: 2 });
    assert.deepStrictEqual(p.poller.creating(), ['amv-aaaaaaaa01'], 'an error keeps the stored status');
    p.poller.dispose();
  });
});

describe('export states and natural order, the edges', () => {
  it('knows a finished export only when it is Done', () => {
    const store = new ExportStateStore();
    assert.strictEqual(store.done('amv-aaaaaaaaaaaa'), undefined);
    store.set('amv-aaaaaaaaaaaa', { status: 'Fail', failure: 'noRecord' });
    assert.strictEqual(store.done('amv-aaaaaaaaaaaa'), undefined);
    assert.deepStrictEqual(store.get('amv-aaaaaaaaaaaa'), { status: 'Fail', failure: 'noRecord' });
    let fired = 0;
    store.onDidChange(() => fired++);
    store.dispose();
    store.set('amv-aaaaaaaaaaaa', { status: 'Doing' });
    assert.strictEqual(fired, 0, 'no listener after dispose');
  });

  it('orders equal labels by ID both ways', () => {
    const a = { label: 'V1', id: 'a' };
    const b = { label: 'v1', id: 'b' };
    assert.strictEqual(naturalOrder(a, b), -1);
    assert.strictEqual(naturalOrder(b, a), 1);
    assert.strictEqual(naturalOrder(a, { ...a }), 0);
  });
});
