/**
 * Shared setup for the host suite: the real extension (activated in this extension host), a
 * local emulator on 127.0.0.1, and scripted prompts so that no test waits on a dialog.
 */
import * as assert from 'assert';
import { existsSync, readFileSync, readdirSync } from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { Manifest } from '../../support/manifest';
import type { QianfanTestApi } from '../../../src/extension';
import type { NotifyLevel, ProgressReporter, Prompts } from '../../../src/platform/prompts';
import { type TreeNode } from '../../../src/tree/nodes';
import { type EmulatorOptions, QianfanEmulator } from '../../emulator/emulator';
import { DEMO_ACCESS_KEY, DEMO_SECRET_KEY } from '../../emulator/fixture';

export { DEMO_ACCESS_KEY, DEMO_SECRET_KEY };

export interface Notification {
  level: NotifyLevel;
  message: string;
  actions: string[];
}

// An answer may be computed from what the prompt was given (its options or items).
type Answer<T> = T | ((request: never) => T);

/** Every notification of the whole suite, for the final scan for secrets. */
export const allNotifications: Notification[] = [];

/** Prompts with queued answers; an unexpected prompt fails the test instead of hanging. */
export class ScriptedPrompts implements Prompts {
  readonly inputs: Answer<string | undefined>[] = [];
  readonly picks: Answer<unknown>[] = [];
  readonly confirms: boolean[] = [];
  /** Answers to save dialogs (a URI, or undefined for Cancel). */
  readonly saves: Answer<vscode.Uri | undefined>[] = [];
  readonly notifications: Notification[] = [];
  readonly asked: string[] = [];
  readonly copied: string[] = [];
  readonly opened: string[] = [];
  readonly progressTitles: string[] = [];
  /** The answer to the next notification with actions (an action label), by default none. */
  notificationChoice?: (n: Notification) => string | undefined;
  private readonly progress = new Set<AbortController>();

  private next<T>(queue: Answer<T>[], what: string, request: unknown): T {
    this.asked.push(what);
    if (queue.length === 0) {
      throw new Error(`unexpected prompt: ${what}`);
    }
    const answer = queue.shift()!;
    return typeof answer === 'function' ? (answer as (r: unknown) => T)(request) : answer;
  }

  async inputBox(options: vscode.InputBoxOptions): Promise<string | undefined> {
    const value = this.next(this.inputs, `input: ${options.title ?? options.prompt}`, options);
    if (value !== undefined && options.validateInput) {
      const problem = await options.validateInput(value);
      if (problem) {
        this.asked.push(`invalid: ${typeof problem === 'string' ? problem : problem.message}`);
      }
    }
    return value;
  }

  pickMany<T extends vscode.QuickPickItem>(items: readonly T[], options: vscode.QuickPickOptions): Promise<T[] | undefined> {
    return Promise.resolve(this.next(this.picks, `pickMany: ${options.placeHolder}`, items) as T[] | undefined);
  }

  pickOne<T extends vscode.QuickPickItem>(items: readonly T[], options: vscode.QuickPickOptions): Promise<T | undefined> {
    return Promise.resolve(this.next(this.picks, `pickOne: ${options.placeHolder}`, items) as T | undefined);
  }

  confirm(message: string, detail: string, confirmLabel: string): Promise<boolean> {
    this.asked.push(`confirm: ${message} | ${detail} | ${confirmLabel}`);
    if (this.confirms.length === 0) {
      return Promise.reject(new Error(`unexpected confirmation: ${message}`));
    }
    return Promise.resolve(this.confirms.shift()!);
  }

  notify(level: NotifyLevel, message: string, ...actions: string[]): Promise<string | undefined> {
    const n = { level, message, actions };
    this.notifications.push(n);
    allNotifications.push(n);
    return Promise.resolve(actions.length && this.notificationChoice ? this.notificationChoice(n) : undefined);
  }

