/**
 * The follow poller under faults: a write or the client that throws inside a round, a version
 * known only once tracked, a switch of profile during a look, and callers of one look who cancel.
 */
import * as assert from 'assert';
import { type CustomModelSet, type ModelSetDetail } from '../../src/core/qianfan/model';
import { FOLLOWED_KEY, FollowedModelsStore } from '../../src/core/state/followedModels';
import { MemoryKeyValueStore } from '../../src/core/state/keyValueStore';
import { profileKey, profileScopedStore } from '../../src/core/state/profiles';
import { TRACKED_KEY, type TrackedInfo, TrackedVersionsStore } from '../../src/core/state/trackedVersions';
import { type FollowApi, FollowPoller, type NewVersion } from '../../src/core/work/followPoller';
import { HandTimers, settle } from '../support/handTimers';

const M = 'am-gh0azfeb9adu';
const N = 'am-n0000000000b';
const V1 = 'amv-g73j3faikzpz';
const V2 = 'amv-newversion01';

/** A gate a test opens by hand. */
class Gate {
  private open_?: () => void;
  private promise?: Promise<void>;
  close(): void {
    this.promise = new Promise((r) => (this.open_ = r));
  }
  open(): void {
    this.promise = undefined;
    this.open_?.();
  }
  pass(): Promise<void> | undefined {
    return this.promise;
  }
}

/** Qianfan: the model M with V1 and V2 (V2 new to the followed entry); each call can be held. */
class Api implements FollowApi {
  ids = [V1, V2];
  calls: string[] = [];
  signals: AbortSignal[] = [];
  readonly setGate = new Gate();
  readonly modelGate = new Gate();
  async describeModelSet(modelSetId: string, opts: { signal?: AbortSignal }): Promise<ModelSetDetail> {
    this.calls.push(`set:${modelSetId}`);
    this.signals.push(opts.signal!);
    await this.setGate.pass();
    return {
      modelSetId,
      modelSetName: 'customer-support-zh',
      modelType: '',
      source: '',
      labels: [],
      createTime: '',
      modifyTime: '',
      modelIds: modelSetId === M ? [...this.ids] : [],
      modelNames: modelSetId === M ? this.ids.map((_id, i) => `V${i + 1}`) : [],
    };
  }
  listAllCustomModelSets(): Promise<CustomModelSet[]> {
    return Promise.resolve([]);
  }
  async describeModel(modelId: string, opts: { signal?: AbortSignal }): Promise<{ status: string }> {
    this.calls.push(`model:${modelId}`);
    this.signals.push(opts.signal!);
    await this.modelGate.pass();
    return { status: 'Ready' };
  }
}

const ids = (versions: readonly NewVersion[]) => versions.map((v) => v.modelId);
const locked = () => Object.assign(new Error('Lock file is already being held'), { code: 'ELOCKED' });

async function setUp() {
  const base = new MemoryKeyValueStore();
  let active = 'default';
  const kv = profileScopedStore(base, { key: (key) => profileKey(active, key) });
  const followed = new FollowedModelsStore(kv);
  const trackedStore = new TrackedVersionsStore(kv);
  const api = new Api();
  const timers = new HandTimers();
  const announced: NewVersion[] = [];
  const logged: { message: string; error: unknown }[] = [];
  const faults = { add: 0, api: 0 };
  const addGate = new Gate();
  const afterAdd = new Gate();
  const tracked = {
    add: async (versions: readonly TrackedInfo[]) => {
      await addGate.pass();
      if (faults.add > 0) {
        faults.add--;
        throw locked();
      }
      const added = await trackedStore.add(versions);
      await afterAdd.pass();
      return added;
    },
  };
  await trackedStore.add([{ modelId: V1, modelSetId: M }]);
  await followed.follow({ modelSetId: M, modelSetName: 'customer-support-zh' }, [V1]);
  const poller = new FollowPoller({
    followed,
    tracked,
    api: () => {
      if (faults.api > 0) {
        faults.api--;
        throw new Error('no client: the endpoint is not valid');
      }
      return api;
    },
    announce: (v) => announced.push(v),
    log: (message, error) => logged.push({ message, error }),
    timers,
    profile: () => active,
  });
  poller.timing = { intervalMs: 100, maxIntervalMs: 400, expandReuseMs: 50 };
  const known = (profile = 'default') =>
    ((base.get<{ modelSetId: string; knownIds: string[] }[]>(profileKey(profile, FOLLOWED_KEY)) ?? []).find((m) => m.modelSetId === M)?.knownIds ?? []).slice();
  const trackedIn = (profile: string) => (base.get<{ modelId: string }[]>(profileKey(profile, TRACKED_KEY)) ?? []).map((v) => v.modelId);
  /** The other profile follows the same model, knowing V1 only. */
  const followInB = async () => {
    active = 'b';
    await followed.follow({ modelSetId: M }, [V1]);
    active = 'default';
  };
  return {
    followInB,
    base,
    followed,
    trackedStore,
    api,
    timers,
    announced,
    logged,
    faults,
    addGate,
    afterAdd,
    poller,
    known,
    trackedIn,
    switchTo: (id: string) => (active = id),
  };
}

