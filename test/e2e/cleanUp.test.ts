/**
 * Delete Old Versions… end to end in the browser workbench, on a generated account whose versions
 * were all created in the same second (as Qianfan's whole-second times allow) and whose IDs say
 * nothing of age: "keep the newest 3" keeps the highest versions (and the Creating one in
 * addition), the preview lists every version newest first with each kept one's reason readable in
 * full, a kept row cannot be ticked, and the typed count deletes exactly the ticked ones. On the
 * newest and the oldest supported VS Code; the preview's picture (newest) goes to media/screenshots.
 */
import * as assert from 'assert';
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { QianfanEmulator } from '../emulator/emulator';
import { DEMO_ACCESS_KEY, DEMO_SECRET_KEY, generatedFixture } from '../emulator/fixture';
import { type Page, SERVERS } from '../support/vscodeServer';
import {
  FAILURES,
  type Workbench,
  answerInput,
  assertIncludes,
  clearNotifications,
  openWorkbench,
  runFromPalette,
  screenshot,
  waitForNotification,
  quietSettings,
  screenshotOnFailure,
  waitForEndpoint,
} from './workbench';

const MODELS = 2;
const VERSIONS = 12; // V7 of each is Creating (the generated accounts make every 7th version Creating)

/** What of the DOM the check below uses (the tests compile without the DOM types). */
interface Box {
  readonly scrollWidth: number;
  readonly clientWidth: number;
  readonly innerText: string;
  querySelectorAll(selector: string): ArrayLike<Box>;
}

/** The rows of the open quick pick that are cut off: their label, description or detail does not fit. */
async function cutRows(page: Page): Promise<string[]> {
  return page.locator('.quick-input-widget .monaco-list-row').evaluateAll((elements: unknown[]): string[] =>
    (elements as Box[]).flatMap((row) => {
      // the boxes that cut their text with an ellipsis: the label with its description, and the detail line
      const parts = Array.from(row.querySelectorAll('.monaco-icon-label-container'));
      return parts.some((p) => p.scrollWidth > p.clientWidth + 1) ? [row.innerText.replace(/\s+/g, ' ')] : [];
    }),
  );
}

