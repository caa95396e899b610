/** Start-up after a reload: keys the host did not keep, demo keys, exports that wait for keys. */
import * as assert from 'assert';
import { DEMO_ACCESS_KEY, DEMO_SECRET_KEY, type Fixture, run, setUp, tearDown, track, treeLines, versionNode, waitFor } from './harness';

const TIMING = { intervalMs: 50, maxIntervalMs: 100, noRecordGraceMs: 500 };

describe('start-up after a reload', () => {
  let f: Fixture;
  beforeEach(async () => {
    f = await setUp();
  });
  afterEach(async () => {
    delete process.env.QIANFAN_DEMO_ACCESS_KEY;
    delete process.env.QIANFAN_DEMO_SECRET_KEY;
    await tearDown(f);
  });

  it('says plainly, with Set Access Key…, when the host did not keep the keys, and does not bring the demo keys back', async () => {
    process.env.QIANFAN_DEMO_ACCESS_KEY = DEMO_ACCESS_KEY;
    process.env.QIANFAN_DEMO_SECRET_KEY = DEMO_SECRET_KEY;
    // What a host without lasting secret storage does across a reload: the secrets are gone,
    // while globalState still says keys were set.
    await f.api.secrets.delete('qianfan.accessKeyId');
    await f.api.secrets.delete('qianfan.secretAccessKey');
    await f.api.simulateReload(TIMING);
    const n = f.prompts.last('warn');
    assert.match(n.message, /were not kept|没有保留/);
    assert.deepStrictEqual(n.actions, ['Set Access Key…', 'Show Log']);
    assert.strictEqual(await f.api.services.credentials.get(), undefined, 'the demo keys did not silently come back');
  });

  it('offers the demo keys only to a profile that never had keys', async () => {
    await f.api.services.credentials.clear();
    process.env.QIANFAN_DEMO_ACCESS_KEY = DEMO_ACCESS_KEY;
    process.env.QIANFAN_DEMO_SECRET_KEY = DEMO_SECRET_KEY;
    await f.api.simulateReload(TIMING);
    assert.strictEqual(await f.api.services.credentials.get(), undefined, 'keys the user cleared stay cleared');
    assert.ok(!f.prompts.notifications.some((n) => /were not kept|没有保留/.test(n.message)), 'clearing is not a loss');
  });

  it('a remembered export waits for keys, says which version, and resumes once keys are set', async () => {
    await track(f, { modelId: 'amv-g73j3faikzpz' });
    await treeLines(f.api);
    f.emulator.store.exportDurationMs = 60_000;
    const started = run('qianfan.exportVersion', await versionNode(f.api, 'amv-g73j3faikzpz'));
    await waitFor('the remembered task', () => f.api.services.pendingExports.list()[0]);
    await f.api.services.credentials.clear();
    await f.api.simulateReload(TIMING);
    await started;
    const waiting = await waitFor('the waiting notice', () => f.prompts.notifications.find((n) => /will resume once|设置密钥后/.test(n.message)));
    assert.match(waiting.message, /amv-g73j3faikzpz/);
    assert.deepStrictEqual(waiting.actions, ['Set Access Key…', 'Show Log']);
    assert.strictEqual(f.api.services.pendingExports.list().length, 1, 'the export is still remembered');
    f.emulator.store.exportDurationMs = 100;
    await f.api.services.credentials.set({ accessKeyId: DEMO_ACCESS_KEY, secretAccessKey: DEMO_SECRET_KEY });
    await waitFor('the export to finish', () => f.prompts.notifications.find((n) => n.level === 'info' && /ready|完成/.test(n.message)), 10_000);
    assert.deepStrictEqual(f.api.services.pendingExports.list(), []);
    assert.strictEqual(f.emulator.store.exportsCreated, 1, 'resumed, not created again');
  });
});
