/** "Gone" only on positive evidence: the model's versions, or the listing; anything else decides nothing. */
import * as assert from 'assert';
import { CancelledError, QianfanError } from '../../src/core/qianfan/errors';
import { type CustomModelSet, type ModelSetDetail } from '../../src/core/qianfan/model';
import { PRESENCE_REUSE_MS, PresenceChecker, type PresenceApi } from '../../src/core/qianfan/presence';

const V = 'amv-aaaaaaaa01';
const M = 'am-model0001';
const missing = () => new QianfanError({ kind: 'api', status: 404, code: 'ResourceNotFound', message: 'no such thing' });
const invalid = () => new QianfanError({ kind: 'api', status: 400, code: 'InvalidRequestArgumentError', message: 'param invalid' });
const busy = () => new QianfanError({ kind: 'api', status: 503, code: 'ServiceUnavailable', message: 'busy' });
const denied = () => new QianfanError({ kind: 'api', status: 403, code: 'AccessDenied', message: 'no' });

function detail(modelIds: string[] | undefined): ModelSetDetail {
  return {
    modelSetId: M,
    modelSetName: 'm',
    modelType: '',
    source: '',
    labels: [],
    createTime: '',
    modifyTime: '',
    modelIds: modelIds ?? [],
    modelNames: [],
    ...(modelIds === undefined ? { versionsListed: false } : {}),
  };
}

function listed(modelSetId: string, modelIds: string[] | undefined, modelCount = modelIds?.length ?? 3): CustomModelSet {
  return {
    modelSetId,
    modelSetName: modelSetId,
    modelType: '',
    labels: [],
    createTime: '',
    modifyTime: '',
    modelCount,
    modelIds: modelIds ?? [],
    modelNames: [],
    ...(modelIds === undefined ? { versionsListed: false } : {}),
  };
}

type Answer<T> = T | Error;

function fakeApi(answers: { set?: Answer<ModelSetDetail>; version?: Answer<{ modelSetId: string }>; listing?: Answer<CustomModelSet[]> }) {
  const calls: string[] = [];
  const reply = <T>(name: string, a: Answer<T> | undefined): Promise<T> => {
    calls.push(name);
    if (a === undefined) {
      return Promise.reject(new Error(`${name} not expected`));
    }
    return a instanceof Error ? Promise.reject(a) : Promise.resolve(a);
  };
  const api: PresenceApi = {
    describeModelSet: () => reply('set', answers.set),
    describeModel: () => reply('version', answers.version),
    listAllCustomModelSets: () => reply('listing', answers.listing),
  };
  return { api, calls };
}

/** `null`: its model not known. */
async function presence(answers: Parameters<typeof fakeApi>[0], modelSetId: string | null = M) {
  const { api, calls } = fakeApi(answers);
  const result = await new PresenceChecker(api, () => 0).presence(V, modelSetId ?? undefined);
  return { result, calls };
}

