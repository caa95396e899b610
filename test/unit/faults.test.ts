/** Injected faults: what is retried, what is not, and how each error reads. */
import * as assert from 'assert';
import { FixedGate } from '../../src/core/qianfan/gate';
import { DEFAULT_RETRY_POLICY } from '../../src/core/qianfan/retry';
import { type Harness, failureOf, startHarness } from '../support/clientHarness';

describe('client: retries where a repeat is safe', () => {
  let h: Harness;
  beforeEach(async () => (h = await startHarness()));
  afterEach(() => h.emulator.stop());

  for (const status of [429, 500, 502, 503]) {
    it(`retries a read after HTTP ${status}`, async () => {
      h.emulator.inject({ action: 'DescribeModel', fault: { kind: 'status', status }, times: 2 });
      assert.strictEqual((await h.client.describeModel('amv-g73j3faikzpz')).status, 'Ready');
      assert.deepStrictEqual(
        h.log.map((e) => [e.status, e.outcome]),
        [
          [status, 'retry'],
          [status, 'retry'],
          [200, 'ok'],
        ],
      );
    });
  }

  it('waits out a longer run of throttled answers than of failures: the default policy repeats 8 times after a 429, 3 after a 503', async () => {
    // a fixed gate: the adaptive limiter's own slowing down after a 429 is not what this counts
    const client = h.makeClient({ limiter: new FixedGate(1), retry: { ...DEFAULT_RETRY_POLICY, baseDelayMs: 1, maxDelayMs: 2 } });
    const sent = () => h.emulator.requests.length;
    h.emulator.inject({ action: 'DescribeModel', fault: { kind: 'status', status: 429 }, times: 8 });
    assert.strictEqual((await client.describeModel('amv-g73j3faikzpz')).status, 'Ready');
    assert.strictEqual(sent(), 9, 'eight 429s waited out');
    h.emulator.clearFaults();
    h.emulator.inject({ action: 'DescribeModel', fault: { kind: 'status', status: 429 }, times: 9 });
    assert.strictEqual((await failureOf(client.describeModel('amv-g73j3faikzpz'))).status, 429);
    assert.strictEqual(sent(), 9 + 9, 'a ninth is the answer');
    h.emulator.clearFaults();
    h.emulator.inject({ action: 'DescribeModel', fault: { kind: 'status', status: 503 }, times: 4 });
    assert.strictEqual((await failureOf(client.describeModel('amv-g73j3faikzpz'))).status, 503);
    assert.strictEqual(sent(), 18 + 4, 'failures keep their budget of 3');
    h.emulator.clearFaults();
    // throttles and failures are counted apart: two of each still end in the answer
    for (const status of [429, 503, 429, 503]) {
      h.emulator.inject({ action: 'DescribeModel', fault: { kind: 'status', status }, times: 1 });
    }
    assert.strictEqual((await client.describeModel('amv-g73j3faikzpz')).status, 'Ready');
    // a policy that names no throttle budget uses maxRetries for both (the harness's client)
    h.emulator.clearFaults();
    h.emulator.inject({ action: 'DescribeModel', fault: { kind: 'status', status: 429 }, times: 4 });
    const plain = h.makeClient({ limiter: new FixedGate(1), retry: { maxRetries: 3, baseDelayMs: 1, maxDelayMs: 2 } });
    assert.strictEqual((await failureOf(plain.describeModel('amv-g73j3faikzpz'))).status, 429);
    assert.strictEqual(sent(), 22 + 5 + 4, 'four tries, then the answer');
  });

  it('waits as long as Retry-After asks', async () => {
    h.emulator.inject({ action: 'DescribeModel', fault: { kind: 'status', status: 429, retryAfter: '1' } });
    const delays: number[] = [];
    const client = h.makeClient({ retry: { maxRetries: 3, baseDelayMs: 1, maxDelayMs: 5000 }, sleep: (ms) => Promise.resolve(void delays.push(ms)) });
    await client.describeModel('amv-g73j3faikzpz');
    assert.deepStrictEqual(delays, [1000]);
  });

  it('gives up after the retry budget with the last status, code and request ID', async () => {
    h.emulator.inject({ action: '*', fault: { kind: 'status', status: 503, code: 'ServiceUnavailable' }, times: 10 });
    const e = await failureOf(h.client.describeModel('amv-g73j3faikzpz'));
    assert.strictEqual(e.status, 503);
    assert.strictEqual(e.code, 'ServiceUnavailable');
    assert.ok(e.requestId);
    assert.match(e.describe(), /^DescribeModel HTTP 503 ServiceUnavailable: .*\(requestId [0-9a-f-]+\)$/);
    assert.strictEqual(h.emulator.requests.length, 4);
  });

  it('retries a dropped connection on a read', async () => {
    h.emulator.inject({ action: 'DescribeCustomModelSets', fault: { kind: 'drop' } });
    assert.strictEqual((await h.client.listCustomModelSets()).items.length, 3);
    assert.match(h.log[0].error ?? '', /could not reach the service/);
  });

  it('re-signs and retries after RequestExpired', async () => {
    h.emulator.inject({ action: 'DescribeModel', fault: { kind: 'requestExpired' } });
    await h.client.describeModel('amv-g73j3faikzpz');
    const [first, second] = h.emulator.requests;
    assert.strictEqual(first.status, 0);
    assert.strictEqual(second.status, 200);
  });

  it('corrects for a skewed local clock using the server Date header', async () => {
    h.emulator.clockOffsetMs = 3 * 3600 * 1000; // the server is 3 h ahead: our signatures look expired
    const skews: number[] = [];
    const client = h.makeClient({ onClockSkew: (ms) => skews.push(ms) });
    const v = await client.describeModel('amv-g73j3faikzpz');
    assert.strictEqual(skews.length, 1);
    assert.ok(Math.abs(skews[0] - 3 * 3600 * 1000) < 5000);
    assert.strictEqual(v.status, 'Ready');
    assert.strictEqual(h.emulator.requests[0].status, 400);
    assert.ok(Math.abs(client.clockSkewMs - 3 * 3600 * 1000) < 5000);
    await client.describeModel('amv-34qkndzjf111');
    assert.strictEqual(h.emulator.requests.at(-1)?.status, 200);
  });

  it('does not retry a 4xx that will not change (InappropriateJSON, 404); a version no model lists is gone, found by looking', async () => {
    assert.deepStrictEqual(await h.client.deleteModel('amv-doesnotexist1'), { alreadyGone: true });
    assert.strictEqual(h.emulator.count('DeleteModel'), 1);
    assert.deepStrictEqual(
      h.emulator.requests.map((r) => r.action),
      ['DeleteModel', 'DescribeModel', 'DescribeCustomModelSets'],
    );
  });

  it('a "not found" for a version its model still lists is a failure, not a delete', async () => {
    h.emulator.inject({ action: 'DeleteModel', fault: { kind: 'status', status: 404, code: 'ResourceNotFound', message: 'invented' } });
    const e = await failureOf(h.client.deleteModel('amv-34qkndzjf111', { modelSetId: 'am-gh0azfeb9adu' }));
    assert.strictEqual(e.status, 404);
    assert.strictEqual(h.emulator.store.versions.has('amv-34qkndzjf111'), true);
    assert.deepStrictEqual(
      h.emulator.requests.map((r) => r.action),
      ['DeleteModel', 'DescribeModelSet'],
    );
  });

  it('treats a repeated delete that finds nothing as done, after the first reply was lost', async () => {
    h.emulator.inject({ action: 'DeleteModel', fault: { kind: 'drop' }, phase: 'after' });
    assert.deepStrictEqual(await h.client.deleteModel('amv-34qkndzjf111'), { alreadyGone: true });
    assert.strictEqual(h.emulator.store.versions.has('amv-34qkndzjf111'), false);
    assert.strictEqual(h.emulator.count('DeleteModel'), 2);
  });
});

