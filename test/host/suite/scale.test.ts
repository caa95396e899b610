/**
 * The tree at the size of a real account (issue 11): drawn from what is stored before any
 * request, only what is expanded is described, one slow version holds back nothing, Creating
 * turns Ready by itself while the view is visible, and refused keys give one node to act on.
 */
import * as assert from 'assert';
import * as vscode from 'vscode';
import { generatedFixture } from '../../emulator/fixture';
import { type TrackedInfo } from '../../../src/core/state/trackedVersions';
import { type ErrorNode, type ModelNode, type TreeNode } from '../../../src/tree/nodes';
import { FILTER_EXPAND_UNKNOWN_LIMIT } from '../../../src/tree/modelVersionTreeProvider';
import { DEMO_ACCESS_KEY, DEMO_SECRET_KEY, type Fixture, run, setUp, tearDown, track, treeLines, versionNode, waitFor } from './harness';

const HOUR = 3600_000;

/** Tracked entries as a user who imported the whole account and saw every status once would have them. */
function trackedAsSeenBefore(f: Fixture, statusAt: number): TrackedInfo[] {
  const names = new Map([...f.emulator.store.models.values()].map((m) => [m.modelSetId, m.modelSetName]));
  return [...f.emulator.store.versions.values()].map((v) => ({
    modelId: v.modelId,
    modelSetId: v.modelSetId,
    modelSetName: names.get(v.modelSetId),
    name: v.modelName,
    status: v.status,
    statusAt,
  }));
}

function label(item: vscode.TreeItem): string {
  return typeof item.label === 'string' ? item.label : (item.label?.label ?? '');
}

