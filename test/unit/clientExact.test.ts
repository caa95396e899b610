/**
 * The client's edges, exactly: how each error class is decided (the code before the status),
 * what the gate is told of each failure, the services requests, when a delete looks at the
 * service before it fails, and what a call leaves behind (no timer, nothing sent after a cancel).
 */
import * as assert from 'assert';
import { CancelledError, QianfanError } from '../../src/core/qianfan/errors';
import { type ClassifiableError, authFailure, classifyError } from '../../src/core/qianfan/errorCodes';
import { FixedGate } from '../../src/core/qianfan/gate';
import { type HttpRequest, type HttpResponse } from '../../src/core/qianfan/http';
import { gateOutcome } from '../../src/core/qianfan/requestRunner';
import { failureOf } from '../support/clientHarness';
import { M, RESULTS, V, bodyOf, recorder } from '../support/recordingClient';

const api = (e: Partial<ClassifiableError>): ClassifiableError => ({ kind: 'api', ...e });
const actionOf = (r: HttpRequest) => new URL(r.url).searchParams.get('Action') ?? '';
const ok = (result: unknown): HttpResponse => ({ status: 200, headers: {}, body: JSON.stringify({ result }) });
const failure = (status: number, code: string, message = 'x'): HttpResponse => ({ status, headers: {}, body: JSON.stringify({ code, message }) });

describe('error classes, exactly', () => {
  it('a documented code decides the class, whatever the status', () => {
    const table: [string, string][] = [
      ['SignatureDoesNotMatch', 'auth'],
      ['InvalidAccessKeyId', 'auth'],
      ['InvalidHTTPAuthHeader', 'auth'],
      ['AccessDenied', 'permission'],
      ['ResourceNotFound', 'notFound'],
      ['NoSuchObject', 'notFound'],
      ['NotFound', 'notFound'],
      ['QuotaLimitExceeded', 'throttled'],
      ['18', 'throttled'],
      ['17', 'quota'],
      ['InternalError', 'transient'],
      ['RequestExpired', 'expired'],
      ['InvalidRequestArgumentError', 'other'],
      ['InappropriateJSON', 'other'],
    ];
    for (const [code, expected] of table) {
      for (const status of [200, 400, 404, 418, 500]) {
        assert.strictEqual(classifyError(api({ code, status })), expected, `${code} with HTTP ${status}`);
      }
    }
  });

  it('without a known code: a code that says "not found", else the status', () => {
    assert.strictEqual(classifyError(api({ code: 'ModelNotExist', status: 400 })), 'notFound');
    assert.strictEqual(classifyError(api({ code: 'NoSuchModel', status: 400 })), 'notFound');
    assert.strictEqual(classifyError(api({ code: 'Weird', status: 418 })), 'other');
    assert.strictEqual(classifyError(api({ code: 'Weird', status: 400 })), 'other');
    assert.strictEqual(classifyError(api({ code: 'Weird', status: 503 })), 'transient');
    assert.strictEqual(classifyError(api({ code: 'Weird', status: 600 })), 'other');
    assert.strictEqual(classifyError(api({ status: 404 })), 'notFound', 'no code: the status');
    assert.strictEqual(classifyError(api({ status: 401 })), 'auth');
    assert.strictEqual(classifyError(api({})), 'other');
  });

  it('an unknown access key in every wording, in the message or only in the header message', () => {
    const wordings = [
      'The Access Key ID you provided does not exist in our records.',
      'The Access Key ID you provided does notexist in our records.',
      'The Access Key ID you provided doesnot exist in our records.',
      'NotFound, cause: Could not find credential.',
    ];
    for (const words of wordings) {
      assert.strictEqual(authFailure(api({ status: 403, message: words })), 'unknownAccessKey', words);
      assert.strictEqual(authFailure(api({ status: 403, headerMessage: words })), 'unknownAccessKey', `header: ${words}`);
      assert.strictEqual(classifyError(api({ status: 404, code: 'NotFound', headerMessage: words })), 'auth', `NotFound with: ${words}`);
    }
    assert.strictEqual(authFailure(api({ status: 400, code: 'InvalidHTTPAuthHeader' })), 'unknownAccessKey');
    assert.strictEqual(authFailure(api({ status: 403, code: 'InvalidAccessKeyId' })), 'unknownAccessKey');
    assert.strictEqual(authFailure(api({ status: 403, headerMessage: 'Signature does not match' })), 'wrongSecretKey');
    assert.strictEqual(authFailure(api({ status: 403, code: 'AccessDenied', message: 'the access key lacks a policy' })), undefined);
    assert.strictEqual(authFailure({ kind: 'network', message: 'Could not find credential.' }), undefined, 'only an answer tells');
  });
});

