/**
 * The follow poller and the followed models' store pinned to exact values: the backoff (its
 * defaults, growth, cap and start-over), the expand's reuse window to the millisecond, what
 * showing, hiding, reset and dispose leave pending, the change events, what is logged, the
 * gone decision on positive evidence only, and what is tracked and announced for a new version.
 */
import * as assert from 'assert';
import { CancelledError, QianfanError } from '../../src/core/qianfan/errors';
import { type CustomModelSet, type ModelSetDetail } from '../../src/core/qianfan/model';
import { MemoryKeyValueStore } from '../../src/core/state/keyValueStore';
import { FOLLOWED_KEY, FollowedModelsStore, normalizeFollowed } from '../../src/core/state/followedModels';
import { type Change, type ElsewhereChange, type SharedKeyValueStore } from '../../src/core/state/sharedStore';
import { TrackedVersionsStore } from '../../src/core/state/trackedVersions';
import { DEFAULT_FOLLOW_TIMING, type FollowApi, FollowPoller, type NewVersion } from '../../src/core/work/followPoller';
import { HandTimers, settle } from '../support/handTimers';
import { SameObjectStore } from '../support/sameObjectStore';

const M = 'am-gh0azfeb9adu';
const N = 'am-n0000000000b';
const V1 = 'amv-g73j3faikzpz';
const V2 = 'amv-newversion01';
const V3 = 'amv-newversion02';

const flush = settle;

interface SetAnswer {
  name: string;
  ids: string[];
  names: string[];
  versionsListed?: false;
}

/** A Qianfan that answers per model; a call can be held open, an answer can be a failure. */
class Api implements FollowApi {
  sets = new Map<string, SetAnswer | Error>();
  listing: string[] | Error = [M, N];
  calls: string[] = [];
  signals: (AbortSignal | undefined)[] = [];
  statuses = new Map<string, string | Error>();
  private held?: Promise<void>;
  private release_?: () => void;

  hold(): void {
    this.held = new Promise((r) => (this.release_ = r));
  }
  release(): void {
    this.held = undefined;
    this.release_?.();
  }

  async describeModelSet(modelSetId: string, opts: { signal?: AbortSignal }): Promise<ModelSetDetail> {
    this.calls.push(`set:${modelSetId}`);
    this.signals.push(opts.signal);
    await this.held;
    const a = this.sets.get(modelSetId) ?? new QianfanError({ kind: 'api', status: 404, code: 'ResourceNotFound', message: 'no such model' });
    if (a instanceof Error) {
      throw a;
    }
    return {
      modelSetId,
      modelSetName: a.name,
      modelType: '',
      source: '',
      labels: [],
      createTime: '',
      modifyTime: '',
      modelIds: [...a.ids],
      modelNames: [...a.names],
      ...(a.versionsListed === false ? { versionsListed: false } : {}),
    };
  }
  listAllCustomModelSets(opts: { signal?: AbortSignal }): Promise<CustomModelSet[]> {
    this.calls.push('list');
    this.signals.push(opts.signal);
    const l = this.listing;
    return l instanceof Error ? Promise.reject(l) : Promise.resolve(l.map((modelSetId) => ({ modelSetId }) as CustomModelSet));
  }
  describeModel(modelId: string, opts: { signal?: AbortSignal }): Promise<{ status: string }> {
    this.calls.push(`model:${modelId}`);
    this.signals.push(opts.signal);
    const s = this.statuses.get(modelId) ?? 'Creating';
    return s instanceof Error ? Promise.reject(s) : Promise.resolve({ status: s });
  }
}

const missing = () => new QianfanError({ kind: 'api', status: 404, code: 'ResourceNotFound', message: 'no such model' });
const network = () => new QianfanError({ kind: 'network', message: 'reset' });

