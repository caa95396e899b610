import * as assert from 'assert';
import { createHash } from 'crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import { type Fixture, run, setUp, tearDown, treeLines, versionNode, waitFor } from './harness';

const MODEL = 'amv-g73j3faikzpz';
const SIZE = 3 * 1024 * 1024 + 321;
/** The name the save dialog proposes: the model and the version, not the export's ID. */
const FILE_NAME = 'customer-support-zh-V1.tar.gz';

describe('download an export', () => {
  let f: Fixture;
  const made: string[] = [];
  beforeEach(async () => {
    f = await setUp({ exportBytes: SIZE });
    await f.api.services.tracked.add([{ modelId: MODEL, modelSetId: 'am-gh0azfeb9adu', modelSetName: 'customer-support-zh', name: 'V1' }]);
    await treeLines(f.api);
  });
  afterEach(async () => {
    made.splice(0).forEach((p) => rmSync(p, { recursive: true, force: true }));
    await tearDown(f);
  });

  /** Exports the version and waits for the export-done notification. */
  async function exported(): Promise<string> {
    await run('qianfan.exportVersion', await versionNode(f.api, MODEL));
    const state = await waitFor('the finished export', () => f.api.services.exportStates.done(MODEL));
    return state.exportId!;
  }

  const savedAt = (o: vscode.SaveDialogOptions) => {
    made.push(o.defaultUri!.fsPath, `${o.defaultUri!.fsPath}.part`);
    return o.defaultUri;
  };

  it('"Download…" on the export-done notification saves the file into the workspace, byte for byte and by md5', async () => {
    f.prompts.saves.push(savedAt);
    f.prompts.notificationChoice = (n) => (n.level === 'info' && n.actions.length === 3 ? n.actions[2] : undefined); // Download…
    const exportId = await exported();
    const done = await waitFor(
      'the download notification',
      () => f.prompts.notifications.find((n) => /md5/.test(n.message) && /\.tar\.gz/.test(n.message) && n.level === 'info' && n.actions.length < 3),
      15_000,
    );
    const workspace = vscode.workspace.workspaceFolders![0].uri.fsPath;
    // named by the model and version a user knows; the export's ID stays in the log; the toast is short
    const file = path.join(workspace, FILE_NAME);
    assert.ok(done.message.includes(FILE_NAME) && !done.message.includes(workspace), done.message);
    const bytes = readFileSync(file);
    assert.ok(bytes.equals(f.emulator.files!.content(exportId)), 'byte for byte');
    assert.strictEqual(createHash('md5').update(bytes).digest('hex'), f.emulator.files!.md5(exportId));
    assert.ok(!existsSync(`${file}.part`));
    assert.deepStrictEqual(f.api.services.partialDownloads.list(), []);
    assert.ok(
      f.emulator.files!.requests.every((r) => !r.authorization),
      'no Qianfan Authorization sent to the file host',
    );
  });

  it('offers the qianfan.downloadFolder setting first, and never replaces a file without asking', async () => {
    const folder = mkdtempSync(path.join(tmpdir(), 'qf-dl-'));
    made.push(folder);
    await vscode.workspace.getConfiguration('qianfan').update('downloadFolder', folder, vscode.ConfigurationTarget.Global);
    await exported();
    const target = path.join(folder, FILE_NAME);
    writeFileSync(target, 'keep me');
    f.prompts.saves.push((o: vscode.SaveDialogOptions) => o.defaultUri);
    f.prompts.confirms.push(false);
    await run('qianfan.downloadExport', await versionNode(f.api, MODEL));
    assert.ok(
      f.prompts.asked.some((a) => a.startsWith('confirm:') && a.includes(target)),
      f.prompts.asked.join('\n'),
    );
    assert.strictEqual(readFileSync(target, 'utf8'), 'keep me');
    assert.deepStrictEqual(f.emulator.files!.requests, []);
    // Yes this time: replaced by the verified download.
    f.prompts.saves.push((o: vscode.SaveDialogOptions) => o.defaultUri);
    f.prompts.confirms.push(true);
    await run('qianfan.downloadExport', MODEL);
    assert.strictEqual(readFileSync(target).length, SIZE);
  });

  it('an md5 mismatch: an error that says so, and no file', async () => {
    f.emulator.files!.faults.wrongMd5 = true;
    await exported();
    let saved = '';
    f.prompts.saves.push((o: vscode.SaveDialogOptions) => ((saved = savedAt(o)!.fsPath), o.defaultUri));
    await run('qianfan.downloadExport', await versionNode(f.api, MODEL));
    assert.match(f.prompts.last('error').message, /md5/);
    assert.ok(!existsSync(saved) && !existsSync(`${saved}.part`));
  });

  it('Cancel keeps the partial download; Download again resumes it with Range and ends verified', async () => {
    f.emulator.files!.faults.bytesPerSecond = 1024 * 1024;
    const exportId = await exported();
    f.prompts.saves.push(savedAt);
    const first = run('qianfan.downloadExport', await versionNode(f.api, MODEL));
    await waitFor('bytes on disk', () => (f.api.services.partialDownloads.list()[0]?.bytes ?? 0) > 0, 10_000);
    f.prompts.cancelProgress();
    await first;
    assert.match(f.prompts.last('info').message, /resume|继续/);
    const kept = f.api.services.partialDownloads.list()[0];
    f.emulator.files!.faults = {};
    f.prompts.saves.push((o: vscode.SaveDialogOptions) => o.defaultUri); // the dialog offers the partial download's target
    await run('qianfan.downloadExport', MODEL);
    assert.ok(readFileSync(kept.target).equals(f.emulator.files!.content(exportId)));
    const ranges = f.emulator.files!.requests.map((r) => r.range);
    assert.ok(
      ranges.some((r) => r !== undefined && Number(/bytes=(\d+)-/.exec(r)?.[1]) >= kept.bytes),
      ranges.join(', '),
    );
  });
});
