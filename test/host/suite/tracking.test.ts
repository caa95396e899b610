import * as assert from 'assert';
import type * as vscode from 'vscode';
import { generatedFixture } from '../../emulator/fixture';
import { type Fixture, run, setUp, tearDown, track, treeLines, versionNode, waitFor } from './harness';

describe('tracked versions and the tree', () => {
  let f: Fixture;
  afterEach(() => tearDown(f));

  describe('with the demo account', () => {
    beforeEach(async () => (f = await setUp()));

    it('tracks a version by ID and shows it under its model with status and tooltip', async () => {
      f.prompts.inputs.push(' amv-g73j3faikzpz ');
      await run('qianfan.trackVersion');
      assert.match(f.prompts.last('info').message, /amv-g73j3faikzpz/);
      const lines = await treeLines(f.api);
      assert.strictEqual(lines.length, 2, lines.join('\n'));
      assert.strictEqual(lines[0], 'customer-support-zh [am-gh0azfeb9adu] <qianfan.model> folder-library');
      assert.match(lines[1], /^ {2}V1 \(amv-g73j3faikzpz\) \[(Ready|就绪)\] <qianfan\.version\.ready> pass$/);
      const item = f.api.services.tree.getTreeItem(await versionNode(f.api, 'amv-g73j3faikzpz'));
      const tooltip = (item.tooltip as vscode.MarkdownString).value;
      assert.match(tooltip, /ERNIE\\-Speed\\-8K/);
      assert.match(tooltip, /am\\-gh0azfeb9adu/);
    });

    it('says what is wrong with each kind of wrong ID, keeping the box open, tracking nothing', async () => {
      f.prompts.inputs.push('hello', 'am-gh0azfeb9adu', 'bce-v3/ALTAK-xyz/abc', 'AMV-G73J3FAIKZPZ', 'V1 (amv-g73j3faikzpz)', undefined);
      await run('qianfan.trackVersion');
      const refusals = f.prompts.asked.filter((a) => a.startsWith('refused: '));
      assert.strictEqual(refusals.length, 5, f.prompts.asked.join('\n'));
      assert.match(refusals[1], /am-gh0azfeb9adu.*(model|模型)/);
      assert.match(refusals[2], /API Key/);
      assert.match(refusals[3], /amv-g73j3faikzpz/);
      assert.match(refusals[4], /amv-g73j3faikzpz/);
      assert.strictEqual(f.api.services.tracked.list().length, 0);
      assert.strictEqual(f.emulator.requests.length, 0);
      assert.strictEqual(f.prompts.notifications.length, 0, 'Escape closes the box quietly');
    });

    it('keeps the box open on an ID Qianfan does not know, so the user can correct it', async () => {
      f.prompts.inputs.push('amv-unknown00001', 'amv-g73j3faikzpz');
      await run('qianfan.trackVersion');
      assert.ok(f.prompts.asked.some((a) => a.startsWith('refused: ') && a.includes('amv-unknown00001')));
      assert.deepStrictEqual(
        f.api.services.tracked.list().map((t) => t.modelId),
        ['amv-g73j3faikzpz'],
      );
      assert.match(f.prompts.last('info').message, /customer-support-zh \/ V1 \(amv-g73j3faikzpz\)/);
    });

    it('an ID passed to the command that Qianfan does not know is an error, tracking nothing', async () => {
      await run('qianfan.trackVersion', 'amv-unknown00001');
      assert.match(f.prompts.last('error').message, /amv-unknown00001/);
      assert.strictEqual(f.api.services.tracked.list().length, 0);
    });

    it('shows every status with its own icon and groups versions by model', async () => {
      await track(f, { modelId: 'amv-g73j3faikzpz' }, { modelId: 'amv-k2m9x7c4q1ab' }, { modelId: 'amv-z9x8c7v6b5nm' }, { modelId: 'amv-p8r2t6y1u3io' });
      const lines = await treeLines(f.api);
      assert.strictEqual(lines.length, 6, lines.join('\n'));
      assert.ok(lines.some((l) => l.includes('amv-k2m9x7c4q1ab') && l.includes('<qianfan.version.creating>') && l.endsWith('loading~spin')));
      assert.ok(lines.some((l) => l.includes('amv-z9x8c7v6b5nm') && l.includes('<qianfan.version.fail>') && l.endsWith('error')));
      assert.strictEqual(lines.filter((l) => l.includes('<qianfan.model>')).length, 2);
    });

    it('imports chosen versions from the account (multi-select quick pick)', async () => {
      f.prompts.picks.push((items: { description: string }[]) => items.filter((i) => i.description.startsWith('amv-g') || i.description.startsWith('amv-a')));
      await run('qianfan.importVersions');
      assert.deepStrictEqual(
        f.api.services.tracked
          .list()
          .map((t) => t.modelId)
          .sort(),
        ['amv-a1s2d3f4g5h6', 'amv-g73j3faikzpz'],
      );
      assert.strictEqual(f.api.services.tracked.get('amv-a1s2d3f4g5h6')?.modelSetName, 'doc-embedding');
    });

    it('select-all in Import takes versions only: every version tracked, no model followed (following is its own command)', async () => {
      f.prompts.picks.push((items: { description: string }[]) => {
        assert.deepStrictEqual(
          items.filter((i) => !i.description.startsWith('amv-')),
          [],
          'nothing but versions to pick: no "follow this model" item',
        );
        return items; // select-all
      });
      await run('qianfan.importVersions');
      assert.strictEqual(f.api.services.tracked.list().length, 6);
      assert.deepStrictEqual(f.api.services.followed.list(), [], 'no model followed');
      assert.match(f.prompts.last('info').message, /(Now tracking 6 new model versions\.|6)/);
      assert.doesNotMatch(f.prompts.last('info').message, /follow|关注/);
    });

    it('re-import offers only the versions not tracked yet, and says what it did', async () => {
      await track(f, { modelId: 'amv-g73j3faikzpz' });
      f.prompts.picks.push((items: { description: string }[]) => {
        assert.ok(!items.some((i) => i.description === 'amv-g73j3faikzpz'), 'a tracked version is not offered again');
        assert.strictEqual(items.filter((i) => i.description.startsWith('amv-')).length, 5);
        assert.strictEqual(items.filter((i) => i.description.startsWith('am-')).length, 0, 'no model to follow among them');
        return items.filter((i) => i.description === 'amv-a1s2d3f4g5h6');
      });
      await run('qianfan.importVersions');
      assert.match(f.prompts.last('info').message, /\b1\b/);
      assert.strictEqual(f.api.services.tracked.list().length, 2);
      await track(f, ...['amv-34qkndzjf111', 'amv-k2m9x7c4q1ab', 'amv-p8r2t6y1u3io', 'amv-z9x8c7v6b5nm'].map((modelId) => ({ modelId })));
      await run('qianfan.importVersions');
      assert.match(f.prompts.last('info').message, /6/, 'all tracked: nothing to choose, said so');
    });

    it('keeps a version the service no longer knows, marked, and lets the user untrack it', async () => {
      await track(f, { modelId: 'amv-g73j3faikzpz' }, { modelId: 'amv-34qkndzjf111' });
      await treeLines(f.api);
      // deleted elsewhere: gone from its model's versions too, the evidence the extension goes by
      const model = f.emulator.store.models.get(f.emulator.store.versions.get('amv-34qkndzjf111')!.modelSetId)!;
      model.versionIds = model.versionIds.filter((id) => id !== 'amv-34qkndzjf111');
      f.emulator.store.versions.delete('amv-34qkndzjf111');
      await f.api.services.tree.refresh();
      const lines = await treeLines(f.api);
      assert.ok(
        lines.some((l) => l.includes('amv-34qkndzjf111') && l.includes('<qianfan.version.missing>')),
        lines.join('\n'),
      );
      assert.strictEqual(f.api.services.tracked.list().length, 2, 'nothing is silently dropped');
      await run('qianfan.untrackVersion', await versionNode(f.api, 'amv-34qkndzjf111'));
      assert.deepStrictEqual(
        f.api.services.tracked.list().map((t) => t.modelId),
        ['amv-g73j3faikzpz'],
      );
    });

    it('a version that cannot be loaded shows why on its own node, never an empty tree', async () => {
      await track(f, { modelId: 'amv-g73j3faikzpz' }, { modelId: 'amv-k2m9x7c4q1ab' });
      f.emulator.inject({
        action: 'DescribeModel',
        modelId: 'amv-g73j3faikzpz',
        fault: { kind: 'status', status: 503, code: 'ServiceUnavailable' },
        times: 20,
      });
      await run('qianfan.refresh');
      const lines = await treeLines(f.api);
      assert.ok(!lines.some((l) => l.includes('<qianfan.error>')), 'no error node for one version');
      const failed = lines.find((l) => l.includes('amv-g73j3faikzpz'));
      assert.match(failed ?? '', /(could not load|无法加载).*<qianfan\.version\.unknown> question/);
      assert.ok(
        lines.some((l) => l.includes('amv-k2m9x7c4q1ab') && l.includes('<qianfan.version.creating>')),
        'the other loads',
      );
      const tooltip = (f.api.services.tree.getTreeItem(await versionNode(f.api, 'amv-g73j3faikzpz')).tooltip as vscode.MarkdownString).value;
      assert.match(tooltip, /ServiceUnavailable/);
    });

    it('refreshes one node without reloading the others', async () => {
      await track(f, { modelId: 'amv-g73j3faikzpz' }, { modelId: 'amv-k2m9x7c4q1ab' });
      await treeLines(f.api);
      f.emulator.store.versions.get('amv-k2m9x7c4q1ab')!.status = 'Ready';
      const before = f.emulator.count('DescribeModel');
      await run('qianfan.refreshNode', await versionNode(f.api, 'amv-k2m9x7c4q1ab'));
      await waitFor('the refreshed status', () => f.api.services.details.liveStatus('amv-k2m9x7c4q1ab') === 'Ready');
      const lines = await treeLines(f.api);
      assert.ok(lines.some((l) => l.includes('amv-k2m9x7c4q1ab') && l.includes('<qianfan.version.ready>')));
      assert.strictEqual(f.emulator.count('DescribeModel') - before, 1);
    });

    it('tracking one more version loads only that one, not every tracked version again', async () => {
      await track(f, { modelId: 'amv-g73j3faikzpz' }, { modelId: 'amv-34qkndzjf111' });
      await treeLines(f.api);
      const before = f.emulator.count('DescribeModel');
      f.prompts.inputs.push('amv-a1s2d3f4g5h6');
      await run('qianfan.trackVersion');
      const lines = await treeLines(f.api);
      assert.ok(
        lines.some((l) => l.includes('amv-a1s2d3f4g5h6') && l.includes('<qianfan.version.ready>')),
        lines.join('\n'),
      );
      // one lookup by the command, one load by the tree
      assert.strictEqual(f.emulator.count('DescribeModel') - before, 2);
    });

    it('copies a version ID', async () => {
      await track(f, { modelId: 'amv-g73j3faikzpz' });
      await run('qianfan.copyId', await versionNode(f.api, 'amv-g73j3faikzpz'));
      assert.deepStrictEqual(f.prompts.copied, ['amv-g73j3faikzpz']);
    });

    it('keeps the tracked list in globalState, so it survives a reload', async () => {
      await track(f, { modelId: 'amv-g73j3faikzpz', modelSetId: 'am-gh0azfeb9adu' });
      const stored = f.api.globalStateDump()['qianfan.trackedVersions.v1'] as { modelId: string }[];
      assert.deepStrictEqual(
        stored.map((s) => s.modelId),
        ['amv-g73j3faikzpz'],
      );
    });
  });

  describe('with a large account', () => {
    beforeEach(async () => (f = await setUp({ fixture: generatedFixture(230, 2) })));

    it('imports from every page of DescribeCustomModelSets', async () => {
      f.prompts.picks.push((items: { description: string }[]) => {
        const versions = items.filter((i) => i.description.startsWith('amv-'));
        assert.strictEqual(versions.length, 460);
        return versions;
      });
      await run('qianfan.importVersions');
      const pages = f.emulator.requests.filter((r) => r.action === 'DescribeCustomModelSets' && r.status === 200);
      assert.strictEqual(new Set(pages.map((r) => JSON.stringify(r.body))).size, 3, 'every page, each once (a page retried on a busy machine counts once)');
      assert.strictEqual(f.api.services.tracked.list().length, 460, 'every version tracked');
    });
  });
});
