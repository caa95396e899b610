/**
 * The log at the right levels, read from the real "Qianfan" channel (issue 31 (1)), and a server
 * that echoes the secret key: no form of it reaches a notification, the log or a chat tool's
 * answer (issue 30 (8)).
 */
import * as assert from 'assert';
import * as vscode from 'vscode';
import { notify } from '../../../src/commands/notify';
import { type ToolResult, resultText } from '../../../src/tools/lmApi';
import { TOOL_NAMES } from '../../../src/tools/tools';
import { DEMO_SECRET_KEY, type Fixture, readLogs, run, setLogLevel, setUp, tearDown, track, treeLines, versionNode, waitFor } from './harness';

const V1 = 'amv-g73j3faikzpz';
const REQUEST_LINE = new RegExp(`\\[(\\w+)\\] DescribeModel ${V1} HTTP 200 requestId=[0-9a-f-]{36} \\d+ ms`);

describe('the log at the right levels', function () {
  this.timeout(30_000);
  let f: Fixture;
  beforeEach(async () => (f = await setUp()));
  afterEach(async () => {
    await setLogLevel(f, 'info', vscode.LogLevel.Info);
    await tearDown(f);
  });

  it('at the default level (Info) the log holds what the user did, not each request', async () => {
    assert.strictEqual(f.api.services.logger.channel.logLevel, vscode.LogLevel.Info);
    const mark = `mark ${Date.now()}`;
    f.api.services.logger.info(mark);
    f.prompts.inputs.push(V1);
    await run('qianfan.trackVersion');
    const since = await waitFor('the Info line', () => {
      const text = readLogs(f.api.logDirectory);
      const after = text.slice(text.indexOf(mark));
      return text.includes(mark) && /\[info\] Tracked .*amv-g73j3faikzpz/.test(after) ? after : undefined;
    });
    assert.ok(f.emulator.count('DescribeModel') >= 1, 'a request was made');
    assert.ok(!REQUEST_LINE.test(since), `no request line at Info: ${since}`);
  });

  it('at Debug (Developer: Set Log Level… → Qianfan → Debug) each successful request is a Debug line', async () => {
    await setLogLevel(f, 'debug', vscode.LogLevel.Debug);
    await track(f, { modelId: V1 });
    await treeLines(f.api);
    const line = await waitFor('the request line', () =>
      readLogs(f.api.logDirectory)
        .split('\n')
        .find((l) => REQUEST_LINE.test(l)),
    );
    assert.strictEqual(REQUEST_LINE.exec(line)?.[1], 'debug', line);
  });
});

/** Whether a text holds the secret key in any form a server could echo it in. */
function leaks(text: string): string[] {
  const flat = text.replace(/\s+/g, '');
  const forms = {
    'as is': DEMO_SECRET_KEY,
    'upper case': DEMO_SECRET_KEY.toUpperCase(),
    'lower case': DEMO_SECRET_KEY.toLowerCase(),
    base64: Buffer.from(DEMO_SECRET_KEY).toString('base64').slice(0, 40),
    'base64 of ak:sk': Buffer.from(`ak:${DEMO_SECRET_KEY}`).toString('base64').slice(4, 44),
    'URL-encoded': encodeURIComponent(`/${DEMO_SECRET_KEY}`).slice(3),
  };
  return Object.entries(forms)
    .filter(([, form]) => text.includes(form) || flat.includes(form) || flat.toLowerCase().includes(form.toLowerCase().slice(0, 20)))
    .map(([name]) => name);
}

describe('a server that echoes the secret key', function () {
  this.timeout(30_000);
  let f: Fixture;
  beforeEach(async () => {
    f = await setUp();
    await track(f, { modelId: V1 });
    await treeLines(f.api);
    const sk = DEMO_SECRET_KEY;
    const message = [
      `this model's status does not allow an export (account key ${sk})`,
      `(${sk.toUpperCase()}, ${sk.toLowerCase()})`,
      `basic ${Buffer.from(`ak:${sk}`).toString('base64')}`,
      `q=${encodeURIComponent(`/${sk}`)}`,
      `split ${sk.slice(0, 13)}\n${sk.slice(13)}`,
    ].join('; ');
    f.emulator.inject({
      action: 'CreateModelExportTask',
      times: 10,
      fault: {
        kind: 'raw',
        status: 400,
        body: JSON.stringify({ requestId: 'r-echo', code: 'ModelStatusInvalid', message }),
        headers: { 'x-bce-error-message': `expected ${Buffer.from(sk).toString('base64')} for ${sk}` },
      },
    });
  });
  afterEach(() => tearDown(f));

  it('gets it into no notification and no log line, in no form', async () => {
    await run('qianfan.exportVersion', await versionNode(f.api, V1));
    const n = f.prompts.last('error');
    assert.match(n.message, /ModelStatusInvalid/);
    assert.deepStrictEqual(leaks(n.message), [], 'the notification');
    assert.ok(n.message.includes('[REDACTED]'), `the server’s words are shown, the key masked: ${n.message}`);
    const logs = await waitFor('the error in the log', () => {
      const text = readLogs(f.api.logDirectory);
      return /\[error\].*ModelStatusInvalid/.test(text) ? text : undefined;
    });
    assert.deepStrictEqual(leaks(logs), [], 'the log');
  });

  it('a notification is redacted before it is cut short: no head of the key is left at the cut', async () => {
    await notify(f.api.services, 'info', `${'x'.repeat(996)}${DEMO_SECRET_KEY}`);
    const n = f.prompts.last('info');
    assert.ok(n.message.endsWith('…'), 'cut short');
    assert.ok(!n.message.includes(`x${DEMO_SECRET_KEY.slice(0, 3)}`), `no head of the key: …${n.message.slice(-12)}`);
  });

  it("gets it into no chat tool's answer", async function () {
    const lm = (vscode as unknown as { lm?: { invokeTool?: (n: string, o: object, t: vscode.CancellationToken) => Thenable<ToolResult> } }).lm;
    if (typeof lm?.invokeTool !== 'function' || !f.api.tools.tools.has(TOOL_NAMES.export)) {
      this.skip(); // VS Code 1.93 has no tools
    }
    const answer = resultText(
      await lm.invokeTool(TOOL_NAMES.export, { input: { version: V1 }, toolInvocationToken: undefined }, new vscode.CancellationTokenSource().token),
    );
    assert.match(answer, /ModelStatusInvalid/);
    assert.deepStrictEqual(leaks(answer), [], 'the answer');
    assert.deepStrictEqual(leaks(readLogs(f.api.logDirectory)), [], 'the log');
  });

  it("gets it into no chat tool's ordinary answer either (a description that holds the key)", async function () {
    const lm = (vscode as unknown as { lm?: { invokeTool?: (n: string, o: object, t: vscode.CancellationToken) => Thenable<ToolResult> } }).lm;
    if (typeof lm?.invokeTool !== 'function' || !f.api.tools.tools.has(TOOL_NAMES.describe)) {
      this.skip(); // VS Code 1.93 has no tools
    }
    const sk = DEMO_SECRET_KEY;
    f.emulator.store.versions.get(V1)!.description = `made with ${sk} (${sk.toUpperCase()}) ${Buffer.from(`ak:${sk}`).toString('base64')}`;
    const answer = resultText(
      await lm.invokeTool(TOOL_NAMES.describe, { input: { version: V1 }, toolInvocationToken: undefined }, new vscode.CancellationTokenSource().token),
    );
    assert.match(answer, /made with/);
    assert.deepStrictEqual(leaks(answer), [], 'the answer');
  });
});
