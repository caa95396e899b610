import * as assert from 'assert';
import { type Fixture, readLogs, run, setUp, tearDown, track, treeLines, versionNode, waitFor } from './harness';

describe('export', () => {
  let f: Fixture;
  beforeEach(async () => {
    f = await setUp();
    await track(f, { modelId: 'amv-g73j3faikzpz' }, { modelId: 'amv-p8r2t6y1u3io' });
    await treeLines(f.api);
  });
  afterEach(() => tearDown(f));

  it('creates the task, polls until Done, then offers the URL with file name, size and md5', async () => {
    f.prompts.notificationChoice = (n) => (n.level === 'info' ? n.actions[0] : undefined); // Copy Download URL
    await run('qianfan.exportVersion', await versionNode(f.api, 'amv-g73j3faikzpz'));
    const n = f.prompts.notifications.find((x) => x.actions.length === 3)!;
    assert.ok(n, f.prompts.notifications.map((x) => x.message).join('\n'));
    assert.match(n.message, /amv-g73j3faikzpz-exp-[0-9a-f]+\.tar\.gz/);
    assert.match(n.message, /1\.0 MB/);
    assert.match(n.message, /md5 [0-9a-f]{32}/);
    await waitFor('the copied URL', () => f.prompts.copied.length > 0);
    assert.match(f.prompts.copied[0], /^https:\/\/bj\.bcebos\.com\/qianfan-export\/amv-g73j3faikzpz\//);
    assert.ok(f.emulator.count('DescribeModelExportTask') >= 2);
    assert.deepStrictEqual(f.api.services.pendingExports.list(), []);
    const lines = await treeLines(f.api);
    assert.ok(
      lines.some((l) => l.includes('amv-g73j3faikzpz') && l.includes('.exported>')),
      lines.join('\n'),
    );
  });

  it('"Open Download URL" opens the URL of the finished export', async () => {
    f.prompts.notificationChoice = (n) => (n.level === 'info' ? n.actions[1] : undefined); // Open Download URL
    await run('qianfan.exportVersion', await versionNode(f.api, 'amv-g73j3faikzpz'));
    await waitFor('the opened URL', () => f.prompts.opened.length > 0);
    assert.match(f.prompts.opened[0], /^https:\/\/bj\.bcebos\.com\/qianfan-export\/amv-g73j3faikzpz\//);
    // and the node's "Copy Export Download URL" copies the same URL
    await run('qianfan.copyDownloadUrl', await versionNode(f.api, 'amv-g73j3faikzpz'));
    assert.deepStrictEqual(f.prompts.copied, f.prompts.opened);
  });

  it('from the palette: a quick pick of one version', async () => {
    f.prompts.picks.push((items: { description: string }[]) => items.find((i) => i.description.startsWith('amv-g73j3faikzpz')));
    await run('qianfan.exportVersion');
    assert.strictEqual(f.emulator.store.exportsCreated, 1);
  });

  it('the Export picker offers only Ready versions, each with its status', async () => {
    await track(f, { modelId: 'amv-k2m9x7c4q1ab' }, { modelId: 'amv-z9x8c7v6b5nm' });
    await treeLines(f.api);
    let offered: { description: string }[] = [];
    f.prompts.picks.push((items: { description: string }[]) => {
      offered = items;
      return undefined;
    });
    await run('qianfan.exportVersion');
    assert.deepStrictEqual(
      offered.map((i) => i.description.split(' · ')[0]).sort(),
      ['amv-g73j3faikzpz', 'amv-p8r2t6y1u3io'],
      'no Creating, no Failed version',
    );
    assert.ok(offered.every((i) => /· (Ready|就绪)$/.test(i.description)));
    assert.strictEqual(f.emulator.store.exportsCreated, 0);
  });

  it('Cancel on the progress says the export goes on in Qianfan, and Keep Watching follows it again', async () => {
    f.emulator.store.exportDurationMs = 3_600_000; // running until the test says, however slow the machine
    f.prompts.notificationChoice = (n) => n.actions.find((a) => /Keep Watching|继续关注/.test(a));
    const first = run('qianfan.exportVersion', await versionNode(f.api, 'amv-g73j3faikzpz'));
    await waitFor('the export under way', () => f.api.services.exportStates.get('amv-g73j3faikzpz')?.status === 'Doing');
    f.prompts.cancelProgress();
    await first;
    const said = f.prompts.notifications.find((n) => n.actions.length === 1 && /amv-g73j3faikzpz/.test(n.message));
    assert.ok(said, f.prompts.notifications.map((n) => n.message).join('\n'));
    assert.match(said.message, /Qianfan|千帆/);
    f.emulator.store.exportDurationMs = 0;
    await waitFor('watching again, to the end', () => f.api.services.exportStates.done('amv-g73j3faikzpz'), 10_000);
    assert.strictEqual(f.emulator.store.exportsCreated, 1, 'one task, followed twice');
  });

  it('Export on a version whose export is finished offers its file or a new export', async () => {
    await run('qianfan.exportVersion', await versionNode(f.api, 'amv-g73j3faikzpz'));
    assert.strictEqual(f.emulator.store.exportsCreated, 1);
    let offered: { label: string }[] = [];
    f.prompts.picks.push((items: { label: string; again: boolean }[]) => {
      offered = items;
      return items.find((i) => i.again);
    });
    await run('qianfan.exportVersion', await versionNode(f.api, 'amv-g73j3faikzpz'));
    assert.strictEqual(offered.length, 2);
    assert.match(offered[0].label, /Download|下载/);
    assert.strictEqual(f.emulator.store.exportsCreated, 2, 'a new export only when chosen');
    f.prompts.picks.push(() => undefined); // Escape: nothing
    await run('qianfan.exportVersion', await versionNode(f.api, 'amv-g73j3faikzpz'));
    assert.strictEqual(f.emulator.store.exportsCreated, 2);
  });

  it('reports a failed export', async () => {
    await run('qianfan.exportVersion', await versionNode(f.api, 'amv-p8r2t6y1u3io'));
    const n = f.prompts.last('error');
    assert.match(n.message, /failed|失败/);
  });

  it('remembers the task across a reload and resumes polling', async () => {
    f.emulator.store.exportDurationMs = 60_000;
    const started = run('qianfan.exportVersion', await versionNode(f.api, 'amv-g73j3faikzpz'));
    const pending = await waitFor('the remembered task', () => f.api.services.pendingExports.list()[0]);
    assert.strictEqual(pending.modelId, 'amv-g73j3faikzpz');
    assert.ok(JSON.stringify(f.api.globalStateDump()).includes(pending.exportId));
    // A reload: the old watcher stops (the window closes), a new one resumes from globalState.
    f.emulator.store.exportDurationMs = 200;
    await f.api.simulateReload({ intervalMs: 50, maxIntervalMs: 100, noRecordGraceMs: 500 });
    await started;
    assert.ok(f.prompts.notifications.some((n) => n.level === 'info' && /ready|完成/.test(n.message)));
    assert.deepStrictEqual(f.api.services.pendingExports.list(), []);
    assert.strictEqual(f.emulator.store.exportsCreated, 1);
  });

  it('shows an export as running only once its task is remembered (a reload from then on resumes it)', async () => {
    const s = f.api.services;
    f.emulator.store.exportDurationMs = 60_000;
    const put = s.pendingExports.put.bind(s.pendingExports);
    let release = () => {};
    const held = new Promise<void>((r) => (release = r));
    let remembering = false;
    s.pendingExports.put = async (p) => {
      remembering = true;
      await held; // the store is slow (a lock, a disk): the window could reload now
      await put(p);
    };
    try {
      const started = run('qianfan.exportVersion', await versionNode(f.api, 'amv-g73j3faikzpz'));
      await waitFor('the task being remembered', () => remembering);
      assert.strictEqual(s.exportStates.get('amv-g73j3faikzpz'), undefined, 'not shown as running before its task is remembered');
      release();
      await waitFor('the running export', () => s.exportStates.get('amv-g73j3faikzpz')?.status === 'Doing');
      assert.deepStrictEqual(
        s.pendingExports.list().map((p) => p.modelId),
        ['amv-g73j3faikzpz'],
        'remembered when shown as running',
      );
      await run('qianfan.untrackVersion', await versionNode(f.api, 'amv-g73j3faikzpz')); // ends the follow
      await started;
      await waitFor('the task forgotten', () => s.pendingExports.list().length === 0 || undefined);
    } finally {
      release();
      Reflect.deleteProperty(s.pendingExports, 'put');
    }
  });

  it('never creates an export twice when the answer to the create is lost', async () => {
    f.emulator.inject({ action: 'CreateModelExportTask', fault: { kind: 'drop' }, phase: 'after' });
    await run('qianfan.exportVersion', await versionNode(f.api, 'amv-g73j3faikzpz'));
    assert.strictEqual(f.emulator.store.exportsCreated, 1);
    assert.strictEqual(f.emulator.count('CreateModelExportTask'), 1);
    assert.ok(f.prompts.notifications.some((n) => /ready|完成/.test(n.message)));
  });

  it('running Export again while one runs follows the running task', async () => {
    f.emulator.store.exportDurationMs = 3_600_000; // running until the second Export has joined it, however slow the machine
    const node = await versionNode(f.api, 'amv-g73j3faikzpz');
    const first = run('qianfan.exportVersion', node);
    await waitFor('the export under way', () => f.api.services.exportStates.get('amv-g73j3faikzpz')?.status === 'Doing');
    const joins = () => readLogs(f.api.logDirectory).split('Following the running export').length;
    const before = joins();
    const second = run('qianfan.exportVersion', node);
    await waitFor('the second Export joining it', () => joins() > before);
    f.emulator.store.exportDurationMs = 0;
    await Promise.all([first, second]);
    assert.strictEqual(f.emulator.store.exportsCreated, 1);
  });
});
