/**
 * The extension in a real VS Code against an emulator that answers as Qianfan's own pages say
 * ("documented") and as the official SDK expects ("sdk": errors only in X-Bce-* headers):
 * the key check names each refused key, and a delete whose first answer was lost is reported done.
 */
import * as assert from 'assert';
import { DIALECTS } from '../../emulator/dialects';
import { type Fixture, run, setUp, tearDown, track, treeLines, versionNode } from './harness';

const TEAM_AK = 'ALTAKteamkey00000000000000000001';
const TEAM_SK = 'teamsecret000000000000000000000a';

for (const name of ['documented', 'sdk'] as const) {
  describe(`the dialect "${name}"`, () => {
    let f: Fixture | undefined;
    afterEach(() => tearDown(f));

    async function setKeys(accessKey: string, secretKey: string): Promise<void> {
      f!.prompts.inputs.push(accessKey, secretKey);
      f!.prompts.notificationChoice = () => undefined;
      await run('qianfan.setCredentials');
    }

    it('the key check: an unknown access key and a wrong secret key each get their own message; working keys are saved', async () => {
      f = await setUp({ dialect: DIALECTS[name], keys: { [TEAM_AK]: TEAM_SK }, signedIn: false });
      await setKeys('f'.repeat(32), TEAM_SK);
      assert.match(f.prompts.last('error').message, /does not know the access key f{32}/);
      await setKeys(TEAM_AK, 'e'.repeat(32));
      assert.match(f.prompts.last('error').message, /does not belong to the access key ALTAK/);
      assert.strictEqual(await f.api.services.credentials.get(), undefined, 'nothing saved');
      await setKeys(TEAM_AK, TEAM_SK);
      assert.strictEqual((await f.api.services.credentials.get())?.accessKeyId, TEAM_AK);
    });

    it('a delete whose first answer was lost: the retry hears "missing" as this dialect says it, the model no longer lists it, so it is reported deleted', async () => {
      f = await setUp({ dialect: DIALECTS[name] });
      await track(f, { modelId: 'amv-34qkndzjf111', modelSetId: 'am-gh0azfeb9adu' }, { modelId: 'amv-g73j3faikzpz' });
      await treeLines(f.api);
      f.emulator.inject({ action: 'DeleteModel', fault: { kind: 'drop' }, phase: 'after' });
      f.prompts.confirms.push(true);
      await run('qianfan.deleteVersion', await versionNode(f.api, 'amv-34qkndzjf111'));
      assert.ok(!f.emulator.store.versions.has('amv-34qkndzjf111'));
      assert.strictEqual(f.emulator.count('DeleteModel'), 2, 'retried once after the lost answer');
      assert.ok(
        f.emulator.requests.some((r) => r.action === 'DescribeModelSet'),
        'its model was asked',
      );
      assert.match(f.prompts.last('info').message, /Deleted .*V2/);
      assert.ok(!f.api.services.tracked.has('amv-34qkndzjf111'), 'it left the tracked list');
      assert.ok(f.api.services.tracked.has('amv-g73j3faikzpz'), 'the other stays');
    });
  });
}
