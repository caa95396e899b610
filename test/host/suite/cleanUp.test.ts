/**
 * Delete Old Versions… in a real VS Code: the rule, the preview with what is kept and why, the
 * typed count, a deployed version kept, a version that changed since the preview skipped, and a
 * cancel that deletes nothing.
 */
import * as assert from 'assert';
import type * as vscode from 'vscode';
import { generatedFixture } from '../../emulator/fixture';
import { type Fixture, run, setUp, tearDown, track, treeLines } from './harness';

const DAY = 24 * 3600 * 1000;

type Item = vscode.QuickPickItem & { version?: { modelId: string } };

describe('delete old versions (clean-up)', () => {
  let f: Fixture;
  let ids: string[];
  let model: string;

  beforeEach(async () => {
    const fixture = generatedFixture(1, 6, 7);
    model = fixture.models[0].modelSetId;
    ids = fixture.versions.map((v) => v.modelId); // V1 … V6
    fixture.versions.forEach((v, i) => (v.createTime = new Date(Date.now() - (10 - i) * DAY).toISOString())); // V6 the newest
    f = await setUp({
      fixture,
      // V1 runs in a service: the oldest, yet always kept
      services: [{ serviceId: 'svco-000001', name: 'cs-prod', modelId: ids[0], modelSetId: model }],
    });
    await track(f, ...ids.map((modelId) => ({ modelId, modelSetId: model })));
    await treeLines(f.api);
  });
  afterEach(() => tearDown(f));

  it('keep the newest 3: the preview names what goes and why the rest stays; the typed count deletes exactly those', async () => {
    let preview: Item[] = [];
    f.prompts.picks.push(
      (items: Item[]) => items[0], // the first rule: keep the newest 3
      (items: Item[]) => ((preview = items), items.filter((i) => i.picked)),
    );
    f.prompts.inputs.push((o: vscode.InputBoxOptions) => (assert.match(o.prompt ?? '', /Type 2/), '2'));
    await run('qianfan.cleanUp');
    const separator = preview.find((i) => i.version === undefined)!;
    assert.match(separator.label, /deletes 2, keeps 4/);
    assert.match(separator.label, /V1 \(amv-[a-z0-9]+\) \(kept: runs in service cs-prod\)/);
    assert.match(separator.label, /V6 \(amv-[a-z0-9]+\) \(kept: among the newest 3\)/);
    assert.deepStrictEqual(
      preview.filter((i) => i.version).map((i) => i.version!.modelId),
      [ids[2], ids[1]],
      'V3 and V2, newest first; V1 runs in a service',
    );
    assert.ok(!f.emulator.store.versions.has(ids[1]) && !f.emulator.store.versions.has(ids[2]), 'V2 and V3 deleted');
    for (const id of [ids[0], ids[3], ids[4], ids[5]]) {
      assert.ok(f.emulator.store.versions.has(id), `${id} kept`);
    }
    assert.deepStrictEqual(
      f.api.services.tracked
        .list()
        .map((t) => t.modelId)
        .sort(),
      [ids[0], ids[3], ids[4], ids[5]].sort(),
    );
    assert.match(f.prompts.last('info').message, /Deleted 2 model versions/);
  });

  it('an unticked version stays; a version that changed since the preview is skipped and named', async () => {
    f.prompts.picks.push((items: Item[]) => items.find((i) => /only failed/.test(i.label)) ?? items[2]);
    // nothing failed: the rule deletes nothing and says so
    await run('qianfan.cleanUp');
    assert.match(f.prompts.last('info').message, /Nothing to delete/);
    assert.strictEqual(f.emulator.count('DeleteModel'), 0);

    f.prompts.picks.push(
      (items: Item[]) => items[0],
      (items: Item[]) => {
        // V2 changes (now Creating again) between the preview and the delete; V3 is unticked
        f.emulator.store.versions.get(ids[1])!.status = 'Creating';
        return items.filter((i) => i.picked && i.version?.modelId !== ids[2]);
      },
    );
    f.prompts.inputs.push('1');
    await run('qianfan.cleanUp');
    assert.strictEqual(f.emulator.count('DeleteModel'), 0, 'nothing deleted');
    assert.ok(f.prompts.notifications.some((n) => n.level === 'warn' && /Skipped, changed since the preview.*V2/.test(n.message)));
    assert.strictEqual(f.api.services.tracked.list().length, 6);
  });

  it('on a model node, older than D days; a cancel of the count deletes nothing', async () => {
    const node = (await f.api.services.tree.getChildren())?.find((n) => n.kind === 'model');
    assert.ok(node);
    f.prompts.picks.push(
      (items: Item[]) => items[1], // older than…
      (items: Item[]) => items.filter((i) => i.picked),
    );
    f.prompts.inputs.push('7', undefined); // 7 days; then Escape at the typed count
    await run('qianfan.cleanUp', node);
    assert.strictEqual(f.emulator.count('DeleteModel'), 0);
    assert.strictEqual(f.api.services.tracked.list().length, 6);
  });
});
