/** interpretResponse and the retry arithmetic, without a network. */
import * as assert from 'assert';
import { CancelledError, QianfanError } from '../../src/core/qianfan/errors';
import { interpretResponse } from '../../src/core/qianfan/response';
import { abortableSleep, isRetryable, retryAfterMs } from '../../src/core/qianfan/retry';

const answer = (status: number, body: string, headers: Record<string, string> = {}) => ({ status, headers, body });

function failure(status: number, body: string, headers: Record<string, string> = {}): QianfanError {
  try {
    interpretResponse('Act', answer(status, body, headers), 1000);
  } catch (error) {
    assert.ok(error instanceof QianfanError);
    return error;
  }
  assert.fail('expected a QianfanError');
}

describe('interpreting an answer', () => {
  it('returns the result of a 2xx', () => {
    assert.deepStrictEqual(interpretResponse('Act', answer(200, '{"requestId":"r","result":{"a":1}}'), 0), { a: 1 });
    assert.strictEqual(interpretResponse('Act', answer(200, '{"result":null,"code":""}'), 0), null);
    assert.strictEqual(interpretResponse('Act', answer(201, '{"result":2,"code":"0"}'), 0), 2);
    assert.strictEqual(interpretResponse('Act', answer(200, '{"result":3,"code":0}'), 0), 3);
  });

  it('describes a body that is not JSON', () => {
    assert.strictEqual(failure(200, '').message, 'HTTP 200 with an empty body (no content type)');
    assert.strictEqual(failure(200, '  ', { 'content-type': 'text/plain' }).message, 'HTTP 200 with an empty body (text/plain)');
    assert.strictEqual(
      failure(502, ' <p>x', { 'content-type': 'text/plain' }).message,
      'HTTP 502 with an HTML page instead of JSON (text/plain); a proxy or gateway may be in the way',
    );
    assert.match(failure(502, 'oops', { 'content-type': 'text/HTML' }).message, /HTML page/);
    assert.strictEqual(
      failure(200, '{"a":', { 'content-type': 'application/json' }).message,
      'HTTP 200 with a body that is not valid JSON (application/json); it may be truncated',
    );
  });

  it('keeps status, header code, request ID, server date and retry hint with a non-JSON body', () => {
    const e = failure(503, 'x', { 'x-bce-error-code': 'Busy', 'x-bce-request-id': 'rid', date: new Date(5000).toUTCString(), 'retry-after': '3' });
    assert.strictEqual(e.kind, 'api');
    assert.strictEqual(e.action, 'Act');
    assert.strictEqual(e.status, 503);
    assert.strictEqual(e.code, 'Busy');
    assert.strictEqual(e.requestId, 'rid');
    assert.strictEqual(e.serverDate, 5000);
    assert.strictEqual(e.retryAfterMs, 3000);
    assert.strictEqual(failure(200, 'x').kind, 'badResponse');
    assert.strictEqual(failure(200, 'x', { date: 'not a date' }).serverDate, undefined);
  });

  it('reads an error body, the legacy form, and falls back to headers', () => {
    const e = failure(400, '{"requestId":"r1","code":"Bad","message":"no"}', { 'x-bce-request-id': 'h1' });
    assert.deepStrictEqual([e.kind, e.code, e.message, e.requestId], ['api', 'Bad', 'no', 'r1']);
    const legacy = failure(200, '{"error_code":18,"error_msg":"qps"}');
    assert.deepStrictEqual([legacy.code, legacy.message], ['18', 'qps']);
    const headers = failure(403, '{"requestId":5}', { 'x-bce-error-code': 'H', 'x-bce-error-message': 'hm', 'x-bce-request-id': 'h1' });
    assert.deepStrictEqual([headers.code, headers.message, headers.requestId], ['H', 'hm', 'h1']);
    assert.strictEqual(failure(400, '{"code":null,"message":true}').message, 'HTTP 400');
    assert.strictEqual(failure(400, '{"code":Infinity}').kind, 'api');
  });

  it('an error code inside a 2xx is an error; a 2xx without result is a bad answer', () => {
    assert.strictEqual(failure(200, '{"code":"X","result":1}').kind, 'api');
    const e = failure(200, '{"requestId":"r"}');
    assert.deepStrictEqual([e.kind, e.message, e.requestId], ['badResponse', 'the answer has no "result"', 'r']);
    assert.strictEqual(failure(200, '[1]').kind, 'badResponse');
    assert.strictEqual(failure(200, 'null').kind, 'badResponse');
  });

  it('a 1xx or 3xx is never success', () => {
    assert.strictEqual(failure(199, '{"result":1}').message, 'HTTP 199');
    assert.strictEqual(failure(300, '{"result":1}').message, 'HTTP 300: a redirect, which is not followed');
    assert.strictEqual(failure(399, '{"result":1}').message, 'HTTP 399: a redirect, which is not followed');
    assert.strictEqual(failure(400, '{"result":1}').message, 'HTTP 400');
  });
});

