/**
 * The main job, as README.md gives it: `npm start` serves VS Code with the extension installed,
 * pointed at the emulator with the demo keys; notifications pop up as toasts, as in a user's
 * VS Code; keys set by hand survive a browser reload (the demo keys do not come back); Ctrl-C
 * (SIGINT) stops all of it.
 */
import * as assert from 'assert';
import { type ChildProcess, spawn } from 'child_process';
import * as http from 'http';
import { ROOT, freePort, launchBrowser } from '../support/vscodeServer';
import { FAILURES, answerInput, runFromPalette, screenshot, waitForEndpoint } from './workbench';

const HAND_SET_KEY = 'handSetAccessKey000000000000001';

function listening(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get(url, (res) => {
      res.resume();
      resolve(true);
    });
    req.on('error', () => resolve(false));
    req.setTimeout(2000, () => req.destroy());
  });
}

describe('npm start', function () {
  this.timeout(300_000);
  let child: ChildProcess | undefined;

  after(() => {
    if (child?.pid && child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
  });

  it('serves the workbench with the extension, the emulator and the demo keys; shows toasts; keeps hand-set keys across a reload; stops on Ctrl-C', async () => {
    const port = await freePort();
    child = spawn('npm', ['start', '--', '--models', '4', '--versions', '2', '--latency', '20'], {
      cwd: ROOT,
      env: { ...process.env, PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let output = '';
    child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    const deadline = Date.now() + 240_000;
    while (!/VS Code:\s+(\S+)/.test(output)) {
      assert.ok(Date.now() < deadline && child.exitCode === null, `npm start did not print its URL:\n${output}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    const url = /VS Code:\s+(\S+)/.exec(output)![1];
    const emulatorUrl = /Qianfan emulator:\s+(\S+)/.exec(output)![1];
    assert.ok(url.startsWith(`http://127.0.0.1:${port}/`));
    assert.match(output, /demo data: 4 models, 8 versions, 20 ms latency/);
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      await page.goto(url);
      await page.locator('.activitybar [aria-label^="Qianfan"]').first().click({ timeout: 60_000 });
      // The demo keys are preset, so the view offers to import rather than to sign in.
      await page.locator('.welcome-view-content .monaco-button', { hasText: 'Import from Account' }).waitFor({ timeout: 60_000 });
      await waitForEndpoint(page, emulatorUrl);
      // Keys set by hand: the confirmation pops up as a toast, not only in the bell.
      // Answer each box only once the palette has turned into it (typing earlier goes to the palette).
      await runFromPalette(page, 'Qianfan: Set Access Key…');
      await page.locator('.quick-input-widget', { hasText: 'access key (1/2)' }).waitFor({ timeout: 30_000 });
      await answerInput(page, HAND_SET_KEY);
      await page.locator('.quick-input-widget', { hasText: 'secret key (2/2)' }).waitFor({ timeout: 30_000 });
      await answerInput(page, 'handSetSecretKey000000000000001');
      // The emulator does not know these keys: the check says so, and the user saves them anyway.
      const refused = page.locator('.notifications-toasts .notification-toast', { hasText: `Qianfan does not know the access key ${HAND_SET_KEY}` });
      await refused.waitFor({ state: 'visible', timeout: 30_000 });
      await refused.locator('.monaco-button', { hasText: 'Save Anyway' }).click();
      const toast = page.locator('.notifications-toasts .notification-toast', {
        hasText: `Qianfan keys saved in profile default for access key ${HAND_SET_KEY}`,
      });
      await toast.waitFor({ state: 'visible', timeout: 30_000 });
      await screenshot(page, '9-npm-start-toast');
      // A browser reload: the hand-set keys are still there (the AK box is prefilled with them).
      await page.reload();
      await page.locator('.activitybar [aria-label^="Qianfan"]').first().waitFor({ timeout: 60_000 });
      await page.locator('.welcome-view-content .monaco-button', { hasText: 'Import from Account' }).waitFor({ timeout: 60_000 });
      await runFromPalette(page, 'Qianfan: Set Access Key…');
      // The palette's box becomes the access-key box: wait until it holds no command text.
      await page.locator('.quick-input-widget', { hasText: 'access key (1/2)' }).waitFor({ timeout: 30_000 });
      const box = page.locator('.quick-input-widget .quick-input-box input');
      let value = await box.inputValue();
      for (const deadline = Date.now() + 10_000; value.startsWith('>') && Date.now() < deadline; value = await box.inputValue()) {
        await page.waitForTimeout(100);
      }
      assert.strictEqual(value, HAND_SET_KEY, 'the keys set by hand survived the reload; the demo keys did not come back');
      await page.keyboard.press('Escape');
    } catch (error) {
      const first = browser.contexts().flatMap((c) => c.pages())[0];
      if (first) {
        console.log(`    screenshot of the failure: ${await screenshot(first, 'failed-npm-start', FAILURES)}`);
      }
      throw error;
    } finally {
      await browser.close();
    }
    process.kill(-child.pid!, 'SIGINT');
    await new Promise<void>((resolve) => child!.once('exit', () => resolve()));
    await new Promise((r) => setTimeout(r, 500));
    assert.strictEqual(await listening(url), false, 'the VS Code server stopped');
    assert.strictEqual(await listening(emulatorUrl), false, 'the emulator stopped');
  });
});