  async withProgress<R>(title: string, _cancellable: boolean, task: (p: ProgressReporter, signal: AbortSignal) => Promise<R>): Promise<R> {
    this.progressTitles.push(title);
    const controller = new AbortController();
    this.progress.add(controller);
    try {
      return await task({ report: () => undefined }, controller.signal);
    } finally {
      this.progress.delete(controller);
    }
  }

  /** Presses Cancel on every progress notification now showing. */
  cancelProgress(): void {
    this.progress.forEach((c) => c.abort());
  }

  saveDialog(options: vscode.SaveDialogOptions): Promise<vscode.Uri | undefined> {
    return Promise.resolve(this.next(this.saves, `save: ${options.title}`, options));
  }

  readonly statuses: string[] = [];

  /** Answers from `inputs` until one passes the check; each refusal is recorded as "refused: …". */
  async askUntil(options: vscode.InputBoxOptions, check: (value: string) => Promise<string | undefined>): Promise<string | undefined> {
    for (;;) {
      const value = await this.inputBox(options);
      if (value === undefined) {
        return undefined;
      }
      const problem = await check(value);
      if (problem === undefined) {
        return value;
      }
      this.asked.push(`refused: ${problem}`);
    }
  }

  status(message: string): void {
    this.statuses.push(message);
  }

  copy(text: string): Promise<void> {
    this.copied.push(text);
    return Promise.resolve();
  }

  open(url: string): Promise<void> {
    this.opened.push(url);
    return Promise.resolve();
  }

  last(level?: NotifyLevel): Notification {
    const list = level ? this.notifications.filter((n) => n.level === level) : this.notifications;
    assert.ok(list.length > 0, `no ${level ?? ''} notification; asked: ${this.asked.join(' / ')}`);
    return list[list.length - 1];
  }
}

/** This extension, found by the name in its manifest. */
export function ourExtension(): vscode.Extension<unknown> | undefined {
  return vscode.extensions.all.find((e) => (e.packageJSON as Partial<Manifest> | undefined)?.name === 'qianfan-models');
}

export async function extensionApi(): Promise<QianfanTestApi> {
  const ext = ourExtension();
  assert.ok(ext, 'the extension is loaded');
  const api = (await ext.activate()) as QianfanTestApi | undefined;
  assert.ok(api, 'activate() returns the test API in test mode');
  return api;
}

export interface Fixture {
  api: QianfanTestApi;
  emulator: QianfanEmulator;
  prompts: ScriptedPrompts;
}

async function setSetting(key: string, value: unknown): Promise<void> {
  await vscode.workspace.getConfiguration('qianfan').update(key, value, vscode.ConfigurationTarget.Global);
}

/** A fresh emulator, fresh prompts, no tracked versions, demo keys set (unless told otherwise). */
export async function setUp(options: EmulatorOptions & { signedIn?: boolean } = {}): Promise<Fixture> {
  const api = await extensionApi();
  const emulator = new QianfanEmulator({ exportDurationMs: 300, ...options });
  await emulator.start();
  await setSetting('endpoint', emulator.url);
  await setSetting('requestTimeoutSeconds', 5);
  const prompts = new ScriptedPrompts();
  api.setPrompts(prompts);
  const s = api.services;
  // back to the one profile "default" (a profile test may have left others, or another active)
  if (s.profiles.active.id !== 'default') {
    await s.profiles.switchTo('default');
  }
  for (const p of s.profiles.list().filter((p) => p.id !== 'default')) {
    await s.profiles.remove(p.id);
    await s.credentials.clearFor(p.id, true);
  }
  if (s.profiles.active.name !== 'default') {
    await s.profiles.rename('default', 'default');
  }
  for (const m of s.followed.list()) {
    await s.followed.unfollow(m.modelSetId); // a model followed by an earlier test would add its versions here
  }
  await s.tracked.remove(s.tracked.list().map((t) => t.modelId));
  for (const p of s.pendingExports.list()) {
    await s.pendingExports.remove(p.modelId);
  }
  if (options.signedIn === false) {
    await s.credentials.clear();
  } else {
    await s.credentials.set({ accessKeyId: DEMO_ACCESS_KEY, secretAccessKey: DEMO_SECRET_KEY });
  }
  await api.simulateReload({ intervalMs: 50, maxIntervalMs: 100, noRecordGraceMs: 500 }); // no export state left from other tests
  await s.tree.refresh();
  return { api, emulator, prompts };
}

