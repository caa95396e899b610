/** Finding 2: an unreadable 2xx after a mutating action is ambiguous and reconciled, not a failure. */
import * as assert from 'assert';
import { QianfanError, isAmbiguousFailure } from '../../src/core/qianfan/errors';
import { type Harness, failureOf, startHarness } from '../support/clientHarness';

const noRetry = { maxRetries: 0, baseDelayMs: 1, maxDelayMs: 1 };

describe('finding 2: an unreadable success is checked, not reported as a failure', () => {
  let h: Harness;
  beforeEach(async () => (h = await startHarness()));
  afterEach(() => h.emulator.stop());

  it('DeleteModel answered with a truncated 2xx body: confirmed deleted by its model no longer listing it', async () => {
    h.emulator.inject({ action: 'DeleteModel', fault: { kind: 'malformed' }, phase: 'after' });
    assert.deepStrictEqual(await h.client.deleteModel('amv-34qkndzjf111'), { alreadyGone: true });
    assert.strictEqual(h.emulator.store.versions.has('amv-34qkndzjf111'), false);
    assert.deepStrictEqual(
      h.emulator.requests.map((r) => r.action),
      ['DeleteModel', 'DescribeModel', 'DescribeCustomModelSets'],
      'its model unknown: DescribeModel, then the listing',
    );
  });

  it('DeleteModel answered with a truncated 2xx body, its model known: one DescribeModelSet tells', async () => {
    const modelSetId = h.emulator.store.versions.get('amv-34qkndzjf111')!.modelSetId;
    h.emulator.inject({ action: 'DeleteModel', fault: { kind: 'malformed' }, phase: 'after' });
    assert.deepStrictEqual(await h.client.deleteModel('amv-34qkndzjf111', { modelSetId }), { alreadyGone: true });
    assert.deepStrictEqual(
      h.emulator.requests.map((r) => r.action),
      ['DeleteModel', 'DescribeModelSet'],
    );
  });

  it('DeleteModel answered with a 2xx of the wrong shape while the version still exists: the failure stands', async () => {
    h.emulator.inject({ action: 'DeleteModel', fault: { kind: 'raw', status: 200, body: '{"requestId":"r1","result"' } });
    const e = await failureOf(h.client.deleteModel('amv-34qkndzjf111'));
    assert.strictEqual(e.kind, 'badResponse');
    assert.strictEqual(h.emulator.store.versions.has('amv-34qkndzjf111'), true);
  });

  it('DeleteModel after a final 5xx: a version that is gone counts as deleted', async () => {
    h.emulator.inject({ action: 'DeleteModel', fault: { kind: 'status', status: 500 }, phase: 'after' });
    const client = h.makeClient({ retry: noRetry });
    assert.deepStrictEqual(await client.deleteModel('amv-34qkndzjf111'), { alreadyGone: true });
  });

  it('CreateModelExportTask answered with a truncated 2xx body: the created task is followed', async () => {
    h.emulator.inject({ action: 'CreateModelExportTask', fault: { kind: 'malformed' }, phase: 'after' });
    const started = await h.client.startExport('amv-g73j3faikzpz');
    assert.strictEqual(started.exportId, h.emulator.store.exports.get('amv-g73j3faikzpz')?.exportId);
    assert.strictEqual(h.emulator.store.exportsCreated, 1);
  });

  it('CreateModelExportTask answered 200 without an exportId: the created task is followed', async () => {
    h.emulator.inject({ action: 'CreateModelExportTask', fault: { kind: 'raw', status: 200, body: '{"result":{}}' }, phase: 'after' });
    const started = await h.client.startExport('amv-g73j3faikzpz');
    assert.strictEqual(started.exportId, h.emulator.store.exports.get('amv-g73j3faikzpz')?.exportId);
  });

  it('counts bad and over-large answers as ambiguous, and a plain 4xx or a cancel as not', () => {
    assert.strictEqual(isAmbiguousFailure(new QianfanError({ kind: 'badResponse', status: 200, message: 'x' })), true);
    assert.strictEqual(isAmbiguousFailure(new QianfanError({ kind: 'tooLarge', message: 'x' })), true);
    assert.strictEqual(isAmbiguousFailure(new QianfanError({ kind: 'network', message: 'x' })), true);
    assert.strictEqual(isAmbiguousFailure(new QianfanError({ kind: 'timeout', message: 'x' })), true);
    assert.strictEqual(isAmbiguousFailure(new QianfanError({ kind: 'api', status: 502, message: 'x' })), true);
    assert.strictEqual(isAmbiguousFailure(new QianfanError({ kind: 'api', status: 400, code: 'InappropriateJSON', message: 'x' })), false);
    assert.strictEqual(isAmbiguousFailure(new QianfanError({ kind: 'api', status: 302, message: 'x' })), false);
    assert.strictEqual(isAmbiguousFailure(new QianfanError({ kind: 'invalidInput', message: 'x' })), false);
    assert.strictEqual(isAmbiguousFailure(new Error('x')), false);
  });
});
