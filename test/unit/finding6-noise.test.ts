/** Finding 6: a redirect is not success; server text is short and clean; the request ID appears once. */
import * as assert from 'assert';
import { QianfanError } from '../../src/core/qianfan/errors';
import { type Harness, failureOf, startHarness } from '../support/clientHarness';

const VERSION = 'amv-g73j3faikzpz';
const noRetry = { maxRetries: 0, baseDelayMs: 1, maxDelayMs: 1 };

describe('finding 6: leaks and noise', () => {
  let h: Harness;
  beforeEach(async () => (h = await startHarness()));
  afterEach(() => h.emulator.stop());

  for (const status of [301, 302, 307]) {
    it(`a ${status} whose body holds a result is an error, not success`, async () => {
      const body = JSON.stringify({ result: { modelSetId: 'am-gh0azfeb9adu', modelId: VERSION, status: 'Ready' } });
      h.emulator.inject({ action: 'DescribeModel', fault: { kind: 'raw', status, body, headers: { location: 'https://user:pw@elsewhere.example/' } } });
      const e = await failureOf(h.client.describeModel(VERSION));
      assert.strictEqual(e.kind, 'api');
      assert.strictEqual(e.status, status);
      assert.strictEqual(e.message, `HTTP ${status}: a redirect, which is not followed`);
      assert.strictEqual(h.emulator.requests.length, 1);
    });
  }

  it('any 2xx with a result is success (299)', async () => {
    h.emulator.inject({
      action: 'DescribeModel',
      fault: { kind: 'raw', status: 299, body: '{"result":{"modelSetId":"am-x","modelId":"amv-x","status":"Ready"}}' },
    });
    assert.strictEqual((await h.client.describeModel(VERSION)).modelId, 'amv-x');
  });

  it('a megabyte server message with control characters is cut to 300 clean characters in the error and the log', async () => {
    const message = 'boom\u0000\u001b[31m\r\nnext line\u202e' + 'x'.repeat(1024 * 1024);
    h.emulator.inject({ action: 'DescribeModel', fault: { kind: 'status', status: 400, code: 'Odd\ncode', message } });
    const e = await failureOf(h.makeClient({ retry: noRetry }).describeModel(VERSION));
    assert.strictEqual(e.message.length, 300);
    assert.ok(e.message.startsWith('boom [31m next line x'), e.message.slice(0, 40));
    assert.ok(e.message.endsWith('…'));
    assert.strictEqual(e.code, 'Odd code');
    const logged = h.log.at(-1)?.error ?? '';
    assert.ok(logged.length < 400 && ![...logged].some((ch) => ch.charCodeAt(0) < 0x20), logged.slice(0, 80));
  });

  it('a huge x-bce-error-message header is cut too', async () => {
    h.emulator.inject({ action: 'DescribeModel', fault: { kind: 'raw', status: 400, body: '{}', headers: { 'x-bce-error-message': 'y\t'.repeat(5000) } } });
    const e = await failureOf(h.makeClient({ retry: noRetry }).describeModel(VERSION));
    assert.strictEqual(e.message.length, 300);
    assert.match(e.message, /^y y y /);
  });

  it('the request ID appears once: summary() leaves it out, describe() adds it once', () => {
    const e = new QianfanError({ kind: 'api', action: 'DeleteModel', status: 500, code: 'InternalError', requestId: 'rid-1', message: 'try again' });
    assert.strictEqual(e.summary(), 'DeleteModel HTTP 500 InternalError: try again');
    assert.strictEqual(e.describe(), 'DeleteModel HTTP 500 InternalError: try again (requestId rid-1)');
    assert.strictEqual(new QianfanError({ kind: 'network', message: 'reset' }).describe(), 'reset');
  });

  it('cuts request IDs and codes from the server to a bounded, clean length', () => {
    const e = new QianfanError({ kind: 'api', code: 'C'.repeat(500), requestId: 'r\u0007'.repeat(500), message: 'm' });
    assert.strictEqual(e.code?.length, 64);
    assert.ok((e.requestId?.length ?? 0) <= 128 && !e.requestId?.includes('\u0007'));
  });
});