describe('presence: gone only on positive evidence', () => {
  describe('its model known', () => {
    it('its model lists its versions: present when named, gone when not', async () => {
      assert.deepStrictEqual(await presence({ set: detail([V, 'amv-other0001']) }), { result: 'present', calls: ['set'] });
      assert.deepStrictEqual(await presence({ set: detail(['amv-other0001']) }), { result: 'gone', calls: ['set'] });
      assert.deepStrictEqual(await presence({ set: detail([]) }), { result: 'gone', calls: ['set'] });
    });

    it('an answer without a list of versions, or a failure other than "missing", decides nothing', async () => {
      assert.strictEqual((await presence({ set: detail(undefined) })).result, 'unknown');
      assert.deepStrictEqual(await presence({ set: busy() }), { result: 'unknown', calls: ['set'] });
      assert.deepStrictEqual(await presence({ set: denied() }), { result: 'unknown', calls: ['set'] });
      assert.deepStrictEqual(await presence({ set: new Error('bug') }), { result: 'unknown', calls: ['set'] });
    });

    it('its model said missing (404 or 400): the listing decides; the model absent from it is gone', async () => {
      for (const error of [missing(), invalid()]) {
        assert.deepStrictEqual(await presence({ set: error, listing: [listed('am-other0001', ['amv-x'])] }), { result: 'gone', calls: ['set', 'listing'] });
      }
      assert.strictEqual((await presence({ set: missing(), listing: [listed(M, [V])] })).result, 'present');
      assert.strictEqual((await presence({ set: missing(), listing: [listed(M, ['amv-x'])] })).result, 'unknown', 'the answers disagree');
      assert.strictEqual((await presence({ set: missing(), listing: busy() })).result, 'unknown');
    });
  });

  describe('its model not known', () => {
    it('the version answers for itself: present, nothing more asked', async () => {
      assert.deepStrictEqual(await presence({ version: { modelSetId: M } }, null), { result: 'present', calls: ['version'] });
    });

    it('a failure other than "missing" decides nothing', async () => {
      assert.deepStrictEqual(await presence({ version: busy() }, null), { result: 'unknown', calls: ['version'] });
      assert.deepStrictEqual(await presence({ version: denied() }, null), { result: 'unknown', calls: ['version'] });
    });

    it('said missing: gone only when no model of a complete listing names it', async () => {
      const complete = [listed(M, ['amv-x', 'amv-y']), listed('am-other0001', ['amv-z'])];
      assert.deepStrictEqual(await presence({ version: missing(), listing: complete }, null), { result: 'gone', calls: ['version', 'listing'] });
      assert.deepStrictEqual(await presence({ version: invalid(), listing: [] }, null), { result: 'gone', calls: ['version', 'listing'] });
      assert.strictEqual((await presence({ version: missing(), listing: [listed(M, ['amv-x', V])] }, null)).result, 'present');
      assert.strictEqual((await presence({ version: missing(), listing: [listed(M, undefined)] }, null)).result, 'unknown', 'a model that lists no versions');
      assert.strictEqual(
        (await presence({ version: missing(), listing: [listed(M, ['amv-x'], 2)] }, null)).result,
        'unknown',
        'a model that lists fewer than it has',
      );
      assert.strictEqual((await presence({ version: missing(), listing: busy() }, null)).result, 'unknown');
    });
  });

  it('a cancel is thrown on, wherever it comes', async () => {
    const cancelled = () => new CancelledError();
    await assert.rejects(presence({ set: cancelled() }), CancelledError);
    await assert.rejects(presence({ version: cancelled() }, null), CancelledError);
    await assert.rejects(presence({ set: missing(), listing: cancelled() }), CancelledError);
  });

  it('reuses an answer for the same model for a few seconds, shares one in flight, and never reuses a failure', async () => {
    let now = 0;
    let sets = 0;
    let fail = false;
    const api: PresenceApi = {
      describeModelSet: () => (sets++, fail ? Promise.reject(busy()) : Promise.resolve(detail([V]))),
      describeModel: () => Promise.reject(new Error('not expected')),
      listAllCustomModelSets: () => Promise.reject(new Error('not expected')),
    };
    const checker = new PresenceChecker(api, () => now);
    assert.deepStrictEqual(await Promise.all([checker.presence(V, M), checker.presence('amv-other0001', M)]), ['present', 'gone']);
    assert.strictEqual(sets, 1, 'one look for both');
    now = PRESENCE_REUSE_MS - 1;
    await checker.presence(V, M);
    assert.strictEqual(sets, 1, 'reused just before it expires');
    now = PRESENCE_REUSE_MS;
    await checker.presence(V, M);
    assert.strictEqual(sets, 2, 'asked again once it expired');
    now = 2 * PRESENCE_REUSE_MS;
    fail = true;
    assert.strictEqual(await checker.presence(V, M), 'unknown');
    fail = false;
    assert.strictEqual(await checker.presence(V, M), 'present');
    assert.strictEqual(sets, 4, 'a failed look is not reused');
  });

  it('reuses the listing for a few seconds, and never a failed one', async () => {
    let now = 0;
    let listings = 0;
    let fail = false;
    const api: PresenceApi = {
      describeModelSet: () => Promise.reject(missing()),
      describeModel: () => Promise.reject(missing()),
      listAllCustomModelSets: () => (listings++, fail ? Promise.reject(busy()) : Promise.resolve([listed('am-other0001', ['amv-x'])])),
    };
    const checker = new PresenceChecker(api, () => now);
    assert.deepStrictEqual(await Promise.all([checker.presence(V, M), checker.presence(V, undefined)]), ['gone', 'gone']);
    assert.strictEqual(listings, 1);
    now = PRESENCE_REUSE_MS - 1;
    await checker.presence(V, undefined);
    assert.strictEqual(listings, 1);
    now = PRESENCE_REUSE_MS;
    fail = true;
    assert.strictEqual(await checker.presence(V, undefined), 'unknown');
    fail = false;
    assert.strictEqual(await checker.presence(V, undefined), 'gone');
    assert.strictEqual(listings, 3);
  });

  it('uses a monotonic clock by default', async () => {
    const { api } = fakeApi({ set: detail([V]) });
    assert.strictEqual(await new PresenceChecker(api).presence(V, M), 'present');
  });
});

