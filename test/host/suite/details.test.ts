import * as assert from 'assert';
import * as vscode from 'vscode';
import { asManifest } from '../../support/manifest';
import { DEMO_ACCESS_KEY, DEMO_SECRET_KEY, type Fixture, ourExtension, run, setUp, tearDown, treeLines, versionNode, waitFor } from './harness';

describe('details and the keyboard', () => {
  let f: Fixture;
  beforeEach(async () => {
    f = await setUp();
    await f.api.services.tracked.add([
      { modelId: 'amv-g73j3faikzpz', modelSetId: 'am-gh0azfeb9adu', modelSetName: 'customer-support-zh', name: 'V1' },
      { modelId: 'amv-34qkndzjf111', modelSetId: 'am-gh0azfeb9adu', modelSetName: 'customer-support-zh', name: 'V2' },
    ]);
    await treeLines(f.api);
  });
  afterEach(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await tearDown(f);
  });

  it('Show Details opens a read-only document with what Qianfan returns, the export included, and Copy ID / console lenses', async () => {
    await run('qianfan.exportVersion', await versionNode(f.api, 'amv-g73j3faikzpz'));
    const doc = (await run('qianfan.showDetails', await versionNode(f.api, 'amv-g73j3faikzpz'))) as vscode.TextDocument;
    const text = doc.getText();
    assert.match(text, /^# customer-support-zh \/ V1 \(amv-g73j3faikzpz\)/);
    assert.match(text, /ERNIE-Speed-8K/);
    assert.match(text, /am-gh0azfeb9adu/);
    assert.match(text, /\| (Status|状态) \| (Ready|就绪) \|/);
    const task = f.api.services.exportStates.done('amv-g73j3faikzpz')!;
    assert.ok(text.includes(task.fileName!) && text.includes(task.md5!), text);
    assert.strictEqual(doc.languageId, 'markdown');
    assert.strictEqual(doc.uri.scheme, 'qianfan-details');
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri);
    assert.deepStrictEqual(
      lenses.map((l) => l.command?.command),
      ['qianfan.copyId', 'qianfan.openConsole'],
    );
    await run('qianfan.openConsole');
    assert.deepStrictEqual(f.prompts.opened, ['https://console.bce.baidu.com/qianfan/']);
    await run(lenses[0].command!.command, ...((lenses[0].command!.arguments ?? []) as unknown[]));
    assert.deepStrictEqual(f.prompts.copied, ['amv-g73j3faikzpz']);
    assert.match(f.prompts.statuses.at(-1) ?? '', /amv-g73j3faikzpz/, 'Copy ID says so in the status bar');
  });

  it("a model's details list its versions and say which are not tracked", async () => {
    const lines = await treeLines(f.api);
    assert.ok(lines[0].includes('customer-support-zh'));
    const model = (await f.api.services.tree.getChildren())[0];
    const doc = (await run('qianfan.showDetails', model)) as vscode.TextDocument;
    const text = doc.getText();
    assert.match(text, /^# customer-support-zh/);
    assert.match(text, /V3 \(`amv-k2m9x7c4q1ab`\) — (not tracked|未跟踪)/);
    assert.doesNotMatch(text, /V1 \(`amv-g73j3faikzpz`\) —/);
  });

  it('Delete and Enter act on the selection: the same confirmation that names model and version, and the details', async () => {
    const node = await versionNode(f.api, 'amv-34qkndzjf111');
    await f.api.treeView.reveal(node, { select: true, focus: true });
    await waitFor('the selection', () => f.api.services.tree.selection.length === 1);
    f.prompts.confirms.push(false);
    await run('qianfan.deleteSelected');
    assert.match(f.prompts.asked.at(-1) ?? '', /^confirm: .*V2.*amv-34qkndzjf111/);
    assert.strictEqual(f.emulator.count('DeleteModel'), 0, 'declined: nothing deleted');
    const doc = (await run('qianfan.showSelectedDetails')) as vscode.TextDocument;
    assert.match(doc.getText(), /amv-34qkndzjf111/);
    const keys = asManifest(ourExtension()!.packageJSON).contributes.keybindings ?? [];
    assert.deepStrictEqual(
      keys.map((k) => [k.command, k.key, k.when]),
      [
        ['qianfan.deleteSelected', 'delete', 'focusedView == qianfan.modelVersions && !inputFocus'],
        ['qianfan.showSelectedDetails', 'enter', 'focusedView == qianfan.modelVersions && !inputFocus'],
      ],
    );
  });

  it('Copy ID on a node says "Copied" in the status bar', async () => {
    await run('qianfan.copyId', await versionNode(f.api, 'amv-g73j3faikzpz'));
    assert.deepStrictEqual(f.prompts.copied, ['amv-g73j3faikzpz']);
    assert.strictEqual(f.prompts.statuses.length, 1);
  });
});

describe('where requests go', () => {
  let f: Fixture;
  afterEach(() => tearDown(f));

  it("the view's description shows the profile, the endpoint's host and the access key's first characters, never the secret", async () => {
    f = await setUp();
    const view = f.api.treeView;
    const host = new URL(f.emulator.url).host;
    await waitFor('the description', () => view.description === `default · ${host} · AK ${DEMO_ACCESS_KEY.slice(0, 4)}…`);
    assert.ok(!String(view.description).includes(DEMO_SECRET_KEY.slice(0, 6)));
    await f.api.services.credentials.clear();
    await waitFor('no key shown', () => view.description === `default · ${host}`);
  });

  it('the Delete Confirmation setting shows words, not raw values, in both languages', () => {
    const prop = asManifest(ourExtension()!.packageJSON).contributes.configuration.properties['qianfan.deleteConfirmation'];
    assert.strictEqual(prop.enumItemLabels?.length, 2);
    assert.ok(
      prop.enumItemLabels.every((l) => !/clickButton|enterId|%/.test(l)),
      prop.enumItemLabels.join(', '),
    );
  });
});
