/** Finding 1: duplicate export tasks. One start per version is in flight; a repeat looks first. */
import * as assert from 'assert';
import { type Harness, failureOf, startHarness } from '../support/clientHarness';

const VERSION = 'amv-g73j3faikzpz';

describe('finding 1: an export is started once per version', () => {
  let h: Harness;
  beforeEach(async () => (h = await startHarness({ latencyMs: 15 })));
  afterEach(() => h.emulator.stop());

  it('two startExport calls 1 ms apart on one client create one task', async () => {
    const first = h.client.startExport(VERSION);
    await new Promise((r) => setTimeout(r, 1));
    const second = h.client.startExport(VERSION);
    const [a, b] = await Promise.all([first, second]);
    assert.strictEqual(h.emulator.store.exportsCreated, 1);
    assert.strictEqual(h.emulator.count('CreateModelExportTask'), 1);
    assert.strictEqual(a.exportId, b.exportId);
  });

  it('two startExport calls 1 ms apart on two clients create one task', async () => {
    const other = h.makeClient();
    const first = h.client.startExport(VERSION);
    await new Promise((r) => setTimeout(r, 1));
    const [a, b] = await Promise.all([first, other.startExport(VERSION)]);
    assert.strictEqual(h.emulator.store.exportsCreated, 1);
    assert.strictEqual(a.exportId, b.exportId);
  });

  it('a start after the first has finished follows the running task (a second window)', async () => {
    h.emulator.store.exportDurationMs = 3_600_000; // still running at the second start, however slow the machine
    const a = await h.client.startExport(VERSION);
    const b = await h.makeClient().startExport(VERSION);
    assert.deepStrictEqual(b, { exportId: a.exportId, resumed: true });
    assert.strictEqual(h.emulator.store.exportsCreated, 1);
  });

  it('starts of different versions do not join', async () => {
    const [a, b] = await Promise.all([h.client.startExport(VERSION), h.client.startExport('amv-34qkndzjf111')]);
    assert.notStrictEqual(a.exportId, b.exportId);
    assert.strictEqual(h.emulator.store.exportsCreated, 2);
  });

  it('a failed start is not remembered: the next start tries again', async () => {
    h.emulator.inject({ action: 'DescribeModelExportTask', fault: { kind: 'status', status: 403, code: 'AccessDenied' } });
    assert.strictEqual((await failureOf(h.client.startExport(VERSION))).code, 'AccessDenied');
    assert.strictEqual((await h.client.startExport(VERSION)).resumed, false);
    assert.strictEqual(h.emulator.store.exportsCreated, 1);
  });
});

