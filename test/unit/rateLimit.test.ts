/** The emulator's rate limit, and the client's limiter against it over loopback (127.0.0.1). */
import * as assert from 'assert';
import { AdaptiveLimiter } from '../../src/core/qianfan/adaptiveLimit';
import { runBatch } from '../../src/core/work/batch';
import { CancelledError, QianfanError } from '../../src/core/qianfan/errors';
import { type AttemptOutcome, FixedGate, type Permit, type RequestGate } from '../../src/core/qianfan/gate';
import { type HttpTransport } from '../../src/core/qianfan/http';
import { type QianfanClient } from '../../src/core/qianfan/qianfanClient';
import { DEFAULT_RETRY_POLICY } from '../../src/core/qianfan/retry';
import { NodeFetchTransport } from '../../src/node/nodeFetchTransport';
import { RATE_LIMIT_CODE } from '../emulator/emulator';
import { generatedFixture } from '../emulator/fixture';
import { type Harness, failureOf, startHarness } from '../support/clientHarness';

/** A gate that lets everything through and records what each attempt came to. */
class RecordingGate implements RequestGate {
  readonly ceiling = 100;
  readonly outcomes: [AttemptOutcome, number | undefined][] = [];
  acquire(): Promise<Permit> {
    return Promise.resolve({ release: (o: AttemptOutcome, ms?: number) => void this.outcomes.push([o, ms]) });
  }
}

/** Deletes `ids` as the extension's bulk delete does; checks each reported result against the emulator's state. */
async function bulkDelete(h: Harness, client: QianfanClient, ids: readonly string[]) {
  const outcomes = await runBatch(ids, (id, signal) => client.deleteModel(id, { signal }), { concurrency: client.limiter.ceiling });
  for (const o of outcomes) {
    assert.strictEqual(h.emulator.store.versions.has(o.item), !o.ok, `${o.item} reported ${o.ok ? 'deleted' : 'failed'}`);
  }
  return { deleted: outcomes.filter((o) => o.ok).length, failed: outcomes.filter((o) => !o.ok).length };
}

describe('emulator: rate limit', () => {
  let h: Harness;
  beforeEach(async () => (h = await startHarness({ fixture: generatedFixture(20, 10), rateLimit: 5 })));
  afterEach(() => h.emulator.stop());

  it('answers 429 TooManyRequests with Retry-After beyond N per second; a refused request has no effect', async () => {
    const client = h.makeClient({ limiter: new FixedGate(8), retry: { maxRetries: 0, baseDelayMs: 1, maxDelayMs: 1 } });
    const ids = [...h.emulator.store.versions.keys()].slice(0, 8);
    const results = await Promise.allSettled(ids.map((id) => client.deleteModel(id)));
    const refused = results.flatMap((r, i) => (r.status === 'rejected' ? [[i, r.reason] as const] : []));
    assert.strictEqual(refused.length, 3);
    assert.strictEqual(h.emulator.throttled, 3);
    assert.strictEqual(h.emulator.requests.filter((r) => r.status === 429).length, 3);
    for (const [i, e] of refused) {
      const error = e as QianfanError;
      assert.ok(error instanceof QianfanError);
      assert.deepStrictEqual([error.status, error.code, error.errorClass], [429, RATE_LIMIT_CODE, 'throttled']);
      assert.ok(error.retryAfterMs! > 0 && error.retryAfterMs! <= 1000, `retry-after-ms ${error.retryAfterMs}`);
      assert.ok(h.emulator.store.versions.has(ids[i]), 'not deleted');
    }
    await new Promise((r) => setTimeout(r, 1000));
    await client.deleteModel(ids[refused[0][0]]); // a second later there is room again
  });

  it('sends Retry-After in whole seconds and retry-after-ms', async () => {
    h.emulator.rateLimit = 1;
    const headers: Record<string, string>[] = [];
    const inner = new NodeFetchTransport();
    const transport: HttpTransport = { send: async (r) => inner.send(r).then((a) => (headers.push(a.headers), a)) };
    const client = h.makeClient({ limiter: new RecordingGate(), retry: { maxRetries: 0, baseDelayMs: 1, maxDelayMs: 1 }, transport });
    const id = [...h.emulator.store.versions.keys()][0];
    await client.describeModel(id);
    await failureOf(client.describeModel(id));
    assert.strictEqual(headers[1]['retry-after'], '1');
    assert.match(headers[1]['retry-after-ms'], /^\d+$/);
    assert.ok(Number(headers[1]['retry-after-ms']) <= 1000);
  });
});

