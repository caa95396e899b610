/** package.json against the code: menus, contextValues, commands, engines. */
import * as assert from 'assert';
import { existsSync, readFileSync, readdirSync } from 'fs';
import * as path from 'path';
import { allContextValues } from '../../src/tree/contextValues';
import { asManifest } from '../support/manifest';
import { WALKTHROUGH_KEYS } from '../../src/core/state/walkthrough';

const root = path.resolve(__dirname, '..', '..', '..');
const pkg = asManifest(JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')));
const contributes = pkg.contributes;
const commandIds: string[] = contributes.commands.map((c) => c.command);

function registeredInSource(): string[] {
  const text = readFileSync(path.join(root, 'src', 'commands', 'registerCommands.ts'), 'utf8');
  return [...text.matchAll(/'(qianfan\.[A-Za-z]+)':/g)].map((m) => m[1]);
}

interface WalkthroughStep {
  id: string;
  title: string;
  description: string;
  media: { image?: string; markdown?: string; altText?: string };
  completionEvents?: string[];
}
interface Walkthrough {
  id: string;
  title: string;
  description: string;
  steps: WalkthroughStep[];
}

function walkthroughs(): Walkthrough[] {
  return (contributes as unknown as { walkthroughs?: Walkthrough[] }).walkthroughs ?? [];
}

function nls(file: string): Record<string, string> {
  return JSON.parse(readFileSync(path.join(root, file), 'utf8')) as Record<string, string>;
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

  it('the getting-started walkthrough: set a key, track or import, then delete / export / download, each step done by the state it asks for', () => {
    const [walkthrough, ...others] = walkthroughs();
    assert.ok(walkthrough, 'a walkthrough is contributed');
    assert.deepStrictEqual(others, [], 'one walkthrough');
    assert.strictEqual(walkthrough.id, 'qianfan.gettingStarted');
    const registered = registeredInSource();
    // onContext:, not onCommand: (which VS Code counts only once its walkthrough service has started)
    assert.deepStrictEqual(
      walkthrough.steps.map((s) => [s.id, s.completionEvents]),
      [
        ['setKey', [`onContext:${WALKTHROUGH_KEYS.keys}`]],
        ['trackVersions', [`onContext:${WALKTHROUGH_KEYS.tracked}`]],
        ['actOnVersion', [`onContext:${WALKTHROUGH_KEYS.acted}`]],
      ],
    );
    // the keys are set where the view sets its context
    const view = readFileSync(path.join(root, 'src', 'commands', 'view.ts'), 'utf8');
    assert.ok(view.includes('setWalkthroughContext('), 'view.ts sets the walkthrough keys');
    const en = nls('package.nls.json');
    const zh = nls('package.nls.zh-cn.json');
    for (const step of walkthrough.steps) {
      // each step's buttons run a command of this extension
      const description = en[step.description.replace(/^%|%$/g, '')] ?? '';
      const links = [...description.matchAll(/\(command:([\w.]+)\)/g)].map((m) => m[1]);
      assert.ok(links.length > 0, `${step.id} has a button`);
      for (const command of links) {
        assert.ok(commandIds.includes(command) && registered.includes(command), `${step.id}: ${command} is contributed and registered`);
      }
      assert.ok(step.media.image && existsSync(path.join(root, step.media.image)), `${step.id}: ${step.media.image} exists`);
      assert.ok(/\.png$/.test(step.media.image), 'a PNG (the .vsix holds media as PNG or SVG)');
    }
    // every text through package.nls*.json, so that it is shown in Chinese too
    const texts = [walkthrough.title, walkthrough.description, ...walkthrough.steps.flatMap((s) => [s.title, s.description, s.media.altText ?? ''])];
    for (const text of texts) {
      const key = /^%([^%]+)%$/.exec(text)?.[1];
      assert.ok(key && en[key] && zh[key], `${text} is localized`);
      assert.ok(/[\u4e00-\u9fff]/.test(zh[key]), `${key} is Chinese`);
      assert.strictEqual(
        [...zh[key].matchAll(/\(command:[\w.]+\)/g)].join(),
        [...en[key].matchAll(/\(command:[\w.]+\)/g)].join(),
        `${key}: the same buttons in both languages`,
      );
    }
  });

  it("the commands' category is localized like the view: Qianfan, 千帆", () => {
    const categories = new Set(contributes.commands.map((c) => (c as { category?: string }).category));
    assert.deepStrictEqual([...categories], ['%command.category%']);
    const en = nls('package.nls.json');
    const zh = nls('package.nls.zh-cn.json');
    assert.strictEqual(en['command.category'], en['viewContainer.title']);
    assert.strictEqual(zh['command.category'], zh['viewContainer.title']);
    assert.strictEqual(zh['command.category'], '千帆');
  });

  it('node-only commands are hidden from the palette', () => {
    const hidden = contributes.menus.commandPalette.filter((e) => e.when === 'false').map((e) => e.command);
    assert.deepStrictEqual(hidden.sort(), [
      'qianfan.copyDownloadUrl',
      'qianfan.copyId',
      'qianfan.deleteSelected',
      'qianfan.refreshNode',
      'qianfan.showSelectedDetails',
    ]);
  });

  it('@types/vscode is not newer than engines.vscode, which is the oldest VS Code the host suite runs on (1.93)', () => {
    const engine = pkg.engines.vscode.replace(/^\^/, '').split('.').map(Number);
    const types = asManifest(JSON.parse(readFileSync(path.join(root, 'node_modules', '@types', 'vscode', 'package.json'), 'utf8')))
      .version.split('.')
      .map(Number);
    assert.ok(types[0] === engine[0] && types[1] <= engine[1], `@types/vscode ${types.join('.')} vs engines ${engine.join('.')}`);
    assert.deepStrictEqual(engine, [1, 93, 0], 'engines.vscode is the VS Code of code-server 4.93.1, the oldest tested server');
  });

  it('runs where the workspace is, and is ready for both the VS Code Marketplace and Open VSX', () => {
    assert.deepStrictEqual(pkg.extensionKind, ['workspace']);
    assert.strictEqual(pkg.license, 'MIT');
    assert.ok(existsSync(path.join(root, 'LICENSE')));
    const icon = readFileSync(path.join(root, pkg.icon ?? ''));
    assert.strictEqual(icon.subarray(1, 4).toString(), 'PNG');
    assert.ok(icon.readUInt32BE(16) >= 128 && icon.readUInt32BE(20) >= 128, 'the icon is at least 128×128');
    // The Marketplace's category names (Open VSX takes the same list).
    const categories = [
      'AI',
      'Azure',
      'Chat',
      'Data Science',
      'Debuggers',
      'Education',
      'Extension Packs',
      'Formatters',
      'Keymaps',
      'Language Packs',
      'Linters',
      'Machine Learning',
      'Notebooks',
      'Other',
      'Programming Languages',
      'SCM Providers',
      'Snippets',
      'Testing',
      'Themes',
      'Visualization',
    ];
    assert.ok(pkg.categories?.length && pkg.categories.every((c) => categories.includes(c)), String(pkg.categories));
    assert.ok((pkg.keywords?.length ?? 0) > 0 && (pkg.keywords?.length ?? 0) <= 30, 'vsce allows at most 30 keywords');
    // Fields only the Marketplace understands (Open VSX ignores or rejects them).
    const raw = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as Record<string, unknown>;
    for (const field of ['pricing', 'qna', 'sponsor', 'galleryBanner', 'badges', 'preview']) {
      assert.ok(!(field in raw), `${field} is Marketplace-only`);
    }
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

  it('the chat tools: each registered one contributed, with what VS Code requires and what chat shows', () => {
    interface ToolContribution {
      name: string;
      displayName?: string;
      modelDescription?: string;
      userDescription?: string;
      toolReferenceName?: string;
      canBeReferencedInPrompt?: boolean;
      inputSchema?: { type?: string; properties?: Record<string, { description?: string }>; required?: string[] };
    }
    const raw = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { contributes: Record<string, unknown> };
    const tools = raw.contributes.languageModelTools as ToolContribution[];
    const source = readFileSync(path.join(root, 'src', 'core', 'work', 'toolNames.ts'), 'utf8'); // the tools' names, shared by the chat tools and the MCP server
    const registered = [...(/TOOL_NAMES = \{([^}]+)\}/.exec(source)?.[1] ?? '').matchAll(/'(qianfan_[A-Za-z]+)'/g)].map((m) => m[1]);
    assert.strictEqual(registered.length, 6);
    assert.deepStrictEqual(tools.map((t) => t.name).sort(), [...registered].sort());
    const references = new Set<string>();
    for (const t of tools) {
      // what VS Code 1.139 checks (a tool without them is refused), and what makes it usable in chat
      assert.match(t.name, /^(?!copilot_|vscode_)[\w-]+$/);
      assert.ok(t.displayName?.startsWith('%') && t.userDescription?.startsWith('%'), `${t.name}: localized display name and description`);
      assert.ok((t.modelDescription?.length ?? 0) > 80, `${t.name}: a model description`);
      assert.ok(t.canBeReferencedInPrompt === true && t.toolReferenceName && /^[\w-]+$/.test(t.toolReferenceName), `${t.name}: #reference`);
      references.add(t.toolReferenceName);
      assert.strictEqual(t.inputSchema?.type, 'object');
      for (const [key, prop] of Object.entries(t.inputSchema.properties ?? {})) {
        assert.ok(prop.description, `${t.name}.${key} is described`);
      }
      for (const key of t.inputSchema.required ?? []) {
        assert.ok(key in (t.inputSchema.properties ?? {}), `${t.name}: required ${key} is a property`);
      }
    }
    assert.strictEqual(references.size, tools.length, 'reference names are distinct');
    const deleting = tools.find((t) => t.name === 'qianfan_deleteModelVersions');
    assert.match(deleting?.modelDescription ?? '', /cannot be undone/);
    // tool sets need the proposed API contribLanguageModelToolSets: VS Code groups an extension's tools by itself
    assert.ok(!('languageModelToolSets' in raw.contributes));
  });

  it('the core has no vscode import', () => {
    const dir = path.join(root, 'src', 'core');
    const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
    assert.ok(
      files.some((f) => f.includes(path.sep)),
      'sub-folders are read too',
    );
    for (const file of files) {
      assert.ok(!/from 'vscode'|require\('vscode'\)/.test(readFileSync(path.join(dir, file), 'utf8')), file);
    }
  });
});
