import * as assert from 'assert';
import * as vscode from 'vscode';

describe('activation', () => {
  it('activates in a real extension host and registers its commands', async () => {
    const ext = vscode.extensions.all.find((e) => e.packageJSON?.name === 'qianfan-models');
    assert.ok(ext, 'the extension is loaded');
    await ext.activate();
    const commands = await vscode.commands.getCommands(true);
    assert.ok(commands.includes('qianfan.showLog'));
  });
});
