import * as assert from 'assert';
import * as vscode from 'vscode';
import { asManifest } from '../../support/manifest';
import { type Fixture, ourExtension, readLogs, run, setLogLevel, setUp, tearDown, track, treeLines, waitFor } from './harness';

describe('reporting and settings', () => {
  let f: Fixture;
  beforeEach(async () => (f = await setUp()));
  afterEach(() => tearDown(f));

  it('logs one line per request at Debug: action, ID, HTTP status, request ID, milliseconds', async () => {
    await setLogLevel(f, 'debug', vscode.LogLevel.Debug);
    try {
      await track(f, { modelId: 'amv-g73j3faikzpz' });
      await treeLines(f.api);
      const requestId = await waitFor('the request', () => f.emulator.requests.find((r) => r.action === 'DescribeModel'));
      assert.ok(requestId);
      const line = await waitFor('the log line', () =>
        readLogs(f.api.logDirectory)
          .split('\n')
          .find((l) => /DescribeModel amv-g73j3faikzpz HTTP 200 requestId=[0-9a-f-]{36} \d+ ms/.test(l)),
      );
      assert.match(line, /\[debug\]/);
    } finally {
      await setLogLevel(f, 'info', vscode.LogLevel.Info);
    }
  });

  it('a failure shows a short notification with Show Log; the detail goes to the log', async () => {
    f.emulator.inject({ action: 'DescribeModel', fault: { kind: 'html' }, times: 10 });
    f.prompts.inputs.push('amv-g73j3faikzpz');
    await run('qianfan.trackVersion');
    const n = f.prompts.last('error');
    assert.match(n.message, /answered HTTP 502 with a web page instead of Qianfan's answer: a proxy or gateway may be in the way/);
    assert.deepStrictEqual(n.actions, [vscode.l10n.t('Show Log')]);
    await waitFor('the error in the log', () => /\[error\] qianfan\.trackVersion failed: DescribeModel HTTP 502/.test(readLogs(f.api.logDirectory)));
  });

  it('a cancel is silent', async () => {
    f.emulator.inject({ action: 'DescribeModel', fault: { kind: 'hang' }, times: 10 });
    f.prompts.inputs.push('amv-g73j3faikzpz');
    // cancelled once the request is on the wire (it hangs), not at a time a loaded machine may not have reached
    const tracking = run('qianfan.trackVersion');
    await waitFor('the request on the wire', () => f.emulator.inFlight >= 1);
    f.prompts.cancelProgress();
    await tracking;
    assert.deepStrictEqual(f.prompts.notifications, []);
    assert.strictEqual(f.api.services.tracked.get('amv-g73j3faikzpz'), undefined, 'nothing tracked');
  });

  it('corrects a skewed clock, and says so once', async () => {
    f.emulator.clockOffsetMs = 2 * 3600 * 1000;
    f.prompts.inputs.push('amv-g73j3faikzpz', 'amv-34qkndzjf111');
    await run('qianfan.trackVersion');
    await run('qianfan.trackVersion');
    assert.strictEqual(f.api.services.tracked.list().length, 2, 'both requests went through');
    const warnings = f.prompts.notifications.filter((n) => n.level === 'warn');
    assert.strictEqual(warnings.length, 1, 'one warning for the session, not one per request');
    assert.match(warnings[0].message, /clock is off by about 120 minutes|本机时间偏差约 120 分钟/);
  });

  it('the request timeout setting applies', async () => {
    await vscode.workspace.getConfiguration('qianfan').update('requestTimeoutSeconds', 1, vscode.ConfigurationTarget.Global);
    f.emulator.inject({ action: 'DescribeModel', fault: { kind: 'hang' }, times: 10 });
    f.prompts.inputs.push('amv-g73j3faikzpz');
    const started = Date.now();
    await run('qianfan.trackVersion');
    assert.match(f.prompts.last('error').message, /did not answer in time|未能及时响应/);
    assert.ok(Date.now() - started < 15_000);
  });

  it('refuses a plain-http endpoint that is not loopback, sending nothing', async () => {
    await vscode.workspace.getConfiguration('qianfan').update('endpoint', 'http://qianfan.example.com', vscode.ConfigurationTarget.Global);
    f.prompts.inputs.push('amv-g73j3faikzpz');
    await run('qianfan.trackVersion');
    assert.match(f.prompts.last('error').message, /https/);
    assert.deepStrictEqual(
      f.emulator.requests.map((r) => r.action),
      [],
    );
  });

  it('an invalid endpoint shows an error node in the tree, not an empty view', async () => {
    // the endpoint first: the view, when an earlier test left it open, draws the tracked version at once and loads it
    await vscode.workspace.getConfiguration('qianfan').update('endpoint', 'http://qianfan.example.com', vscode.ConfigurationTarget.Global);
    await track(f, { modelId: 'amv-g73j3faikzpz' });
    await f.api.services.tree.refresh();
    const lines = await treeLines(f.api);
    assert.match(lines[0], /https.*<qianfan\.error>/);
    assert.deepStrictEqual(
      f.emulator.requests.map((r) => r.action),
      [],
    );
  });

  it('declares the endpoint setting with machine scope', () => {
    const props = asManifest(ourExtension()!.packageJSON).contributes.configuration.properties;
    assert.strictEqual(props['qianfan.endpoint'].scope, 'machine');
    assert.strictEqual(props['qianfan.downloadFolder'].scope, 'machine'); // a path on the machine where the extension runs
    assert.deepStrictEqual(Object.keys(props).sort(), [
      'qianfan.cleanUp.keepNewest',
      'qianfan.deleteConfirmation',
      'qianfan.downloadFolder',
      'qianfan.endpoint',
      'qianfan.maxConcurrentRequests',
      'qianfan.requestTimeoutSeconds',
    ]);
  });
});
