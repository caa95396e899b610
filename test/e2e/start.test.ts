/**
 * The main job, as README.md gives it: `npm start` serves VS Code with the extension installed,
 * pointed at the emulator with the demo keys; Ctrl-C (SIGINT) stops all of it.
 */
import * as assert from 'assert';
import { type ChildProcess, spawn } from 'child_process';
import * as http from 'http';
import { ROOT, freePort, launchBrowser } from '../support/vscodeServer';

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

  it('serves the workbench with the extension, the emulator and the demo keys, and stops on Ctrl-C', async () => {
    const port = await freePort();
    child = spawn('npm', ['start'], { cwd: ROOT, env: { ...process.env, PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
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
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      await page.goto(url);
      await page.locator('.activitybar [aria-label^="Qianfan"]').first().click({ timeout: 60_000 });
      // The demo keys are preset, so the view offers to import rather than to sign in.
      await page.locator('.welcome-view-content .monaco-button', { hasText: 'Import from Account' }).waitFor({ timeout: 60_000 });
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
