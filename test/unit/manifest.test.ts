/** package.json against the code: menus, contextValues, commands, engines. */
import * as assert from 'assert';
import { readFileSync, readdirSync } from 'fs';
import * as path from 'path';
import { allContextValues } from '../../src/tree/contextValues';
import { asManifest } from '../support/manifest';

const root = path.resolve(__dirname, '..', '..', '..');
const pkg = asManifest(JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')));
const contributes = pkg.contributes;
const commandIds: string[] = contributes.commands.map((c) => c.command);

function registeredInSource(): string[] {
  const text = readFileSync(path.join(root, 'src', 'commands', 'registerCommands.ts'), 'utf8');
  return [...text.matchAll(/'(qianfan\.[A-Za-z]+)':/g)].map((m) => m[1]);
}

describe('manifest', () => {
  it('every contributed command is registered, and every registered command is contributed', () => {
    assert.deepStrictEqual([...registeredInSource()].sort(), [...commandIds].sort());
  });

  it('every menu entry names a contributed command', () => {
    for (const [menu, entries] of Object.entries(contributes.menus)) {
      for (const e of entries) {
        assert.ok(commandIds.includes(e.command), `${menu}: ${e.command}`);
      }
    }
  });

  it('every viewItem pattern in the menus matches at least one contextValue the tree produces', () => {
    const values = allContextValues();
    const items = contributes.menus['view/item/context'];
    for (const entry of items) {
      const when = entry.when ?? '';
      const m = /viewItem =~ \/(.+?)\/(?:\s|$)/.exec(when) ?? /viewItem == (\S+)/.exec(when);
      assert.ok(m, `${entry.command} has a viewItem clause`);
      const re = when.includes('=~') ? new RegExp(m[1]) : new RegExp(`^${m[1].replace(/\./g, '\\.')}$`);
      assert.ok(
        values.some((v) => re.test(v)),
        `${entry.command}: ${m[1]} matches no contextValue`,
      );
    }
  });

  it('delete is offered on versions but never on a missing one or a model', () => {
    const del = contributes.menus['view/item/context'].find((e) => e.command === 'qianfan.deleteVersion');
    const re = new RegExp(/viewItem =~ \/(.+?)\//.exec(del?.when ?? '')![1]);
    assert.ok(re.test('qianfan.version.ready') && re.test('qianfan.version.fail.exported'));
    assert.ok(!re.test('qianfan.version.missing') && !re.test('qianfan.model') && !re.test('qianfan.error'));
  });

  it('node-only commands are hidden from the palette', () => {
    const hidden = contributes.menus.commandPalette.filter((e) => e.when === 'false').map((e) => e.command);
    assert.deepStrictEqual(hidden.sort(), ['qianfan.copyDownloadUrl', 'qianfan.copyId', 'qianfan.refreshNode']);
  });

  it('@types/vscode is not newer than engines.vscode, which the test server (1.139) satisfies', () => {
    const engine = pkg.engines.vscode.replace(/^\^/, '').split('.').map(Number);
    const types = asManifest(JSON.parse(readFileSync(path.join(root, 'node_modules', '@types', 'vscode', 'package.json'), 'utf8')))
      .version.split('.')
      .map(Number);
    assert.ok(types[0] === engine[0] && types[1] <= engine[1], `@types/vscode ${types.join('.')} vs engines ${engine.join('.')}`);
    assert.ok(engine[1] <= 139);
  });

  it('activates lazily: no activation events beyond the implicit ones', () => {
    assert.deepStrictEqual(pkg.activationEvents, []);
  });

  it('the endpoint setting is machine-scoped and its pattern allows https and loopback http only', () => {
    const endpoint = contributes.configuration.properties['qianfan.endpoint'];
    assert.strictEqual(endpoint.scope, 'machine');
    const re = new RegExp(endpoint.pattern ?? '');
    for (const ok of ['https://qianfan.baidubce.com', 'http://127.0.0.1:8080', 'http://localhost:3000/', 'http://[::1]:9']) {
      assert.ok(re.test(ok), ok);
    }
    for (const bad of ['http://qianfan.baidubce.com', 'ftp://x', 'https://qianfan.baidubce.com/v2/model', 'http://127.0.0.1.evil.com']) {
      assert.ok(!re.test(bad), bad);
    }
  });

  it('the core has no vscode import', () => {
    const dir = path.join(root, 'src', 'core');
    for (const file of readdirSync(dir)) {
      assert.ok(!/from 'vscode'|require\('vscode'\)/.test(readFileSync(path.join(dir, file), 'utf8')), file);
    }
  });
});
