/** The client against the local emulator over real loopback HTTP. */
import * as assert from 'assert';
import { type QianfanError, isCancelled } from '../../src/core/qianfan/errors';
import { generatedFixture } from '../emulator/fixture';
import { type Harness, failureOf, startHarness } from '../support/clientHarness';

async function rejectsWith(promise: Promise<unknown>, check: (e: QianfanError) => void): Promise<void> {
  check(await failureOf(promise));
}

describe('client: actions against the emulator', () => {
  let h: Harness;
  beforeEach(async () => (h = await startHarness()));
  afterEach(() => h.emulator.stop());

  it('lists a page of models with typed fields', async () => {
    const page = await h.client.listCustomModelSets({ maxKeys: 2 });
    assert.deepStrictEqual(
      page.items.map((m) => m.modelSetId),
      ['am-gh0azfeb9adu', 'am-m0t1zde3x111'],
    );
    assert.strictEqual(page.items[0].modelCount, 3);
    assert.deepStrictEqual(page.items[0].modelNames, ['V1', 'V2', 'V3']);
    assert.strictEqual(page.pageInfo.isTruncated, true);
    assert.strictEqual(page.pageInfo.nextMarker, 'am-q1w2e3r4t5y6');
  });

  it('describes a model and a version', async () => {
    const set = await h.client.describeModelSet('am-m0t1zde3x111');
    assert.strictEqual(set.modelSetName, 'news-summarizer');
    assert.deepStrictEqual(set.modelIds, ['amv-p8r2t6y1u3io', 'amv-z9x8c7v6b5nm']);
    const v = await h.client.describeModel('amv-g73j3faikzpz');
    assert.strictEqual(v.status, 'Ready');
    assert.strictEqual(v.modelSetId, 'am-gh0azfeb9adu');
    assert.strictEqual(v.sourceType, 'Train');
    assert.strictEqual(v.description, '客服问答 first fine-tune');
  });

  it('deletes a version, after which it is not found', async () => {
    assert.deepStrictEqual(await h.client.deleteModel('amv-34qkndzjf111'), { alreadyGone: false });
    await rejectsWith(h.client.describeModel('amv-34qkndzjf111'), (e) => {
      assert.strictEqual(e.status, 404);
      assert.strictEqual(e.code, 'ResourceNotFound');
      assert.ok(e.requestId);
    });
    assert.deepStrictEqual((await h.client.describeModelSet('am-gh0azfeb9adu')).modelIds, ['amv-g73j3faikzpz', 'amv-k2m9x7c4q1ab']);
  });

  it('creates an export and polls it to Done', async () => {
    h.emulator.store.exportDurationMs = 3_600_000; // running until the test says (no race with a loaded machine)
    const exportId = await h.client.createModelExportTask('amv-g73j3faikzpz');
    assert.match(exportId, /^exp-/);
    assert.strictEqual((await h.client.describeModelExportTask('amv-g73j3faikzpz')).status, 'Doing');
    h.emulator.store.exportDurationMs = 0;
    const done = await h.client.describeModelExportTask('amv-g73j3faikzpz');
    assert.strictEqual(done.status, 'Done');
    assert.strictEqual(done.exportId, exportId);
    assert.match(done.md5 ?? '', /^[0-9a-f]{32}$/);
    assert.ok((done.fileSize ?? 0) > 0 && done.downloadUrl?.startsWith('https://') && done.fileName);
  });

  it('startExport resumes a running export instead of creating another', async () => {
    h.emulator.store.exportDurationMs = 3_600_000;
    const first = await h.client.startExport('amv-g73j3faikzpz');
    const second = await h.client.startExport('amv-g73j3faikzpz');
    assert.deepStrictEqual(second, { exportId: first.exportId, resumed: true });
    assert.strictEqual(h.emulator.store.exportsCreated, 1);
  });

  it('reports a version with no export as hasRecord false', async () => {
    assert.deepStrictEqual(await h.client.describeModelExportTask('amv-a1s2d3f4g5h6'), {
      exportId: undefined,
      hasRecord: false,
      status: undefined,
      fileName: undefined,
      fileType: undefined,
      md5: undefined,
      fileSize: undefined,
      downloadUrl: undefined,
    });
  });

  it('logs one entry per request with status, request ID and time', async () => {
    await h.client.describeModel('amv-g73j3faikzpz');
    const [entry] = h.log;
    assert.strictEqual(entry.action, 'DescribeModel');
    assert.strictEqual(entry.target, 'amv-g73j3faikzpz');
    assert.strictEqual(entry.status, 200);
    assert.strictEqual(entry.outcome, 'ok');
    assert.match(entry.requestId ?? '', /^[0-9a-f-]{36}$/);
    assert.ok(entry.ms >= 0);
  });
});

describe('client: pagination', () => {
  let h: Harness;
  before(async () => (h = await startHarness({ fixture: generatedFixture(250, 2) })));
  after(() => h.emulator.stop());

  it('follows nextMarker across every page, one request per page of 100', async () => {
    const pages: number[] = [];
    const all = await h.client.listAllCustomModelSets({ onPage: (p) => pages.push(p.items.length) });
    assert.strictEqual(all.length, 250);
    assert.strictEqual(new Set(all.map((m) => m.modelSetId)).size, 250);
    assert.deepStrictEqual(pages, [100, 100, 50]);
    assert.strictEqual(h.emulator.count('DescribeCustomModelSets'), 3);
  });

  it('reports a bad marker as the service says', async () => {
    await rejectsWith(h.client.listCustomModelSets({ marker: 'am-doesnotexist' }), (e) => assert.strictEqual(e.code, 'InvalidMarker'));
  });
});

