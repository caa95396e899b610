/** Endpoint rules, IDs, keys, the in-memory store and the error-class table. */
import * as assert from 'assert';
import { DEFAULT_ENDPOINT, isLoopbackHost, parseEndpoint } from '../../src/core/qianfan/endpoint';
import { classifyError, isRejectedClass } from '../../src/core/qianfan/errorCodes';
import { CancelledError, QianfanError, asQianfanError, classOf, isCancelled, isNotFound } from '../../src/core/qianfan/errors';
import { accessKeyProblem, isModelSetId, isModelVersionId, modelVersionIdProblem } from '../../src/core/base/ids';
import { MemoryKeyValueStore } from '../../src/core/state/keyValueStore';

describe('endpoint rules', () => {
  it('knows loopback hosts', () => {
    for (const host of ['localhost', 'LOCALHOST', '127.0.0.1', '127.1.2.3', '::1', '[::1]']) {
      assert.strictEqual(isLoopbackHost(host), true, host);
    }
    for (const host of ['128.0.0.1', '127.0.0', 'x127.0.0.1', '127.0.0.1.example.com', 'localhost.example.com', '::2']) {
      assert.strictEqual(isLoopbackHost(host), false, host);
    }
  });

  it('keeps only the origin of a valid endpoint', () => {
    assert.strictEqual(parseEndpoint(' https://qianfan.baidubce.com/ ').href, 'https://qianfan.baidubce.com/');
    assert.strictEqual(parseEndpoint('http://127.0.0.1:8080').href, 'http://127.0.0.1:8080/');
    assert.strictEqual(parseEndpoint('http://localhost:1').origin, 'http://localhost:1');
    assert.strictEqual(parseEndpoint(DEFAULT_ENDPOINT).origin, 'https://qianfan.baidubce.com');
  });

  it('says what is wrong with an endpoint', () => {
    const cases: [string, string][] = [
      ['not a url', 'The endpoint "not a url" is not a URL, e.g. https://qianfan.baidubce.com.'],
      ['https://u:p@qianfan.baidubce.com', 'The endpoint must not contain a user name or password.'],
      ['https://u@qianfan.baidubce.com', 'The endpoint must not contain a user name or password.'],
      ['http://qianfan.baidubce.com', 'The endpoint must use https (plain http is allowed only for 127.0.0.1 / localhost).'],
      ['ftp://qianfan.baidubce.com', 'The endpoint must be an https URL, not ftp:.'],
      ['https://qianfan.baidubce.com/v2', 'The endpoint is only scheme and host, e.g. https://qianfan.baidubce.com.'],
      ['https://qianfan.baidubce.com?a=1', 'The endpoint is only scheme and host, e.g. https://qianfan.baidubce.com.'],
      ['https://qianfan.baidubce.com#x', 'The endpoint is only scheme and host, e.g. https://qianfan.baidubce.com.'],
    ];
    for (const [value, message] of cases) {
      assert.throws(() => parseEndpoint(value), { message }, value);
    }
  });
});