describe('what the gate is told of a failure', () => {
  it('a cancel, a throttled answer, no answer, or an answer', () => {
    const e = (code: string, status: number) => new QianfanError({ kind: 'api', action: 'DescribeModel', code, status, message: 'x' });
    assert.strictEqual(gateOutcome(new CancelledError()), 'cancelled');
    assert.strictEqual(gateOutcome(e('QuotaLimitExceeded', 400)), 'throttled');
    assert.strictEqual(gateOutcome(e('InternalError', 500)), 'failed');
    assert.strictEqual(gateOutcome(new QianfanError({ kind: 'timeout', action: 'DescribeModel', message: 'x' })), 'failed');
    assert.strictEqual(gateOutcome(e('ResourceNotFound', 404)), 'answered');
    assert.strictEqual(gateOutcome(e('17', 200)), 'answered', 'a used-up quota is an answer, not a pace');
  });
});

describe('the services requests', () => {
  it('DescribeServices sends the page size (100 unless given), a marker only when there is one, the protocol only when asked', async () => {
    const r = recorder({}, () => ok({ serviceList: [], pageInfo: { isTruncated: false } }));
    await r.client.listServices();
    await r.client.listServices({ marker: '', maxKeys: 7, protocolVersion: 2 });
    await r.client.listServices({ marker: 'm2', protocolVersion: 1 });
    assert.deepStrictEqual(
      r.sent.map((s) => [s.url, bodyOf(s)]),
      [
        ['https://qianfan.baidubce.com/v2/service?Action=DescribeServices', { maxKeys: 100 }],
        ['https://qianfan.baidubce.com/v2/service?Action=DescribeServices', { maxKeys: 7, protocolVersion: 2 }],
        ['https://qianfan.baidubce.com/v2/service?Action=DescribeServices', { maxKeys: 100, marker: 'm2', protocolVersion: 1 }],
      ],
    );
  });

  it('DescribeService checks the service ID before sending it', async () => {
    const r = recorder({}, () => ok({ serviceId: 'svc-1', modelId: V }));
    assert.deepStrictEqual(await r.client.describeService('svc-1'), { serviceId: 'svc-1', name: 'svc-1', runStatus: undefined, modelId: V });
    assert.deepStrictEqual(
      r.sent.map((s) => [s.url, bodyOf(s)]),
      [['https://qianfan.baidubce.com/v2/service?Action=DescribeService', { serviceId: 'svc-1' }]],
    );
    for (const bad of ['', 'a/b', 'x svc-1', 'svc-1 x', 'x'.repeat(65)]) {
      const e = await failureOf(r.client.describeService(bad));
      assert.deepStrictEqual([e.kind, e.action], ['invalidInput', 'DescribeService'], JSON.stringify(bad));
    }
    const long = await failureOf(r.client.describeService(`${'y'.repeat(70)}!`));
    assert.strictEqual(long.message, `not a service ID: ${'y'.repeat(64)}`);
    assert.strictEqual(r.sent.length, 1);
  });

  it('each action is named in the log of its request', async () => {
    const r = recorder({}, (req) => (actionOf(req) === 'DescribeServices' ? ok({ serviceList: [] }) : ok(RESULTS[actionOf(req)])));
    await r.client.listServices();
    await r.client.describeModelSet(M);
    await r.client.createModelExportTask(V);
    await r.client.describeModelExportTask(V);
    assert.deepStrictEqual(
      r.log.map((l) => l.action),
      ['DescribeServices', 'DescribeModelSet', 'CreateModelExportTask', 'DescribeModelExportTask'],
    );
  });
});