describe('the tree at the scale of a real account', () => {
  let f: Fixture;
  afterEach(async () => {
    f.api.services.loader.cancelAll();
    await tearDown(f);
  });

  describe('10,000 versions in 1,000 models', () => {
    before(function () {
      this.timeout(60_000);
    });
    beforeEach(async function () {
      this.timeout(60_000);
      f = await setUp({ fixture: generatedFixture(1000, 10), latencyMs: 20 });
      await f.api.services.tracked.add(trackedAsSeenBefore(f, Date.now() - 2 * HOUR));
      await f.api.simulateReload();
      f.emulator.requests.length = 0;
    });

    it('draws every model from what is stored, in natural order, before any request', async () => {
      const tree = f.api.services.tree;
      const root = await tree.getChildren();
      assert.strictEqual(root.length, 1000);
      assert.strictEqual(f.emulator.requests.length, 0, 'no request before the root is drawn');
      const labels = root.map((n) => label(tree.getTreeItem(n)));
      assert.deepStrictEqual(labels.slice(0, 3), ['model-1', 'model-2', 'model-3'], 'model-2 before model-10');
      assert.strictEqual(labels[9], 'model-10');
      const item = tree.getTreeItem(root[0]);
      assert.strictEqual(item.collapsibleState, vscode.TreeItemCollapsibleState.Collapsed, 'a large account starts collapsed');
      // a version drawn from the stored status, marked as such (its time), with the menus of its status
      const version = (root[0] as ModelNode).versions[0];
      const v = tree.getTreeItem(version);
      assert.strictEqual(v.contextValue, 'qianfan.version.ready');
      assert.match(String(v.description), /·.*(2 hr|2 小时|2小时)/);
      assert.strictEqual(f.emulator.requests.length, 0, 'drawing versions sends nothing either');
    });

    it('describes only the versions of the model the user expands, ten of ten thousand', async () => {
      const tree = f.api.services.tree;
      const root = await tree.getChildren();
      const model = root[4] as ModelNode;
      const children = await tree.getChildren(model);
      assert.strictEqual(children.length, 10);
      await f.api.services.loader.idle();
      assert.strictEqual(f.emulator.count('DescribeModel'), 10);
      const described = new Set(f.emulator.requests.map((r) => (r.body as { modelId?: string } | undefined)?.modelId));
      assert.deepStrictEqual([...described].sort(), model.versions.map((v) => v.modelId).sort());
      for (const child of children) {
        assert.doesNotMatch(String(tree.getTreeItem(child).description), /(hr|小时)/, 'fresh statuses carry no age');
      }
      // collapsing takes back what waits; nothing else was loaded
      tree.collapsed(model);
      assert.deepStrictEqual(tree.visibleVersions(), []);
    });

    it('a reload draws the same tree at once from the statuses learnt, with no request', async () => {
      const tree = f.api.services.tree;
      const model = (await tree.getChildren())[0] as ModelNode;
      f.emulator.store.versions.get(model.versions[0].modelId)!.status = 'Fail';
      await tree.getChildren(model);
      await f.api.services.loader.idle();
      await f.api.services.loader.flush();
      await f.api.simulateReload();
      f.emulator.requests.length = 0;
      const again = (await tree.getChildren())[0] as ModelNode;
      const item = tree.getTreeItem(again.versions[0]);
      assert.strictEqual(item.contextValue, 'qianfan.version.fail', 'the status learnt before the reload');
      assert.match(String(item.description), /·/);
      assert.strictEqual(f.emulator.requests.length, 0);
    });
  });

  describe('one slow or failing version', () => {
    beforeEach(async () => {
      f = await setUp({ fixture: generatedFixture(1, 12) });
      await f.api.services.tracked.add(trackedAsSeenBefore(f, Date.now() - HOUR));
      await f.api.simulateReload();
    });

    it('a version that hangs holds back none of the others', async () => {
      const tree = f.api.services.tree;
      const model = (await tree.getChildren())[0] as ModelNode;
      const hung = model.versions[0].modelId;
      f.emulator.inject({ action: 'DescribeModel', modelId: hung, fault: { kind: 'hang' }, times: 10 });
      await tree.getChildren(model);
      const others = model.versions.slice(1).map((v) => v.modelId);
      await waitFor('the other eleven', () => others.every((id) => f.api.services.details.get(id)?.kind === 'loaded'));
      assert.ok(f.api.services.details.isLoading(hung), 'the hung one is still out');
      const item = tree.getTreeItem(model.versions[0]);
      assert.strictEqual(item.contextValue, 'qianfan.version.ready', 'it keeps its last known status meanwhile');
    });

    it('a version that fails shows its own error and keeps its last known status', async () => {
      const tree = f.api.services.tree;
      const model = (await tree.getChildren())[0] as ModelNode;
      const failing = model.versions[0].modelId;
      f.emulator.inject({ action: 'DescribeModel', modelId: failing, fault: { kind: 'status', status: 500, code: 'InternalError' }, times: 20 });
      await tree.getChildren(model);
      await f.api.services.loader.idle();
      const item = tree.getTreeItem(model.versions[0]);
      assert.strictEqual(item.contextValue, 'qianfan.version.ready');
      assert.match(String(item.description), /(could not refresh|无法刷新)/);
      assert.match((item.tooltip as vscode.MarkdownString).value, /InternalError/);
      const lines = await treeLines(f.api);
      assert.ok(!lines.some((l) => l.includes('<qianfan.error>')), 'no error node for one version');
      assert.strictEqual(lines.filter((l) => l.includes('<qianfan.version.ready>') && !/(could not|无法)/.test(l)).length >= 9, true, lines.join('\n'));
    });
  });

  describe('live statuses', () => {
    beforeEach(async () => (f = await setUp()));
    afterEach(() => {
      f.api.services.poller.timing = { intervalMs: 3000, maxIntervalMs: 60_000 };
    });

    it('a Creating version turns Ready by itself while the view is visible, announced once by model and version', async () => {
      const poller = f.api.services.poller;
      poller.timing = { intervalMs: 50, maxIntervalMs: 200 };
      await f.api.services.tracked.add([
        { modelId: 'amv-k2m9x7c4q1ab', modelSetId: 'am-gh0azfeb9adu', modelSetName: 'customer-support-zh', name: 'V3' },
        { modelId: 'amv-g73j3faikzpz', modelSetId: 'am-gh0azfeb9adu', modelSetName: 'customer-support-zh', name: 'V1' },
      ]);
      await treeLines(f.api);
      await vscode.commands.executeCommand('qianfan.modelVersions.focus');
      await waitFor('the view to be visible', () => f.api.treeView.visible && poller.isActive);
      const before = f.emulator.count('DescribeModel');
      await waitFor('a poll', () => f.emulator.count('DescribeModel') > before + 1);
      const polled = f.emulator.requests.slice(-2).map((r) => (r.body as { modelId?: string }).modelId);
      assert.ok(
        polled.every((id) => id === 'amv-k2m9x7c4q1ab'),
        `only the Creating version is polled: ${polled.join(', ')}`,
      );
      f.emulator.store.versions.get('amv-k2m9x7c4q1ab')!.status = 'Ready';
      const n = await waitFor('the announcement', () => f.prompts.notifications.find((x) => /is Ready|已就绪/.test(x.message)));
      assert.match(n.message, /customer-support-zh \/ V3 \(amv-k2m9x7c4q1ab\)/);
      const item = f.api.services.tree.getTreeItem(await versionNode(f.api, 'amv-k2m9x7c4q1ab'));
      assert.strictEqual(item.contextValue, 'qianfan.version.ready');
      await new Promise((r) => setTimeout(r, 400));
      assert.strictEqual(f.prompts.notifications.filter((x) => /is Ready|已就绪/.test(x.message)).length, 1, 'announced once');
      const after = f.emulator.count('DescribeModel');
      await new Promise((r) => setTimeout(r, 400));
      assert.strictEqual(f.emulator.count('DescribeModel'), after, 'nothing Creating: nothing polled');
    });

    it('polls nothing while the view is hidden', async () => {
      const poller = f.api.services.poller;
      poller.timing = { intervalMs: 50, maxIntervalMs: 100 };
      await track(f, { modelId: 'amv-k2m9x7c4q1ab' });
      await treeLines(f.api);
      await vscode.commands.executeCommand('workbench.view.explorer');
      await waitFor('the view to be hidden', () => !f.api.treeView.visible && !poller.isActive);
      const before = f.emulator.count('DescribeModel');
      await new Promise((r) => setTimeout(r, 400));
      assert.strictEqual(f.emulator.count('DescribeModel'), before);
      await vscode.commands.executeCommand('qianfan.modelVersions.focus');
      await waitFor('polling again once visible', () => f.emulator.count('DescribeModel') > before);
    });
  });

  describe('keys the service refuses', () => {
    beforeEach(async () => {
      f = await setUp();
      await track(f, { modelId: 'amv-g73j3faikzpz' }, { modelId: 'amv-k2m9x7c4q1ab' });
      await treeLines(f.api);
      await f.api.services.loader.flush();
    });

    it('one error node with Set Access Key… and Show Log; last statuses kept; reloads by itself when the keys change', async () => {
      const s = f.api.services;
      await s.credentials.set({ accessKeyId: DEMO_ACCESS_KEY, secretAccessKey: 'x'.repeat(32) });
      await waitFor('the stop', () => s.details.problem !== undefined, 5000);
      await new Promise((r) => setTimeout(r, 300)); // the keys' change events have all arrived
      await s.loader.idle();
      assert.ok(s.details.problem !== undefined, 'loading stays stopped');
      const root = await s.tree.getChildren();
      const errors = root.filter((n): n is ErrorNode => n.kind === 'error'); // the extension's own classes are not the test's
      assert.strictEqual(errors.length, 1, 'one error node, not one per version');
      const errorItem = s.tree.getTreeItem(errors[0]);
      assert.match(label(errorItem), /SignatureDoesNotMatch|InvalidAccessKeyId/);
      const actions = await s.tree.getChildren(errors[0]);
      assert.deepStrictEqual(
        actions.map((a) => (a.kind === 'action' ? s.tree.getTreeItem(a).command?.command : undefined)),
        ['qianfan.setCredentials', 'qianfan.showLog'],
      );
      const ready = s.tree.getTreeItem(await versionNode(f.api, 'amv-g73j3faikzpz'));
      assert.strictEqual(ready.contextValue, 'qianfan.version.ready', 'the last known status stays');
      assert.ok(!String(ready.description).includes('could not'), 'no per-version error for a key problem');
      const requests = f.emulator.requests.length;
      await s.tree.getChildren(root.find((n) => n.kind === 'model'));
      await s.loader.idle();
      assert.strictEqual(f.emulator.requests.length, requests, 'nothing more is sent with refused keys');
      await s.credentials.set({ accessKeyId: DEMO_ACCESS_KEY, secretAccessKey: DEMO_SECRET_KEY });
      await waitFor('the reload', () => s.details.problem === undefined && s.details.liveStatus('amv-g73j3faikzpz') === 'Ready');
      assert.ok(!(await s.tree.getChildren()).some((n) => n.kind === 'error'));
    });
  });

  describe('export state follows the version', () => {
    beforeEach(async () => {
      f = await setUp();
      await track(f, { modelId: 'amv-g73j3faikzpz' }, { modelId: 'amv-p8r2t6y1u3io' });
      await treeLines(f.api);
    });

    it('untracking a version ends its export state and remembered task', async () => {
      const s = f.api.services;
      await run('qianfan.exportVersion', await versionNode(f.api, 'amv-g73j3faikzpz'));
      assert.ok(s.exportStates.done('amv-g73j3faikzpz'), 'the export is done');
      await run('qianfan.untrackVersion', await versionNode(f.api, 'amv-g73j3faikzpz'));
      assert.strictEqual(s.exportStates.get('amv-g73j3faikzpz'), undefined);
    });

    it('untracking a version whose export runs stops following it and forgets the task', async () => {
      const s = f.api.services;
      f.emulator.store.exportDurationMs = 60_000;
      const watching = run('qianfan.exportVersion', await versionNode(f.api, 'amv-p8r2t6y1u3io'));
      await waitFor('the running export', () => s.exportStates.get('amv-p8r2t6y1u3io')?.status === 'Doing');
      assert.strictEqual(s.pendingExports.list().length, 1);
      await run('qianfan.untrackVersion', await versionNode(f.api, 'amv-p8r2t6y1u3io'));
      await watching;
      assert.strictEqual(s.exportStates.get('amv-p8r2t6y1u3io'), undefined);
      await waitFor('the task forgotten', () => s.pendingExports.list().length === 0 || undefined);
      assert.ok(!f.prompts.notifications.some((n) => n.level === 'error'), f.prompts.notifications.map((n) => n.message).join('\n'));
    });

    it('a version node is repainted when its export changes, without the whole tree', async () => {
      const changes: (TreeNode | TreeNode[] | undefined)[] = [];
      const sub = f.api.services.tree.onDidChangeTreeData((e) => changes.push(e));
      try {
        await run('qianfan.exportVersion', await versionNode(f.api, 'amv-g73j3faikzpz'));
        const said = JSON.stringify(changes.map((c) => (Array.isArray(c) ? c.map((n) => n.id) : c === undefined ? 'all' : c.id)));
        // every change is a repaint of version rows, never of the whole tree (a status another version learnt
        // meanwhile repaints that row alone); the exported version's row is among them
        for (const e of changes) {
          assert.ok(Array.isArray(e) && e.every((n) => n.kind === 'version'), `per node: ${said}`);
        }
        assert.ok(
          changes.some((e) => Array.isArray(e) && e.some((n) => n.kind === 'version' && n.modelId === 'amv-g73j3faikzpz')),
          `the exported version is repainted: ${said}`,
        );
      } finally {
        sub.dispose();
      }
    });
  });
});