async function setUp(opts: { log?: false; timing?: false; bare?: true } = {}) {
  const kv = new MemoryKeyValueStore();
  const followed = new FollowedModelsStore(kv);
  const tracked = new TrackedVersionsStore(kv);
  const api = new Api();
  api.sets.set(M, { name: 'customer-support-zh', ids: [V1], names: ['V1'] });
  /** The same Qianfan, without describeModel. */
  const bare: FollowApi = {
    describeModelSet: (id, o) => api.describeModelSet(id, o),
    listAllCustomModelSets: (o) => api.listAllCustomModelSets(o),
  };
  const timers = new HandTimers();
  const announced: NewVersion[] = [];
  const atAnnounce: { tracked: boolean; isNew: boolean; events: number }[] = [];
  const logged: { message: string; error: unknown }[] = [];
  await tracked.add([{ modelId: V1, modelSetId: M }]);
  await followed.follow({ modelSetId: M, modelSetName: 'customer-support-zh' }, [V1]);
  let events = 0;
  const poller: FollowPoller = new FollowPoller({
    followed,
    tracked,
    api: () => (opts.bare ? bare : api),
    announce: (v) => {
      announced.push(v);
      atAnnounce.push({ tracked: tracked.has(v.modelId), isNew: poller.isNew(v.modelId), events });
    },
    timers,
    ...(opts.log === false ? {} : { log: (message: string, error: unknown) => logged.push({ message, error }) }),
  });
  if (opts.timing !== false) {
    poller.timing = { intervalMs: 100, maxIntervalMs: 400, expandReuseMs: 50 };
  }
  poller.onDidChange(() => events++);
  return { kv, followed, tracked, api, timers, announced, atAnnounce, logged, poller, events: () => events };
}

