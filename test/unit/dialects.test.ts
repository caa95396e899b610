/**
 * The same questions under every dialect the emulator speaks (test/emulator/dialects.ts): every
 * answer Baidu's pages and SDKs allow. Each case is one that today's main got wrong under some
 * dialect: the key check, a delete whose first answer was lost, a throttled burst, following an
 * export that failed, and the services check.
 */
import * as assert from 'assert';
import { type AdaptiveLimiter } from '../../src/core/qianfan/adaptiveLimit';
import { runBatch } from '../../src/core/work/batch';
import { findDeployments } from '../../src/core/qianfan/deployments';
import { pollExport } from '../../src/core/work/exportTasks';
import { checkKeys } from '../../src/core/qianfan/keyCheck';
import { READ_POLICIES } from '../../src/core/qianfan/permissions';
import { type QianfanClient } from '../../src/core/qianfan/qianfanClient';
import { DEFAULT_RETRY_POLICY } from '../../src/core/qianfan/retry';
import { DIALECTS, DIALECT_NAMES } from '../emulator/dialects';
import { DEMO_ACCESS_KEY, DEMO_SECRET_KEY, generatedFixture } from '../emulator/fixture';
import { type Harness, failureOf, startHarness } from '../support/clientHarness';

for (const name of DIALECT_NAMES) {
  const dialect = DIALECTS[name];

  describe(`dialect "${name}"`, function () {
    this.timeout(20_000);
    let h: Harness;
    afterEach(() => h?.emulator.stop());

    describe('the key check, every outcome', () => {
      const check = (client: QianfanClient, accessKeyId: string, skew: () => number | undefined = () => undefined) =>
        checkKeys(accessKeyId, () => client.listCustomModelSets({ maxKeys: 1 }), skew);

      it('keys that work', async () => {
        h = await startHarness({ dialect });
        assert.deepStrictEqual(await check(h.client, DEMO_ACCESS_KEY), { kind: 'ok' });
      });

      it('an access key the service does not know (and one shaped like an application key)', async () => {
        h = await startHarness({ dialect });
        const unknown = 'f'.repeat(32);
        const client = h.makeClient({ credentials: () => ({ accessKeyId: unknown, secretAccessKey: DEMO_SECRET_KEY }) });
        assert.deepStrictEqual(await check(client, unknown), { kind: 'unknownAccessKey', appKey: false });
        const app = 'abcdefghijklmnopqrstuvwx';
        const appClient = h.makeClient({ credentials: () => ({ accessKeyId: app, secretAccessKey: DEMO_SECRET_KEY }) });
        assert.deepStrictEqual(await check(appClient, app), { kind: 'unknownAccessKey', appKey: true });
        const e = await failureOf(client.listCustomModelSets());
        assert.strictEqual(e.errorClass, 'auth', 'any request: a key failure, never "not found"');
        assert.strictEqual(h.emulator.count('DescribeCustomModelSets'), 3, 'not retried');
      });

      it('a secret key that does not belong to the access key', async () => {
        h = await startHarness({ dialect });
        const client = h.makeClient({ credentials: () => ({ accessKeyId: DEMO_ACCESS_KEY, secretAccessKey: 'e'.repeat(32) }) });
        assert.deepStrictEqual(await check(client, DEMO_ACCESS_KEY), { kind: 'wrongSecretKey' });
      });

      it('a key without a read policy', async () => {
        h = await startHarness({ dialect, policies: { [DEMO_ACCESS_KEY]: ['QianfanServiceReadAccessPolicy'] } });
        const outcome = await check(h.client, DEMO_ACCESS_KEY);
        assert.strictEqual(outcome.kind, 'permission');
        assert.deepStrictEqual(outcome.kind === 'permission' && outcome.policies, READ_POLICIES);
      });

      it('a clock an hour behind is corrected and told; a timestamp the service keeps refusing is a clock problem', async () => {
        h = await startHarness({ dialect, clockOffsetMs: 3_600_000 });
        let skew: number | undefined;
        const client = h.makeClient({ onClockSkew: (ms) => (skew = ms) });
        const outcome = await check(client, DEMO_ACCESS_KEY, () => skew);
        assert.ok(outcome.kind === 'ok' && outcome.clockSkewMs !== undefined && Math.abs(outcome.clockSkewMs - 3_600_000) < 5_000, JSON.stringify(outcome));
        h.emulator.inject({ action: '*', fault: { kind: 'requestExpired' }, times: 10 });
        assert.strictEqual((await check(h.makeClient(), DEMO_ACCESS_KEY)).kind, 'clockSkew');
      });

      it('no answer', async () => {
        h = await startHarness({ dialect });
        const client = h.makeClient();
        await h.emulator.stop();
        assert.deepStrictEqual(await check(client, DEMO_ACCESS_KEY), { kind: 'network', timeout: false });
      });
    });

    describe('a delete whose first answer was lost', () => {
      it('the retry is told the version is missing (as this dialect says it): the delete is done, confirmed by its model', async () => {
        h = await startHarness({ dialect });
        const id = 'amv-34qkndzjf111';
        const modelSetId = h.emulator.store.versions.get(id)!.modelSetId;
        h.emulator.inject({ action: 'DeleteModel', fault: { kind: 'drop' }, phase: 'after' });
        assert.deepStrictEqual(await h.client.deleteModel(id, { modelSetId }), { alreadyGone: true });
        assert.strictEqual(h.emulator.store.versions.has(id), false);
        assert.deepStrictEqual(
          h.emulator.requests.map((r) => r.action),
          ['DeleteModel', 'DeleteModel', 'DescribeModelSet'],
        );
      });

      it('the retry is told "missing" while its model still lists it: a failure, and nothing is taken as deleted', async () => {
        h = await startHarness({ dialect });
        const id = 'amv-34qkndzjf111';
        h.emulator.inject({ action: 'DeleteModel', fault: { kind: 'drop' } });
        const missing = dialect.missing === 'notFound404' ? { status: 404, code: 'ResourceNotFound' } : { status: 400, code: 'InvalidRequestArgumentError' };
        h.emulator.inject({ action: 'DeleteModel', fault: { kind: 'status', ...missing, message: 'odd' } });
        const e = await failureOf(h.client.deleteModel(id));
        assert.strictEqual(e.status, missing.status);
        assert.strictEqual(h.emulator.store.versions.has(id), true);
      });
    });

    describe('a throttled burst', () => {
      it('20 deletes at 8 requests/s: every throttled answer waited out and retried, each result true', async () => {
        h = await startHarness({ dialect, fixture: generatedFixture(4, 5), rateLimit: 8 });
        const client = h.makeClient({ retry: DEFAULT_RETRY_POLICY });
        const ids = [...h.emulator.store.versions.keys()];
        const outcomes = await runBatch(ids, (id, signal) => client.deleteModel(id, { signal }), { concurrency: client.limiter.ceiling });
        assert.deepStrictEqual(
          outcomes.filter((o) => !o.ok).map((o) => String(!o.ok && o.error)),
          [],
        );
        assert.strictEqual(h.emulator.store.versions.size, 0);
        assert.ok(h.emulator.throttled > 0, 'the limit was reached');
      });

      it('the pace the service announces (X-Ratelimit-Limit-Requests, per minute) caps the limiter', async () => {
        h = await startHarness({ dialect, rateLimit: 8 });
        const client = h.makeClient();
        await client.describeModel('amv-34qkndzjf111');
        const limiter = client.limiter as AdaptiveLimiter;
        assert.strictEqual(limiter.state.rate, dialect.rateHeader ? 8 : undefined);
      });

      it('a daily quota (legacy 17) is reported at once, not retried', async () => {
        h = await startHarness({ dialect });
        h.emulator.inject({
          action: 'DescribeModel',
          fault: { kind: 'raw', status: 200, body: '{"error_code":17,"error_msg":"Open api daily request limit reached"}' },
        });
        const e = await failureOf(h.client.describeModel('amv-34qkndzjf111'));
        assert.strictEqual(e.errorClass, 'quota');
        assert.strictEqual(h.emulator.count('DescribeModel'), 1);
      });
    });

    describe('following an export', () => {
      it('ours, to Done', async () => {
        h = await startHarness({ dialect });
        const id = 'amv-34qkndzjf111';
        const { exportId } = await h.client.startExport(id);
        const out = await pollExport(h.client, { modelId: id, exportId, startedAt: Date.now() }, { intervalMs: 20, maxIntervalMs: 40 });
        assert.ok(out.status === 'Done' && out.task.exportId === exportId);
      });

      it('ours failed after an earlier export was done: never reported as Done with the earlier file', async () => {
        h = await startHarness({ dialect });
        const id = 'amv-34qkndzjf111';
        const first = await h.client.startExport(id);
        const done = await pollExport(h.client, { modelId: id, exportId: first.exportId, startedAt: Date.now() }, { intervalMs: 20 });
        assert.strictEqual(done.status, 'Done');
        h.emulator.store.versions.get(id)!.exportFails = true;
        const second = await h.client.startExport(id);
        assert.notStrictEqual(second.exportId, first.exportId);
        const out = await pollExport(
          h.client,
          { modelId: id, exportId: second.exportId, startedAt: Date.now() },
          { intervalMs: 20, maxIntervalMs: 40, noRecordGraceMs: 300 },
        );
        assert.strictEqual(out.status, 'Fail');
        if (out.status === 'Fail') {
          assert.strictEqual(out.failure, dialect.failedExport === 'fail' ? 'failed' : 'noRecord');
          assert.strictEqual(out.earlier?.exportId, dialect.failedExport === 'older' ? first.exportId : undefined);
        }
      });
    });

    describe('the services check', () => {
      it('finds the services of both protocol versions, whatever field names the version', async () => {
        h = await startHarness({
          dialect,
          services: [
            { serviceId: 'svco-1', name: 'one', modelId: 'amv-34qkndzjf111', modelSetId: 'am-gh0azfeb9adu', protocolVersion: 1 },
            { serviceId: 'svco-2', name: 'two', modelId: 'amv-34qkndzjf111', modelSetId: 'am-gh0azfeb9adu', protocolVersion: 2 },
            { serviceId: 'svco-3', name: 'three', modelId: 'amv-g73j3faikzpz', protocolVersion: 2 },
          ],
        });
        const check = await findDeployments(['amv-34qkndzjf111'], {
          listServices: (p, signal) => h.client.listServices(p, { signal }),
          describeService: (id, signal) => h.client.describeService(id, { signal }),
        });
        assert.ok(check.kind === 'checked', JSON.stringify(check));
        assert.strictEqual(check.services, 3);
        assert.deepStrictEqual(
          check.running
            .get('amv-34qkndzjf111')
            ?.map((s) => s.name)
            .sort(),
          ['one', 'two'],
        );
      });
    });
  });
}