describe('IDs and keys', () => {
  it('tells model IDs from version IDs', () => {
    assert.strictEqual(isModelVersionId('amv-abc123'), true);
    assert.strictEqual(isModelVersionId('amv-abc12'), false);
    assert.strictEqual(isModelVersionId('amv-' + 'a'.repeat(32)), true);
    assert.strictEqual(isModelVersionId('amv-' + 'a'.repeat(33)), false);
    assert.strictEqual(isModelVersionId('xamv-abc123'), false);
    assert.strictEqual(isModelVersionId('amv-abc123x!'), false);
    assert.strictEqual(isModelSetId('am-abc123'), true);
    assert.strictEqual(isModelSetId('am-Upper_Case'), false);
    assert.strictEqual(isModelSetId('am-' + 'a'.repeat(33)), false);
    assert.strictEqual(isModelSetId('x am-abc123'), false);
  });

  it('says which kind of wrong a version ID is, as a code', () => {
    assert.strictEqual(modelVersionIdProblem('  amv-g73j3faikzpz  '), undefined);
    assert.deepStrictEqual(modelVersionIdProblem('   '), { code: 'empty' });
    assert.deepStrictEqual(modelVersionIdProblem('am-gh0azfeb9adu'), { code: 'modelId' });
    assert.deepStrictEqual(modelVersionIdProblem('x'.repeat(80)), { code: 'notAnId' });
    assert.deepStrictEqual(modelVersionIdProblem('BCE-V3/x'), { code: 'apiKey' });
    assert.deepStrictEqual(modelVersionIdProblem('amv-abc'), { code: 'notAnId' }, 'too short to be an ID');
    assert.deepStrictEqual(modelVersionIdProblem('see amv-abcdef.'), { code: 'contains', suggestion: 'amv-abcdef' });
    assert.deepStrictEqual(modelVersionIdProblem('amv-abcdefg1234'), undefined);
  });

  it('explains a key that will not do', () => {
    assert.strictEqual(accessKeyProblem(' ' + 'a'.repeat(16) + ' ', 'access key'), undefined);
    assert.strictEqual(accessKeyProblem('a'.repeat(128), 'access key'), undefined);
    assert.strictEqual(accessKeyProblem('', 'secret key'), 'Enter the secret key.');
    assert.strictEqual(accessKeyProblem('a'.repeat(15), 'secret key'), 'The secret key is 16 to 128 letters and digits, with no spaces.');
    assert.strictEqual(accessKeyProblem('a'.repeat(129), 'access key'), 'The access key is 16 to 128 letters and digits, with no spaces.');
    assert.ok(accessKeyProblem('a'.repeat(10) + ' ' + 'a'.repeat(10), 'access key'));
    assert.ok(accessKeyProblem('x' + 'a'.repeat(16) + '-', 'access key'));
  });
});

describe('in-memory key-value store', () => {
  it('stores copies, and forgets a key set to undefined', async () => {
    const kv = new MemoryKeyValueStore();
    const value = { a: [1] };
    await kv.update('k', value);
    value.a.push(2);
    const read = kv.get<{ a: number[] }>('k');
    assert.deepStrictEqual(read, { a: [1] });
    read.a.push(3);
    assert.deepStrictEqual(kv.get('k'), { a: [1] });
    await kv.update('k', undefined);
    assert.strictEqual(kv.get('k'), undefined);
  });
});