describe('finding 1: a rejected create that the service did act on is not repeated', () => {
  let h: Harness;
  beforeEach(async () => (h = await startHarness()));
  afterEach(() => h.emulator.stop());

  it('a 429 answered after the task was created: follows that task, creates no second', async () => {
    h.emulator.inject({ action: 'CreateModelExportTask', fault: { kind: 'status', status: 429 }, phase: 'after' });
    const started = await h.client.startExport(VERSION);
    assert.strictEqual(h.emulator.store.exportsCreated, 1);
    assert.strictEqual(h.emulator.count('CreateModelExportTask'), 1);
    assert.strictEqual(started.exportId, h.emulator.store.exports.get(VERSION)?.exportId);
  });

  it('RequestExpired answered after the task was created: follows that task, creates no second', async () => {
    h.emulator.inject({ action: 'CreateModelExportTask', fault: { kind: 'requestExpired' }, phase: 'after' });
    const started = await h.client.startExport(VERSION);
    assert.strictEqual(h.emulator.store.exportsCreated, 1);
    assert.strictEqual(started.exportId, h.emulator.store.exports.get(VERSION)?.exportId);
  });

  it('a 429 before creation: looks, sees nothing new, then repeats the create once', async () => {
    h.emulator.inject({ action: 'CreateModelExportTask', fault: { kind: 'status', status: 429 } });
    const started = await h.client.startExport(VERSION);
    assert.deepStrictEqual(
      h.emulator.requests.map((r) => r.action),
      ['DescribeModelExportTask', 'CreateModelExportTask', 'DescribeModelExportTask', 'CreateModelExportTask'],
    );
    assert.strictEqual(started.resumed, false);
    assert.strictEqual(h.emulator.store.exportsCreated, 1);
  });

  it('gives up after the retry budget of rejected creates, with the 429', async () => {
    h.emulator.inject({ action: 'CreateModelExportTask', fault: { kind: 'status', status: 429 }, times: 10 });
    const client = h.makeClient({ retry: { maxRetries: 2, baseDelayMs: 1, maxDelayMs: 2 } });
    const e = await failureOf(client.startExport(VERSION));
    assert.strictEqual(e.status, 429);
    assert.strictEqual(h.emulator.count('CreateModelExportTask'), 3);
  });

  it('does not repeat a rejected create when it cannot look first', async () => {
    h.emulator.inject({ action: 'CreateModelExportTask', fault: { kind: 'status', status: 429 } });
    let describes = 0; // the look before succeeds; the look after the 429 is refused
    const client = h.makeClient({
      onRequest: (e) => {
        if (e.action === 'DescribeModelExportTask' && ++describes === 1) {
          h.emulator.inject({ action: 'DescribeModelExportTask', fault: { kind: 'status', status: 403, code: 'AccessDenied' } });
        }
      },
    });
    const e = await failureOf(client.startExport(VERSION));
    assert.strictEqual(e.status, 429);
    assert.strictEqual(h.emulator.count('CreateModelExportTask'), 1);
  });

  it('an old finished export is not mistaken for a new one', async () => {
    await h.client.startExport(VERSION);
    await new Promise((r) => setTimeout(r, 80)); // the first export is Done
    h.emulator.inject({ action: 'CreateModelExportTask', fault: { kind: 'status', status: 503 } });
    const e = await failureOf(h.client.startExport(VERSION));
    assert.strictEqual(e.status, 503);
    assert.strictEqual(h.emulator.store.exportsCreated, 1);
  });
});

describe('finding 1: what a look after a failed create follows', () => {
  let h: Harness;
  beforeEach(async () => (h = await startHarness()));
  afterEach(() => h.emulator.stop());

  it('after a finished export, a new task whose answer was lost is followed', async () => {
    await h.client.startExport(VERSION);
    await new Promise((r) => setTimeout(r, 80)); // Done
    h.emulator.inject({ action: 'CreateModelExportTask', fault: { kind: 'drop' }, phase: 'after' });
    const started = await h.client.startExport(VERSION);
    assert.deepStrictEqual(started, { exportId: h.emulator.store.exports.get(VERSION)?.exportId, resumed: false });
    assert.strictEqual(h.emulator.store.exportsCreated, 2);
  });

  it('a create refused outright (4xx) is reported without another look', async () => {
    h.emulator.inject({ action: 'CreateModelExportTask', fault: { kind: 'status', status: 400, code: 'InappropriateJSON' } });
    const e = await failureOf(h.client.startExport(VERSION));
    assert.strictEqual(e.code, 'InappropriateJSON');
    assert.deepStrictEqual(
      h.emulator.requests.map((r) => r.action),
      ['DescribeModelExportTask', 'CreateModelExportTask'],
    );
  });

  it('a task seen as failed after a lost answer is not followed', async () => {
    h.emulator.store.versions.get(VERSION)!.exportFails = true;
    h.emulator.store.exportDurationMs = 0;
    h.emulator.inject({ action: 'CreateModelExportTask', fault: { kind: 'drop' }, phase: 'after' });
    const e = await failureOf(h.client.startExport(VERSION));
    assert.strictEqual(e.kind, 'network');
  });
});
