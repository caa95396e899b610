/**
 * What the user reads when something fails: each kind of failure in a sentence of its own (the
 * core's English, meant for the log, never in it), and a permission error that names what the
 * action needs, from keys the emulator holds to IAM policies.
 */
import * as assert from 'assert';
import { QianfanError, type QianfanErrorKind } from '../../../src/core/qianfan/errors';
import { userMessage } from '../../../src/platform/errorMessages';
import { DEMO_ACCESS_KEY, type Fixture, run, setUp, tearDown, track, treeLines, versionNode } from './harness';

const CORE = 'core English for the log';

describe('messages', function () {
  this.timeout(20_000);

  it("words every kind of failure itself: the core's English never reaches the notification", () => {
    const kinds: QianfanErrorKind[] = ['network', 'timeout', 'badResponse', 'tooLarge', 'invalidInput', 'noCredentials', 'internal'];
    const cases: QianfanError[] = [
      ...kinds.map((kind) => new QianfanError({ kind, action: 'DescribeModel', message: CORE })),
      new QianfanError({ kind: 'invalidInput', message: CORE }), // the endpoint setting
      new QianfanError({ kind: 'api', action: 'DescribeModel', status: 502, message: CORE, answer: 'html' }),
      new QianfanError({ kind: 'api', action: 'DescribeModel', status: 200, message: CORE, answer: 'text' }),
      new QianfanError({ kind: 'api', action: 'DescribeModel', status: 500, message: CORE, answer: 'empty' }),
      new QianfanError({ kind: 'api', action: 'DeleteModel', status: 403, code: 'AccessDenied', message: CORE }),
      new QianfanError({ kind: 'api', action: 'DescribeModel', status: 403, code: 'InvalidAccessKeyId', message: CORE }),
      new QianfanError({ kind: 'api', action: 'DescribeModel', status: 400, code: 'RequestExpired', message: CORE }),
      new QianfanError({ kind: 'api', action: 'DescribeModel', status: 429, code: 'TooManyRequests', message: CORE }),
      new QianfanError({ kind: 'api', action: 'DescribeModel', status: 500, code: 'InternalError', message: CORE }),
      new QianfanError({ kind: 'api', action: 'DescribeModel', status: 404, code: 'ResourceNotFound', message: CORE }),
      new QianfanError({ kind: 'api', action: 'DescribeModel', status: 403, code: 'OptInRequired', message: CORE }),
    ];
    const texts = cases.map((e) => userMessage(e));
    texts.forEach((t, i) => assert.ok(!t.includes(CORE), `case ${i} (${cases[i].kind} ${cases[i].code ?? ''}) shows the core's text: ${t}`));
    assert.strictEqual(new Set(texts).size, texts.length, 'each case has its own sentence');
    // the server's own words are shown quoted, as the server's
    assert.match(
      userMessage(
        new QianfanError({
          kind: 'api',
          action: 'CreateModelExportTask',
          status: 400,
          code: 'ModelStatusInvalid',
          message: '模型状态不支持导出',
          requestId: 'r-1',
        }),
      ),
      /Qianfan refused CreateModelExportTask \(HTTP 400 ModelStatusInvalid\): “模型状态不支持导出” \(request ID r-1\)/,
    );
  });

  describe('a key without the policy an action needs', () => {
    let f: Fixture;
    afterEach(() => tearDown(f));

    it('delete: the message names what the key may not do and the policies that allow it', async () => {
      f = await setUp({ policies: { [DEMO_ACCESS_KEY]: ['QianfanReadAccessPolicy', 'QianfanServiceReadAccessPolicy'] } });
      await track(f, { modelId: 'amv-34qkndzjf111' });
      await treeLines(f.api);
      f.prompts.confirms.push(true);
      await run('qianfan.deleteVersion', await versionNode(f.api, 'amv-34qkndzjf111'));
      assert.match(
        f.prompts.last('error').message,
        /This key may not delete model versions: its IAM user needs one of the policies QianfanFullControlAccessPolicy, QianfanModelTuningFullControlAccessPolicy/,
      );
      assert.ok(f.api.services.tracked.has('amv-34qkndzjf111'), 'still tracked');
    });

    it('export: a read-only key may not even start one', async () => {
      f = await setUp({ policies: { [DEMO_ACCESS_KEY]: ['QianfanModelTuningReadAccessPolicy'] } });
      await track(f, { modelId: 'amv-g73j3faikzpz' });
      await treeLines(f.api);
      await run('qianfan.exportVersion', 'amv-g73j3faikzpz');
      assert.match(f.prompts.last('error').message, /may not (export model versions|follow an export)/);
      assert.match(f.prompts.last('error').message, /QianfanFullControlAccessPolicy, QianfanModelTuningFullControlAccessPolicy/);
    });
  });
});