export async function tearDown(f: Fixture | undefined): Promise<void> {
  if (!f) {
    return;
  }
  f.api.setPrompts(f.api.realPrompts);
  await f.emulator.stop();
  for (const key of ['endpoint', 'requestTimeoutSeconds', 'maxConcurrentRequests', 'deleteConfirmation', 'downloadFolder']) {
    await setSetting(key, undefined);
  }
}

export function run(command: string, ...args: unknown[]): Thenable<unknown> {
  return vscode.commands.executeCommand(command, ...args);
}

/**
 * The tree as text lines, loading it the way the view does: the children of every model are
 * asked for (as expanding does), then drawn once what that started has settled.
 */
export async function treeLines(api: QianfanTestApi, settle = true): Promise<string[]> {
  const tree = api.services.tree;
  if (settle) {
    for (const node of await tree.getChildren()) {
      await tree.getChildren(node);
    }
    await api.services.loader.idle();
    await api.services.loader.flush(); // what was learnt reaches the tracked list (names, models): the tree regroups
  }
  const lines: string[] = [];
  const walk = async (node: TreeNode | undefined, depth: number) => {
    for (const child of await tree.getChildren(node)) {
      const item = tree.getTreeItem(child);
      const label = typeof item.label === 'string' ? item.label : (item.label?.label ?? '');
      lines.push(
        `${'  '.repeat(depth)}${label} [${item.description ?? ''}] <${item.contextValue}> ${(item.iconPath as vscode.ThemeIcon | undefined)?.id ?? ''}`,
      );
      await walk(child, depth + 1);
    }
  };
  await walk(undefined, 0);
  return lines;
}

export async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) {
      return value;
    }
    if (Date.now() > deadline) {
      assert.fail(`timed out waiting for ${what}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The tree's node for a version (the real object, so commands receive what a click gives them). */
export async function versionNode(api: QianfanTestApi, modelId: string): Promise<TreeNode> {
  const tree = api.services.tree;
  for (const model of await tree.getChildren()) {
    for (const v of await tree.getChildren(model)) {
      if ((v as { modelId?: string }).modelId === modelId) {
        return v;
      }
    }
  }
  assert.fail(`no tree node for ${modelId}`);
}

export async function track(f: Fixture, ...versions: { modelId: string; modelSetId?: string; name?: string }[]): Promise<void> {
  await f.api.services.tracked.add(versions);
  await f.api.services.tree.refresh();
}

/** Everything in the extension's log folder (the real LogOutputChannel files). */
export function readLogs(dir: string): string {
  if (!existsSync(dir)) {
    return '';
  }
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => readFileSync(path.join(e.parentPath ?? (e as unknown as { path: string }).path, e.name), 'utf8'))
    .join('\n');
}

/** Sets the level of every log, as Developer: Set Log Level… does, and waits until the Qianfan channel has it. */
export async function setLogLevel(f: Fixture, name: 'debug' | 'info', level: vscode.LogLevel): Promise<void> {
  const channel = f.api.services.logger.channel;
  const changed = new Promise<void>((resolve) => {
    const listener = channel.onDidChangeLogLevel((l) => {
      if (l === level) {
        listener.dispose();
        resolve();
      }
    });
    if (channel.logLevel === level) {
      listener.dispose();
      resolve();
    }
  });
  await vscode.commands.executeCommand('_extensionTests.setLogLevel', name);
  await waitFor(`the channel at ${name}`, () => changed.then(() => true), 10_000);
}