describe('follow poller under faults', () => {
  it('a write that throws: the round is logged once and counted, the next follows with the backoff and adopts the version', async () => {
    const t = await setUp();
    t.faults.add = 1;
    t.poller.setActive(true);
    await t.timers.fire();
    assert.strictEqual(t.logged.length, 1, 'logged once');
    assert.match(String((t.logged[0].error as Error).message), /already being held/);
    assert.strictEqual(t.poller.failedRounds, 1);
    assert.deepStrictEqual(t.timers.waits, [150], 'the next round, with the usual backoff');
    assert.deepStrictEqual(t.known(), [V1], 'not tracked, so not recorded as known');
    assert.deepStrictEqual(t.announced, []);
    assert.strictEqual(t.poller.isNew(V2), false);

    await t.timers.fire();
    assert.deepStrictEqual(t.trackedIn('default'), [V1, V2], 'tracked on the next round');
    assert.deepStrictEqual(t.known(), [V1, V2]);
    assert.deepStrictEqual(ids(t.announced), [V2]);
    assert.strictEqual(t.poller.isNew(V2), true);
    assert.strictEqual(t.poller.failedRounds, 1);
    assert.deepStrictEqual(t.timers.waits, [100], 'found something: the interval starts over');
    t.poller.dispose();
  });

  it('the client that throws: one line for the round whatever the number of models, and the rounds go on', async () => {
    const t = await setUp();
    await t.followed.follow({ modelSetId: N }, []);
    t.faults.api = 2;
    t.poller.setActive(true);
    await t.timers.fire();
    assert.strictEqual(t.logged.length, 1);
    assert.strictEqual(t.poller.failedRounds, 1);
    assert.deepStrictEqual(t.api.calls, []);
    assert.deepStrictEqual(t.timers.waits, [150]);
    await t.timers.fire();
    assert.deepStrictEqual(t.api.calls, [`set:${M}`, `model:${V2}`, `set:${N}`]);
    assert.deepStrictEqual(ids(t.announced), [V2]);
    assert.strictEqual(t.logged.length, 1);
    t.poller.dispose();
  });

  it('shown again after failed rounds, it looks at once', async () => {
    const t = await setUp();
    t.faults.add = 2;
    t.poller.setActive(true);
    await t.timers.fire();
    await t.timers.fire();
    assert.strictEqual(t.poller.failedRounds, 2);
    assert.strictEqual(t.logged.length, 2, 'each failed round once');
    t.poller.setActive(true);
    assert.deepStrictEqual(t.timers.waits, [225], 'shown while shown: the next round is pending');
    t.poller.setActive(false);
    assert.deepStrictEqual(t.timers.waits, []);
    t.poller.setActive(true);
    assert.deepStrictEqual(t.timers.waits, [0]);
    await t.timers.fire();
    assert.deepStrictEqual(t.trackedIn('default'), [V1, V2]);
    t.poller.dispose();
  });

  it('an expand whose look fails is logged, never left unhandled', async () => {
    const t = await setUp();
    t.faults.add = 1;
    t.poller.expanded(M);
    await settle();
    assert.strictEqual(t.logged.length, 1);
    assert.deepStrictEqual(t.known(), [V1]);
  });

  describe('a switch of profile', () => {
    it("during the model's look: nothing is written in either profile; back in the first, the version is found", async () => {
      const t = await setUp();
      await t.followInB();
      t.poller.setActive(true);
      t.api.setGate.close();
      const round = t.timers.fire();
      await settle();
      t.switchTo('b');
      t.api.setGate.open();
      await round;
      await settle();
      assert.deepStrictEqual(t.trackedIn('b'), []);
      assert.deepStrictEqual(t.known('b'), [V1]);
      assert.deepStrictEqual(t.trackedIn('default'), [V1]);
      assert.deepStrictEqual(t.known(), [V1], 'not known in the first profile either: nothing lost');
      assert.deepStrictEqual(t.announced, []);
      t.switchTo('default');
      t.poller.reset();
      await t.timers.fire();
      assert.deepStrictEqual(t.trackedIn('default'), [V1, V2]);
      assert.deepStrictEqual(t.known(), [V1, V2]);
      assert.deepStrictEqual(ids(t.announced), [V2]);
      t.poller.dispose();
    });

    it("during the new version's DescribeModel: the add does not go to the new profile", async () => {
      const t = await setUp();
      await t.followInB();
      t.api.modelGate.close();
      const look = t.poller.check(M);
      await settle();
      assert.deepStrictEqual(t.api.calls, [`set:${M}`, `model:${V2}`]);
      t.switchTo('b');
      t.api.modelGate.open();
      assert.strictEqual(await look, false);
      assert.deepStrictEqual(t.trackedIn('b'), []);
      assert.deepStrictEqual(t.known('b'), [V1]);
      assert.deepStrictEqual(t.known(), [V1]);
      assert.deepStrictEqual(t.announced, []);
    });

    it('between the add and recording it known: tracked in its profile, nothing recorded in the new one', async () => {
      const t = await setUp();
      await t.followInB();
      t.afterAdd.close();
      const look = t.poller.check(M);
      await settle();
      assert.deepStrictEqual(t.trackedIn('default'), [V1, V2], 'the add is done');
      t.switchTo('b');
      t.afterAdd.open();
      assert.strictEqual(await look, false);
      assert.deepStrictEqual(t.known('b'), [V1]);
      assert.deepStrictEqual(t.trackedIn('b'), []);
      assert.deepStrictEqual(t.known(), [V1], 'tracked, not known: announced when found again in its profile');
      assert.deepStrictEqual(t.announced, []);
    });

    it('beforeSwitch: the look under way stops, what it writes lands in its profile, none starts until reset', async () => {
      const t = await setUp();
      t.poller.setActive(true);
      t.addGate.close();
      const round = t.timers.fire();
      await settle();
      assert.deepStrictEqual(t.api.calls, [`set:${M}`, `model:${V2}`], 'the add is under way');
      let stopped = false;
      const before = t.poller.beforeSwitch().then(() => (stopped = true));
      await settle();
      assert.strictEqual(stopped, false, 'waits for the write under way');
      assert.ok(
        t.api.signals.every((s) => s.aborted),
        'its requests are cancelled',
      );
      t.addGate.open();
      await before;
      await round;
      assert.deepStrictEqual(t.trackedIn('default'), [V1, V2], 'written in the profile it was learnt in');
      assert.deepStrictEqual(t.known(), [V1, V2]);
      assert.deepStrictEqual(t.timers.waits, [], 'no round while the switch is under way');
      t.switchTo('b');
      assert.strictEqual(await t.poller.check(M), false, 'held until reset');
      assert.strictEqual(t.api.calls.length, 2);
      await t.followed.follow({ modelSetId: M }, [V1, V2]); // followed in the new profile too
      t.poller.reset();
      assert.deepStrictEqual(t.timers.waits, [0]);
      await t.timers.fire();
      assert.deepStrictEqual(t.api.calls.slice(2), [`set:${M}`], 'looks again after the switch');
      t.poller.dispose();
    });
  });

  it('a switch that did not happen (resume): looks go on in the same profile, with what was learnt kept; after a switch that did, resume does nothing', async () => {
    const t = await setUp();
    t.poller.setActive(true);
    await t.timers.fire();
    assert.deepStrictEqual(ids(t.announced), [V2], 'learnt before the switch');
    await t.poller.beforeSwitch();
    assert.deepStrictEqual(t.timers.waits, [], 'held');
    t.poller.resume(); // the switch failed: still "default"
    assert.deepStrictEqual(t.timers.waits, [0], 'a look again at once');
    assert.ok(t.poller.isNew(V2), 'what was learnt in the profile is kept');
    t.api.ids = [V1, V2, 'amv-newversion02'];
    await t.timers.fire();
    assert.deepStrictEqual(t.api.calls.filter((c) => c.startsWith('set:')).length, 2, 'looked at again');
    assert.deepStrictEqual(ids(t.announced), [V2, 'amv-newversion02']);
    t.poller.resume(); // not held: nothing more is scheduled
    assert.deepStrictEqual(t.timers.waits, [100], 'only the next round, as before');
    await t.poller.beforeSwitch();
    t.switchTo('b'); // this one happened: reset() follows, not resume()
    t.poller.resume();
    assert.deepStrictEqual(t.timers.waits, [], 'still held for the new profile: no round');
    await t.followed.follow({ modelSetId: M }, [V1]); // followed in the new profile too
    assert.strictEqual(await t.poller.check(M), false, 'no look until reset');
    t.poller.reset();
    t.poller.setActive(false); // the view hidden: a resume schedules nothing either
    await t.poller.beforeSwitch();
    t.poller.resume();
    assert.deepStrictEqual(t.timers.waits, [], 'hidden: no round');
    t.poller.dispose();
  });

  it('a round stops at a switch: no model of the old profile is looked at in the new one', async () => {
    const t = await setUp();
    await t.followed.follow({ modelSetId: N }, []);
    t.api.setGate.close();
    t.poller.setActive(true);
    const round = t.timers.fire();
    await settle();
    assert.deepStrictEqual(t.api.calls, [`set:${M}`]);
    t.switchTo('b');
    t.api.setGate.open();
    await round;
    await settle();
    assert.deepStrictEqual(t.api.calls, [`set:${M}`], 'N is not looked at');
    t.poller.dispose();
  });

  it("a caller of a joined look cancels only its own wait: the other's look goes on", async () => {
    const t = await setUp();
    t.api.setGate.close();
    const first = new AbortController();
    const a = t.poller.check(M, first.signal);
    const b = t.poller.check(M, new AbortController().signal);
    await settle();
    assert.deepStrictEqual(t.api.calls, [`set:${M}`], 'one look');
    first.abort();
    assert.strictEqual(await a, false);
    assert.strictEqual(t.api.signals[0].aborted, false);
    t.api.setGate.open();
    assert.strictEqual(await b, true);
    assert.deepStrictEqual(t.trackedIn('default'), [V1, V2]);
  });
});
