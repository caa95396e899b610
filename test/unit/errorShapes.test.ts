/** Errors as Baidu sends them (docs/qianfan-api.md §4, §6): the body, then the X-Bce-* headers; one table of classes. */
import * as assert from 'assert';
import { authFailure, classifyError, isRejectedClass } from '../../src/core/qianfan/errorCodes';
import { QianfanError, isKeyFailure, isNotFound, mayMeanMissing } from '../../src/core/qianfan/errors';
import { classifyKeyFailure } from '../../src/core/qianfan/keyCheck';
import { codeOfHeaderMessage, interpretResponse } from '../../src/core/qianfan/response';
import { isRetryable } from '../../src/core/qianfan/retry';

const CREDENTIAL = 'NotFound, cause: Could not find credential.';
const SIGNATURE = 'SignatureDoesNotMatch, cause: Fail to authn user: Signature does not match';

function failure(status: number, body: string, headers: Record<string, string> = {}): QianfanError {
  try {
    interpretResponse('DescribeModel', { status, headers, body }, 0);
  } catch (error) {
    assert.ok(error instanceof QianfanError);
    return error;
  }
  assert.fail('expected a QianfanError');
}

describe('errors as Baidu sends them', () => {
  it('reads the code a header message starts with', () => {
    assert.strictEqual(codeOfHeaderMessage(CREDENTIAL), 'NotFound');
    assert.strictEqual(codeOfHeaderMessage(SIGNATURE), 'SignatureDoesNotMatch');
    assert.strictEqual(codeOfHeaderMessage('  AccessDenied ,  cause : no'), 'AccessDenied');
    assert.strictEqual(codeOfHeaderMessage('plain words'), undefined);
    assert.strictEqual(codeOfHeaderMessage('1abc, cause: x'), undefined);
    assert.strictEqual(codeOfHeaderMessage('A, cause: too short a code'), undefined);
    assert.strictEqual(codeOfHeaderMessage(undefined), undefined);
  });

  it('an empty 403 with only the credential message is an unknown access key, with the server words kept', () => {
    const e = failure(403, '', { 'x-bce-error-message': CREDENTIAL, 'x-bce-request-id': 'r1' });
    assert.deepStrictEqual(
      [e.kind, e.status, e.code, e.message, e.headerMessage, e.requestId, e.answer],
      ['api', 403, 'NotFound', CREDENTIAL, CREDENTIAL, 'r1', undefined],
    );
    assert.strictEqual(e.errorClass, 'auth');
    assert.strictEqual(authFailure(e), 'unknownAccessKey');
    assert.ok(isKeyFailure(e) && !isNotFound(e) && !mayMeanMissing(e));
    assert.deepStrictEqual(classifyKeyFailure(e, 'f'.repeat(32)), { kind: 'unknownAccessKey', appKey: false });
  });

  it('a wrong secret key given only as the header message', () => {
    const e = failure(400, '', { 'x-bce-error-message': SIGNATURE });
    assert.strictEqual(e.code, 'SignatureDoesNotMatch');
    assert.strictEqual(authFailure(e), 'wrongSecretKey');
    assert.deepStrictEqual(classifyKeyFailure(e, 'a'), { kind: 'wrongSecretKey' });
  });

  it("every unknown-AK shape: Qianfan's 400 InvalidHTTPAuthHeader, BCE's 403 InvalidAccessKeyId, the SDK's header", () => {
    const shapes = [
      failure(400, JSON.stringify({ code: 'InvalidHTTPAuthHeader', message: 'The Access Key ID you provided does notexist in our records.' })),
      failure(403, JSON.stringify({ code: 'InvalidAccessKeyId', message: 'x' })),
      failure(403, '', { 'x-bce-error-code': 'NotFound', 'x-bce-error-message': CREDENTIAL }),
      failure(403, JSON.stringify({ code: 'Weird', message: 'The Access Key ID you provided does not exist in our records.' })),
    ];
    for (const e of shapes) {
      assert.strictEqual(authFailure(e), 'unknownAccessKey', e.describe());
      assert.strictEqual(e.errorClass, 'auth');
    }
  });

  it('the code NotFound alone, without a word about a credential, is a reason to look, not an auth failure', () => {
    const e = failure(404, JSON.stringify({ code: 'NotFound', message: 'no such model' }));
    assert.strictEqual(e.errorClass, 'notFound');
    assert.strictEqual(authFailure(e), undefined);
    assert.ok(mayMeanMissing(e));
  });

  it('a header code beside a header message; the body wins over the headers', () => {
    const e = failure(500, '', { 'x-bce-error-code': 'InternalError', 'x-bce-error-message': 'InternalError, cause: oops' });
    assert.deepStrictEqual([e.code, e.message, e.errorClass], ['InternalError', 'InternalError, cause: oops', 'transient']);
    const both = failure(400, JSON.stringify({ code: 'InappropriateJSON', message: 'param[modelId] invalid.' }), { 'x-bce-error-message': 'Other, cause: x' });
    assert.deepStrictEqual([both.code, both.message, both.headerMessage], ['InappropriateJSON', 'param[modelId] invalid.', 'Other, cause: x']);
    assert.match(both.describe(), /param\[modelId\] invalid\. \[Other, cause: x\]/);
    const same = failure(403, '', { 'x-bce-error-message': CREDENTIAL });
    assert.strictEqual(same.describe(), `DescribeModel HTTP 403 NotFound: ${CREDENTIAL}`, 'the header message once when it is the message');
    assert.strictEqual(failure(400, '{}', { 'x-bce-error-message': '   ' }).headerMessage, undefined, 'a blank header is no message');
  });

  it("an empty or HTML body without Baidu's headers stays a page or nothing (a proxy's)", () => {
    assert.strictEqual(failure(403, '').answer, 'empty');
    assert.strictEqual(failure(502, '<html></html>').answer, 'html');
    assert.strictEqual(failure(502, 'oops').answer, 'text');
    assert.strictEqual(failure(403, '', { 'x-bce-error-code': ' ' }).answer, 'empty', 'a blank header code is none');
    assert.strictEqual(failure(200, '', { 'x-bce-error-code': 'X' }).kind, 'badResponse');
  });

  it('throttling in every documented form is retried; a daily or total quota is not', () => {
    const throttled = [
      failure(429, JSON.stringify({ code: 'Anything', message: 'x' })),
      failure(400, JSON.stringify({ code: 'QuotaLimitExceeded', message: 'x' })),
      ...[4, 18, 336100, 336501, 336502].map((n) => failure(200, JSON.stringify({ error_code: n, error_msg: 'limit' }))),
      failure(429, '', { 'x-bce-error-code': 'TooManyRequests' }),
    ];
    for (const e of throttled) {
      assert.strictEqual(e.errorClass, 'throttled', e.describe());
      assert.ok(isRetryable(e, 'safe'));
    }
    for (const n of [17, 19]) {
      const e = failure(200, JSON.stringify({ error_code: n, error_msg: 'quota' }));
      assert.strictEqual(e.errorClass, 'quota');
      assert.ok(!isRetryable(e, 'safe') && !isRejectedClass('quota'));
    }
  });

  it('an invalid request is not "gone", but a reason to look', () => {
    for (const code of ['InvalidRequestArgumentError', 'InappropriateJSON']) {
      const e = failure(400, JSON.stringify({ code, message: 'x' }));
      assert.strictEqual(e.errorClass, 'other');
      assert.ok(!isNotFound(e) && mayMeanMissing(e));
    }
    assert.ok(!mayMeanMissing(failure(500, JSON.stringify({ code: 'InternalError', message: 'x' }))));
    assert.ok(!mayMeanMissing(failure(403, JSON.stringify({ code: 'AccessDenied', message: 'x' }))));
    assert.ok(!mayMeanMissing(failure(409, JSON.stringify({ code: 'RequestExpired', message: 'x' }))));
    assert.ok(!mayMeanMissing(new QianfanError({ kind: 'badResponse', status: 404, message: 'x' })));
    assert.ok(!mayMeanMissing(new QianfanError({ kind: 'api', message: 'no status' })));
    assert.ok(mayMeanMissing(new QianfanError({ kind: 'api', status: 499, message: 'x' })));
    assert.ok(!mayMeanMissing(new QianfanError({ kind: 'api', status: 399, message: 'x' })));
    assert.ok(!mayMeanMissing(new Error('x')));
  });

  it('classifies by the words before the code, and only failures that are answers', () => {
    assert.strictEqual(classifyError({ kind: 'api', status: 404, code: 'ResourceNotFound', headerMessage: CREDENTIAL }), 'auth');
    assert.strictEqual(classifyError({ kind: 'api', status: 400, code: 'X', message: 'Fail to authn user: Signature does not match' }), 'auth');
    assert.strictEqual(authFailure({ kind: 'network', message: CREDENTIAL }), undefined);
    assert.strictEqual(authFailure({ kind: 'api', status: 400, code: 'SignatureDoesNotMatch' }), 'wrongSecretKey');
    assert.strictEqual(authFailure({ kind: 'api', status: 400 }), undefined);
  });
});