describe('follow poller, exactly', () => {
  describe('the backoff', () => {
    it('by default: 30 s, growing by half to at most 10 minutes', async () => {
      const t = await setUp({ timing: false });
      assert.deepStrictEqual(DEFAULT_FOLLOW_TIMING, { intervalMs: 30_000, maxIntervalMs: 600_000, expandReuseMs: 10_000 });
      assert.strictEqual(t.poller.currentDelay, 30_000);
      t.poller.setActive(true);
      const waits: number[] = [];
      for (let i = 0; i < 10; i++) {
        waits.push(await t.timers.fire());
      }
      assert.deepStrictEqual(waits, [0, 45_000, 67_500, 101_250, 151_875, 227_813, 341_720, 512_580, 600_000, 600_000]);
      assert.strictEqual(t.poller.currentDelay, 600_000);
      t.poller.dispose();
    });

    it('by default an expand reuses a look of the last 10 s', async () => {
      const t = await setUp({ timing: false });
      t.timers.clock = 5_000;
      await t.poller.check(M);
      t.timers.clock = 14_999;
      t.poller.expanded(M);
      await flush();
      assert.strictEqual(t.api.calls.length, 1, '9,999 ms later: reused');
      t.timers.clock = 15_000;
      t.poller.expanded(M);
      await flush();
      assert.strictEqual(t.api.calls.length, 2, '10,000 ms later: looked again');
    });

    it('shown again it looks at once and starts over from the first interval; shown or hidden twice, nothing changes', async () => {
      const t = await setUp();
      t.poller.setActive(true);
      assert.strictEqual(t.poller.isActive, true);
      assert.deepStrictEqual(t.timers.waits, [0]);
      assert.deepStrictEqual([await t.timers.fire(), await t.timers.fire()], [0, 150]);
      assert.deepStrictEqual(t.timers.waits, [225]);
      t.poller.setActive(true);
      assert.deepStrictEqual(t.timers.waits, [225], 'shown while shown: the wait stays');
      assert.strictEqual(t.poller.currentDelay, 225);
      t.poller.setActive(false);
      assert.strictEqual(t.poller.isActive, false);
      assert.deepStrictEqual(t.timers.waits, []);
      t.poller.setActive(false);
      assert.deepStrictEqual(t.timers.waits, []);
      assert.strictEqual(t.poller.currentDelay, 225, 'hidden: the interval is kept until shown');
      t.poller.setActive(true);
      assert.strictEqual(t.poller.currentDelay, 100);
      assert.deepStrictEqual([await t.timers.fire(), await t.timers.fire()], [0, 150]);
      assert.deepStrictEqual(t.api.calls, [`set:${M}`, `set:${M}`, `set:${M}`, `set:${M}`]);
      t.poller.dispose();
    });

    it('hidden during a round: no next wait; hidden and shown during one: one wait only', async () => {
      const t = await setUp();
      t.poller.setActive(true);
      t.api.hold();
      await t.timers.fire();
      assert.deepStrictEqual(t.timers.waits, [], 'no wait while a round runs');
      t.poller.setActive(false);
      t.api.release();
      await flush();
      assert.deepStrictEqual(t.timers.waits, [], 'hidden: nothing more is asked');
      assert.deepStrictEqual(t.api.calls, [`set:${M}`]);
      t.api.hold();
      t.poller.setActive(true);
      await t.timers.fire();
      t.poller.setActive(false);
      t.poller.setActive(true);
      await t.timers.fire(); // a second round joins the look under way
      t.api.release();
      await flush();
      assert.strictEqual(t.timers.pending.length, 1, 'one wait, not one per round');
      assert.deepStrictEqual(t.api.calls, [`set:${M}`, `set:${M}`]);
      t.poller.dispose();
    });

    it('a round that finds something starts over from the first interval, one that finds nothing grows it', async () => {
      const t = await setUp();
      t.poller.setActive(true);
      assert.deepStrictEqual([await t.timers.fire(), await t.timers.fire(), await t.timers.fire()], [0, 150, 225]);
      t.api.sets.delete(M);
      t.api.listing = [N];
      assert.strictEqual(await t.timers.fire(), 338);
      assert.ok(t.poller.isGone(M));
      assert.deepStrictEqual(t.timers.waits, [100], 'gone: a change');
      t.api.sets.set(M, { name: 'customer-support-zh', ids: [V1], names: ['V1'] });
      await t.timers.fire();
      assert.ok(!t.poller.isGone(M));
      assert.deepStrictEqual(t.timers.waits, [100], 'back: a change');
      await t.timers.fire();
      assert.deepStrictEqual(t.timers.waits, [150]);
      t.poller.dispose();
    });
  });

  describe('reset', () => {
    it('starts over as a new window: nothing new or gone, looked at again on expand, the first interval, one wait at once', async () => {
      const t = await setUp();
      await t.followed.follow({ modelSetId: N }, []);
      t.api.listing = [M];
      t.poller.setActive(true);
      await t.timers.fire();
      assert.ok(t.poller.isGone(N));
      t.api.sets.set(M, { name: 'customer-support-zh', ids: [V1, V2], names: ['V1', 'V2'] });
      await t.timers.fire();
      assert.ok(t.poller.isNew(V2));
      await t.timers.fire();
      assert.deepStrictEqual(t.timers.waits, [150]);
      const events = t.events();
      const calls = t.api.calls.length;
      t.poller.reset();
      assert.strictEqual(t.events(), events + 1, 'a change is told');
      assert.ok(!t.poller.isNew(V2));
      assert.ok(!t.poller.isGone(N));
      assert.strictEqual(t.poller.currentDelay, 100);
      assert.deepStrictEqual(t.timers.waits, [0], 'shown: one wait, at once');
      t.poller.expanded(M);
      await flush();
      assert.strictEqual(t.api.calls.length, calls + 1, 'an expand right after looks again');
      t.poller.setActive(false);
      t.poller.reset();
      assert.deepStrictEqual(t.timers.waits, [], 'hidden: nothing is asked');
      t.poller.dispose();
    });
  });

  describe('what the view tells it', () => {
    it('seen: a change only when a version marked new is no longer', async () => {
      const t = await setUp();
      t.api.sets.set(M, { name: 'customer-support-zh', ids: [V1, V2, V3], names: ['V1', 'V2', 'V3'] });
      assert.strictEqual(await t.poller.check(M), true);
      const events = t.events();
      t.poller.seen([]);
      t.poller.seen(['amv-notmarked01', V1]);
      assert.strictEqual(t.events(), events, 'nothing was marked: no change');
      t.poller.seen([V2, 'amv-notmarked01']);
      assert.strictEqual(t.events(), events + 1);
      assert.ok(!t.poller.isNew(V2));
      assert.ok(t.poller.isNew(V3));
      t.poller.seen([V2]);
      assert.strictEqual(t.events(), events + 1);
    });

    it('an expand reuses a look for exactly expandReuseMs, and never looks at a model not followed', async () => {
      const t = await setUp();
      t.timers.clock = 1_000;
      await t.poller.check(M);
      t.timers.clock = 1_049;
      t.poller.expanded(M);
      await flush();
      assert.deepStrictEqual(t.api.calls, [`set:${M}`], '49 ms later: reused');
      t.timers.clock = 1_050;
      t.poller.expanded(M);
      await flush();
      assert.deepStrictEqual(t.api.calls, [`set:${M}`, `set:${M}`], '50 ms later: looked again');
      t.poller.expanded(N);
      await flush();
      assert.deepStrictEqual(t.api.calls, [`set:${M}`, `set:${M}`]);
    });

    it('one look per model at a time: a second check joins it, a later one looks again', async () => {
      const t = await setUp();
      t.api.hold();
      const a = t.poller.check(M);
      const b = t.poller.check(M);
      assert.strictEqual(a, b);
      t.api.release();
      assert.strictEqual(await a, false);
      await t.poller.check(M);
      assert.deepStrictEqual(t.api.calls, [`set:${M}`, `set:${M}`]);
    });

    it('a round says it changed something when any model changed, the first or the last', async () => {
      const t = await setUp();
      await t.followed.follow({ modelSetId: N }, [V3]);
      t.api.sets.set(N, { name: 'n', ids: [V3], names: ['V3'] });
      t.api.sets.set(M, { name: 'customer-support-zh', ids: [V1, V2], names: ['V1', 'V2'] });
      assert.strictEqual(await t.poller.checkAll(), true, 'the first');
      assert.strictEqual(await t.poller.checkAll(), false);
      t.api.sets.set(N, { name: 'n', ids: [V3, 'amv-newversion03'], names: ['V3', 'V5'] });
      assert.strictEqual(await t.poller.checkAll(), true, 'the last');
    });
  });

  describe('dispose', () => {
    it('leaves no wait and calls no listener; a round under way looks at no further model; shown again, it does not go on', async () => {
      const t = await setUp();
      await t.followed.follow({ modelSetId: N }, []);
      t.api.sets.set(N, { name: 'n', ids: [], names: [] });
      t.poller.setActive(true);
      t.api.hold();
      await t.timers.fire();
      assert.deepStrictEqual(t.api.calls, [`set:${M}`]);
      t.api.sets.set(M, { name: 'customer-support-zh', ids: [V1, V2], names: ['V1', 'V2'] });
      t.poller.dispose();
      assert.strictEqual(t.poller.isActive, false);
      t.api.release();
      await flush();
      assert.deepStrictEqual(t.api.calls, [`set:${M}`, `model:${V2}`], 'the other model is not looked at');
      assert.strictEqual(t.events(), 0, 'no listener called');
      assert.deepStrictEqual(t.timers.waits, []);
      t.poller.setActive(true);
      await t.timers.fire();
      assert.deepStrictEqual(t.timers.waits, [], 'a disposed poller sets no further wait');
      assert.strictEqual(t.api.calls.length, 2);
    });

    it('of a hidden poller sets no wait; a listener disposed alone is not called again', async () => {
      const t = await setUp();
      let called = 0;
      const sub = t.poller.onDidChange(() => called++);
      t.api.sets.set(M, { name: 'customer-support-zh', ids: [V1, V2], names: ['V1', 'V2'] });
      await t.poller.check(M);
      assert.strictEqual(called, 1);
      sub.dispose();
      t.poller.seen([V2]);
      assert.strictEqual(called, 1);
      assert.strictEqual(t.events(), 2, 'the other listener still is');
      t.poller.dispose();
      assert.deepStrictEqual(t.timers.waits, []);
      assert.strictEqual(t.poller.isActive, false);
    });
  });

  describe('looking fails', () => {
    it('a cancel: nothing logged, no listing, nothing decided', async () => {
      const t = await setUp();
      t.api.sets.set(M, new CancelledError());
      assert.strictEqual(await t.poller.check(M), false);
      assert.deepStrictEqual(t.api.calls, [`set:${M}`]);
      assert.deepStrictEqual(t.logged, []);
      assert.ok(!t.poller.isGone(M));
    });

    it('a failure that cannot mean missing: logged, no listing, nothing decided; without a log, just nothing decided', async () => {
      const t = await setUp();
      const e = network();
      t.api.sets.set(M, e);
      assert.strictEqual(await t.poller.check(M), false);
      assert.deepStrictEqual(t.api.calls, [`set:${M}`]);
      assert.deepStrictEqual(t.logged, [{ message: `Could not look at followed model ${M}`, error: e }]);
      assert.ok(!t.poller.isGone(M));
      const quiet = await setUp({ log: false });
      quiet.api.sets.set(M, network());
      assert.strictEqual(await quiet.poller.check(M), false);
      quiet.api.sets.set(M, missing());
      quiet.api.listing = network();
      assert.strictEqual(await quiet.poller.check(M), false);
    });

    it('the listing fails: logged unless cancelled, nothing decided', async () => {
      const t = await setUp();
      t.api.sets.set(M, missing());
      const e = network();
      t.api.listing = e;
      assert.strictEqual(await t.poller.check(M), false);
      assert.deepStrictEqual(t.api.calls, [`set:${M}`, 'list']);
      assert.deepStrictEqual(t.logged, [{ message: `Could not list the models to look for followed model ${M}`, error: e }]);
      t.api.listing = new CancelledError();
      assert.strictEqual(await t.poller.check(M), false);
      assert.strictEqual(t.logged.length, 1, 'a cancel is not logged');
      assert.ok(!t.poller.isGone(M));
      assert.strictEqual(t.events(), 0);
    });

    it('gone only when the complete listing lacks it, back when described again: each a change, once', async () => {
      const t = await setUp();
      t.api.sets.set(M, missing());
      t.api.listing = [N, M];
      assert.strictEqual(await t.poller.check(M), false, 'listed among others: nothing decided');
      assert.ok(!t.poller.isGone(M));
      t.api.listing = [N];
      assert.strictEqual(await t.poller.check(M), true);
      assert.ok(t.poller.isGone(M));
      assert.strictEqual(t.events(), 1);
      assert.strictEqual(await t.poller.check(M), false, 'still gone: no change');
      assert.strictEqual(t.events(), 1);
      t.api.sets.set(M, { name: 'customer-support-zh', ids: [V1], names: ['V1'], versionsListed: false });
      assert.strictEqual(await t.poller.check(M), true, 'back, even by an answer without versions');
      assert.ok(!t.poller.isGone(M));
      assert.strictEqual(t.events(), 2);
      assert.ok(t.followed.has(M));
    });

    it("every request carries the look's signal, which aborts when its only caller cancels", async () => {
      const t = await setUp();
      const ac = new AbortController();
      t.api.sets.set(M, { name: 'customer-support-zh', ids: [V1, V2], names: ['V1', 'V2'] });
      await t.poller.check(M, ac.signal);
      t.api.sets.set(M, missing());
      await t.poller.check(M, ac.signal);
      assert.deepStrictEqual(t.api.calls, [`set:${M}`, `model:${V2}`, `set:${M}`, 'list']);
      assert.ok(t.api.signals.every((s) => s instanceof AbortSignal && !s.aborted));
      assert.strictEqual(t.api.signals[0], t.api.signals[1], 'one signal for one look');
      t.api.hold();
      const look = t.poller.check(M, ac.signal);
      await flush();
      ac.abort();
      assert.strictEqual(await look, false, 'a cancel decides nothing');
      assert.strictEqual(t.api.signals[4]?.aborted, true, 'its only caller cancelled: the request is aborted');
      t.api.release();
      await flush();
    });
  });

  describe('a new version', () => {
    it('is tracked with its names and status, marked new and a change told before it is announced, each once', async () => {
      const t = await setUp();
      t.api.sets.set(M, { name: 'customer-support-zh', ids: [V1, V2, V3], names: ['V1', 'V4', ''] });
      t.api.statuses.set(V3, new Error('no status'));
      const before = Date.now();
      assert.strictEqual(await t.poller.check(M), true);
      const after = Date.now();
      assert.deepStrictEqual(t.announced, [
        { modelSetId: M, modelSetName: 'customer-support-zh', modelId: V2, name: 'V4', status: 'Creating' },
        { modelSetId: M, modelSetName: 'customer-support-zh', modelId: V3, name: undefined, status: undefined },
      ]);
      assert.deepStrictEqual(t.atAnnounce, [
        { tracked: true, isNew: true, events: 1 },
        { tracked: true, isNew: true, events: 1 },
      ]);
      const v2 = t.tracked.get(V2)!;
      assert.deepStrictEqual([v2.modelSetId, v2.modelSetName, v2.name, v2.status], [M, 'customer-support-zh', 'V4', 'Creating']);
      assert.ok(v2.statusAt !== undefined && v2.statusAt >= before && v2.statusAt <= after, 'the status is of now');
      const v3 = t.tracked.get(V3)!;
      assert.deepStrictEqual([v3.modelSetId, v3.modelSetName, v3.name, v3.status, v3.statusAt], [M, 'customer-support-zh', undefined, undefined, undefined]);
      assert.deepStrictEqual(t.followed.get(M)?.knownIds, [V1, V2, V3]);
      assert.strictEqual(await t.poller.check(M), false);
      assert.strictEqual(t.announced.length, 2);
    });

    it("the model's name: the answer's, else the one stored, else its ID; what is tracked takes the answer's only", async () => {
      const t = await setUp();
      t.api.sets.set(M, { name: '', ids: [V1, V2], names: ['V1', 'V2'] });
      await t.poller.check(M);
      await t.followed.follow({ modelSetId: N }, []);
      t.api.sets.set(N, { name: '', ids: [V3], names: ['V3'] });
      await t.poller.check(N);
      assert.deepStrictEqual(
        t.announced.map((v) => [v.modelId, v.modelSetName]),
        [
          [V2, 'customer-support-zh'],
          [V3, N],
        ],
      );
      assert.strictEqual(t.tracked.get(V2)?.modelSetName, undefined);
      assert.strictEqual(t.tracked.get(V3)?.modelSetId, N);
    });

    it('without describeModel it is announced and tracked without a status', async () => {
      const t = await setUp({ bare: true });
      t.api.sets.set(M, { name: 'customer-support-zh', ids: [V1, V2], names: ['V1', 'V2'] });
      assert.strictEqual(await t.poller.check(M), true);
      assert.deepStrictEqual(t.announced, [{ modelSetId: M, modelSetName: 'customer-support-zh', modelId: V2, name: 'V2', status: undefined }]);
      assert.strictEqual(t.tracked.get(V2)?.status, undefined);
      assert.deepStrictEqual(t.api.calls, [`set:${M}`]);
    });

    it('an answer without a list of versions learns nothing', async () => {
      const t = await setUp();
      t.api.sets.set(M, { name: 'customer-support-zh', ids: [V1, V2], names: ['V1', 'V2'], versionsListed: false });
      assert.strictEqual(await t.poller.check(M), false);
      assert.deepStrictEqual(t.announced, []);
      assert.ok(!t.tracked.has(V2));
      assert.deepStrictEqual(t.followed.get(M)?.knownIds, [V1]);
      assert.strictEqual(t.events(), 0);
    });
  });

  it('with no timers given, it waits with real ones: it looks in rounds, stops when hidden, and reuses a look by a monotonic clock', async () => {
    const kv = new MemoryKeyValueStore();
    const followed = new FollowedModelsStore(kv);
    const api = new Api();
    api.sets.set(M, { name: 'customer-support-zh', ids: [V1], names: ['V1'] });
    await followed.follow({ modelSetId: M }, [V1]);
    const poller = new FollowPoller({ followed, tracked: new TrackedVersionsStore(kv), api: () => api, announce: () => undefined });
    poller.timing = { intervalMs: 20, maxIntervalMs: 1_000, expandReuseMs: 60_000 };
    const until = async (done: () => boolean, what: string): Promise<void> => {
      const end = Date.now() + 5_000;
      while (!done()) {
        assert.ok(Date.now() < end, what);
        await new Promise((r) => setTimeout(r, 2));
      }
    };
    poller.setActive(true);
    await until(() => api.calls.length >= 2, 'two rounds');
    await flush();
    poller.setActive(false);
    const calls = api.calls.length;
    await new Promise((r) => setTimeout(r, 120));
    assert.strictEqual(api.calls.length, calls, 'hidden: the real wait was cleared');
    poller.expanded(M);
    await flush();
    assert.strictEqual(api.calls.length, calls, 'looked at within the reuse window');
    poller.dispose();
  });
});