describe('the filter', () => {
  let f: Fixture;
  beforeEach(async () => {
    f = await setUp({ fixture: generatedFixture(100, 10) });
    await f.api.services.tracked.add(trackedAsSeenBefore(f, Date.now() - HOUR));
    await f.api.simulateReload();
  });
  afterEach(async () => {
    await run('qianfan.clearFilter');
    await tearDown(f);
  });

  it('finds a version by part of its ID, expanded, and says the filter in the view description', async () => {
    const tree = f.api.services.tree;
    const target = [...f.emulator.store.versions.values()][537];
    f.prompts.inputs.push(target.modelId.slice(0, 9));
    await run('qianfan.filter');
    const root = await tree.getChildren();
    const matching = [...f.emulator.store.versions.keys()].filter((id) => id.startsWith(target.modelId.slice(0, 9)));
    const shown = (await Promise.all(root.map((m) => tree.getChildren(m)))).flat();
    assert.deepStrictEqual(shown.map((n) => (n.kind === 'version' ? n.modelId : '')).sort(), matching.sort());
    const models = root.filter((n) => n.kind === 'model');
    assert.ok(models.length > 0);
    for (const m of models) {
      assert.strictEqual(tree.getTreeItem(m).collapsibleState, vscode.TreeItemCollapsibleState.Expanded, 'few matches: shown open');
    }
    await waitFor('the description', () => String(f.api.treeView.description).includes(target.modelId.slice(0, 9)));
    // at the top of the view's body: the filter, how many match of how many, and a row that clears it
    const n = matching.length;
    await waitFor(
      'the message',
      () =>
        f.api.treeView.message ===
        (n === 1
          ? `Filter "${target.modelId.slice(0, 9)}": 1 of 1,000 versions matches.`
          : `Filter "${target.modelId.slice(0, 9)}": ${n} of 1,000 versions match.`),
    );
    assert.strictEqual(tree.getTreeItem(root[0]).command?.command, 'qianfan.clearFilter', 'the first row clears the filter');
  });

  it('a status filter matches the statuses stored from earlier sessions; many matches stay closed, and the message counts them', async () => {
    const tree = f.api.services.tree;
    await run('qianfan.filter', 'status:Creating');
    const creating = [...f.emulator.store.versions.values()].filter((v) => v.status === 'Creating').length;
    assert.ok(creating > FILTER_EXPAND_UNKNOWN_LIMIT, `${creating} Creating versions in the fixture`);
    const root = await tree.getChildren();
    const shown = (await Promise.all(root.map((m) => tree.getChildren(m)))).flat();
    assert.strictEqual(shown.length, creating, 'matched on the stored statuses, before any request');
    const models = root.filter((m) => m.kind === 'model');
    assert.ok(
      models.every((m) => tree.getTreeItem(m).collapsibleState === vscode.TreeItemCollapsibleState.Collapsed),
      'too many to load at once: closed',
    );
    await waitFor('the message', () => f.api.treeView.message === `Filter "status:Creating": ${creating} of 1,000 versions match.`);
    await run('qianfan.clearFilter');
    await waitFor('no message', () => f.api.treeView.message === undefined);
  });

  it('filters by status, and by words and status together; Clear Filter shows everything again', async () => {
    const tree = f.api.services.tree;
    await run('qianfan.filter', 'status:Creating');
    const creating = [...f.emulator.store.versions.values()].filter((v) => v.status === 'Creating').length;
    let shown = (await Promise.all((await tree.getChildren()).map((m) => tree.getChildren(m)))).flat();
    assert.strictEqual(shown.length, creating);
    await run('qianfan.filter', 'model-10 status:ready');
    shown = (await Promise.all((await tree.getChildren()).map((m) => tree.getChildren(m)))).flat();
    assert.ok(shown.length > 0 && shown.every((n) => n.kind === 'version' && tree.getTreeItem(n).contextValue === 'qianfan.version.ready'));
    await run('qianfan.filter', 'no-such-thing');
    const none = await tree.getChildren();
    assert.strictEqual(none.length, 1);
    await waitFor('the message', () => f.api.treeView.message === 'Filter "no-such-thing": 0 of 1,000 versions match.');
    assert.strictEqual(tree.getTreeItem(none[0]).command?.command, 'qianfan.clearFilter');
    await run('qianfan.clearFilter');
    assert.strictEqual((await tree.getChildren()).length, 100);
  });
});