for (const version of [SERVERS.newest, SERVERS.oldest]) {
  describe(`delete old versions in the browser workbench (code-server ${version})`, function () {
    this.timeout(240_000);
    let emulator: QianfanEmulator;
    let wb: Workbench;
    let folder: string;
    const fixture = generatedFixture(MODELS, VERSIONS, 42, { sameSecondModels: MODELS });

    before(async () => {
      assert.strictEqual(new Set(fixture.versions.map((v) => v.createTime)).size, 1, 'every version of one second');
      emulator = new QianfanEmulator({ fixture });
      await emulator.start();
      folder = mkdtempSync(path.join(tmpdir(), 'qf-e2e-cleanup-'));
      wb = await openWorkbench(quietSettings(emulator.url), folder, version);
    });

    afterEach(screenshotOnFailure(() => wb?.page));

    after(async () => {
      await wb?.close();
      await emulator?.stop();
      rmSync(folder, { recursive: true, force: true });
    });

    it('sets the keys and imports the 24 versions of the account', async () => {
      const { page } = wb;
      await page.locator('.activitybar [aria-label^="Qianfan"]').first().click();
      await waitForEndpoint(page, emulator.url);
      await page.locator('.welcome-view-content .monaco-button', { hasText: 'Set Access Key' }).click({ timeout: 60_000 });
      await answerInput(page, DEMO_ACCESS_KEY);
      await page.locator('.quick-input-widget', { hasText: 'secret key' }).waitFor();
      await answerInput(page, DEMO_SECRET_KEY);
      await waitForNotification(page, 'keys saved');
      await clearNotifications(page);
      await page.locator('.welcome-view-content .monaco-button', { hasText: 'Import from Account' }).click();
      const input = page.locator('.quick-input-widget .quick-input-box input');
      await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'amv-' }).first().waitFor({ timeout: 30_000 });
      await input.fill('amv-'); // the versions only (not the models to follow)
      await page.locator('.quick-input-widget .quick-input-header').locator('.quick-input-check-all, .monaco-checkbox').first().click(); // select all (1.93: an input; newer: a custom checkbox)
      await page.locator('.quick-input-widget', { hasText: `${MODELS * VERSIONS} Selected` }).waitFor();
      await page.locator('.quick-input-widget .monaco-button', { hasText: 'OK' }).click();
      await waitForNotification(page, `Tracking ${MODELS * VERSIONS} new model version`);
      await clearNotifications(page);
    });

    it('keep the newest 3 (typed): the preview lists every version newest first, says why each kept one stays, and deletes V1 to V9 but V7', async () => {
      const { page } = wb;
      await runFromPalette(page, 'Qianfan: Delete Old Versions');
      await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'Keep the newest N per model' }).click();
      const box = page.locator('.quick-input-widget .quick-input-box input');
      await page.locator('.quick-input-widget', { hasText: 'How many of the newest versions' }).waitFor();
      assert.strictEqual(await box.inputValue(), '3', 'the setting gives the default');
      await answerInput(page, '3');

      const widget = page.locator('.quick-input-widget');
      await widget.locator('.monaco-list-row', { hasText: 'model-1 / V12' }).waitFor({ timeout: 60_000 });
      const deleting = MODELS * (VERSIONS - 4);
      await widget
        .locator('.quick-input-title', { hasText: `${deleting} to delete, ${MODELS * 4} kept (${MODELS} anyway): keep the newest 3 per model` })
        .waitFor();
      await page.locator('.quick-input-widget', { hasText: `${deleting} Selected` }).waitFor();

      // model-1's rows, top down: newest first, each kept one saying why on its own line
      const rows = widget.locator('.monaco-list-row');
      const shown = (await rows.allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
      const model1 = shown.filter((t) => t.includes('model-1 /'));
      const names = model1.map((t) => /model-1 \/ (V\d+)/.exec(t)?.[1]);
      assert.deepStrictEqual(names.slice(0, 6), ['V12', 'V11', 'V10', 'V9', 'V8', 'V7'], shown.join('\n'));
      assertIncludes(model1[0], 'kept: among the newest 3 that could be deleted');
      assertIncludes(model1[3], 'deleted: older than the newest 3 that could be deleted');
      assertIncludes(model1[5], 'kept anyway: still Creating');
      assert.ok((await rows.count()) >= 5, 'rows to look at');
      assert.deepStrictEqual(await cutRows(page), [], 'every row readable in full');
      await page.mouse.move(1200, 700); // no hover over a row in the picture
      await page.waitForTimeout(300);
      await screenshot(
        page,
        version === SERVERS.newest ? '10-clean-up-preview' : `clean-up-preview-${version}`,
        version === SERVERS.newest ? undefined : FAILURES,
      );

      // a kept row cannot be ticked: a click on it changes nothing
      await rows.filter({ hasText: 'model-1 / V12' }).first().click();
      await page.waitForTimeout(300);
      assertIncludes(await widget.innerText(), `${deleting} Selected`);

      await widget.locator('.monaco-button', { hasText: 'OK' }).click();
      await page.locator('.quick-input-widget', { hasText: `Type ${deleting}` }).waitFor();
      await answerInput(page, String(deleting));
      await waitForNotification(page, `Deleted ${deleting} model versions`, 60_000);
      const left = [...emulator.store.versions.values()]
        .map((v) => `${v.modelSetId === fixture.models[0].modelSetId ? 'model-1' : 'model-2'} ${v.modelName}`)
        .sort();
      assert.deepStrictEqual(
        left,
        ['model-1', 'model-2'].flatMap((m) => ['V10', 'V11', 'V12', 'V7'].map((n) => `${m} ${n}`)),
        'the three highest and the Creating V7 stay in each model',
      );
      await clearNotifications(page);
    });
  });
}
