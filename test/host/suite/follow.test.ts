import * as assert from 'assert';
import { type Fixture, run, setUp, tearDown, treeLines, waitFor } from './harness';

const MODEL = 'am-gh0azfeb9adu';
const NEW = 'amv-followv4new1';

describe('follow a model', () => {
  let f: Fixture;
  beforeEach(async () => (f = await setUp()));
  afterEach(async () => {
    await f.api.services.followed.unfollow(MODEL);
    await tearDown(f);
  });

  it('follows a model: its versions tracked, a version published later appears in the tree, marked new, announced once', async () => {
    const s = f.api.services;
    const model = f.emulator.store.models.get(MODEL)!;
    await run('qianfan.followModel', MODEL);
    assert.match(f.prompts.last('info').message, /customer-support-zh/);
    assert.ok(s.followed.has(MODEL));
    assert.deepStrictEqual(
      s.tracked
        .list()
        .map((t) => t.modelId)
        .sort(),
      [...model.versionIds].sort(),
    );
    let lines = await treeLines(f.api);
    assert.ok(
      lines.some((l) => l.startsWith('customer-support-zh') && l.includes('<qianfan.model.followed>')),
      lines.join('\n'),
    );

    // published later, elsewhere: in its model's versions, Creating
    const first = f.emulator.store.versions.get(model.versionIds[0])!;
    f.emulator.store.versions.set(NEW, { ...first, modelId: NEW, modelName: 'V4', status: 'Creating' });
    model.versionIds = [...model.versionIds, NEW];
    const before = f.prompts.notifications.length;
    await s.followPoller.checkAll();
    await s.followPoller.checkAll(); // a second look finds nothing new
    lines = await treeLines(f.api);
    const row = lines.find((l) => l.includes(NEW));
    assert.ok(row, lines.join('\n'));
    assert.match(row, /^ {2}V4 \(amv-followv4new1\) \[(new|新)/);
    const told = f.prompts.notifications.slice(before).filter((n) => n.message.includes(NEW));
    assert.strictEqual(told.length, 1, 'announced once');
    assert.match(told[0].message, /customer-support-zh (has a new version|有新版本).*V4 \(amv-followv4new1\)/);

    // selected: seen, no longer marked new
    s.tree.selection = (await s.tree.getChildren((await s.tree.getChildren()).find((n) => n.id.startsWith(`model:${MODEL}`)))).filter(
      (n) => (n as { modelId?: string }).modelId === NEW,
    );
    await waitFor('the mark gone', async () => !(await treeLines(f.api, false)).find((l) => l.includes(NEW))?.includes('[new'));

    await run('qianfan.unfollowModel', MODEL);
    assert.ok(!s.followed.has(MODEL));
    assert.ok(s.tracked.has(NEW), 'its versions stay tracked');
    assert.match(f.prompts.last('info').message, /(tracked|跟踪)/);
  });

  it('a followed model deleted elsewhere is marked, never dropped', async () => {
    const s = f.api.services;
    await run('qianfan.followModel', MODEL);
    const ids = [...f.emulator.store.models.get(MODEL)!.versionIds];
    f.emulator.store.models.delete(MODEL);
    await s.followPoller.check(MODEL);
    const lines = await treeLines(f.api, false);
    assert.ok(
      lines.some((l) => l.startsWith('customer-support-zh') && /no longer in Qianfan|千帆中已不存在/.test(l)),
      lines.join('\n'),
    );
    assert.ok(s.followed.has(MODEL));
    assert.ok(ids.every((id) => s.tracked.has(id)));
  });
});
