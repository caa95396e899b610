/** Driving the real VS Code web workbench with Playwright: small helpers over its DOM. */
import * as assert from 'assert';
import { mkdirSync } from 'fs';
import * as path from 'path';
import { type Browser, type Page, ROOT, type RunningServer, SERVERS, launchBrowser, remoteUri, startServer, workbenchUrl } from '../support/vscodeServer';

/** Where screenshots go; `QIANFAN_SCREENSHOTS=media/screenshots npm run test:e2e` refreshes the README's. */
export const SCREENSHOTS = path.resolve(ROOT, process.env.QIANFAN_SCREENSHOTS ?? path.join('test-results', 'screenshots'));
export const FAILURES = path.join(ROOT, 'test-results');

export interface Workbench {
  server: RunningServer;
  browser: Browser;
  page: Page;
  close(): Promise<void>;
}

/**
 * The workbench with the extension under development. VS Code 1.93 with the smoke-test driver
 * refuses every modal dialog ("DialogService: refused to show dialog in tests"), so the oldest
 * server runs without it; the newest needs it to load the extension from the development path.
 */
export async function openWorkbench(settings: Record<string, unknown>, folder: string, version?: string): Promise<Workbench> {
  const server = await startServer({ settings, version, smokeTestDriver: version !== SERVERS.oldest });
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, locale: process.env.QIANFAN_E2E_LOCALE ?? 'en-US' });
    await page.goto(
      workbenchUrl(server, folder, [
        ['extensionDevelopmentPath', remoteUri(server, ROOT)],
        ['skipWelcome', 'true'],
      ]),
      { timeout: 120_000 }, // a loaded machine takes longer than Playwright's 30 s to load the workbench
    );
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    return {
      server,
      browser,
      page,
      close: async () => {
        await browser.close().catch(() => undefined);
        await server.stop();
      },
    };
  } catch (error) {
    await browser.close().catch(() => undefined);
    await server.stop();
    throw error;
  }
}

export async function screenshot(page: Page, name: string, dir = SCREENSHOTS): Promise<string> {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}

/** The settings of a quiet workbench pointed at the emulator: no start-up editor, tips, trust prompt or chat. */
export function quietSettings(endpoint: string): Record<string, unknown> {
  return {
    'qianfan.endpoint': endpoint,
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'security.workspace.trust.enabled': false,
    'chat.disableAIFeatures': true,
    'workbench.secondarySideBar.defaultVisibility': 'hidden',
  };
}

/**
 * Waits until the open Qianfan view names `endpoint`'s host in its description, i.e. the extension
 * reads the `qianfan.endpoint` setting. VS Code hands a remote window its machine settings after
 * it has loaded them, which on a loaded machine can be seconds after the extension started: a
 * request sent before then goes to the default endpoint (a clean-clone run saw "could not reach
 * qianfan.baidubce.com" once). Waiting here keeps every later step on the emulator.
 */
export async function waitForEndpoint(page: Page, endpoint: string, timeout = 60_000): Promise<void> {
  const host = new URL(endpoint).host;
  try {
    await page.locator('.part.sidebar .description', { hasText: host }).first().waitFor({ state: 'attached', timeout });
  } catch {
    const seen = await page
      .locator('.part.sidebar .description')
      .allInnerTexts()
      .catch(() => []);
    throw new Error(`the Qianfan view did not name ${host} (the qianfan.endpoint setting) within ${timeout} ms; it says: ${seen.join(' | ') || 'nothing'}`);
  }
}

/** An afterEach hook: a failed test leaves a screenshot of the workbench in test-results. */
export function screenshotOnFailure(page: () => Page | undefined): (this: Mocha.Context) => Promise<void> {
  return async function (this: Mocha.Context) {
    const p = page();
    if (this.currentTest?.state === 'failed' && p) {
      const file = await screenshot(p, `failed-${this.currentTest.title.slice(0, 40).replace(/\W+/g, '-')}`, FAILURES);
      console.log(`    screenshot of the failure: ${file}`);
    }
  };
}

/** Runs a command by its palette title, as a user would (F1, type, Enter). */
export async function runFromPalette(page: Page, title: string): Promise<void> {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor();
  await input.fill(`>${title}`);
  const row = page.locator('.quick-input-widget .monaco-list-row', { hasText: title }).first();
  await row.waitFor();
  await page.keyboard.press('Enter');
}

/** Types into the open input box and presses Enter. */
export async function answerInput(page: Page, text: string): Promise<void> {
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible' });
  await input.fill(text);
  await page.keyboard.press('Enter');
}

/**
 * Finds a notification by its text, as a toast or in the notification center (this workbench
 * version lists extension notifications in the center without a toast), opening the center
 * from the status bar bell when needed.
 */
export async function waitForNotification(page: Page, text: string | RegExp, timeout = 30_000): Promise<string> {
  const item = page.locator('.notification-list-item', { hasText: text }).first();
  const deadline = Date.now() + timeout;
  while (Date.now() < deadline) {
    if (await item.isVisible()) {
      return (await item.innerText()).trim();
    }
    if (!(await page.locator('.notifications-center.visible').isVisible())) {
      await page
        .locator('.statusbar [aria-label="Notifications"]')
        .first()
        .click()
        .catch(() => undefined);
    }
    await page.waitForTimeout(250);
  }
  throw new Error(`no notification matching ${String(text)} within ${timeout} ms`);
}

export async function treeRow(page: Page, text: string) {
  const row = page.locator('.pane-body .monaco-list-row', { hasText: text }).first();
  await row.waitFor({ timeout: 30_000 });
  return row;
}

export async function clickMenuItem(page: Page, label: string): Promise<void> {
  const item = page.locator('.monaco-menu .action-item .action-label', { hasText: label }).first();
  await item.waitFor();
  for (let attempt = 0; attempt < 3 && (await item.isVisible()); attempt++) {
    await item.hover();
    await item.click();
    await item.waitFor({ state: 'hidden', timeout: 2000 }).catch(() => undefined); // a menu re-rendered under the pointer can drop a click
  }
}

export async function clearNotifications(page: Page): Promise<void> {
  await runFromPalette(page, 'Notifications: Clear All Notifications');
  await page.keyboard.press('Escape');
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
  await page.waitForTimeout(300); // let the palette's fade-out finish before any screenshot
}

export function assertIncludes(text: string, part: string | RegExp): void {
  assert.ok(typeof part === 'string' ? text.includes(part) : part.test(text), `expected ${String(part)} in: ${text}`);
}
