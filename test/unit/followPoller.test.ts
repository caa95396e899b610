import * as assert from 'assert';
import { QianfanError } from '../../src/core/qianfan/errors';
import { type CustomModelSet, type ModelSetDetail } from '../../src/core/qianfan/model';
import { MemoryKeyValueStore } from '../../src/core/state/keyValueStore';
import { FollowedModelsStore } from '../../src/core/state/followedModels';
import { TrackedVersionsStore } from '../../src/core/state/trackedVersions';
import { type FollowApi, FollowPoller, type NewVersion } from '../../src/core/work/followPoller';
import { HandTimers } from '../support/handTimers';

const M = 'am-gh0azfeb9adu';

class FakeApi implements FollowApi {
  versions = ['amv-g73j3faikzpz'];
  names = ['V1'];
  missing = false;
  listed = true;
  listingFails = false;
  calls: string[] = [];
  describeModelSet(modelSetId: string): Promise<ModelSetDetail> {
    this.calls.push(`set:${modelSetId}`);
    if (this.missing) {
      return Promise.reject(new QianfanError({ kind: 'api', status: 404, code: 'ResourceNotFound', message: 'no such model' }));
    }
    return Promise.resolve({
      modelSetId,
      modelSetName: 'customer-support-zh',
      modelType: '',
      source: '',
      labels: [],
      createTime: '',
      modifyTime: '',
      modelIds: [...this.versions],
      modelNames: [...this.names],
    });
  }
  listAllCustomModelSets(): Promise<CustomModelSet[]> {
    this.calls.push('list');
    if (this.listingFails) {
      return Promise.reject(new QianfanError({ kind: 'network', message: 'reset' }));
    }
    return Promise.resolve(this.listed ? [{ modelSetId: M } as CustomModelSet] : [{ modelSetId: 'am-other0000001' } as CustomModelSet]);
  }
  describeModel(modelId: string): Promise<{ status: string }> {
    this.calls.push(`model:${modelId}`);
    return Promise.resolve({ status: 'Creating' });
  }
}

async function setUp() {
  const kv = new MemoryKeyValueStore();
  const followed = new FollowedModelsStore(kv);
  const tracked = new TrackedVersionsStore(kv);
  const api = new FakeApi();
  const timers = new HandTimers();
  const announced: NewVersion[] = [];
  await tracked.add([{ modelId: 'amv-g73j3faikzpz', modelSetId: M }]);
  await followed.follow({ modelSetId: M, modelSetName: 'customer-support-zh' }, ['amv-g73j3faikzpz']);
  const poller = new FollowPoller({ followed, tracked, api: () => api, announce: (v) => announced.push(v), timers });
  poller.timing = { intervalMs: 100, maxIntervalMs: 400, expandReuseMs: 50 };
  return { followed, tracked, api, timers, announced, poller };
}

describe('follow poller', () => {
  it('asks nothing while the view is hidden, and stops when it is hidden again', async () => {
    const t = await setUp();
    assert.strictEqual(t.timers.pending.length, 0);
    assert.deepStrictEqual(t.api.calls, []);
    t.poller.setActive(true);
    await t.timers.fire();
    assert.deepStrictEqual(t.api.calls, [`set:${M}`]);
    t.poller.setActive(false);
    assert.strictEqual(t.timers.pending.length, 0, 'hidden: no wait left');
    t.poller.dispose();
  });

  it('a new version is tracked, marked new and announced once; the interval starts over', async () => {
    const t = await setUp();
    t.poller.setActive(true);
    await t.timers.fire();
    assert.strictEqual(t.poller.currentDelay, 150, 'nothing new: backoff');
    t.api.versions.push('amv-newversion01');
    t.api.names.push('V4');
    await t.timers.fire();
    assert.deepStrictEqual(t.announced, [{ modelSetId: M, modelSetName: 'customer-support-zh', modelId: 'amv-newversion01', name: 'V4', status: 'Creating' }]);
    assert.strictEqual(t.tracked.get('amv-newversion01')?.modelSetId, M);
    assert.strictEqual(t.tracked.get('amv-newversion01')?.status, 'Creating');
    assert.ok(t.poller.isNew('amv-newversion01'));
    assert.strictEqual(t.poller.currentDelay, 100, 'something new: the first interval again');
    await t.timers.fire();
    await t.poller.check(M);
    assert.strictEqual(t.announced.length, 1, 'announced once');
    t.poller.seen(['amv-newversion01']);
    assert.ok(!t.poller.isNew('amv-newversion01'));
    t.poller.dispose();
  });

  it('a version the user untracked is not brought back', async () => {
    const t = await setUp();
    await t.tracked.remove(['amv-g73j3faikzpz']);
    await t.poller.check(M);
    assert.strictEqual(t.tracked.has('amv-g73j3faikzpz'), false);
    assert.strictEqual(t.announced.length, 0);
  });

  it('backs off while nothing changes, up to the longest interval', async () => {
    const t = await setUp();
    t.poller.setActive(true);
    const waits: number[] = [];
    for (let i = 0; i < 6; i++) {
      waits.push(await t.timers.fire());
    }
    assert.deepStrictEqual(waits, [0, 150, 225, 338, 400, 400]);
    t.poller.dispose();
  });

  it('marks a model gone only when DescribeModelSet may mean missing AND the listing lacks it', async () => {
    const t = await setUp();
    t.api.missing = true;
    t.api.listingFails = true;
    await t.poller.check(M);
    assert.strictEqual(t.poller.isGone(M), false, 'no listing: nothing decided');
    t.api.listingFails = false;
    await t.poller.check(M);
    assert.strictEqual(t.poller.isGone(M), false, 'still listed: the answers disagree, nothing decided');
    t.api.listed = false;
    await t.poller.check(M);
    assert.strictEqual(t.poller.isGone(M), true);
    assert.ok(t.followed.has(M), 'never dropped');
    assert.ok(t.tracked.has('amv-g73j3faikzpz'));
    t.api.missing = false;
    await t.poller.check(M);
    assert.strictEqual(t.poller.isGone(M), false, 'back in Qianfan');
  });

  it('an expand looks at a followed model, not again right after, and never at a model not followed', async () => {
    const t = await setUp();
    t.poller.expanded(M);
    t.poller.expanded('am-other0000001');
    await t.poller.check(M);
    t.poller.expanded(M);
    assert.deepStrictEqual(t.api.calls, [`set:${M}`]);
    t.timers.clock += 60;
    t.poller.expanded(M);
    await t.poller.check(M);
    assert.deepStrictEqual(t.api.calls, [`set:${M}`, `set:${M}`]);
  });
});