describe('the error-class table', () => {
  const api = (status: number | undefined, code?: string) => classifyError({ kind: 'api', status, code });

  it('classifies by code first', () => {
    assert.strictEqual(api(400, 'SignatureDoesNotMatch'), 'auth');
    assert.strictEqual(api(403, 'InvalidAccessKeyId'), 'auth');
    assert.strictEqual(api(400, 'InvalidHTTPAuthHeader'), 'auth');
    assert.strictEqual(api(403, 'AccessDenied'), 'permission');
    assert.strictEqual(api(400, 'PermissionDeniedError'), 'permission');
    assert.strictEqual(api(403, 'OptInRequired'), 'permission');
    assert.strictEqual(api(404, 'ResourceNotFound'), 'notFound');
    assert.strictEqual(api(400, 'NoSuchModel'), 'notFound');
    assert.strictEqual(api(400, 'ModelNotExist'), 'notFound');
    assert.strictEqual(api(400, 'TooManyRequests'), 'throttled');
    assert.strictEqual(api(200, '18'), 'throttled');
    assert.strictEqual(api(200, '336100'), 'throttled');
    assert.strictEqual(api(400, 'InternalError'), 'transient');
    assert.strictEqual(api(200, '500000'), 'transient');
    assert.strictEqual(api(400, 'RequestExpired'), 'expired');
    assert.strictEqual(api(400, 'toString'), 'other', 'no inherited keys');
  });

  it('knows every code in its table, whatever the status', () => {
    const table: Record<string, string> = {
      SignatureDoesNotMatch: 'auth',
      InvalidAccessKeyId: 'auth',
      InvalidHTTPAuthHeader: 'auth',
      AccessDenied: 'permission',
      PermissionDeniedError: 'permission',
      OptInRequired: 'permission',
      ResourceNotFound: 'notFound',
      NoSuchObject: 'notFound',
      NotFound: 'notFound',
      TooManyRequests: 'throttled',
      RequestLimitExceeded: 'throttled',
      QpsLimitReached: 'throttled',
      '18': 'throttled',
      '336100': 'throttled',
      InternalError: 'transient',
      ServiceUnavailable: 'transient',
      '500000': 'transient',
      RequestExpired: 'expired',
    };
    for (const [code, cls] of Object.entries(table)) {
      assert.strictEqual(api(400, code), cls, code);
      assert.strictEqual(api(undefined, code), cls, code);
    }
    assert.strictEqual(classifyError({ kind: 'api', status: 400, code: undefined }), 'other');
  });

  it('then by status', () => {
    assert.strictEqual(api(401), 'auth');
    assert.strictEqual(api(403), 'permission');
    assert.strictEqual(api(404), 'notFound');
    assert.strictEqual(api(429), 'throttled');
    assert.strictEqual(api(500), 'transient');
    assert.strictEqual(api(599), 'transient');
    assert.strictEqual(api(600), 'other');
    assert.strictEqual(api(499), 'other');
    assert.strictEqual(api(400, 'InappropriateJSON'), 'other');
    assert.strictEqual(api(undefined), 'other');
  });

  it('calls no answer transient, and other kinds other', () => {
    assert.strictEqual(classifyError({ kind: 'network' }), 'transient');
    assert.strictEqual(classifyError({ kind: 'timeout' }), 'transient');
    assert.strictEqual(classifyError({ kind: 'badResponse', status: 500 }), 'other');
    assert.strictEqual(classifyError({ kind: 'noCredentials', code: 'RequestExpired' }), 'other');
  });

  it('knows which classes mean the service did not act', () => {
    assert.deepStrictEqual((['auth', 'permission', 'notFound', 'throttled', 'transient', 'expired', 'other'] as const).filter(isRejectedClass), [
      'throttled',
      'expired',
    ]);
  });

  it('is what errors report', () => {
    const e = new QianfanError({ kind: 'api', status: 404, message: 'x' });
    assert.strictEqual(e.errorClass, 'notFound');
    assert.strictEqual(classOf(e), 'notFound');
    assert.strictEqual(classOf(new Error('x')), undefined);
    assert.strictEqual(isNotFound(e), true);
    assert.strictEqual(isNotFound(new QianfanError({ kind: 'api', status: 400, message: 'x' })), false);
  });
});

describe('wrapping failures', () => {
  it('keeps a QianfanError and a cancel as they are', () => {
    const q = new QianfanError({ kind: 'network', message: 'x' });
    const c = new CancelledError();
    assert.strictEqual(asQianfanError(q), q);
    assert.strictEqual(asQianfanError(c), c);
  });

  it('turns an AbortError into a cancel, and anything else into an internal error with its cause', () => {
    const abort = Object.assign(new Error('aborted'), { name: 'AbortError' });
    assert.ok(asQianfanError(abort) instanceof CancelledError);
    assert.strictEqual(isCancelled(abort), true);
    assert.strictEqual(isCancelled(new Error('x')), false);
    const wrapped = asQianfanError('a string', 'DescribeModel') as QianfanError;
    assert.strictEqual(wrapped.kind, 'internal');
    assert.strictEqual(wrapped.action, 'DescribeModel');
    assert.strictEqual(wrapped.message, 'unexpected failure (a string)');
    assert.strictEqual(wrapped.cause, 'a string');
    assert.strictEqual(new QianfanError({ kind: 'network', message: 'x' }).cause, undefined);
    assert.strictEqual(new QianfanError({ kind: 'network', message: 'x' }).name, 'QianfanError');
  });
});
