/**
 * Two workbench windows on one VS Code server (two browser tabs: two extension hosts, one
 * machine, one globalStorage folder): an import in one shows in the other without a request, an
 * untrack in the other reaches the first, and both views agree on the whole list.
 */
import * as assert from 'assert';
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { QianfanEmulator } from '../emulator/emulator';
import { DEMO_ACCESS_KEY, DEMO_SECRET_KEY } from '../emulator/fixture';
import { type Page, ROOT, SERVERS, remoteUri, workbenchUrl } from '../support/vscodeServer';
import {
  FAILURES,
  type Workbench,
  answerInput,
  clearNotifications,
  clickMenuItem,
  openWorkbench,
  quietSettings,
  screenshot,
  treeRow,
  waitForNotification,
  waitForEndpoint,
} from './workbench';

const VERSIONS = ['amv-g73j3faikzpz', 'amv-34qkndzjf111', 'amv-k2m9x7c4q1ab', 'amv-p8r2t6y1u3io', 'amv-z9x8c7v6b5nm', 'amv-a1s2d3f4g5h6'];

/** The version IDs the Qianfan view shows (rows read "V1 (amv-…)"). */
async function shownVersions(page: Page): Promise<string[]> {
  const rows = await page.locator('.pane-body .monaco-list-row').allInnerTexts();
  return rows.flatMap((r) => r.match(/amv-[a-z0-9]+/g) ?? []).sort();
}

async function waitForShown(page: Page, expected: string[], what: string, timeout = 30_000): Promise<void> {
  const deadline = Date.now() + timeout;
  let shown: string[] = [];
  while (Date.now() < deadline) {
    shown = await shownVersions(page);
    if (JSON.stringify(shown) === JSON.stringify([...expected].sort())) {
      return;
    }
    await page.waitForTimeout(250);
  }
  assert.fail(`${what}: the view shows ${shown.join(', ') || 'nothing'}`);
}

async function openView(page: Page): Promise<void> {
  await page.locator('.activitybar [aria-label^="Qianfan"]').first().click();
}

for (const version of [SERVERS.newest, SERVERS.oldest]) {
  describe(`two windows on one server (code-server ${version})`, function () {
    this.timeout(240_000);
    let emulator: QianfanEmulator;
    let wb: Workbench;
    let other: Page;
    const folders: string[] = [];

    before(async () => {
      emulator = new QianfanEmulator({ exportDurationMs: 2500 });
      await emulator.start();
      folders.push(mkdtempSync(path.join(tmpdir(), 'qf-2w-a-')), mkdtempSync(path.join(tmpdir(), 'qf-2w-b-')));
      wb = await openWorkbench({ ...quietSettings(emulator.url), 'workbench.welcomePage.walkthroughs.openOnInstall': false }, folders[0], version);
      other = await wb.browser.newPage({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
      await other.goto(
        workbenchUrl(wb.server, folders[1], [
          ['extensionDevelopmentPath', remoteUri(wb.server, ROOT)],
          ['skipWelcome', 'true'],
        ]),
      );
      await other.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    });

    afterEach(async function () {
      if (this.currentTest?.state === 'failed' && wb) {
        console.log(
          `    screenshots of the failure: ${await screenshot(wb.page, 'failed-two-windows-a', FAILURES)}, ${await screenshot(other, 'failed-two-windows-b', FAILURES)}`,
        );
      }
    });

    after(async () => {
      await wb?.close();
      await emulator?.stop();
      folders.forEach((f) => rmSync(f, { recursive: true, force: true }));
    });

    it('an import in one window shows in the other without a request of its own', async () => {
      const { page } = wb;
      // the web workbench keeps secrets per browser tab: each window is given the keys
      for (const p of [page, other]) {
        await openView(p);
        await waitForEndpoint(p, emulator.url);
        await p.locator('.welcome-view-content .monaco-button', { hasText: 'Set Access Key' }).click();
        await answerInput(p, DEMO_ACCESS_KEY);
        await p.locator('.quick-input-widget', { hasText: 'secret key' }).waitFor();
        await answerInput(p, DEMO_SECRET_KEY);
        await waitForNotification(p, 'keys saved');
        await clearNotifications(p);
      }
      await page.locator('.welcome-view-content .monaco-button', { hasText: 'Import from Account' }).click();
      await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'amv-g73j3faikzpz' }).waitFor({ timeout: 30_000 });
      const rows = page.locator('.quick-input-widget .monaco-list-row', { hasText: 'amv-' }); // the versions, not the models to follow
      for (let i = 0; i < (await rows.count()); i++) {
        await rows.nth(i).click();
      }
      await page.locator('.quick-input-widget', { hasText: '6 Selected' }).waitFor();
      const listings = emulator.count('DescribeCustomModelSets');
      await page.locator('.quick-input-widget .monaco-button', { hasText: 'OK' }).click();
      await waitForNotification(page, 'Now tracking 6 new model versions');
      await waitForShown(page, VERSIONS, 'the window that imported');
      await waitForShown(other, VERSIONS, 'the other window');
      assert.strictEqual(emulator.count('DescribeCustomModelSets'), listings, 'no listing asked for it');
    });

    it('an untrack in the other window reaches the first; both views agree on the whole list', async () => {
      const row = await treeRow(other, 'amv-34qkndzjf111');
      await row.click({ button: 'right' });
      await clickMenuItem(other, 'Untrack Model Version');
      const rest = VERSIONS.filter((v) => v !== 'amv-34qkndzjf111');
      await waitForShown(other, rest, 'the window that untracked');
      await waitForShown(wb.page, rest, 'the first window');
    });
  });
}
