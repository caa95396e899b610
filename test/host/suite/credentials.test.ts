import * as assert from 'assert';
import * as vscode from 'vscode';
import { DEMO_ACCESS_KEY, DEMO_SECRET_KEY, type Fixture, run, setUp, tearDown, track, treeLines, waitFor } from './harness';

describe('credentials', () => {
  let f: Fixture;
  beforeEach(async () => (f = await setUp({ signedIn: false })));
  afterEach(() => tearDown(f));

  it('Set Access Key stores both keys in SecretStorage, trimmed, the secret box masked', async () => {
    f.prompts.inputs.push(`  ${DEMO_ACCESS_KEY} `, (options: vscode.InputBoxOptions) => {
      assert.strictEqual(options.password, true, 'the secret key box is masked');
      return ` ${DEMO_SECRET_KEY}\n`;
    });
    await run('qianfan.setCredentials');
    assert.strictEqual(await f.api.secrets.get('qianfan.accessKeyId'), DEMO_ACCESS_KEY);
    assert.strictEqual(await f.api.secrets.get('qianfan.secretAccessKey'), DEMO_SECRET_KEY);
    assert.match(f.prompts.last('info').message, new RegExp(DEMO_ACCESS_KEY));
  });

  it('rejects keys that are not keys and changes nothing', async () => {
    f.prompts.inputs.push('not a key!', DEMO_SECRET_KEY);
    await run('qianfan.setCredentials');
    assert.ok(
      f.prompts.asked.some((a) => a.startsWith('invalid:')),
      'the input box flags it',
    );
    assert.strictEqual(await f.api.secrets.get('qianfan.accessKeyId'), undefined);
    assert.strictEqual(f.prompts.last('error').level, 'error');
  });

  it('cancelling the first box stores nothing', async () => {
    f.prompts.inputs.push(undefined);
    await run('qianfan.setCredentials');
    assert.strictEqual(await f.api.secrets.get('qianfan.accessKeyId'), undefined);
    assert.strictEqual(f.prompts.notifications.length, 0);
  });

  it('Clear Credentials removes both keys', async () => {
    await f.api.services.credentials.set({ accessKeyId: DEMO_ACCESS_KEY, secretAccessKey: DEMO_SECRET_KEY });
    await run('qianfan.clearCredentials');
    assert.strictEqual(await f.api.secrets.get('qianfan.accessKeyId'), undefined);
    assert.strictEqual(await f.api.secrets.get('qianfan.secretAccessKey'), undefined);
    assert.strictEqual(await f.api.services.credentials.get(), undefined);
  });

  it('picks up keys set in another window (secrets.onDidChange)', async () => {
    assert.strictEqual(await f.api.services.credentials.get(), undefined);
    await f.api.secrets.store('qianfan.secretAccessKey', DEMO_SECRET_KEY);
    await f.api.secrets.store('qianfan.accessKeyId', DEMO_ACCESS_KEY);
    const pair = await waitFor('the new keys', () => f.api.services.credentials.get());
    assert.strictEqual(pair.accessKeyId, DEMO_ACCESS_KEY);
  });

  it('without keys the tree is empty so the welcome content shows, and commands say keys are missing', async () => {
    await track(f, { modelId: 'amv-g73j3faikzpz' });
    assert.deepStrictEqual(await treeLines(f.api), []);
    f.prompts.inputs.push('amv-34qkndzjf111');
    await run('qianfan.trackVersion');
    const n = f.prompts.last('error');
    assert.match(n.message, /No Qianfan access key is set|尚未设置/);
    assert.ok(n.actions.length === 2, 'offers Set Access Key… and Show Log');
    assert.strictEqual(f.emulator.requests.length, 0);
  });

  it('never writes a key to settings or globalState', async () => {
    await f.api.services.credentials.set({ accessKeyId: DEMO_ACCESS_KEY, secretAccessKey: DEMO_SECRET_KEY });
    const state = JSON.stringify(f.api.globalStateDump());
    const settings = JSON.stringify(vscode.workspace.getConfiguration('qianfan'));
    for (const text of [state, settings]) {
      assert.ok(!text.includes(DEMO_SECRET_KEY) && !text.includes(DEMO_ACCESS_KEY));
    }
  });
});