const A = 'am-aaaaaaaaaaaa';
const B = 'am-bbbbbbbbbbbb';

/** A store that windows share, whose other windows the test plays. */
class SharedStore implements SharedKeyValueStore {
  private readonly mem = new MemoryKeyValueStore();
  private readonly elsewhere = new Set<(change: ElsewhereChange) => void>();
  get<T>(key: string): T | undefined {
    return this.mem.get<T>(key);
  }
  update(key: string, value: unknown): Promise<void> {
    return this.mem.update(key, value);
  }
  async change<R>(key: string, change: Change<R>): Promise<R | undefined> {
    const next = change(this.mem.get(key));
    if (!next) {
      return undefined;
    }
    await this.mem.update(key, next.value);
    return next.result;
  }
  onDidChangeElsewhere(listener: (change: ElsewhereChange) => void) {
    this.elsewhere.add(listener);
    return { dispose: () => void this.elsewhere.delete(listener) };
  }
  onProblem() {
    return { dispose: () => undefined };
  }
  changedElsewhere(key: string): void {
    this.elsewhere.forEach((l) => l({ key, added: [], removed: [], updated: [A] }));
  }
}

describe('followed models store, exactly', () => {
  it('reads an entry only with a model ID that is text and a finite time; known IDs only version IDs that are text, once each', () => {
    assert.strictEqual(normalizeFollowed(null), undefined);
    assert.strictEqual(normalizeFollowed([A]), undefined);
    assert.strictEqual(normalizeFollowed({ modelSetId: [A], followedAt: 1 }), undefined, 'a list that reads as a model ID is not one');
    for (const followedAt of ['5', NaN, Infinity, -Infinity, null, undefined]) {
      assert.strictEqual(normalizeFollowed({ modelSetId: A, followedAt }), undefined, String(followedAt));
    }
    assert.deepStrictEqual(normalizeFollowed({ modelSetId: A, modelSetName: 'a', followedAt: 0, knownIds: [[V1], V2, V2, 7] }), {
      modelSetId: A,
      modelSetName: 'a',
      knownIds: [V2],
      followedAt: 0,
    });
    assert.deepStrictEqual(normalizeFollowed({ modelSetId: A, followedAt: -3, knownIds: V1 }), { modelSetId: A, knownIds: [], followedAt: -3 });
  });

  it('is stored under qianfan.followedModels.v1, and says what it could not read there', async () => {
    const kv = new MemoryKeyValueStore();
    await kv.update('qianfan.followedModels.v1', [{ modelSetId: A, followedAt: 1, knownIds: [] }, { broken: true }]);
    const store = new FollowedModelsStore(kv);
    assert.strictEqual(FOLLOWED_KEY, 'qianfan.followedModels.v1');
    assert.ok(store.has(A));
    const problems: string[] = [];
    store.onProblem((p) => problems.push(p));
    assert.strictEqual(problems.length, 1);
    assert.ok(problems[0].startsWith('Followed models: '), problems[0]);
  });

  it('keeps its read while the stored value is the same, and reads afresh after forgetRead()', async () => {
    const kv = new SameObjectStore();
    const store = new FollowedModelsStore(kv);
    await store.follow({ modelSetId: A }, []);
    assert.ok(store.has(A));
    kv.get<{ modelSetId: string }[]>(FOLLOWED_KEY)![0].modelSetId = B; // the same value, changed under the store
    assert.ok(store.has(A), 'the read is kept');
    store.forgetRead();
    assert.ok(store.has(B));
    assert.ok(!store.has(A));
  });

  it('refuses a bad model ID, naming its first 64 characters', async () => {
    const store = new FollowedModelsStore(new MemoryKeyValueStore());
    const id = `am-${'x'.repeat(100)}`;
    await assert.rejects(store.follow({ modelSetId: id }, []), (e: Error) => e.message === `not a model ID: ${id.slice(0, 64)}`);
    assert.deepStrictEqual(store.list(), []);
  });

  it('following, learning or unfollowing one model leaves the others as they were', async () => {
    const store = new FollowedModelsStore(new MemoryKeyValueStore(), () => 42);
    assert.strictEqual(await store.follow({ modelSetId: A, modelSetName: 'a' }, [V1]), true);
    assert.strictEqual(await store.follow({ modelSetId: B, modelSetName: 'b' }, [V2]), true);
    assert.strictEqual(await store.follow({ modelSetId: A, modelSetName: 'a2' }, [V3, V1]), false);
    assert.deepStrictEqual(store.get(A), { modelSetId: A, modelSetName: 'a2', knownIds: [V1, V3], followedAt: 42 });
    assert.deepStrictEqual(store.get(B), { modelSetId: B, modelSetName: 'b', knownIds: [V2], followedAt: 42 });
    assert.strictEqual(store.list().length, 2);
    assert.deepStrictEqual(await store.learn(B, [V2, 'amv-newversion03', 'amv-newversion03']), ['amv-newversion03']);
    assert.deepStrictEqual(store.get(A)?.knownIds, [V1, V3]);
    assert.strictEqual(await store.unfollow(A), true);
    assert.deepStrictEqual(store.list(), [{ modelSetId: B, modelSetName: 'b', knownIds: [V2, 'amv-newversion03'], followedAt: 42 }]);
  });

  it('tells a change when something changed, not otherwise; a disposed listener is not told', async () => {
    const store = new FollowedModelsStore(new MemoryKeyValueStore());
    let changes = 0;
    const sub = store.onDidChange(() => changes++);
    await store.follow({ modelSetId: A }, [V1]);
    assert.strictEqual(changes, 1);
    await store.unfollow(B);
    await store.learn(A, [V1]);
    await store.learn(B, [V2]);
    assert.strictEqual(changes, 1);
    await store.learn(A, [V2]);
    assert.strictEqual(changes, 2);
    sub.dispose();
    await store.unfollow(A);
    assert.strictEqual(changes, 2);
  });

  it('tells a change another window made to its list, not to another one', async () => {
    const kv = new SharedStore();
    const store = new FollowedModelsStore(kv);
    let changes = 0;
    store.onDidChange(() => changes++);
    kv.changedElsewhere(FOLLOWED_KEY);
    assert.strictEqual(changes, 1);
    kv.changedElsewhere('qianfan.trackedVersions.v1');
    assert.strictEqual(changes, 1);
    assert.strictEqual(await store.follow({ modelSetId: A }, [V1]), true);
    assert.deepStrictEqual(store.get(A)?.knownIds, [V1]);
  });
});