describe('client: bad input and credentials', () => {
  let h: Harness;
  beforeEach(async () => (h = await startHarness()));
  afterEach(() => h.emulator.stop());

  for (const id of ['', 'am-gh0azfeb9adu', 'amv-', 'AMV-G73J3FAIKZPZ', 'amv-g73j3faikzpz; DROP', ' amv-g73j3faikzpz']) {
    it(`rejects the version ID ${JSON.stringify(id)} before any request`, async () => {
      for (const call of [() => h.client.describeModel(id), () => h.client.deleteModel(id), () => h.client.startExport(id)]) {
        await rejectsWith(call(), (e) => assert.strictEqual(e.kind, 'invalidInput'));
      }
      assert.strictEqual(h.emulator.requests.length, 0);
    });
  }

  it('rejects a model ID that is a version ID', async () => {
    await rejectsWith(h.client.describeModelSet('amv-g73j3faikzpz'), (e) => assert.strictEqual(e.kind, 'invalidInput'));
  });

  it('says so when no keys are set, without a request', async () => {
    const client = h.makeClient({ credentials: () => undefined });
    await rejectsWith(client.describeModel('amv-g73j3faikzpz'), (e) => assert.strictEqual(e.kind, 'noCredentials'));
    assert.strictEqual(h.emulator.requests.length, 0);
  });

  it('reports an unknown access key (403) without retrying', async () => {
    const client = h.makeClient({ credentials: () => ({ accessKeyId: 'unknownAccessKey0000000000000000', secretAccessKey: 'x'.repeat(32) }) });
    await rejectsWith(client.describeModel('amv-g73j3faikzpz'), (e) => {
      assert.strictEqual(e.status, 403);
      assert.strictEqual(e.code, 'InvalidAccessKeyId');
    });
    assert.strictEqual(h.emulator.requests.length, 1);
  });

  it('reports a wrong secret key as SignatureDoesNotMatch without retrying', async () => {
    const client = h.makeClient({
      credentials: () => ({ accessKeyId: 'demoAccessKey0000000000000000001', secretAccessKey: 'wrongSecretKey000000000000000000' }),
    });
    await rejectsWith(client.describeModel('amv-g73j3faikzpz'), (e) => assert.strictEqual(e.code, 'SignatureDoesNotMatch'));
    assert.strictEqual(h.emulator.requests.length, 1);
  });

  it('rejects an endpoint that is plain http to a remote host', () => {
    assert.throws(() => h.makeClient({ endpoint: 'http://qianfan.baidubce.com' }), /https/);
    assert.throws(() => h.makeClient({ endpoint: 'https://qianfan.baidubce.com/v2/model' }), /only scheme and host/);
    assert.strictEqual(h.makeClient({ endpoint: 'https://qianfan.baidubce.com/' }).endpoint, 'https://qianfan.baidubce.com');
  });
});

describe('client: timeouts and cancellation', () => {
  let h: Harness;
  beforeEach(async () => (h = await startHarness()));
  afterEach(() => h.emulator.stop());

  it('times out a request that gets no answer, then retries a read', async () => {
    h.emulator.inject({ action: 'DescribeModel', fault: { kind: 'hang' } });
    const client = h.makeClient({ timeoutMs: 150 });
    const v = await client.describeModel('amv-g73j3faikzpz');
    assert.strictEqual(v.modelId, 'amv-g73j3faikzpz');
    assert.deepStrictEqual(
      h.log.map((e) => e.outcome),
      ['retry', 'ok'],
    );
    assert.match(h.log[0].error ?? '', /no answer within 150 ms/);
  });

  it('gives up with a timeout error when every attempt hangs', async () => {
    h.emulator.inject({ action: '*', fault: { kind: 'hang' }, times: 10 });
    const client = h.makeClient({ timeoutMs: 80, retry: { maxRetries: 1, baseDelayMs: 1, maxDelayMs: 2 } });
    await rejectsWith(client.describeModel('amv-g73j3faikzpz'), (e) => assert.strictEqual(e.kind, 'timeout'));
    assert.strictEqual(h.emulator.requests.length, 2);
  });

  it('stops at once when cancelled, and never retries a cancel', async () => {
    h.emulator.inject({ action: '*', fault: { kind: 'hang' }, times: 10 });
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 50);
    await assert.rejects(h.client.describeModel('amv-g73j3faikzpz', { signal: controller.signal }), (e) => isCancelled(e));
    assert.ok(Date.now() - started < 1000);
    assert.strictEqual(h.emulator.requests.length, 1);
    assert.strictEqual(h.log.at(-1)?.outcome, 'cancelled');
  });

  it('does not start when the signal is already aborted', async () => {
    await assert.rejects(h.client.describeModel('amv-g73j3faikzpz', { signal: AbortSignal.abort() }), (e) => isCancelled(e));
    assert.strictEqual(h.emulator.requests.length, 0);
  });
});
