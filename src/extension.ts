/** Wiring only: build the services, register the tree and the commands, resume exports. */
import * as vscode from 'vscode';
import { QianfanError } from './core/errors';
import { Downloader } from './core/download/engine';
import { PartialDownloadsStore } from './core/download/partialStore';
import { PendingExportsStore } from './core/exportTasks';
import { QianfanClient } from './core/qianfanClient';
import { Redactor } from './core/redact';
import { abortableSleep } from './core/retry';
import { TrackedVersionsStore } from './core/trackedVersions';
import { ExportWatcher, type PollTiming } from './commands/exportWatcher';
import { registerCommands } from './commands/registerCommands';
import { startUp } from './commands/startup';
import { type Services } from './commands/services';
import { readSettings } from './platform/config';
import { Logger } from './platform/logger';
import { mementoStore } from './platform/memento';
import { NodeDownloadFs } from './platform/nodeDownloadFs';
import { NodeHttpDownload } from './platform/nodeHttpDownload';
import { NodeFetchTransport } from './platform/nodeFetchTransport';
import { type Prompts, VsCodePrompts } from './platform/prompts';
import { SecretCredentialStore } from './platform/secretCredentialStore';
import { ModelVersionTreeProvider } from './tree/modelVersionTreeProvider';

/** Returned from activate() only in extension test mode: nothing else can reach the services. */
export interface QianfanTestApi {
  readonly services: Services;
  readonly realPrompts: Prompts;
  readonly logDirectory: string;
  /** The raw SecretStorage, to play "another window" in tests. */
  readonly secrets: vscode.SecretStorage;
  setPrompts(prompts: Prompts): void;
  globalStateDump(): Record<string, unknown>;
  /** Builds a fresh export watcher from stored state and runs the start-up steps, as a reload of the window would. */
  simulateReload(timing?: PollTiming): Promise<void>;
}

export function activate(context: vscode.ExtensionContext): QianfanTestApi | undefined {
  const started = performance.now();
  const redactor = new Redactor();
  const store = mementoStore(context.globalState);
  const logger = new Logger(redactor);
  const credentials = new SecretCredentialStore(context.secrets, redactor, store);
  const tracked = new TrackedVersionsStore(store);
  const transport = new NodeFetchTransport();
  const version = String((context.extension.packageJSON as { version?: unknown }).version);
  const userAgent = `qianfan-vscode/${version} (node/${process.versions.node}; vscode/${vscode.version})`;
  let client: QianfanClient | undefined;
  let skewReported = false;
  const reportClockSkew = (ms: number) => {
    const minutes = Math.round(Math.abs(ms) / 60_000);
    logger.warn(`This computer's clock is ${minutes} min ${ms > 0 ? 'behind' : 'ahead of'} Qianfan's; requests are adjusted`);
    if (!skewReported) {
      skewReported = true;
      void services.prompts.notify(
        'warn',
        vscode.l10n.t("This computer's clock is off by about {0} minutes. Qianfan requests are adjusted, but please sync the clock.", minutes),
      );
    }
  };
  const getClient = () => {
    if (!client) {
      const settings = readSettings();
      try {
        client = new QianfanClient({
          endpoint: settings.endpoint,
          credentials: () => credentials.get(),
          transport,
          timeoutMs: settings.timeoutMs,
          userAgent,
          onRequest: (entry) => logger.request(entry),
          onClockSkew: (ms) => reportClockSkew(ms),
        });
      } catch (error) {
        throw new QianfanError({ kind: 'invalidInput', message: `the qianfan.endpoint setting: ${(error as Error).message}` });
      }
    }
    return client;
  };
  let exports: ExportWatcher;
  const tree = new ModelVersionTreeProvider({
    tracked,
    hasCredentials: async () => (await credentials.get()) !== undefined,
    client: getClient,
    concurrency: () => readSettings().concurrency,
    exportState: (id) => exports.stateOf(id),
    log: (message, error) => logger.error(message, error),
  });
  const partialDownloads = new PartialDownloadsStore(store);
  const downloads = new Downloader({
    http: new NodeHttpDownload(),
    fs: new NodeDownloadFs(),
    clock: { now: Date.now, sleep: abortableSleep },
    store: partialDownloads,
    log: (line) => logger.info(line),
  });
  const treeView = vscode.window.createTreeView('qianfan.modelVersions', { treeDataProvider: tree, canSelectMany: true, showCollapseAll: true });
  const services: Services = {
    logger,
    redactor,
    credentials,
    tracked,
    pendingExports: new PendingExportsStore(store),
    tree,
    treeView,
    get exports() {
      return exports;
    },
    partialDownloads,
    downloads,
    prompts: new VsCodePrompts(),
    client: getClient,
    settings: readSettings,
  };
  exports = new ExportWatcher(() => services);
  const realPrompts = services.prompts;

  const updateContext = async () => {
    await vscode.commands.executeCommand('setContext', 'qianfan.hasCredentials', (await credentials.get()) !== undefined);
    await vscode.commands.executeCommand('setContext', 'qianfan.trackedCount', tracked.list().length);
  };
  context.subscriptions.push(
    logger,
    credentials,
    tree,
    treeView,
    { dispose: () => exports.dispose() },
    { dispose: () => downloads.dispose() },
    credentials.onDidChange(() => {
      void updateContext();
      tree.refresh();
    }),
    tracked.onDidChange(() => void updateContext()),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('qianfan')) {
        client = undefined;
        tree.refresh();
      }
    }),
  );
  registerCommands(context, services);
  void updateContext();
  void startUp(services);
  const ms = (performance.now() - started).toFixed(1);
  logger.info(`Qianfan Models ${version} activated in ${ms} ms (endpoint ${readSettings().endpoint})`);

  if (context.extensionMode !== vscode.ExtensionMode.Test) {
    return undefined;
  }
  return {
    services,
    realPrompts,
    logDirectory: context.logUri.fsPath,
    secrets: context.secrets,
    setPrompts: (p) => (services.prompts = p),
    globalStateDump: () => Object.fromEntries(context.globalState.keys().map((k) => [k, context.globalState.get(k)])),
    simulateReload: async (timing) => {
      exports.dispose();
      exports = new ExportWatcher(() => services);
      if (timing) {
        exports.timing = timing;
      }
      await startUp(services);
    },
  };
}

export function deactivate(): void {}