describe('client: every attempt passes the limiter', () => {
  let h: Harness;
  beforeEach(async () => (h = await startHarness()));
  afterEach(() => h.emulator.stop());

  it('tells the gate what each attempt came to, the Retry-After hint included', async () => {
    const gate = new RecordingGate();
    const client = h.makeClient({ limiter: gate });
    h.emulator.inject({ action: 'DescribeModel', fault: { kind: 'status', status: 429, retryAfter: '2' } });
    h.emulator.inject({ action: 'DescribeModel', fault: { kind: 'status', status: 503 } });
    await client.describeModel('amv-g73j3faikzpz');
    await failureOf(client.describeModel('amv-nothere000000'));
    assert.deepStrictEqual(gate.outcomes, [
      ['throttled', 2000],
      ['failed', undefined],
      ['answered', undefined],
      ['answered', undefined], // a 404 is a clean answer
    ]);
  });

  it('a cancel while waiting for the limiter sends nothing', async () => {
    const client = h.makeClient({ limiter: new FixedGate(1) });
    h.emulator.latencyMs = 300;
    const first = client.describeModel('amv-g73j3faikzpz');
    const c = new AbortController();
    const second = client.describeModel('amv-g73j3faikzpz', { signal: c.signal });
    setTimeout(() => c.abort(), 50);
    await assert.rejects(second, (e) => e instanceof CancelledError);
    await first;
    assert.strictEqual(h.emulator.count('DescribeModel'), 1);
  });

  it('a place reserved for a signal goes to the request made with that signal, before those already waiting', async () => {
    for (const gate of [new FixedGate(1), new AdaptiveLimiter({ initial: 1 })]) {
      const client = h.makeClient({ limiter: gate });
      const [first, second] = [...h.emulator.store.versions.keys()];
      const c = new AbortController();
      await gate.reserve(c.signal); // the only place, kept
      const before = h.emulator.requests.length;
      const waiting = client.describeModel(second);
      const mine = client.describeModel(first, { signal: c.signal });
      await mine;
      assert.strictEqual(gate.sending(c.signal), false, 'answered: no longer on the wire');
      await waiting;
      const sent = h.emulator.requests.slice(before).map((r) => (r.body as { modelId?: string }).modelId);
      assert.deepStrictEqual(sent, [first, second]);
    }
  });

  it('builds an adaptive limiter from the concurrency option', () => {
    assert.strictEqual(h.makeClient({ concurrency: 3 }).limiter.ceiling, 12);
    assert.strictEqual(h.makeClient().limiter.ceiling, 40, 'the default start, 10, times 4');
  });
});

describe('bulk delete against a rate-limited emulator (loopback)', function () {
  this.timeout(30_000);
  let h: Harness;
  beforeEach(async () => (h = await startHarness({ fixture: generatedFixture(20, 10), rateLimit: 50 })));
  afterEach(() => h.emulator.stop());

  it('deletes all 200 at the service pace: 429s waited out and retried, none lost, none reported wrongly', async () => {
    const ids = [...h.emulator.store.versions.keys()];
    assert.strictEqual(ids.length, 200);
    const started = Date.now();
    const result = await bulkDelete(h, h.makeClient(), ids);
    const seconds = (Date.now() - started) / 1000;
    assert.deepStrictEqual(result, { deleted: 200, failed: 0 });
    assert.strictEqual(h.emulator.store.versions.size, 0);
    assert.ok(h.emulator.throttled > 0, 'the limit was reached');
    assert.ok(h.emulator.throttled < 100, `the limiter keeps 429s few: ${h.emulator.throttled}`);
    assert.ok(seconds >= 2.9 && seconds < 10, `at the service pace: ${seconds.toFixed(1)} s for 200 at 50/s`);
  });

  it('a small limit (4 requests/s, 24 versions, the default retries): none fails, few 429s', async () => {
    h.emulator.rateLimit = 4;
    const ids = [...h.emulator.store.versions.keys()].slice(0, 24);
    const result = await bulkDelete(h, h.makeClient({ retry: DEFAULT_RETRY_POLICY }), ids);
    assert.deepStrictEqual(result, { deleted: 24, failed: 0 });
    assert.ok(h.emulator.throttled <= 20, `${h.emulator.throttled} 429s`);
  });

  it('without the limiter (fixed 8, the same retries) items fail, and are reported as failed', async () => {
    const ids = [...h.emulator.store.versions.keys()];
    const result = await bulkDelete(h, h.makeClient({ limiter: new FixedGate(8) }), ids);
    assert.ok(result.failed > 0, 'the short retry budget runs out under the limit');
    assert.strictEqual(result.deleted + result.failed, 200);
  });
});
