import * as assert from 'assert';
import * as vscode from 'vscode';
import { type Fixture, run, setUp, tearDown, track, treeLines, versionNode } from './harness';

const ALL = ['amv-g73j3faikzpz', 'amv-34qkndzjf111', 'amv-k2m9x7c4q1ab', 'amv-p8r2t6y1u3io', 'amv-z9x8c7v6b5nm', 'amv-a1s2d3f4g5h6'];

describe('delete', () => {
  let f: Fixture;
  beforeEach(async () => {
    f = await setUp();
    await track(f, ...ALL.map((modelId) => ({ modelId })));
    await treeLines(f.api);
  });
  afterEach(() => tearDown(f));

  it('from the context menu: a modal confirmation naming the version, then it leaves the tree', async () => {
    f.prompts.confirms.push(true);
    await run('qianfan.deleteVersion', await versionNode(f.api, 'amv-34qkndzjf111'));
    const asked = f.prompts.asked.find((a) => a.startsWith('confirm:'))!;
    assert.match(asked, /V2 \(amv-34qkndzjf111\)/);
    assert.ok(!f.emulator.store.versions.has('amv-34qkndzjf111'));
    assert.ok(!f.api.services.tracked.has('amv-34qkndzjf111'));
    assert.ok(!(await treeLines(f.api)).some((l) => l.includes('amv-34qkndzjf111')));
    assert.match(f.prompts.last('info').message, /V2/);
  });

  it('does nothing when the confirmation is declined', async () => {
    f.prompts.confirms.push(false);
    await run('qianfan.deleteVersion', await versionNode(f.api, 'amv-34qkndzjf111'));
    assert.strictEqual(f.emulator.count('DeleteModel'), 0);
    assert.strictEqual(f.api.services.tracked.list().length, ALL.length);
  });

  it('multi-select: deletes every selected version, concurrently up to the limit', async () => {
    await vscode.workspace.getConfiguration('qianfan').update('maxConcurrentRequests', 3, vscode.ConfigurationTarget.Global);
    f.emulator.latencyMs = 150;
    const nodes = await Promise.all(ALL.slice(0, 5).map((id) => versionNode(f.api, id)));
    f.emulator.maxInFlight = 0;
    f.prompts.confirms.push(true);
    await run('qianfan.deleteVersion', nodes[0], nodes);
    assert.match(
      f.prompts.asked.find((a) => a.startsWith('confirm:'))!,
      /Delete 5 model versions|删除 5 个模型版本/,
    );
    assert.strictEqual(f.emulator.count('DeleteModel'), 5);
    assert.strictEqual(f.emulator.maxInFlight, 3, 'three at once, never more');
    assert.deepStrictEqual(
      f.api.services.tracked.list().map((t) => t.modelId),
      ['amv-a1s2d3f4g5h6'],
    );
  });

  it('from the palette: a quick pick of tracked versions', async () => {
    f.prompts.picks.push((items: { description: string }[]) => items.filter((i) => i.description.startsWith('amv-a1s2d3f4g5h6')));
    f.prompts.confirms.push(true);
    await run('qianfan.deleteVersion');
    assert.ok(!f.emulator.store.versions.has('amv-a1s2d3f4g5h6'));
  });

  it('reports a partial failure item by item and keeps the failed versions', async () => {
    f.emulator.inject({
      action: 'DeleteModel',
      modelId: 'amv-p8r2t6y1u3io',
      fault: { kind: 'status', status: 403, code: 'AccessDenied', message: 'no permission' },
    });
    const nodes = await Promise.all(['amv-g73j3faikzpz', 'amv-p8r2t6y1u3io', 'amv-a1s2d3f4g5h6'].map((id) => versionNode(f.api, id)));
    f.prompts.confirms.push(true);
    await run('qianfan.deleteVersion', nodes[1], nodes);
    const n = f.prompts.last('error');
    assert.match(n.message, /2 .*3/);
    assert.match(n.message, /amv-p8r2t6y1u3io/);
    assert.match(n.message, /QianfanFullControlAccessPolicy/);
    assert.ok(n.actions.length === 1, 'Show Log');
    assert.deepStrictEqual(
      f.api.services.tracked
        .list()
        .map((t) => t.modelId)
        .filter((id) => ['amv-g73j3faikzpz', 'amv-p8r2t6y1u3io', 'amv-a1s2d3f4g5h6'].includes(id)),
      ['amv-p8r2t6y1u3io'],
    );
  });

  it('cancel stops what has not been sent and keeps those versions', async () => {
    await vscode.workspace.getConfiguration('qianfan').update('maxConcurrentRequests', 1, vscode.ConfigurationTarget.Global);
    f.emulator.latencyMs = 200;
    const nodes = await Promise.all(ALL.slice(0, 4).map((id) => versionNode(f.api, id)));
    f.prompts.confirms.push(true);
    // cancel while the first delete is on the wire (the services check before the confirmation takes its own time):
    // that one goes to its end (a delete sent is never reported as not sent), the others are not sent
    const cancelWhenDeleting = setInterval(() => {
      if (f.prompts.confirms.length === 0 && f.emulator.inFlight >= 1) {
        clearInterval(cancelWhenDeleting);
        f.prompts.cancelProgress();
      }
    }, 10);
    try {
      await run('qianfan.deleteVersion', nodes[0], nodes);
    } finally {
      clearInterval(cancelWhenDeleting);
    }
    assert.ok(f.emulator.count('DeleteModel') < 4);
    assert.match(f.prompts.last('warn').message, /Cancelled|取消/);
    const stillTracked = f.api.services.tracked.list().map((t) => t.modelId);
    for (const id of ALL.slice(0, 4)) {
      assert.strictEqual(stillTracked.includes(id), f.emulator.store.versions.has(id), `${id}: tracked exactly when it still exists`);
    }
  });

  it('with "enterId" confirmation, only the exact ID deletes', async () => {
    await vscode.workspace.getConfiguration('qianfan').update('deleteConfirmation', 'enterId', vscode.ConfigurationTarget.Global);
    f.prompts.inputs.push('amv-wrong');
    await run('qianfan.deleteVersion', await versionNode(f.api, 'amv-g73j3faikzpz'));
    assert.strictEqual(f.emulator.count('DeleteModel'), 0);
    f.prompts.inputs.push('amv-g73j3faikzpz');
    await run('qianfan.deleteVersion', await versionNode(f.api, 'amv-g73j3faikzpz'));
    assert.ok(!f.emulator.store.versions.has('amv-g73j3faikzpz'));
  });
});
