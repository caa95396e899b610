/** Finding 3: odd answers never crash the client; every failure is a QianfanError. */
import * as assert from 'assert';
import { QianfanError } from '../../src/core/qianfan/errors';
import { type Harness, failureOf, startHarness } from '../support/clientHarness';

const VERSION = 'amv-g73j3faikzpz';
const ONE_DAY_MS = 24 * 3600 * 1000; // the bound on a learned clock skew
const objectBody = JSON.stringify({ requestId: 'r-obj', code: { nested: 1 }, message: { text: 'an object' } });

describe('finding 3: odd error bodies', () => {
  let h: Harness;
  beforeEach(async () => (h = await startHarness()));
  afterEach(() => h.emulator.stop());

  it('an error body whose code and message are objects is retried and logged, not a TypeError', async () => {
    h.emulator.inject({ action: 'DescribeModel', fault: { kind: 'raw', status: 500, body: objectBody } });
    assert.strictEqual((await h.client.describeModel(VERSION)).status, 'Ready');
    assert.deepStrictEqual(
      h.log.map((e) => e.outcome),
      ['retry', 'ok'],
    );
    assert.strictEqual(h.log[0].error, 'DescribeModel HTTP 500: HTTP 500 (requestId r-obj)');
  });

  it('when every answer is such a body, the error has no object for a code or message', async () => {
    h.emulator.inject({ action: 'DescribeModel', fault: { kind: 'raw', status: 400, body: objectBody }, times: 5 });
    const e = await failureOf(h.client.describeModel(VERSION));
    assert.strictEqual(e.code, undefined);
    assert.strictEqual(e.message, 'HTTP 400');
    assert.strictEqual(e.requestId, 'r-obj');
  });

  it('a numeric code and message are taken as text', async () => {
    h.emulator.inject({ action: 'DescribeModel', fault: { kind: 'raw', status: 400, body: '{"code":7,"message":12}' } });
    const e = await failureOf(h.client.describeModel(VERSION));
    assert.strictEqual(e.code, '7');
    assert.strictEqual(e.message, '12');
  });

  it('an unexpected failure inside the client is a QianfanError of kind internal, with its cause', async () => {
    const boom = new TypeError('no keys today');
    const client = h.makeClient({
      credentials: () => {
        throw boom;
      },
    });
    const e = await failureOf(client.describeModel(VERSION));
    assert.strictEqual(e.kind, 'internal');
    assert.strictEqual(e.action, 'DescribeModel');
    assert.strictEqual(e.cause, boom);
    assert.match(e.message, /TypeError: no keys today/);
  });

  it('a transport that throws something odd gives a network QianfanError', async () => {
    const client = h.makeClient({
      transport: { send: () => Promise.reject(new Error('socket hang up')) },
      retry: { maxRetries: 0, baseDelayMs: 1, maxDelayMs: 1 },
    });
    const e = await failureOf(client.describeModel(VERSION));
    assert.ok(e instanceof QianfanError);
    assert.strictEqual(e.kind, 'network');
    assert.strictEqual(e.message, 'socket hang up');
  });

  it('a log sink that throws does not fail the request', async () => {
    const client = h.makeClient({
      onRequest: () => {
        throw new Error('log is closed');
      },
    });
    assert.strictEqual((await client.describeModel(VERSION)).status, 'Ready');
  });
});

describe('finding 3: huge listings', () => {
  let h: Harness;
  beforeEach(async () => (h = await startHarness()));
  afterEach(() => h.emulator.stop());

  it('a single page of 200k items does not overflow the stack', async () => {
    h.emulator.inject({ action: 'DescribeCustomModelSets', fault: { kind: 'bigPage', items: 200_000, last: true } });
    const client = h.makeClient({ maxListedModels: 1_000_000 });
    const all = await client.listAllCustomModelSets();
    assert.strictEqual(all.length, 200_000);
  });

  it('a listing over the cap stops at once with a clear message (40 pages of 100k items)', async () => {
    h.emulator.inject({ action: 'DescribeCustomModelSets', fault: { kind: 'bigPage', items: 100_000 }, times: 40 });
    const e = await failureOf(h.client.listAllCustomModelSets());
    assert.strictEqual(e.kind, 'tooLarge');
    assert.strictEqual(e.action, 'DescribeCustomModelSets');
    assert.strictEqual(e.message, 'the account lists more than 20000 models; stopped listing');
    assert.strictEqual(h.emulator.count('DescribeCustomModelSets'), 1);
  });

  it('the cap counts every page: exactly the cap passes, one more does not', async () => {
    h.emulator.inject({ action: 'DescribeCustomModelSets', fault: { kind: 'bigPage', items: 3 } });
    h.emulator.inject({ action: 'DescribeCustomModelSets', fault: { kind: 'bigPage', items: 2, last: true } });
    assert.strictEqual((await h.makeClient({ maxListedModels: 5 }).listAllCustomModelSets()).length, 5);
    h.emulator.inject({ action: 'DescribeCustomModelSets', fault: { kind: 'bigPage', items: 3 } });
    h.emulator.inject({ action: 'DescribeCustomModelSets', fault: { kind: 'bigPage', items: 3, last: true } });
    assert.strictEqual((await failureOf(h.makeClient({ maxListedModels: 5 }).listAllCustomModelSets())).kind, 'tooLarge');
  });
});

describe('finding 3: clock skew from a Date header', () => {
  let h: Harness;
  beforeEach(async () => (h = await startHarness()));
  afterEach(() => h.emulator.stop());

  const expiredAt = (date: string) => ({
    kind: 'raw' as const,
    status: 400,
    body: '{"code":"RequestExpired","message":"Request has expired."}',
    headers: { date },
  });

  it('a Date header of year 275760 is not learned, and later calls still work', async () => {
    h.emulator.inject({ action: 'DescribeModel', fault: expiredAt(new Date(8.64e15).toUTCString()) });
    const skews: number[] = [];
    const client = h.makeClient({ onClockSkew: (ms) => skews.push(ms) });
    assert.strictEqual((await client.describeModel(VERSION)).status, 'Ready');
    assert.strictEqual(client.clockSkewMs, 0);
    assert.deepStrictEqual(skews, []);
    assert.strictEqual((await client.describeModel('amv-34qkndzjf111')).status, 'Ready');
  });

  it('a skew just beyond one day is ignored, one just within it is learned', async () => {
    const client = h.makeClient({ retry: { maxRetries: 1, baseDelayMs: 1, maxDelayMs: 1 } });
    h.emulator.inject({ action: 'DescribeModel', fault: expiredAt(new Date(Date.now() + ONE_DAY_MS + 120_000).toUTCString()) });
    await client.describeModel(VERSION);
    assert.strictEqual(client.clockSkewMs, 0);
    h.emulator.clockOffsetMs = ONE_DAY_MS - 120_000;
    await client.describeModel(VERSION);
    assert.ok(Math.abs(client.clockSkewMs - (ONE_DAY_MS - 120_000)) < 5000, String(client.clockSkewMs));
  });

  it('the skew is learned anew when the clocks agree again', async () => {
    h.emulator.clockOffsetMs = 2 * 3600 * 1000;
    const client = h.makeClient();
    await client.describeModel(VERSION);
    assert.ok(Math.abs(client.clockSkewMs - 2 * 3600 * 1000) < 5000);
    h.emulator.clockOffsetMs = 0;
    await client.describeModel(VERSION);
    assert.ok(Math.abs(client.clockSkewMs) < 5000, String(client.clockSkewMs));
  });
});