describe('which requests are repeated after a failure that may be passing', () => {
  it('every read, once more after a 500; the create of an export never', async () => {
    const calls: [string, (c: ReturnType<typeof recorder>['client']) => Promise<unknown>][] = [
      ['DescribeServices', (c) => c.listServices()],
      ['DescribeService', (c) => c.describeService('svc-1')],
      ['DescribeModelSet', (c) => c.describeModelSet(M)],
      ['DescribeModel', (c) => c.describeModel(V)],
      ['DescribeModelExportTask', (c) => c.describeModelExportTask(V)],
      ['DescribeCustomModelSets', (c) => c.listCustomModelSets()],
    ];
    const results: Record<string, unknown> = { ...RESULTS, DescribeServices: { serviceList: [] }, DescribeService: { serviceId: 'svc-1' } };
    for (const [action, call] of calls) {
      let n = 0;
      const r = recorder({}, (req) => (n++ === 0 ? failure(500, 'InternalError') : ok(results[actionOf(req)])));
      await call(r.client);
      assert.deepStrictEqual(r.sent.map(actionOf), [action, action], action);
    }
    const create = recorder({}, () => failure(500, 'InternalError'));
    const e = await failureOf(create.client.createModelExportTask(V));
    assert.strictEqual(e.code, 'InternalError');
    assert.strictEqual(create.sent.length, 1);
  });
});

describe('IDs that only look right', () => {
  it('a list holding one valid ID is not an ID', async () => {
    const r = recorder();
    const e = await failureOf(r.client.describeModel([V] as unknown as string));
    assert.deepStrictEqual([e.kind, e.action], ['invalidInput', 'DescribeModel']);
    assert.strictEqual(r.sent.length, 0);
  });
});

describe('paging without end', () => {
  it('stops after 10,000 pages, each with a new marker', async function () {
    this.timeout(60_000);
    let n = 0;
    const r = recorder({}, () => ok({ customModelSetList: [], pageInfo: { isTruncated: true, nextMarker: `m${n++}` } }));
    const e = await failureOf(r.client.listAllCustomModelSets());
    assert.deepStrictEqual([e.kind, e.action, e.message], ['badResponse', 'DescribeCustomModelSets', 'more than 10000 pages']);
    assert.strictEqual(r.sent.length, 10_000);
  });
});

describe('a delete that fails', () => {
  it('a plain refusal fails at once: nothing is looked at', async () => {
    const r = recorder({}, () => failure(403, 'AccessDenied'));
    const e = await failureOf(r.client.deleteModel(V, { modelSetId: M }));
    assert.strictEqual(e.code, 'AccessDenied');
    assert.deepStrictEqual(r.sent.map(actionOf), ['DeleteModel']);
  });

  it('after an attempt that may have acted, a refusal is checked: the version gone from its model means deleted', async () => {
    const answers = [failure(500, 'InternalError'), failure(403, 'AccessDenied'), ok({ modelSetId: M, modelIds: ['amv-other1234567'] })];
    const r = recorder({}, () => answers.shift()!);
    assert.deepStrictEqual(await r.client.deleteModel(V, { modelSetId: M }), { alreadyGone: true });
    assert.deepStrictEqual(r.sent.map(actionOf), ['DeleteModel', 'DeleteModel', 'DescribeModelSet']);
  });
});

describe('what a call leaves behind', () => {
  const timers = () => process.getActiveResourcesInfo().filter((x) => x === 'Timeout').length;

  it('no timer: the request timeout is cleared when the answer comes', async () => {
    const r = recorder({ timeoutMs: 60_000 });
    await new Promise((resolve) => setImmediate(resolve)); // mocha's own timer for this test is set by now
    const before = timers();
    await r.client.describeModel(V);
    await failureOf(recorder({ timeoutMs: 60_000 }, () => failure(403, 'AccessDenied')).client.describeModel(V));
    assert.strictEqual(timers(), before);
  });

  it('an aborted signal: nothing is sent', async () => {
    const r = recorder({ limiter: new FixedGate(4) });
    const e = await r.client.describeModel(V, { signal: AbortSignal.abort() }).then(
      () => undefined,
      (x: unknown) => x,
    );
    assert.ok(e instanceof CancelledError);
    assert.strictEqual(r.sent.length, 0);
  });

  it('a cancelled export start aborts its request on the wire', async () => {
    const signals: AbortSignal[] = [];
    const hanging = {
      send: (req: HttpRequest) => {
        signals.push(req.signal);
        return new Promise<HttpResponse>((_, reject) => req.signal.addEventListener('abort', () => reject(new Error('aborted'))));
      },
    };
    const client = recorder({ transport: hanging }).client;
    const ctl = new AbortController();
    const start = client.startExport(V, { signal: ctl.signal }).catch((x: unknown) => x);
    while (signals.length === 0) {
      await new Promise((resolve) => setImmediate(resolve));
    }
    ctl.abort();
    assert.ok((await start) instanceof CancelledError);
    assert.strictEqual(signals[0].aborted, true);
  });
});
