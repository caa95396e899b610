/**
 * A delete that knows what it would break: the services that run a version are found through
 * `/v2/service` (every page, then DescribeService for each) before the confirmation, which then
 * names them and asks for the typed ID; a key that may not read services is told the check was skipped.
 */
import * as assert from 'assert';
import { type EmulatedService } from '../../emulator/emulator';
import { DEMO_ACCESS_KEY, type Fixture, run, setUp, tearDown, treeLines, versionNode } from './harness';

/** 250 services (three pages of 100), the 137th running customer-support-zh / V2. */
function manyServices(): EmulatedService[] {
  return Array.from({ length: 250 }, (_, i) => ({
    serviceId: `svco-${String(i).padStart(6, '0')}`,
    name: i === 137 ? 'cs-prod' : `svc-${i}`,
    modelId: i === 137 ? 'amv-34qkndzjf111' : 'amv-a1s2d3f4g5h6',
    runStatus: i === 137 ? 'Serving' : 'Stopped',
  }));
}

describe('delete: services that run the version', function () {
  this.timeout(30_000);
  let f: Fixture;
  afterEach(() => tearDown(f));

  async function ready(options: Parameters<typeof setUp>[0]): Promise<void> {
    f = await setUp(options);
    // as Import tracks them: with the model's name
    await f.api.services.tracked.add(
      ['amv-34qkndzjf111', 'amv-g73j3faikzpz'].map((modelId) => ({ modelId, modelSetId: 'am-gh0azfeb9adu', modelSetName: 'customer-support-zh' })),
    );
    await f.api.services.tree.refresh();
    await treeLines(f.api);
  }

  it('a deployed version: the confirmation names the service and asks for the typed ID, even with the modal setting', async () => {
    await ready({ services: manyServices() });
    let prompt = '';
    f.prompts.inputs.push((o: { prompt?: string }) => ((prompt = o.prompt ?? ''), 'amv-34qkndzjf111'));
    await run('qianfan.deleteVersion', await versionNode(f.api, 'amv-34qkndzjf111'));
    assert.match(
      prompt,
      /customer-support-zh \/ V2 \(amv-34qkndzjf111\) runs in the service “cs-prod” \(svco-000137, Serving\): deleting it breaks that service\./,
    );
    assert.match(prompt, /Type amv-34qkndzjf111 to delete it/);
    assert.ok(!f.prompts.asked.some((a) => a.startsWith('confirm:')), 'no modal: the typed confirmation instead');
    assert.strictEqual(f.emulator.count('DescribeServices'), 6, 'every page of services (3), for each protocol version (this emulator lists all under both)');
    assert.strictEqual(f.emulator.count('DescribeService'), 250, 'each service asked for the version it runs');
    assert.ok(!f.emulator.store.versions.has('amv-34qkndzjf111'), 'deleted once confirmed');
  });

  it('a deployed version and a wrong typed ID: nothing deleted', async () => {
    await ready({ services: manyServices(), listNamesVersion: true });
    f.prompts.inputs.push('amv-34qkndzjf11');
    await run('qianfan.deleteVersion', await versionNode(f.api, 'amv-34qkndzjf111'));
    assert.strictEqual(f.emulator.count('DeleteModel'), 0);
    assert.strictEqual(f.emulator.count('DescribeService'), 0, 'a list that names versions needs no DescribeService');
    assert.ok(f.api.services.tracked.has('amv-34qkndzjf111'));
  });

  it('a version no service runs: the usual modal confirmation', async () => {
    await ready({ services: manyServices() });
    f.prompts.confirms.push(true);
    await run('qianfan.deleteVersion', await versionNode(f.api, 'amv-g73j3faikzpz'));
    const asked = f.prompts.asked.find((a) => a.startsWith('confirm:'))!;
    assert.doesNotMatch(asked, /service/);
    assert.ok(!f.emulator.store.versions.has('amv-g73j3faikzpz'));
  });

  it('a key that may not read services: the confirmation says the check was skipped, naming the policies', async () => {
    await ready({ services: manyServices(), policies: { [DEMO_ACCESS_KEY]: ['QianfanModelTuningFullControlAccessPolicy'] } });
    f.prompts.confirms.push(false);
    await run('qianfan.deleteVersion', await versionNode(f.api, 'amv-34qkndzjf111'));
    const asked = f.prompts.asked.find((a) => a.startsWith('confirm:'))!;
    assert.match(
      asked,
      /Could not check whether these versions run in a service: the key may not read services \(it needs one of QianfanFullControlAccessPolicy, QianfanDataOperateAccessPolicy, QianfanDataFullControlAccessPolicy\)/,
    );
    assert.strictEqual(f.emulator.count('DeleteModel'), 0);
  });
});
