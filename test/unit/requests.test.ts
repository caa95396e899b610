/** What the client sends for each action, through a recording transport (no network). */
import * as assert from 'assert';
import { type AdaptiveLimiter } from '../../src/core/qianfan/adaptiveLimit';
import { type HttpResponse } from '../../src/core/qianfan/http';
import { DEMO_ACCESS_KEY, DEMO_SECRET_KEY } from '../emulator/fixture';
import { failureOf } from '../support/clientHarness';
import { M, RESULTS, V, bodyOf, recorder } from '../support/recordingClient';

describe('requests: what each action sends', () => {
  it('names the action in the URL, sends its body and the signed headers', async () => {
    const r = recorder({ userAgent: 'qianfan-test/1' });
    await r.client.listCustomModelSets();
    await r.client.listCustomModelSets({ marker: 'mk', maxKeys: 5 });
    await r.client.listCustomModelSets({ marker: '' });
    await r.client.describeModelSet(M);
    await r.client.describeModel(V);
    await r.client.deleteModel(V);
    await r.client.createModelExportTask(V);
    await r.client.describeModelExportTask(V);
    assert.deepStrictEqual(
      r.sent.map((s) => [s.url, bodyOf(s)]),
      [
        ['https://qianfan.baidubce.com/v2/model?Action=DescribeCustomModelSets', { maxKeys: 100 }],
        ['https://qianfan.baidubce.com/v2/model?Action=DescribeCustomModelSets', { maxKeys: 5, marker: 'mk' }],
        ['https://qianfan.baidubce.com/v2/model?Action=DescribeCustomModelSets', { maxKeys: 100 }],
        ['https://qianfan.baidubce.com/v2/model?Action=DescribeModelSet', { modelSetId: M }],
        ['https://qianfan.baidubce.com/v2/model?Action=DescribeModel', { modelId: V }],
        ['https://qianfan.baidubce.com/v2/model?Action=DeleteModel', { modelId: V }],
        ['https://qianfan.baidubce.com/v2/model?Action=CreateModelExportTask', { modelId: V }],
        ['https://qianfan.baidubce.com/v2/model?Action=DescribeModelExportTask', { modelId: V }],
      ],
    );
    const h = r.sent[0].headers;
    assert.strictEqual(r.sent[0].method, 'POST');
    assert.strictEqual(h.host, 'qianfan.baidubce.com');
    assert.strictEqual(h['content-type'], 'application/json');
    assert.strictEqual(h.accept, 'application/json');
    assert.strictEqual(h['user-agent'], 'qianfan-test/1');
    assert.match(h['x-bce-date'], /^2023-11-14T22:13:2\dZ$/);
    assert.match(h.authorization, new RegExp(`^bce-auth-v1/${DEMO_ACCESS_KEY}/2023-11-14T22:13:2\\dZ/1800/host;x-bce-date/[0-9a-f]{64}$`));
    assert.strictEqual(r.sent[0].maxResponseBytes, 8 * 1024 * 1024);
    assert.strictEqual(recorder().client.endpoint, 'https://qianfan.baidubce.com');
  });

  it('sends no user agent unless given one, and honours the expiration and cap options', async () => {
    const r = recorder({ expirationSeconds: 60, maxResponseBytes: 1234 });
    await r.client.describeModel(V);
    assert.strictEqual('user-agent' in r.sent[0].headers, false);
    assert.match(r.sent[0].headers.authorization, /\/60\/host;x-bce-date\//);
    assert.strictEqual(r.sent[0].maxResponseBytes, 1234);
  });

  it('logs each attempt with its action, target, attempt number, status, request ID and time', async () => {
    const r = recorder();
    await r.client.describeModel(V);
    assert.deepStrictEqual(r.log, [{ action: 'DescribeModel', target: V, attempt: 0, status: 200, requestId: 'rid', ms: 21, outcome: 'ok', error: undefined }]);
  });

  it('logs a final failure as error, with its description', async () => {
    const r = recorder({}, () => ({ status: 404, headers: {}, body: '{"code":"ResourceNotFound","message":"gone","requestId":"r9"}' }));
    const e = await failureOf(r.client.describeModel(V));
    assert.strictEqual(e.action, 'DescribeModel');
    assert.deepStrictEqual(r.log.at(-1), {
      action: 'DescribeModel',
      target: V,
      attempt: 0,
      status: 404,
      requestId: 'r9',
      ms: 21,
      outcome: 'error',
      error: 'DescribeModel HTTP 404 ResourceNotFound: gone (requestId r9)',
    });
  });

  it('takes X-Ratelimit-Limit-Requests (per minute) as the pace, from any answer; a value that is not a positive number is ignored', async () => {
    const rateAfter = async (value: string | undefined, status = 200) => {
      const r = recorder({}, (): HttpResponse => ({
        status,
        headers: value === undefined ? {} : { 'x-ratelimit-limit-requests': value },
        body: status === 200 ? JSON.stringify({ result: RESULTS.DescribeModel }) : '{"code":"InternalError","message":"x"}',
      }));
      await r.client.describeModel('amv-g73j3faikzpz').catch(() => undefined);
      return (r.client.limiter as AdaptiveLimiter).state.rate;
    };
    assert.strictEqual(await rateAfter('600'), 10);
    assert.strictEqual(await rateAfter(' 90 '), 1.5);
    assert.strictEqual(await rateAfter('120', 500), 2, 'an error answer tells the pace too');
    for (const ignored of [undefined, '', '  ', '0', '-60', 'many', 'Infinity']) {
      assert.strictEqual(await rateAfter(ignored), undefined, String(ignored));
    }
  });

  it('signs with new keys as soon as they change', async () => {
    let ak = DEMO_ACCESS_KEY;
    const r = recorder({ credentials: () => ({ accessKeyId: ak, secretAccessKey: DEMO_SECRET_KEY }) });
    await r.client.describeModel(V);
    ak = 'otherAccessKey00000000000000000000';
    await r.client.describeModel(V);
    assert.match(r.sent[1].headers.authorization, /^bce-auth-v1\/otherAccessKey0+\//);
    const sk = { value: DEMO_SECRET_KEY };
    const r2 = recorder({ credentials: () => ({ accessKeyId: DEMO_ACCESS_KEY, secretAccessKey: sk.value }), now: () => 1_700_000_000_000 });
    await r2.client.describeModel(V);
    sk.value = 'x'.repeat(32);
    await r2.client.describeModel(V);
    assert.notStrictEqual(r2.sent[0].headers.authorization, r2.sent[1].headers.authorization);
  });

  it('says exactly what is wrong with an ID, naming the action', async () => {
    const r = recorder();
    const cases: [Promise<unknown>, string, string][] = [
      [r.client.describeModelSet(V), 'DescribeModelSet', `"${V}" is not a valid model ID (am-…)`],
      [r.client.describeModel(M), 'DescribeModel', `"${M}" is not a valid model version ID (amv-…)`],
      [r.client.deleteModel('x'.repeat(99)), 'DeleteModel', `"${'x'.repeat(64)}" is not a valid model version ID (amv-…)`],
      [r.client.createModelExportTask(M), 'CreateModelExportTask', `"${M}" is not a valid model version ID (amv-…)`],
      [r.client.describeModelExportTask(M), 'DescribeModelExportTask', `"${M}" is not a valid model version ID (amv-…)`],
      [r.client.startExport(M), 'CreateModelExportTask', `"${M}" is not a valid model version ID (amv-…)`],
      [r.client.describeModel(42 as unknown as string), 'DescribeModel', '"42" is not a valid model version ID (amv-…)'],
    ];
    for (const [call, action, message] of cases) {
      const e = await failureOf(call);
      assert.deepStrictEqual([e.kind, e.action, e.message], ['invalidInput', action, message]);
    }
    assert.strictEqual(r.sent.length, 0);
  });

  it('says when no keys are set', async () => {
    const e = await failureOf(recorder({ credentials: () => ({ accessKeyId: 'a', secretAccessKey: '' }) }).client.describeModel(V));
    assert.deepStrictEqual([e.kind, e.action, e.message], ['noCredentials', 'DescribeModel', 'No Qianfan access key / secret key is set']);
  });

  it('reports a result that does not parse as a bad answer of that action', async () => {
    const r = recorder({}, () => ({ status: 200, headers: {}, body: '{"result":{"modelSetId":1}}' }));
    const e = await failureOf(r.client.describeModelSet(M));
    assert.deepStrictEqual([e.kind, e.action, e.message], ['badResponse', 'DescribeModelSet', 'unexpected answer: field "modelSetId" is not a string']);
  });
});

describe('requests: paging', () => {
  const pages = (infos: unknown[]) => {
    let i = 0;
    return () => ({ status: 200, headers: {}, body: JSON.stringify({ result: { customModelSetList: [{ modelSetId: `am-${i}` }], pageInfo: infos[i++] } }) });
  };

  it('asks for pages of the given size, following each marker once', async () => {
    const r = recorder({}, pages([{ isTruncated: true, nextMarker: 'b' }, { isTruncated: false }]));
    const all = await r.client.listAllCustomModelSets({ pageSize: 7 });
    assert.deepStrictEqual(
      all.map((m) => m.modelSetId),
      ['am-0', 'am-1'],
    );
    assert.deepStrictEqual(r.sent.map(bodyOf), [{ maxKeys: 7 }, { maxKeys: 7, marker: 'b' }]);
  });

  it('stops on a truncated page without nextMarker, or a marker seen before', async () => {
    const missing = recorder({}, pages([{ isTruncated: true }]));
    const e1 = await failureOf(missing.client.listAllCustomModelSets());
    assert.deepStrictEqual([e1.kind, e1.action, e1.message], ['badResponse', 'DescribeCustomModelSets', 'a truncated page came without nextMarker']);
    const loop = recorder(
      {},
      pages([
        { isTruncated: true, nextMarker: 'a' },
        { isTruncated: true, nextMarker: 'b' },
        { isTruncated: true, nextMarker: 'a' },
      ]),
    );
    const e2 = await failureOf(loop.client.listAllCustomModelSets());
    assert.strictEqual(e2.message, 'the page marker "a" repeated; stopped paging');
    assert.strictEqual(loop.sent.length, 3);
  });
});

describe('requests: clock skew', () => {
  const NOW = 1_700_000_000_000;
  const expired = (serverMs: number, code = 'RequestExpired', status = 400) => ({
    status,
    headers: { date: new Date(serverMs).toUTCString() },
    body: JSON.stringify({ code, message: 'x' }),
  });
  const once = (first: HttpResponse) => {
    let n = 0;
    return () => (n++ === 0 ? first : { status: 200, headers: {}, body: JSON.stringify({ result: RESULTS.DescribeModel }) });
  };

  it('learns only from RequestExpired, and reports a skew over a minute', async () => {
    const busy = recorder({ now: () => NOW }, once(expired(NOW + 3_600_000, 'InternalError', 500)));
    await busy.client.describeModel(V);
    assert.deepStrictEqual([busy.client.clockSkewMs, busy.skews], [0, []]);
    const late = recorder({ now: () => NOW }, once(expired(NOW + 3_600_000)));
    await late.client.describeModel(V);
    assert.deepStrictEqual([late.client.clockSkewMs, late.skews], [3_600_000, [3_600_000]]);
    assert.match(late.sent[1].headers['x-bce-date'], /^2023-11-14T23:13:20Z$/);
  });

  it('learns a skew of a minute or less silently, and exactly one day still', async () => {
    const minute = recorder({ now: () => NOW }, once(expired(NOW + 60_000)));
    await minute.client.describeModel(V);
    assert.deepStrictEqual([minute.client.clockSkewMs, minute.skews], [60_000, []]);
    const more = recorder({ now: () => NOW }, once(expired(NOW - 61_000)));
    await more.client.describeModel(V);
    assert.deepStrictEqual(more.skews, [-61_000]);
    const day = recorder({ now: () => NOW }, once(expired(NOW - 86_400_000)));
    await day.client.describeModel(V);
    assert.strictEqual(day.client.clockSkewMs, -86_400_000);
    const over = recorder({ now: () => NOW }, once(expired(NOW - 86_401_000)));
    await over.client.describeModel(V);
    assert.strictEqual(over.client.clockSkewMs, 0);
  });

  it('does not learn from a RequestExpired without a Date', async () => {
    const r = recorder({ now: () => NOW }, once({ status: 400, headers: {}, body: '{"code":"RequestExpired"}' }));
    await r.client.describeModel(V);
    assert.strictEqual(r.client.clockSkewMs, 0);
    assert.strictEqual(r.sent.length, 2);
  });
});
