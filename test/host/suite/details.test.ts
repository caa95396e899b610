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

  it('Show Details opens a rendered page (a webview in the theme) with what Qianfan returns, the export included, and Copy ID / console links', async () => {
    await run('qianfan.exportVersion', await versionNode(f.api, 'amv-g73j3faikzpz'));
    const panel = (await run('qianfan.showDetails', await versionNode(f.api, 'amv-g73j3faikzpz'))) as vscode.WebviewPanel;
    assert.ok(panel.visible && panel.active, 'shown and focused');
    assert.strictEqual(panel.viewType, 'qianfan.details');
    assert.strictEqual(panel.title, 'customer-support-zh / V1 (amv-g73j3faikzpz)');
    const html = panel.webview.html;
    assert.match(html, /<h1>customer-support-zh \/ V1 \(amv-g73j3faikzpz\)<\/h1>/);
    assert.match(html, /ERNIE-Speed-8K/);
    assert.match(html, /am-gh0azfeb9adu/);
    assert.match(html, /<tr><th scope="row">(Status|状态)<\/th><td>(Ready|就绪)<\/td><\/tr>/, 'a table, not Markdown pipes');
    assert.doesNotMatch(html, /\| --- \|/);
    const task = f.api.services.exportStates.done('amv-g73j3faikzpz')!;
    assert.ok(html.includes(task.fileName!) && html.includes(task.md5!), html);
    // the pre-signed URL is a secret: not on the page (a shared screen), nor its query in any form
    assert.ok(task.downloadUrl, 'the export has a URL');
    const query = new URL(task.downloadUrl).search.slice(1);
    for (const form of [task.downloadUrl, query, encodeURIComponent(task.downloadUrl), query.replace(/&/g, '&#38;')]) {
      assert.ok(!html.includes(form), `the signed URL on the page: ${form}`);
    }
    // the theme's colours and fonts, text selectable, no script, and only the two commands as links
    assert.match(html, /var\(--vscode-foreground\)/);
    assert.match(html, /user-select: text/);
    assert.doesNotMatch(html, /<script/);
    assert.match(html, /Content-Security-Policy" content="default-src 'none';/);
    assert.strictEqual(panel.webview.options.enableScripts, false);
    assert.deepStrictEqual(panel.webview.options.enableCommandUris, ['qianfan.copyId', 'qianfan.openConsole', 'qianfan.copyDownloadUrl']);
    const links = [...html.matchAll(/<a [^>]*href="command:([\w.]+)(?:\?([^"]*))?"[^>]*>([^<]+)<\/a>/g)].map((m) => ({
      command: m[1],
      args: m[2] ? (JSON.parse(decodeURIComponent(m[2].replace(/&#38;/g, '&'))) as unknown[]) : [],
      label: m[3],
    }));
    assert.deepStrictEqual(
      links.map((l) => l.command),
      ['qianfan.copyId', 'qianfan.openConsole', 'qianfan.copyDownloadUrl'],
    );
    assert.deepStrictEqual(links[2].args, ['amv-g73j3faikzpz'], 'the link carries the version, never the URL');
    assert.match(links[2].label, /^(Copy Download URL|复制下载链接)$/);
    assert.match(links[0].label, /^(Copy ID|复制 ID)$/);
    assert.match(links[1].label, /^(Open in the Qianfan console|在千帆控制台中打开)$/);
    // the workbench's button colours (light, dark, high contrast: the theme's own variables, its contrast border)
    assert.match(html, /background: var\(--vscode-button-background\)/);
    assert.match(html, /color: var\(--vscode-button-foreground\)/);
    assert.match(html, /background: var\(--vscode-button-secondaryBackground\)/);
    assert.match(html, /body\.vscode-high-contrast \.actions a\.button[^{]*\{ border-color: var\(--vscode-contrastBorder\)/);
    // the console link says where it goes: the model list (no stable address for a version is documented)
    assert.ok(html.includes('https://console.bce.baidu.com/qianfan/modelcenter/model/user/list'), 'the page says where the link goes');
    // what the links run, with what they carry
    await run(links[1].command, ...links[1].args);
    assert.deepStrictEqual(f.prompts.opened, ['https://console.bce.baidu.com/qianfan/modelcenter/model/user/list']);
    assert.doesNotMatch(panel.webview.html, /class="copied"/);
    await run(links[0].command, ...links[0].args);
    assert.deepStrictEqual(f.prompts.copied, ['amv-g73j3faikzpz']);
    assert.match(f.prompts.statuses.at(-1) ?? '', /amv-g73j3faikzpz/, 'Copy ID says so in the status bar');
    assert.match(panel.webview.html, /<span class="copied" role="status">✓ (Copied|已复制) amv-g73j3faikzpz<\/span>/, 'and on the page');
    // the page's Copy Download URL copies the URL, also after a reload (the session forgot the export: Qianfan is asked)
    await run(links[2].command, ...links[2].args);
    assert.strictEqual(f.prompts.copied.at(-1), task.downloadUrl);
    await f.api.simulateReload();
    assert.strictEqual(f.api.services.exportStates.done('amv-g73j3faikzpz'), undefined, 'forgotten by the reload');
    await run(links[2].command, ...links[2].args);
    assert.match(f.prompts.copied.at(-1) ?? '', /^https?:\/\/.*amv-g73j3faikzpz/, 'the URL Qianfan gives now');
  });

  it("Qianfan's text is escaped: a description cannot add markup or a command link", async () => {
    f.emulator.store.versions.get('amv-g73j3faikzpz')!.description = '<a href="command:qianfan.clearCredentials">x</a><script>alert(1)</script>';
    const panel = (await run('qianfan.showDetails', 'amv-g73j3faikzpz')) as vscode.WebviewPanel;
    const html = panel.webview.html;
    assert.ok(html.includes('&#60;a href=&#34;command:qianfan.clearCredentials&#34;&#62;'), html);
    assert.doesNotMatch(html, /<script|<a href="command:qianfan.clearCredentials/);
  });

  it('one details tab, reused for the next version, and asked of Qianfan again each time', async () => {
    const first = (await run('qianfan.showDetails', await versionNode(f.api, 'amv-g73j3faikzpz'))) as vscode.WebviewPanel;
    const calls = f.emulator.count('DescribeModel');
    const second = (await run('qianfan.showDetails', await versionNode(f.api, 'amv-34qkndzjf111'))) as vscode.WebviewPanel;
    assert.strictEqual(second, first, 'the same tab');
    assert.match(second.title, /V2 \(amv-34qkndzjf111\)/);
    assert.match(second.webview.html, /amv-34qkndzjf111/);
    assert.doesNotMatch(second.webview.html, /amv-g73j3faikzpz/);
    assert.ok(f.emulator.count('DescribeModel') > calls, 'asked again');
    const webviewTabs = () => vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputWebview);
    // one webview tab, labelled with the second title (the workbench learns the new title a moment later)
    await waitFor('the tab', () => webviewTabs().length === 1 && webviewTabs()[0].label === second.title);
    assert.strictEqual(webviewTabs().length, 1);
  });

  it("a model's details list its versions and say which are not tracked", async () => {
    const lines = await treeLines(f.api);
    assert.ok(lines[0].includes('customer-support-zh'));
    const model = (await f.api.services.tree.getChildren())[0];
    const panel = (await run('qianfan.showDetails', model)) as vscode.WebviewPanel;
    const html = panel.webview.html;
    assert.match(html, /<h1>customer-support-zh<\/h1>/);
    assert.match(html, /<li>V3 \(<code>amv-k2m9x7c4q1ab<\/code>\) — <em>(not tracked|未跟踪)<\/em><\/li>/);
    assert.match(html, /<li>V1 \(<code>amv-g73j3faikzpz<\/code>\)<\/li>/);
  });

  it('Delete and Enter act on the selection: the same confirmation that names model and version, and the details', async () => {
    const node = await versionNode(f.api, 'amv-34qkndzjf111');
    await f.api.treeView.reveal(node, { select: true, focus: true });
    await waitFor('the selection', () => f.api.services.tree.selection.length === 1);
    f.prompts.confirms.push(false);
    await run('qianfan.deleteSelected');
    assert.match(f.prompts.asked.at(-1) ?? '', /^confirm: .*V2.*amv-34qkndzjf111/);
    assert.strictEqual(f.emulator.count('DeleteModel'), 0, 'declined: nothing deleted');
    const panel = (await run('qianfan.showSelectedDetails')) as vscode.WebviewPanel;
    assert.match(panel.webview.html, /<h1>[^<]*amv-34qkndzjf111/);
    const keys = asManifest(ourExtension()!.packageJSON).contributes.keybindings ?? [];
    assert.deepStrictEqual(
      keys.map((k) => [k.command, k.key, k.when]),
      [
        ['qianfan.deleteSelected', 'delete', 'focusedView == qianfan.modelVersions && !inputFocus'],
        ['qianfan.showSelectedDetails', 'enter', 'focusedView == qianfan.modelVersions && !inputFocus'],
      ],
    );
  });

  it('times are local with the zone, the same in the hover and on the page', async () => {
    const panel = (await run('qianfan.showDetails', 'amv-g73j3faikzpz')) as vscode.WebviewPanel;
    const created = f.emulator.store.versions.get('amv-g73j3faikzpz')!.createTime;
    const local = new Intl.DateTimeFormat(vscode.env.language, { dateStyle: 'medium', timeStyle: 'long' }).format(Date.parse(created));
    assert.ok(panel.webview.html.includes(local), `${local} on the page`);
    const item = f.api.services.tree.getTreeItem(await versionNode(f.api, 'amv-g73j3faikzpz'));
    const hover = (item.tooltip as vscode.MarkdownString).value;
    assert.ok(hover.replace(/\\/g, '').includes(local), `${local} in the hover: ${hover}`);
    assert.ok(!hover.replace(/\\/g, '').includes(created), `not ISO: ${hover}`);
  });

  it("an open details page follows a delete (the model's list) and a status change (the version's)", async () => {
    const model = (await f.api.services.tree.getChildren()).find((n) => n.kind === 'model')!;
    const panel = (await run('qianfan.showDetails', model)) as vscode.WebviewPanel;
    assert.match(panel.webview.html, /amv-34qkndzjf111/);
    f.prompts.confirms.push(true);
    await run('qianfan.deleteVersion', await versionNode(f.api, 'amv-34qkndzjf111'));
    await waitFor('the page without the deleted version', () => !panel.webview.html.includes('amv-34qkndzjf111'), 10_000);
    // a version's status: Creating, then Ready, learnt by the view while its page is open
    await f.api.services.tracked.add([{ modelId: 'amv-k2m9x7c4q1ab', modelSetId: 'am-gh0azfeb9adu', modelSetName: 'customer-support-zh', name: 'V3' }]);
    await run('qianfan.showDetails', 'amv-k2m9x7c4q1ab');
    assert.match(panel.webview.html, /<td>(Creating|创建中)<\/td>/);
    f.emulator.store.versions.get('amv-k2m9x7c4q1ab')!.status = 'Ready';
    await f.api.services.tree.refresh(await versionNode(f.api, 'amv-k2m9x7c4q1ab'));
    await waitFor('the page with the new status', () => /<td>(Ready|就绪)<\/td>/.test(panel.webview.html), 10_000);
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
