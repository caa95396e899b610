/**
 * `npm run package` builds an installable .vsix holding only what the extension needs at run
 * time; installed into the VS Code server with --install-extension, it activates there.
 */
import * as assert from 'assert';
import { execFileSync } from 'child_process';
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { zipEntries } from '../support/zipEntries';
import { ROOT, SERVERS, launchBrowser, startServer, workbenchUrl } from '../support/vscodeServer';
import { FAILURES, runFromPalette, screenshot } from './workbench';

const VSIX = path.join(ROOT, 'qianfan-models.vsix');
const ALLOWED = [
  /^\[Content_Types\]\.xml$/,
  /^extension\.vsixmanifest$/,
  /^extension\/package\.json$/,
  /^extension\/package\.nls(\.zh-cn)?\.json$/,
  /^extension\/dist\/extension\.js$/,
  /^extension\/l10n\/bundle\.l10n\.zh-cn\.json$/,
  /^extension\/media\/[\w./-]+\.(png|svg)$/,
  /^extension\/(readme|README\.zh-CN|changelog)\.md$/,
  /^extension\/LICENSE\.txt$/,
];

describe('the .vsix package', function () {
  this.timeout(300_000);

  before(() => {
    execFileSync('npm', ['run', '--silent', 'package'], { cwd: ROOT, stdio: 'pipe' });
  });

  it('holds only the bundle, the manifest, localization, media, READMEs, CHANGELOG and LICENSE', () => {
    const entries = zipEntries(VSIX);
    assert.deepStrictEqual(
      entries.filter((e) => !ALLOWED.some((re) => re.test(e))),
      [],
    );
    for (const needed of [
      'extension/dist/extension.js',
      'extension/package.json',
      'extension/package.nls.zh-cn.json',
      'extension/l10n/bundle.l10n.zh-cn.json',
      'extension/media/qianfan.svg',
      'extension/media/icon.png',
      'extension/readme.md',
      'extension/changelog.md',
      'extension/LICENSE.txt',
    ]) {
      assert.ok(entries.includes(needed), `${needed} is in the package`);
    }
  });

  for (const version of [SERVERS.newest, SERVERS.oldest]) {
    it(`installs into the VS Code server (code-server ${version}) with --install-extension and activates there`, async () => {
      const folder = mkdtempSync(path.join(tmpdir(), 'qf-vsix-'));
      const server = await startServer({
        version,
        smokeTestDriver: version !== SERVERS.oldest, // as in the walkthrough (workbench.ts)
        installExtension: VSIX,
        settings: { 'security.workspace.trust.enabled': false, 'chat.disableAIFeatures': true },
      });
      const browser = await launchBrowser();
      try {
        const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
        await page.goto(workbenchUrl(server, folder, [['skipWelcome', 'true']]));
        await page.locator('.activitybar [aria-label^="Qianfan"]').first().click({ timeout: 60_000 });
        await page.locator('.welcome-view-content .monaco-button', { hasText: 'Set Access Key' }).waitFor({ timeout: 60_000 });
        // Show Log runs only once the extension has activated; a palette Enter in the first
        // seconds of the workbench (seen on VS Code 1.93) can be lost, so try it up to 3 times.
        const lines = page.locator('.part.panel .monaco-editor .view-line');
        const activated = lines.filter({ hasText: /Qianfan\sModels\s0\.1\.0\sactivated/ }).first();
        for (let attempt = 1; ; attempt++) {
          await runFromPalette(page, 'Qianfan: Show Log');
          const shown = await activated.waitFor({ timeout: 10_000 }).then(
            () => true,
            () => false,
          );
          if (shown) {
            break;
          }
          assert.ok(attempt < 3, 'Show Log opened the Qianfan log');
        }
        // Wrapped lines are separate elements: join them before matching.
        assert.match((await lines.allInnerTexts()).join(''), /activated\sin\s[\d.]+\sms/);
        const installed = execFileSync('ls', [path.join(server.dataDir, 'e')], { encoding: 'utf8' });
        assert.match(installed, /qianfan-tools\.qianfan-models-0\.1\.0/);
      } catch (error) {
        const first = browser.contexts().flatMap((c) => c.pages())[0];
        if (first) {
          console.log(`    screenshot of the failure: ${await screenshot(first, `failed-vsix-${version}`, FAILURES)}`);
        }
        throw error;
      } finally {
        await browser.close().catch(() => undefined);
        await server.stop();
        rmSync(folder, { recursive: true, force: true });
      }
    });
  }
});