describe('client: an export is never created twice', () => {
  let h: Harness;
  beforeEach(async () => (h = await startHarness()));
  afterEach(() => h.emulator.stop());

  for (const fault of [{ kind: 'drop' }, { kind: 'status', status: 500 }, { kind: 'hang' }] as const) {
    it(`finds the created task when the answer is lost (${fault.kind}${'status' in fault ? ' ' + fault.status : ''})`, async () => {
      h.emulator.inject({ action: 'CreateModelExportTask', fault, phase: 'after' });
      const client = h.makeClient({ timeoutMs: 300 });
      const started = await client.startExport('amv-g73j3faikzpz');
      assert.strictEqual(h.emulator.store.exportsCreated, 1);
      assert.strictEqual(h.emulator.count('CreateModelExportTask'), 1);
      assert.strictEqual(started.exportId, h.emulator.store.exports.get('amv-g73j3faikzpz')?.exportId);
    });
  }

  it('reports a 503 before creation without repeating the create', async () => {
    h.emulator.inject({ action: 'CreateModelExportTask', fault: { kind: 'status', status: 503 }, times: 5 });
    const e = await failureOf(h.client.startExport('amv-g73j3faikzpz'));
    assert.strictEqual(e.status, 503);
    assert.strictEqual(h.emulator.count('CreateModelExportTask'), 1);
    assert.strictEqual(h.emulator.store.exportsCreated, 0);
  });

  it('repeats the create after a 429, which the service did not act on', async () => {
    h.emulator.inject({ action: 'CreateModelExportTask', fault: { kind: 'status', status: 429 } });
    await h.client.startExport('amv-g73j3faikzpz');
    assert.strictEqual(h.emulator.count('CreateModelExportTask'), 2);
    assert.strictEqual(h.emulator.store.exportsCreated, 1);
  });

  it('refuses to export a version that is not Ready', async () => {
    const e = await failureOf(h.client.startExport('amv-k2m9x7c4q1ab'));
    assert.strictEqual(e.code, 'ModelStatusInvalid');
    assert.strictEqual(h.emulator.store.exportsCreated, 0);
  });
});

