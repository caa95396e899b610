/**
 * Delete Old Versions… in a real VS Code: the rule and its typed N, the preview with every version
 * newest first and why each kept one stays, the typed count, a deployed version kept, a version
 * that changed since the preview skipped, a cancel that deletes nothing, versions of one second
 * (the highest stay), and a progress that counts what was read and says when a rate limit paces it.
 */
import * as assert from 'assert';
import * as vscode from 'vscode';
import { generatedFixture } from '../../emulator/fixture';
import { type Fixture, run, setUp, tearDown, track, treeLines } from './harness';

const DAY = 24 * 3600 * 1000;

type Item = vscode.QuickPickItem & { version?: { modelId: string; name: string }; deletes?: boolean };

/** What the progress notifications said (the scripted prompts show none). */
function recordProgress(f: Fixture): { title: string; message: string; increment?: number }[] {
  const said: { title: string; message: string; increment?: number }[] = [];
  const withProgress = f.prompts.withProgress.bind(f.prompts);
  f.prompts.withProgress = (title, cancellable, task) =>
    withProgress(title, cancellable, (_p, signal) => task({ report: (message, increment) => said.push({ title, message, increment }) }, signal));
  return said;
}

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

  it('keep the newest 3: the preview lists every version newest first, what goes ticked and why the rest stays; the typed count deletes exactly those', async () => {
    let preview: Item[] = [];
    let title = '';
    f.prompts.picks.push(
      (items: Item[]) => items[0], // the first rule: keep the newest N
      (items: Item[]) => ((preview = items), items.filter((i) => i.version)), // a kept row returned all the same is not deleted
    );
    const pickMany = f.prompts.pickMany.bind(f.prompts);
    f.prompts.pickMany = (items, options) => ((title = options.title ?? ''), pickMany(items, options));
    f.prompts.inputs.push(
      (o: vscode.InputBoxOptions) => (assert.strictEqual(o.value, '3', 'the setting gives the default'), '3'),
      (o: vscode.InputBoxOptions) => (assert.match(o.prompt ?? '', /Type 2/), '2'),
    );
    await run('qianfan.cleanUp');
    assert.strictEqual(title, '2 to delete, 4 kept (1 anyway): keep the newest 3 per model');
    const rows = preview.filter((i) => i.version);
    assert.deepStrictEqual(
      rows.map((i) => i.version!.name + (i.picked ? ' ticked' : '')),
      ['V6', 'V5', 'V4', 'V3 ticked', 'V2 ticked', 'V1'],
      'every version, newest first; the ones to delete ticked',
    );
    assert.match(rows[0].label, /^\$\(pass\) model-1 \/ V6 \(amv-[a-z0-9]+\)$/);
    assert.strictEqual(rows[0].detail, 'kept: among the newest 3 that could be deleted');
    assert.strictEqual(rows[3].detail, 'deleted: older than the newest 3 that could be deleted');
    assert.match(rows[5].label, /^\$\(lock\) model-1 \/ V1 /);
    assert.strictEqual(rows[5].detail, 'kept anyway: runs in service cs-prod');
    assert.match(rows[0].description ?? '', /^Ready · created /);
    assert.ok(
      preview.filter((i) => !i.version).every((i) => i.kind === vscode.QuickPickItemKind.Separator && i.label === ''),
      'a plain line between models, no text drawn over a row',
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
    f.prompts.picks.push((items: Item[]) => {
      assert.strictEqual(items[2].detail, 'Versions whose status is Failed.', 'the tree’s word');
      return items[2];
    });
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
    f.prompts.inputs.push('3', '1');
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

describe('delete old versions: versions of one second, and the progress', () => {
  let f: Fixture | undefined;
  afterEach(() => tearDown(f));

  it('twenty versions created in the same second, IDs in no order: keep the newest 4 keeps the highest, and the two Creating in addition', async () => {
    const fixture = generatedFixture(1, 20, 42, { sameSecondModels: 1 }); // V7 and V14 Creating
    assert.strictEqual(new Set(fixture.versions.map((v) => v.createTime)).size, 1);
    const byName = new Map(fixture.versions.map((v) => [v.modelName, v.modelId]));
    f = await setUp({ fixture });
    await track(f, ...fixture.versions.map((v) => ({ modelId: v.modelId, modelSetId: v.modelSetId })));
    const said = recordProgress(f);
    let preview: Item[] = [];
    f.prompts.picks.push(
      (items: Item[]) => items[0],
      (items: Item[]) => ((preview = items), items.filter((i) => i.picked)),
    );
    f.prompts.inputs.push('4', '14');
    await run('qianfan.cleanUp');
    assert.deepStrictEqual(
      preview.filter((i) => i.version).map((i) => i.version!.name),
      Array.from({ length: 20 }, (_, i) => `V${20 - i}`),
      'newest first: by name, V20 to V1',
    );
    const left = ['V20', 'V19', 'V18', 'V17', 'V14', 'V7'];
    assert.deepStrictEqual([...f.emulator.store.versions.values()].map((v) => v.modelName).sort(), [...left].sort());
    assert.strictEqual(preview.find((i) => i.version?.name === 'V14')?.detail, 'kept anyway: still Creating');
    for (const name of left) {
      assert.ok(f.emulator.store.versions.has(byName.get(name)!), `${name} kept`);
    }
    // the first look: one read at a time, as each lands, then the services
    const first = said.filter((x) => /^Looking at 20/.test(x.title)).map((x) => x.message);
    const counts = first.flatMap((m) => /^(\d+) of 20 read/.exec(m)?.[1] ?? []).map(Number);
    assert.strictEqual(counts[0], 0, `nothing read at first: ${first.join(' | ')}`);
    assert.ok(
      counts.every((n, i) => i === 0 || n >= counts[i - 1]),
      'never back',
    );
    assert.ok(new Set(counts).size >= 10, `moves as reads land: ${counts.join(',')}`);
    assert.strictEqual(first[first.length - 1], '20 of 20 read; checking which services run them…');
    const bar = said.filter((x) => /^Looking at 20/.test(x.title)).reduce((n, x) => n + (x.increment ?? 0), 0);
    assert.ok(Math.abs(bar - 90) < 0.001, `the reads fill 90 % of the bar: ${bar}`);
  });

  it('under a rate limit the progress says the pace is Qianfan’s', async () => {
    const fixture = generatedFixture(2, 12);
    f = await setUp({ fixture, rateLimit: 4 });
    await track(f, ...fixture.versions.map((v) => ({ modelId: v.modelId, modelSetId: v.modelSetId })));
    const said = recordProgress(f);
    f.prompts.picks.push(
      (items: Item[]) => items[0],
      () => undefined, // Escape at the preview
    );
    f.prompts.inputs.push('3');
    await run('qianfan.cleanUp');
    assert.ok(f.emulator.throttled > 0, 'the service refused some reads');
    const messages = said.map((x) => x.message);
    assert.ok(
      messages.some((m) => /^\d+ of 24 read(, at about \d+ per second: Qianfan's rate limit sets the pace|, waiting on Qianfan's rate limit)$/.test(m)),
      messages.join(' | '),
    );
    assert.strictEqual(f.emulator.count('DeleteModel'), 0);
  });
});
