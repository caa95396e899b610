/**
 * End to end through the real workbench in Chromium: the Qianfan view from the activity bar,
 * its welcome content, set keys → import → delete (confirm) → export (done), a command from
 * the palette, the notifications. Screenshots go to media/screenshots for README.md.
 */
import * as assert from 'assert';
import { mkdtempSync, rmSync, statSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { QianfanEmulator } from '../emulator/emulator';
import { DEMO_ACCESS_KEY, DEMO_SECRET_KEY } from '../emulator/fixture';
import { type Page, SERVERS } from '../support/vscodeServer';
import {
  type Workbench,
  answerInput,
  assertIncludes,
  clearNotifications,
  clickMenuItem,
  openWorkbench,
  runFromPalette,
  screenshot,
  treeRow,
  waitForNotification,
  quietSettings,
  screenshotOnFailure,
  waitForEndpoint,
} from './workbench';

/** The served export: 8 MiB, slowed to 512 KiB/s in the download step so that its progress can be seen. */
const EXPORT_BYTES = 8 * 1024 * 1024;

/** The steps of the getting-started walkthrough (contributes.walkthroughs), by their IDs in the page. */
const WALKTHROUGH_STEPS = ['setKey', 'trackVersions', 'actOnVersion'].map((id) => `qianfan-tools.qianfan-models#qianfan.gettingStarted#${id}`);

/** Opens the walkthrough as a user does (Welcome: Open Walkthrough…) and reads whether each step is checked. */
async function walkthroughSteps(page: Page): Promise<boolean[]> {
  await runFromPalette(page, 'Welcome: Open Walkthrough...');
  const item = page.locator('.quick-input-widget .monaco-list-row', { hasText: 'Get Started with Qianfan Models' }).first();
  await item.waitFor({ timeout: 30_000 });
  await item.click();
  const checked: boolean[] = [];
  for (const id of WALKTHROUGH_STEPS) {
    const step = page.locator(`button.getting-started-step[data-step-id="${id}"]`);
    await step.waitFor({ timeout: 30_000 });
    checked.push((await step.getAttribute('aria-checked')) === 'true');
  }
  return checked;
}

/** Closes the active editor with its tab's close button (the palette may not take F1 while the walkthrough page has the focus). */
async function closeActiveEditor(page: Page): Promise<void> {
  const active = page.locator('.tabs-container .tab.active');
  const label = await active.getAttribute('aria-label');
  await active.locator('.tab-actions .action-label').first().click();
  await page.locator(`.tabs-container .tab[aria-label="${label}"]`).waitFor({ state: 'detached', timeout: 10_000 });
}

type Frame = ReturnType<Page['frames']>[number];

/** The frame of the details page (a webview: frames inside frames) once its heading shows `text`. */
/**
 * The frame of the details page that shows `text` in `selector` (its title by default). A page
 * drawn again gets a new frame and the old one is detached: each look goes over the frames anew,
 * passing over detached ones, so a frame about to be replaced is never waited on.
 */
async function detailsFrame(page: Page, text: string, timeout = 15_000, selector = 'h1'): Promise<Frame> {
  const deadline = Date.now() + timeout;
  while (Date.now() < deadline) {
    for (const frame of page.frames()) {
      if (
        !frame.isDetached() &&
        (await frame
          .locator(selector, { hasText: text })
          .count()
          .catch(() => 0)) > 0
      ) {
        return frame;
      }
    }
    await page.waitForTimeout(250);
  }
  throw new Error(`no details page showing ${text} within ${timeout} ms`);
}

for (const version of [SERVERS.newest, SERVERS.oldest]) {
  describe(`end to end in the browser workbench (code-server ${version})`, function () {
    this.timeout(240_000);
    let emulator: QianfanEmulator;
    let wb: Workbench;
    let folder: string;
    // README's screenshots come from the newest VS Code; the oldest run checks the same steps.
    const shot = (page: Page, name: string) => (version === SERVERS.newest ? screenshot(page, name) : Promise.resolve(''));

    before(async () => {
      emulator = new QianfanEmulator({ exportDurationMs: 2500, exportBytes: EXPORT_BYTES });
      await emulator.start();
      folder = mkdtempSync(path.join(tmpdir(), 'qf-e2e-'));
      wb = await openWorkbench(quietSettings(emulator.url), folder, version);
    });

    afterEach(screenshotOnFailure(() => wb?.page));

    after(async () => {
      await wb?.close();
      await emulator?.stop();
      rmSync(folder, { recursive: true, force: true });
    });

    it('the getting-started walkthrough lists its three steps, none done yet', async () => {
      const { page } = wb;
      assert.deepStrictEqual(await walkthroughSteps(page), [false, false, false]);
      await closeActiveEditor(page);
    });

    it('opens the Qianfan view from the activity bar and shows the sign-in welcome', async () => {
      const { page } = wb;
      await page.locator('.activitybar [aria-label^="Qianfan"]').first().click();
      const welcome = page.locator('.welcome-view-content', { hasText: 'access key' });
      await welcome.waitFor({ timeout: 60_000 });
      await page.locator('.welcome-view-content .monaco-button', { hasText: 'Set Access Key' }).waitFor();
      await shot(page, '1-welcome');
    });

    it('sets the keys from the welcome button (the secret box is masked)', async () => {
      const { page } = wb;
      await waitForEndpoint(page, emulator.url);
      await page.locator('.welcome-view-content .monaco-button', { hasText: 'Set Access Key' }).click();
      await answerInput(page, DEMO_ACCESS_KEY);
      const secretBox = page.locator('.quick-input-widget .quick-input-box input');
      await page.locator('.quick-input-widget', { hasText: 'secret key' }).waitFor();
      assert.strictEqual(await secretBox.getAttribute('type'), 'password');
      await answerInput(page, DEMO_SECRET_KEY);
      assertIncludes(await waitForNotification(page, 'keys saved'), DEMO_ACCESS_KEY);
      await page.locator('.welcome-view-content .monaco-button', { hasText: 'Import from Account' }).waitFor();
      await clearNotifications(page);
    });

    it('imports every version of the account: select-all in the quick pick takes the versions, and only them', async () => {
      const { page } = wb;
      await page.locator('.welcome-view-content .monaco-button', { hasText: 'Import from Account' }).click();
      await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'amv-g73j3faikzpz' }).waitFor({ timeout: 30_000 });
      // every row is a version: no "follow this model" item that select-all could take
      const rows = page.locator('.quick-input-widget .monaco-list-row');
      assert.strictEqual(await rows.count(), await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'amv-' }).count());
      assert.strictEqual(await page.locator('.quick-input-widget .monaco-list-row', { hasText: /Follow/ }).count(), 0);
      // select-all: the header's checkbox (a custom one on newer VS Code, an <input> on 1.93)
      const custom = page.locator('.quick-input-widget .quick-input-header .monaco-checkbox').first();
      if (await custom.isVisible()) {
        await custom.click();
      } else {
        await page.locator('.quick-input-widget input.quick-input-check-all').first().click();
      }
      await page.locator('.quick-input-widget', { hasText: '6 Selected' }).waitFor();
      await shot(page, '2-import');
      await page.locator('.quick-input-widget .monaco-button', { hasText: 'OK' }).click();
      await waitForNotification(page, 'Now tracking 6 new model versions');
      await treeRow(page, 'customer-support-zh');
      await treeRow(page, 'amv-34qkndzjf111');
      await clearNotifications(page);
      const v1 = await treeRow(page, 'amv-g73j3faikzpz');
      await v1.hover();
      const hover = page.locator('.monaco-hover', { hasText: 'ERNIE-Speed-8K' }).first();
      await hover.waitFor({ timeout: 15_000 }); // the markdown tooltip from DescribeModel
      await shot(page, '3-tree');
      await page.mouse.move(900, 600);
    });

    it('a filter says itself at the top of the view: its text, how many versions match of how many, a row that clears it', async () => {
      const { page } = wb;
      await runFromPalette(page, 'Qianfan: Filter Model Versions');
      await answerInput(page, 'status:Ready');
      const message = page.locator('.pane-body', { hasText: 'Filter "status:Ready": 4 of 6 versions match.' }).first();
      await message.waitFor({ timeout: 15_000 });
      await page.locator('.pane-body .monaco-list-row', { hasText: 'amv-z9x8c7v6b5nm' }).waitFor({ state: 'detached' }); // the Failed one
      await treeRow(page, 'amv-p8r2t6y1u3io'); // a Ready one, its model open by itself
      const clear = await treeRow(page, 'Clear the filter');
      await shot(page, '11-filter');
      await clear.click();
      await treeRow(page, 'amv-z9x8c7v6b5nm');
      await page.locator('.pane-body', { hasText: 'versions match' }).waitFor({ state: 'detached', timeout: 10_000 });
    });

    it('deletes a version from its context menu after a modal confirmation', async () => {
      const { page } = wb;
      const row = await treeRow(page, 'amv-34qkndzjf111');
      await row.click({ button: 'right' });
      await clickMenuItem(page, 'Delete Model Version');
      const dialog = page.locator('.monaco-dialog-box');
      await dialog.waitFor();
      assertIncludes(await dialog.innerText(), 'customer-support-zh / V2 (amv-34qkndzjf111)'); // the model too: every model has a V2
      await shot(page, '4-delete-confirm');
      await dialog.locator('.monaco-button', { hasText: /^Delete$/ }).click();
      await waitForNotification(page, 'Deleted customer-support-zh / V2');
      await page.locator('.pane-body .monaco-list-row', { hasText: 'amv-34qkndzjf111' }).waitFor({ state: 'detached' });
      assert.strictEqual(emulator.store.versions.has('amv-34qkndzjf111'), false);
      await clearNotifications(page);
    });

    it('the keyboard in the view: the tree find (Ctrl+Alt+F) finds a row by part of its ID, Enter opens the details, Delete asks first', async () => {
      const { page } = wb;
      const row = await treeRow(page, 'amv-p8r2t6y1u3io');
      await row.click(); // selects the row and focuses the tree
      // the tree's own find (Ctrl+Alt+F) matches labels: the ID is in the row's label
      const highlight = row.locator('.highlight', { hasText: 'p8r2t6' }).first();
      for (let attempt = 1; ; attempt++) {
        await page.keyboard.press('Control+Alt+F');
        await page.waitForTimeout(300); // the find box takes the focus
        await page.keyboard.type('p8r2t6', { delay: 50 });
        try {
          await highlight.waitFor({ timeout: 5_000 });
          break;
        } catch (error) {
          if (attempt === 3) {
            throw new Error(`the tree find did not highlight the ID: ${String(error)}`, { cause: error });
          }
          await page.keyboard.press('Escape');
          await row.click();
        }
      }
      await page.keyboard.press('Escape');
      await row.click();
      await page.keyboard.press('Enter');
      await detailsFrame(page, 'amv-p8r2t6y1u3io').catch((e: unknown) => {
        throw new Error(`Enter did not open the details: ${String(e)}`);
      });
      await row.click();
      await page.keyboard.press('Delete');
      const dialog = page.locator('.monaco-dialog-box');
      await dialog.waitFor({ timeout: 15_000 }).catch((e: unknown) => {
        throw new Error(`Delete did not ask: ${String(e)}`);
      });
      assertIncludes(await dialog.innerText(), 'news-summarizer / V1 (amv-p8r2t6y1u3io)');
      await dialog.locator('.monaco-button', { hasText: /^Cancel$/ }).click();
      await dialog.waitFor({ state: 'detached' });
      assert.strictEqual(emulator.store.versions.has('amv-p8r2t6y1u3io'), true, 'Cancel deletes nothing');
      await page.keyboard.press('Escape');
    });

    it('exports a version and shows the file, size and md5 when it is done', async () => {
      const { page } = wb;
      await runFromPalette(page, 'View: Close All Editors');
      await page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
      const row = await treeRow(page, 'amv-g73j3faikzpz');
      await row.click({ button: 'right' });
      await clickMenuItem(page, 'Export Model Version');
      const text = await waitForNotification(page, 'is ready', 60_000);
      assertIncludes(text, /amv-g73j3faikzpz-exp-[0-9a-f]+\.tar\.gz/);
      assertIncludes(text, /md5 [0-9a-f]{32}/);
      const item = page.locator('.notification-list-item', { hasText: 'is ready' }).first();
      await item.click();
      await item.locator('.monaco-button', { hasText: 'Copy Download URL' }).waitFor();
      await shot(page, '5-export-done');
      assert.strictEqual(emulator.store.exportsCreated, 1);
    });

    it("shows the details rendered: a table in the theme, the export's file, Copy ID that copies", async () => {
      const { page } = wb;
      await clearNotifications(page);
      const row = await treeRow(page, 'amv-g73j3faikzpz');
      await row.click({ button: 'right' });
      await clickMenuItem(page, 'Show Details');
      const frame = await detailsFrame(page, 'customer-support-zh / V1 (amv-g73j3faikzpz)');
      await frame.locator('th', { hasText: 'md5' }).waitFor();
      assertIncludes(await frame.locator('table').first().innerText(), 'ERNIE-Speed-8K');
      const text = await frame.locator('body').innerText();
      assertIncludes(text, 'amv-g73j3faikzpz-exp-');
      assert.ok(!text.includes('| --- |'), 'rendered, not Markdown source');
      await frame.locator('a', { hasText: 'Open in the Qianfan console' }).waitFor();
      assertIncludes(text, 'console.bce.baidu.com/qianfan/modelcenter/model/user/list'); // says where it goes
      await shot(page, '8-details');
      // in a dark theme the two actions keep the look of the workbench's buttons
      await runFromPalette(page, 'Preferences: Toggle between Light/Dark Themes');
      await page.locator('.monaco-workbench.vs-dark').waitFor({ timeout: 15_000 });
      const dark = await detailsFrame(page, 'customer-support-zh / V1 (amv-g73j3faikzpz)');
      const look = await dark
        .locator('a.button')
        .first()
        .evaluate((a) => {
          // in the page (no DOM types in this project's compile)
          const w = globalThis as unknown as { getComputedStyle(e: unknown): { backgroundColor: string }; document: { body: unknown } };
          return { background: w.getComputedStyle(a).backgroundColor, body: w.getComputedStyle(w.document.body).backgroundColor };
        });
      assert.notStrictEqual(look.background, 'rgba(0, 0, 0, 0)', 'a filled button');
      assert.notStrictEqual(look.background, look.body, 'not the page colour');
      await shot(page, '8-details-dark');
      // Copy ID is a command link of the webview; the browser's clipboard needs the permission
      await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
      const copied = page.locator('.statusbar', { hasText: 'Copied amv-g73j3faikzpz' }); // shown for 3 s
      for (let attempt = 1; ; attempt++) {
        await frame.locator('a', { hasText: 'Copy ID' }).click();
        if (
          await copied.waitFor({ timeout: 5_000 }).then(
            () => true,
            () => false,
          )
        ) {
          break;
        }
        assert.ok(attempt < 3, 'Copy ID said "Copied" in the status bar');
      }
      // and on the page, beside the button (the page is drawn again: its frame is a new one)
      await detailsFrame(page, 'Copied amv-g73j3faikzpz', 10_000, '.copied');
      await runFromPalette(page, 'Preferences: Toggle between Light/Dark Themes');
      await page.locator('.monaco-workbench.vs').waitFor({ timeout: 15_000 });
      await closeActiveEditor(page);
    });

    it('downloads the export with a progress notification (bytes, rate, time left), then a verified file', async () => {
      const { page } = wb;
      await clearNotifications(page);
      emulator.files!.faults.bytesPerSecond = 512 * 1024; // the emulator's slow-stream fault
      const row = await treeRow(page, 'amv-g73j3faikzpz');
      await row.click({ button: 'right' });
      await clickMenuItem(page, 'Download Export');
      // The save dialog (VS Code's own in the browser workbench) proposes the workspace folder and the file's name.
      const input = page.locator('.quick-input-widget .quick-input-box input');
      await input.waitFor({ state: 'visible' });
      for (let i = 0; i < 40 && !(await input.inputValue()).endsWith('.tar.gz'); i++) {
        await page.waitForTimeout(250);
      }
      const chosen = await input.inputValue();
      assert.ok(chosen.endsWith('customer-support-zh-V1.tar.gz'), `named by the model and version: ${chosen}`);
      await page.keyboard.press('Enter');
      await page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
      // Wait until the rate and the time left are known, then take the picture.
      const progress = await waitForNotification(page, /B\/s, \d+:\d\d left/, 30_000);
      assertIncludes(progress, 'Downloading customer-support-zh-V1.tar.gz');
      assertIncludes(progress, /of 8\.\d MB/);
      await shot(page, '7-download-progress');
      emulator.files!.faults.bytesPerSecond = undefined; // the rest at full speed
      const done = await waitForNotification(page, 'md5 verified', 60_000);
      assertIncludes(done, 'Downloaded customer-support-zh-V1.tar.gz');
      assert.ok(!done.includes(folder), `a short toast, the path behind Reveal: ${done}`);
      assert.strictEqual(statSync(path.join(folder, path.basename(chosen))).size, EXPORT_BYTES);
      assert.ok(emulator.files!.requests.every((r) => !r.authorization));
      await clearNotifications(page);
    });

    it('the walkthrough shows each step done by the state reached above (keys set, versions tracked, a delete / export / download done)', async () => {
      const { page } = wb;
      assert.deepStrictEqual(await walkthroughSteps(page), [true, true, true]);
      await page.mouse.move(900, 700);
      await shot(page, '12-walkthrough-done');
      await closeActiveEditor(page);
    });

    it('cleans up old versions: a rule, the preview with what goes and what stays, the typed count', async () => {
      const { page } = wb;
      await clearNotifications(page);
      await runFromPalette(page, 'Qianfan: Delete Old Versions');
      await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'Delete only failed versions' }).click();
      // the preview: the failed V2 of news-summarizer ticked, every other version kept and saying why (test/e2e/cleanUp.test.ts takes its picture)
      await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'amv-z9x8c7v6b5nm' }).waitFor({ timeout: 30_000 });
      await page.locator('.quick-input-widget', { hasText: 'kept: not Failed' }).waitFor();
      assertIncludes(await page.locator('.quick-input-widget').innerText(), '1 to delete');
      await page.locator('.quick-input-widget .monaco-button', { hasText: 'OK' }).click();
      await page.locator('.quick-input-widget', { hasText: 'Type 1' }).waitFor();
      await answerInput(page, '1');
      assertIncludes(await waitForNotification(page, /Deleted .*amv-z9x8c7v6b5nm/), 'V2');
      await page.locator('.pane-body .monaco-list-row', { hasText: 'amv-z9x8c7v6b5nm' }).waitFor({ state: 'detached', timeout: 15_000 });
      await clearNotifications(page);
    });

    it('runs commands from the palette: Show Log opens the Qianfan log; Developer: Set Log Level… → Debug shows one line per request', async () => {
      const { page } = wb;
      await clearNotifications(page);
      await runFromPalette(page, 'Qianfan: Show Log');
      const lines = page.locator('.part.panel .monaco-editor .view-line');
      // at Info the log holds what the user did, not the requests: those are Debug lines
      await lines
        .filter({ hasText: /\[info\]/ })
        .first()
        .waitFor({ timeout: 30_000 });
      assert.strictEqual(await lines.filter({ hasText: /\[info\]\sDescribeModel/ }).count(), 0, 'no request line at Info');
      // as a user turns them on: the palette, the Qianfan log, Debug
      await runFromPalette(page, 'Developer: Set Log Level');
      await answerInput(page, 'Qianfan');
      await answerInput(page, 'Debug');
      // Monaco renders spaces as no-break spaces, hence \s.
      await lines
        // the tail of the log: the view polls the Creating version while it is visible, so any request line
        .filter({ hasText: /\[debug\]\sDescribeModel(ExportTask)?\samv-[a-z0-9]+\sHTTP\s200/ })
        .first()
        .waitFor({ timeout: 60_000 });
      await lines
        .filter({ hasText: /requestId=[0-9a-f-]{36}\s\d+\sms/ })
        .first()
        .waitFor();
      const text = (await lines.allInnerTexts()).join('\n');
      assert.ok(!text.includes(DEMO_SECRET_KEY));
      await shot(page, '6-log');
    });
  });
}