describe('client: answers that are not what they should be', () => {
  let h: Harness;
  beforeEach(async () => (h = await startHarness()));
  afterEach(() => h.emulator.stop());

  it("explains a proxy's HTML page", async () => {
    h.emulator.inject({ action: '*', fault: { kind: 'html' }, times: 10 });
    const e = await failureOf(h.client.describeModel('amv-g73j3faikzpz'));
    assert.strictEqual(e.status, 502);
    assert.match(e.message, /HTML page instead of JSON.*proxy/);
  });

  it('reports malformed JSON as a bad response, not a crash', async () => {
    h.emulator.inject({ action: 'DescribeCustomModelSets', fault: { kind: 'malformed' } });
    const e = await failureOf(h.client.listCustomModelSets());
    assert.strictEqual(e.kind, 'badResponse');
    assert.match(e.message, /not valid JSON/);
  });

  it('reports a truncated body', async () => {
    h.emulator.inject({ action: 'DescribeModelSet', fault: { kind: 'truncate' } });
    const client = h.makeClient({ retry: { maxRetries: 0, baseDelayMs: 1, maxDelayMs: 1 } });
    const e = await failureOf(client.describeModelSet('am-gh0azfeb9adu'));
    assert.ok(e.kind === 'badResponse' || e.kind === 'network', e.kind);
    assert.match(e.message, /closed before the whole answer|could not reach/);
  });

  it('refuses a body over the size cap', async () => {
    h.emulator.inject({ action: 'DescribeCustomModelSets', fault: { kind: 'huge', bytes: 300_000 } });
    const client = h.makeClient({ maxResponseBytes: 100_000 });
    const e = await failureOf(client.listCustomModelSets());
    assert.strictEqual(e.kind, 'tooLarge');
  });

  it('reports a result of the wrong shape', async () => {
    const client = h.makeClient({
      transport: { send: () => Promise.resolve({ status: 200, headers: {}, body: '{"requestId":"r1","result":{"customModelSetList":"nope"}}' }) },
    });
    const e = await failureOf(client.listCustomModelSets());
    assert.strictEqual(e.kind, 'badResponse');
    assert.match(e.message, /customModelSetList/);
  });

  it('treats an error code inside a 200 body as an error', async () => {
    const client = h.makeClient({
      transport: { send: () => Promise.resolve({ status: 200, headers: {}, body: '{"error_code":18,"error_msg":"Open api qps request limit reached"}' }) },
      retry: { maxRetries: 0, baseDelayMs: 1, maxDelayMs: 1 },
    });
    const e = await failureOf(client.listCustomModelSets());
    assert.strictEqual(e.code, '18');
    assert.match(e.message, /qps/);
  });
});