describe('retry rules', () => {
  const e = (init: Partial<ConstructorParameters<typeof QianfanError>[0]>) => new QianfanError({ kind: 'api', message: 'm', ...init });

  it('repeats a safe action after throttling, expiry and transient failures only', () => {
    assert.strictEqual(isRetryable(e({ status: 429 }), 'safe'), true);
    assert.strictEqual(isRetryable(e({ status: 400, code: 'RequestExpired' }), 'safe'), true);
    assert.strictEqual(isRetryable(e({ status: 503 }), 'safe'), true);
    assert.strictEqual(isRetryable(e({ kind: 'network' }), 'safe'), true);
    assert.strictEqual(isRetryable(e({ kind: 'timeout' }), 'safe'), true);
    assert.strictEqual(isRetryable(e({ status: 404 }), 'safe'), false);
    assert.strictEqual(isRetryable(e({ kind: 'badResponse', status: 200 }), 'safe'), false);
    assert.strictEqual(isRetryable(new Error('x'), 'safe'), false);
  });

  it('never repeats an action marked never', () => {
    assert.strictEqual(isRetryable(e({ status: 429 }), 'never'), false);
    assert.strictEqual(isRetryable(e({ kind: 'network' }), 'never'), false);
  });

  it('reads Retry-After in its forms', () => {
    assert.strictEqual(retryAfterMs({ 'retry-after-ms': '0' }, 0), 0);
    assert.strictEqual(retryAfterMs({ 'retry-after-ms': '-5', 'retry-after': '1' }, 0), 1000);
    assert.strictEqual(retryAfterMs({ 'retry-after-ms': 'soon' }, 0), undefined);
    assert.strictEqual(retryAfterMs({ 'retry-after': '-2' }, 0), 0);
    assert.strictEqual(retryAfterMs({ 'retry-after': new Date(1000).toUTCString() }, 5000), 0);
    assert.strictEqual(retryAfterMs({ 'retry-after': 'whenever' }, 0), undefined);
    assert.strictEqual(retryAfterMs({ 'retry-after-ms': 'Infinity' }, 0), undefined);
    assert.strictEqual(retryAfterMs({ 'retry-after': '' }, 0), undefined);
  });

  it('sleeps, and stops sleeping on a cancel', async () => {
    const started = Date.now();
    await abortableSleep(20);
    assert.ok(Date.now() - started >= 15);
    await assert.rejects(abortableSleep(10, AbortSignal.abort()), (err) => err instanceof CancelledError);
    const c = new AbortController();
    const sleeping = abortableSleep(5000, c.signal);
    setTimeout(() => c.abort(), 5);
    await assert.rejects(sleeping, (err) => err instanceof CancelledError);
    assert.ok(Date.now() - started < 1000);
  });
});

describe('interpreting an answer: the edges', () => {
  it('calls a body HTML only when it starts with a tag', () => {
    assert.match(failure(502, '<p>', { 'content-type': 'application/json' }).message, /HTML page/);
    assert.match(failure(502, '\n\t <p>', { 'content-type': 'application/json' }).message, /HTML page/);
    assert.match(failure(502, 'a <p>', { 'content-type': 'application/json' }).message, /not valid JSON/);
  });

  it('a JSON body that is not an object is not an envelope', () => {
    assert.strictEqual(failure(200, '5').kind, 'badResponse');
    assert.strictEqual(failure(200, '"text"').message, 'the answer has no "result"');
    const e = failure(400, '[1]', { 'x-bce-request-id': 'h' });
    assert.deepStrictEqual([e.kind, e.message, e.requestId], ['api', 'HTTP 400', 'h']);
    assert.strictEqual(failure(400, 'true').message, 'HTTP 400');
  });
});
