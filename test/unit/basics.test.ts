/** Small things the core promises: error names and hints, the default retry policy, batch progress, signer edges. */
import * as assert from 'assert';
import { runBatch } from '../../src/core/work/batch';
import { READ_POLICIES, SERVICE_LIST_POLICIES, SERVICE_READ_POLICIES, WRITE_POLICIES, permissionFor } from '../../src/core/qianfan/permissions';
import { CancelledError, QianfanError, isAmbiguousFailure, isCancelled } from '../../src/core/qianfan/errors';
import { DEFAULT_RETRY_POLICY } from '../../src/core/qianfan/retry';
import { BceSigner, canonicalQueryString, formatBceTimestamp, uriEncode, uriEncodeExceptSlash } from '../../src/core/qianfan/signer';

describe('basics: errors', () => {
  it('names its errors and keeps a cause only when there is one', () => {
    const cause = new Error('under');
    const e = new QianfanError({ kind: 'network', message: 'm', cause });
    assert.strictEqual(e.name, 'QianfanError');
    assert.strictEqual(e.cause, cause);
    assert.strictEqual('cause' in new QianfanError({ kind: 'network', message: 'm' }), false);
    const c = new CancelledError();
    assert.deepStrictEqual([c.name, c.message], ['CancelledError', 'Cancelled']);
    assert.strictEqual(isCancelled(c), true);
    assert.strictEqual(isCancelled(Object.assign(new Error('x'), { name: 'TypeError' })), false);
    assert.strictEqual(isCancelled({ name: 'AbortError' }), false);
    assert.strictEqual(isAmbiguousFailure({ kind: 'network' }), false, 'only a QianfanError');
  });

  it('names the policies each action needs: reads accept read-only policies, deleting, exporting and following an export need full control', () => {
    assert.deepStrictEqual(permissionFor('DescribeModel'), { purpose: 'read', policies: READ_POLICIES });
    assert.deepStrictEqual(permissionFor('DeleteModel'), { purpose: 'delete', policies: WRITE_POLICIES });
    assert.deepStrictEqual(permissionFor('CreateModelExportTask'), { purpose: 'export', policies: WRITE_POLICIES });
    assert.deepStrictEqual(permissionFor('DescribeModelExportTask'), { purpose: 'followExport', policies: WRITE_POLICIES });
    assert.deepStrictEqual(permissionFor('DescribeServices'), { purpose: 'listServices', policies: SERVICE_LIST_POLICIES });
    assert.deepStrictEqual(permissionFor('DescribeService'), { purpose: 'readServices', policies: SERVICE_READ_POLICIES });
    assert.deepStrictEqual(SERVICE_LIST_POLICIES, ['QianfanFullControlAccessPolicy', 'QianfanDataOperateAccessPolicy', 'QianfanDataFullControlAccessPolicy']);
    assert.ok(READ_POLICIES.includes('QianfanReadAccessPolicy') && !WRITE_POLICIES.some((p) => p.includes('Read')));
    assert.deepStrictEqual(
      ['DescribeCustomModelSets', 'DescribeModelSet', 'DeleteModelSet', 'DescribeService'].map((a) => permissionFor(a)?.purpose),
      ['read', 'read', 'delete', 'readServices'],
    );
    assert.strictEqual(permissionFor('toString'), undefined, 'no inherited names');
    assert.strictEqual(permissionFor(undefined), undefined);
  });

  it('retries three times by default (eight after a throttled answer), from 300 ms up to 20 s', () => {
    assert.deepStrictEqual(DEFAULT_RETRY_POLICY, { maxRetries: 3, maxThrottledRetries: 8, baseDelayMs: 300, maxDelayMs: 20_000 });
  });
});

describe('basics: batch progress', () => {
  it('counts settled items up, and returns one outcome per item even when none runs', async () => {
    const seen: [number, number][] = [];
    await runBatch([1, 2, 3], (n) => Promise.resolve(n), { concurrency: 2, onSettled: (_o, done, total) => seen.push([done, total]) });
    assert.deepStrictEqual(seen, [
      [1, 3],
      [2, 3],
      [3, 3],
    ]);
    const none = await runBatch([], () => Promise.resolve(1), { concurrency: 0 });
    assert.deepStrictEqual(none, []);
    assert.strictEqual((await runBatch([1], (n) => Promise.resolve(n), { concurrency: 0.5 })).length, 1);
  });
});

describe('basics: signer edges', () => {
  it('encodes an empty path as / and adds a missing leading slash', () => {
    assert.strictEqual(uriEncodeExceptSlash(''), '/');
    assert.strictEqual(uriEncodeExceptSlash('v2/model'), '/v2/model');
    assert.strictEqual(uriEncodeExceptSlash('/a b/c'), '/a%20b/c');
  });

  it('encodes a lone surrogate as the replacement character', () => {
    assert.strictEqual(uriEncode('a\ud800b'), 'a%EF%BF%BDb');
  });

  it('signs a query key with no value as key=', () => {
    assert.strictEqual(canonicalQueryString({ b: null, a: undefined, c: '', d: 'x y' }), 'a=&b=&c=&d=x%20y');
    assert.strictEqual(canonicalQueryString(undefined), '');
  });

  it('formats each second anew, and signs each path anew', () => {
    assert.strictEqual(formatBceTimestamp(0), '1970-01-01T00:00:00Z');
    assert.strictEqual(formatBceTimestamp(1.9), '1970-01-01T00:00:01Z');
    assert.strictEqual(formatBceTimestamp(1), '1970-01-01T00:00:01Z');
    const signer = new BceSigner({ accessKeyId: 'ak', secretAccessKey: 'sk' });
    assert.strictEqual(signer.accessKeyId, 'ak');
    const sign = (path: string, headersToSign: string[]) =>
      signer.sign({ method: 'post', path, headers: { Host: 'h', 'X-Bce-Date': 'd', Skip: undefined }, headersToSign, timestampSeconds: 0 });
    const a = sign('/a', ['host']);
    const b = sign('/b', ['host']);
    const a2 = sign('/a', ['host', 'x-bce-date']);
    assert.match(a.canonicalRequest, /^POST\n\/a\n\nhost:h$/);
    assert.match(b.canonicalRequest, /^POST\n\/b\n/);
    assert.strictEqual(a2.signedHeaders, 'host;x-bce-date');
    assert.strictEqual(sign('/a', ['host']).authorization, a.authorization);
  });
});

describe('basics: an empty secret key', () => {
  it('still signs (the service will refuse it), without throwing', () => {
    const signer = new BceSigner({ accessKeyId: 'ak', secretAccessKey: '' });
    assert.match(signer.sign({ method: 'POST', path: '/', headers: { host: 'h' }, timestampSeconds: 0 }).authorization, /^bce-auth-v1\/ak\//);
  });
});
