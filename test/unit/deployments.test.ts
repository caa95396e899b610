/** Finding the services that run a version: parsing, paging, the version from DescribeService, and skipped checks. */
import * as assert from 'assert';
import {
  MAX_SERVICE_PAGES,
  SERVICE_LIST_POLICIES,
  SERVICE_READ_POLICIES,
  type ServicesApi,
  findDeployments,
  parseServiceDetail,
  parseServicePage,
} from '../../src/core/qianfan/deployments';
import { CancelledError, QianfanError } from '../../src/core/qianfan/errors';
import { ShapeError } from '../../src/core/qianfan/model';
import { DEMO_ACCESS_KEY } from '../emulator/fixture';
import { startHarness } from '../support/clientHarness';

const svc = (i: number, modelId?: string) => ({ serviceId: `svco-${i}`, name: `s${i}`, runStatus: 'Serving', ...(modelId ? { modelId } : {}) });

describe('deployments', () => {
  it('reads a page of services from serviceList, or from the only list there is', () => {
    assert.deepStrictEqual(parseServicePage({ serviceList: [svc(1, 'amv-g73j3faikzpz')], pageInfo: { isTruncated: true, nextMarker: 'svco-2' } }), {
      items: [{ serviceId: 'svco-1', name: 's1', runStatus: 'Serving', modelId: 'amv-g73j3faikzpz' }],
      isTruncated: true,
      nextMarker: 'svco-2',
    });
    assert.deepStrictEqual(parseServicePage({ services: [{ serviceId: 'svco-9' }] }).items, [
      { serviceId: 'svco-9', name: 'svco-9', runStatus: undefined, modelId: undefined },
    ]);
    assert.deepStrictEqual(parseServicePage({}), { items: [], isTruncated: false, nextMarker: undefined });
    assert.deepStrictEqual(
      parseServicePage({ total: 3, marker: 'm', services: [{ serviceId: 'svco-9', name: '', modelId: '' }] }).items,
      [{ serviceId: 'svco-9', name: 'svco-9', runStatus: undefined, modelId: undefined }],
      'the only list among other fields; empty texts are no names',
    );
    assert.throws(() => parseServicePage({ a: [], b: [] }), /several lists, none "serviceList"/);
    assert.throws(() => parseServicePage({ serviceList: {} }), /field "serviceList" is not a list/);
    assert.throws(() => parseServicePage([]), /result is not an object/);
    assert.throws(() => parseServicePage(null), ShapeError);
    assert.throws(() => parseServicePage({ serviceList: [{ name: 'no id' }] }), /a service has no "serviceId"/);
    assert.throws(() => parseServicePage({ serviceList: [{ serviceId: '', name: 'x' }] }), /a service has no "serviceId"/);
    assert.throws(() => parseServicePage({ serviceList: [{ serviceId: 5 }] }), /a service has no "serviceId"/);
    assert.throws(() => parseServicePage({ serviceList: ['x'] }), /a service is not an object/);
    assert.throws(() => parseServicePage({ serviceList: [null] }), /a service is not an object/);
    assert.strictEqual(parseServiceDetail({ serviceId: 's', modelId: 'not-a-version' }).modelId, undefined, 'a version ID that is not one is not believed');
  });

  /** Pages of protocol version 1's services, and (apart) of version 2's. */
  function api(pages: ReturnType<typeof svc>[][], versions: Record<string, string> = {}, v2: ReturnType<typeof svc>[][] = [[]]) {
    const calls: string[] = [];
    const fake: ServicesApi = {
      listServices: (page) => {
        calls.push(`list v${page.protocolVersion} ${page.marker ?? ''}`);
        const i = page.marker ? Number(page.marker) : 0;
        const list = page.protocolVersion === 2 ? v2 : pages;
        return Promise.resolve(parseServicePage({ serviceList: list[i], pageInfo: { isTruncated: i + 1 < list.length, nextMarker: String(i + 1) } }));
      },
      describeService: (id) => {
        calls.push(`describe ${id}`);
        return Promise.resolve(parseServiceDetail({ serviceId: id, name: id, modelId: versions[id] }));
      },
    };
    return { fake, calls };
  }

  it('pages through every service and asks DescribeService only for those whose item names no version', async () => {
    const { fake, calls } = api([[svc(1, 'amv-g73j3faikzpz'), svc(2)], [svc(3, 'amv-34qkndzjf111')]], { 'svco-2': 'amv-g73j3faikzpz' });
    const check = await findDeployments(['amv-g73j3faikzpz', 'amv-k2m9x7c4q1ab'], fake);
    assert.deepStrictEqual(calls, ['list v1 ', 'list v2 ', 'list v1 1', 'describe svco-2']);
    assert.strictEqual(check.kind, 'checked');
    assert.ok(check.kind === 'checked');
    assert.strictEqual(check.services, 3);
    assert.deepStrictEqual(
      [...check.running.entries()].map(([id, list]) => [id, list.map((s) => s.serviceId)]),
      [['amv-g73j3faikzpz', ['svco-1', 'svco-2']]],
      'only the versions asked about, each with every service that runs it',
    );
  });

  it('lists the services of both protocol versions, every page of each, merged by serviceId', async () => {
    const { fake, calls } = api([[svc(1), svc(2, 'amv-34qkndzjf111')]], { 'svco-1': 'amv-g73j3faikzpz', 'svco-5': 'amv-g73j3faikzpz' }, [
      [svc(2, 'amv-34qkndzjf111'), svc(4, 'amv-g73j3faikzpz')],
      [svc(5)],
    ]);
    const check = await findDeployments(['amv-g73j3faikzpz', 'amv-34qkndzjf111'], fake);
    assert.ok(check.kind === 'checked');
    assert.strictEqual(check.services, 4, 'svco-2 listed under both counts once');
    assert.deepStrictEqual(
      [...check.running.entries()].map(([id, list]) => [id, list.map((s) => s.serviceId).sort()]),
      [
        ['amv-g73j3faikzpz', ['svco-1', 'svco-4', 'svco-5']],
        ['amv-34qkndzjf111', ['svco-2']],
      ],
    );
    assert.deepStrictEqual(calls.filter((c) => c.startsWith('list')).sort(), ['list v1 ', 'list v2 ', 'list v2 1']);
  });

  it('a service listed under both versions, named with its version only under one: no DescribeService for it', async () => {
    const { fake, calls } = api([[svc(7)]], {}, [[svc(7, 'amv-g73j3faikzpz')]]);
    const check = await findDeployments(['amv-g73j3faikzpz'], fake);
    assert.ok(check.kind === 'checked' && check.running.get('amv-g73j3faikzpz')?.[0].serviceId === 'svco-7');
    assert.ok(!calls.some((c) => c.startsWith('describe')), calls.join(', '));
    const other = api([[svc(8, 'amv-g73j3faikzpz')]], {}, [[svc(8)]]);
    await findDeployments(['amv-g73j3faikzpz'], other.fake);
    assert.ok(!other.calls.some((c) => c.startsWith('describe')), 'the item that names its version wins, whichever list it came in');
  });

  it('one listing failing stops the other at once, and a cancel is a cancel', async () => {
    let v2Pages = 0;
    const fake: ServicesApi = {
      listServices: (page, signal) => {
        if (page.protocolVersion === 1) {
          return new Promise((_resolve, reject) =>
            setTimeout(() => reject(new QianfanError({ kind: 'api', status: 500, code: 'InternalError', message: 'x' })), 5),
          );
        }
        v2Pages++;
        return new Promise((resolve, reject) => {
          if (signal?.aborted) {
            reject(new CancelledError());
            return;
          }
          setTimeout(() => resolve({ items: [], isTruncated: true, nextMarker: `m${v2Pages}` }), 1);
        });
      },
      describeService: () => Promise.reject(new Error('x')),
    };
    const check = await findDeployments(['amv-g73j3faikzpz'], fake);
    assert.ok(check.kind === 'skipped' && check.reason === 'failed');
    const seen = v2Pages;
    await new Promise((r) => setTimeout(r, 50));
    assert.ok(v2Pages <= seen + 1, `the other listing stopped (${seen} then ${v2Pages} pages)`);
    assert.ok(v2Pages < MAX_SERVICE_PAGES);
    const user = new AbortController();
    user.abort();
    const cancelled = findDeployments(
      ['amv-g73j3faikzpz'],
      { listServices: () => Promise.resolve({ items: [], isTruncated: false }), describeService: () => Promise.reject(new Error('x')) },
      user.signal,
    );
    await assert.rejects(cancelled, CancelledError);
  });

  it('reads the version a service runs from modelId (the doc) or modelVersionId (the SDK), whichever holds a version ID', () => {
    assert.strictEqual(parseServiceDetail({ serviceId: 's', modelId: 'am-abcdefgh', modelVersionId: 'amv-g73j3faikzpz' }).modelId, 'amv-g73j3faikzpz');
    assert.strictEqual(parseServiceDetail({ serviceId: 's', modelSetId: 'am-abcdefgh', modelId: 'amv-34qkndzjf111' }).modelId, 'amv-34qkndzjf111');
    assert.strictEqual(parseServiceDetail({ serviceId: 's', modelId: 'am-abcdefgh', modelVersionId: 'bad' }).modelId, undefined);
  });

  it('skips, saying why: no permission (naming the policies), or the failure itself; a cancel is a cancel', async () => {
    const refuse = (code: string): ServicesApi => ({
      listServices: () => Promise.reject(new QianfanError({ kind: 'api', status: 403, code, message: 'no' })),
      describeService: () => Promise.reject(new Error('not reached')),
    });
    const refuseList = (code: string): ServicesApi => ({
      listServices: () => Promise.reject(new QianfanError({ kind: 'api', action: 'DescribeServices', status: 403, code, message: 'no' })),
      describeService: () => Promise.reject(new Error('not reached')),
    });
    assert.deepStrictEqual(await findDeployments(['amv-g73j3faikzpz'], refuseList('AccessDenied')), {
      kind: 'skipped',
      reason: 'permission',
      policies: SERVICE_LIST_POLICIES,
    });
    assert.deepStrictEqual(await findDeployments(['amv-g73j3faikzpz'], refuse('PermissionDeniedError')), {
      kind: 'skipped',
      reason: 'permission',
      policies: SERVICE_LIST_POLICIES,
    });
    const refuseDetail: ServicesApi = {
      listServices: () => Promise.resolve({ items: [{ serviceId: 'svco-1', name: 's' }], isTruncated: false }),
      describeService: () => Promise.reject(new QianfanError({ kind: 'api', action: 'DescribeService', status: 403, code: 'AccessDenied', message: 'no' })),
    };
    assert.deepStrictEqual(await findDeployments(['amv-g73j3faikzpz'], refuseDetail), {
      kind: 'skipped',
      reason: 'permission',
      policies: SERVICE_READ_POLICIES,
    });
    const notActivated = await findDeployments(['amv-g73j3faikzpz'], refuse('OptInRequired'));
    assert.ok(notActivated.kind === 'skipped' && notActivated.reason === 'failed', 'a service not activated is not a missing policy');
    const failed = await findDeployments(['amv-g73j3faikzpz'], refuse('InternalError'));
    assert.ok(failed.kind === 'skipped' && failed.reason === 'failed' && (failed.error as QianfanError).code === 'InternalError');
    const cancelled: ServicesApi = { listServices: () => Promise.reject(new CancelledError()), describeService: () => Promise.reject(new Error('x')) };
    await assert.rejects(findDeployments(['amv-g73j3faikzpz'], cancelled), CancelledError);
  });

  it('stops on a marker that repeats, and on more pages than it will read', async () => {
    const loop: ServicesApi = {
      listServices: () => Promise.resolve({ items: [], isTruncated: true, nextMarker: 'same' }),
      describeService: () => Promise.reject(new Error('x')),
    };
    const repeated = await findDeployments(['amv-g73j3faikzpz'], loop);
    assert.ok(repeated.kind === 'skipped' && repeated.reason === 'failed');
    assert.deepStrictEqual(
      [(repeated.error as QianfanError).kind, (repeated.error as QianfanError).action, (repeated.error as QianfanError).message],
      ['badResponse', 'DescribeServices', 'a truncated page of services came without a new nextMarker'],
    );
    let n = 0;
    const endless: ServicesApi = {
      listServices: () => Promise.resolve({ items: [], isTruncated: true, nextMarker: String(n++) }),
      describeService: () => Promise.reject(new Error('x')),
    };
    const tooMany = await findDeployments(['amv-g73j3faikzpz'], endless);
    assert.ok(tooMany.kind === 'skipped' && tooMany.reason === 'failed');
    assert.deepStrictEqual(
      [(tooMany.error as QianfanError).kind, (tooMany.error as QianfanError).action, (tooMany.error as QianfanError).message],
      ['tooLarge', 'DescribeServices', `more than ${MAX_SERVICE_PAGES} pages of services`],
    );
    assert.ok(n >= MAX_SERVICE_PAGES && n <= 2 * MAX_SERVICE_PAGES, 'each protocol version stops at the bound');
  });

  describe('the client against the emulator', function () {
    this.timeout(10_000);
    it('lists services in pages and describes one, signed like /v2/model', async () => {
      const services = Array.from({ length: 120 }, (_, i) => ({
        serviceId: `svco-${i}`,
        name: `s${i}`,
        modelId: i === 110 ? 'amv-34qkndzjf111' : 'amv-g73j3faikzpz',
      }));
      const h = await startHarness({ services });
      try {
        const first = await h.client.listServices({ maxKeys: 100 });
        assert.strictEqual(first.items.length, 100);
        assert.ok(first.isTruncated);
        assert.strictEqual((await h.client.describeService('svco-110')).modelId, 'amv-34qkndzjf111');
        const check = await findDeployments(['amv-34qkndzjf111'], {
          listServices: (p) => h.client.listServices(p),
          describeService: (id) => h.client.describeService(id),
        });
        assert.ok(check.kind === 'checked' && check.running.get('amv-34qkndzjf111')?.[0].name === 's110');
        await assert.rejects(h.client.describeService('bad id!'), (e: QianfanError) => e.kind === 'invalidInput');
      } finally {
        await h.emulator.stop();
      }
    });

    it('a key without a service policy is refused with AccessDenied, and the check is skipped', async () => {
      const h = await startHarness({
        services: [{ serviceId: 'svco-1', name: 's', modelId: 'amv-34qkndzjf111' }],
        policies: { [DEMO_ACCESS_KEY]: ['QianfanReadAccessPolicy'] },
      });
      try {
        await h.client.listCustomModelSets({ maxKeys: 1 }); // model reads are allowed
        const check = await findDeployments(['amv-34qkndzjf111'], {
          listServices: (p) => h.client.listServices(p),
          describeService: (id) => h.client.describeService(id),
        });
        assert.deepStrictEqual(check, { kind: 'skipped', reason: 'permission', policies: SERVICE_LIST_POLICIES });
        await assert.rejects(h.client.deleteModel('amv-34qkndzjf111'), (e: QianfanError) => e.code === 'AccessDenied' && e.status === 403);
      } finally {
        await h.emulator.stop();
      }
    });
  });
});
