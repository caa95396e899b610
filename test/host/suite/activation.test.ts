import * as assert from 'assert';
import * as vscode from 'vscode';
import { ourExtension } from './harness';

describe('activation', () => {
  it('activates in a real extension host and registers its commands', async () => {
    const ext = ourExtension();
    assert.ok(ext, 'the extension is loaded');
    await ext.activate();
    const commands = await vscode.commands.getCommands(true);
    assert.ok(commands.includes('qianfan.showLog'));
  });
});