describe('presence: a shared look is cancelled only when nobody waits for it', () => {
  /** An api whose answers are given by hand; each request's signal is kept. */
  function handApi() {
    const asked: { kind: string; signal?: AbortSignal; answer(value: unknown): void; fail(error: unknown): void }[] = [];
    const ask = <T>(kind: string, opts: { signal?: AbortSignal }) =>
      new Promise<T>((resolve, reject) => {
        const entry = { kind, signal: opts.signal, answer: (v: unknown) => resolve(v as T), fail: reject };
        asked.push(entry);
        if (opts.signal?.aborted) {
          reject(new CancelledError());
        }
        opts.signal?.addEventListener('abort', () => reject(new CancelledError()), { once: true });
      });
    const api: PresenceApi = {
      describeModelSet: (_id, opts) => ask<ModelSetDetail>('set', opts),
      describeModel: (_id, opts) => ask<{ modelSetId: string }>('version', opts),
      listAllCustomModelSets: (opts) => ask<CustomModelSet[]>('listing', opts),
    };
    return { api, asked };
  }
  const flush = () => new Promise((r) => setImmediate(r));

  it("the first caller's cancel stops only its own wait: the others get the answer", async () => {
    const { api, asked } = handApi();
    const checker = new PresenceChecker(api, () => 0);
    const first = new AbortController();
    const second = new AbortController();
    const a = checker.presence(V, M, { signal: first.signal });
    const b = checker.presence('amv-other0001', M, { signal: second.signal });
    const c = checker.presence(V, M);
    await flush();
    assert.strictEqual(asked.length, 1, 'one look for all three');
    first.abort();
    await assert.rejects(a, CancelledError);
    assert.strictEqual(asked[0].signal?.aborted, false, 'the shared look goes on while others wait');
    asked[0].answer(detail([V]));
    assert.strictEqual(await b, 'gone');
    assert.strictEqual(await c, 'present');
  });

  it('the look is aborted once every caller has cancelled, and the next caller looks anew', async () => {
    const { api, asked } = handApi();
    const checker = new PresenceChecker(api, () => 0);
    const first = new AbortController();
    const second = new AbortController();
    const a = checker.presence(V, M, { signal: first.signal });
    const b = checker.presence(V, M, { signal: second.signal });
    await flush();
    first.abort();
    await assert.rejects(a, CancelledError);
    assert.strictEqual(asked[0].signal?.aborted, false);
    second.abort();
    await assert.rejects(b, CancelledError);
    assert.strictEqual(asked[0].signal?.aborted, true, 'nobody waits: the look is aborted');
    const c = checker.presence(V, M);
    await flush();
    assert.strictEqual(asked.length, 2, 'an abandoned look is not joined');
    asked[1].answer(detail([V]));
    assert.strictEqual(await c, 'present');
  });

  it('the listing is shared alike: one caller cancelling leaves the other its answer', async () => {
    const { api, asked } = handApi();
    const checker = new PresenceChecker(api, () => 0);
    const first = new AbortController();
    const a = checker.presence(V, undefined, { signal: first.signal });
    const b = checker.presence('amv-other0001', undefined);
    await flush();
    asked.filter((x) => x.kind === 'version').forEach((x) => x.fail(missing()));
    await flush();
    const listings = asked.filter((x) => x.kind === 'listing');
    assert.strictEqual(listings.length, 1, 'one listing for both');
    first.abort();
    await assert.rejects(a, CancelledError);
    assert.strictEqual(listings[0].signal?.aborted, false);
    listings[0].answer([listed(M, ['amv-x'])]);
    assert.strictEqual(await b, 'gone');
  });

  it('a caller whose signal is already aborted is cancelled and starts no look', async () => {
    const { api, asked } = handApi();
    const checker = new PresenceChecker(api, () => 0);
    const a = checker.presence(V, M, { signal: AbortSignal.abort() });
    await assert.rejects(a, CancelledError);
    await flush();
    assert.strictEqual(asked.length, 0);
  });
});
