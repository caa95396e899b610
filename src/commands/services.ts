/** What every command works with, built once at activation (createServices) and disposed with it. */
import * as vscode from 'vscode';
import { DetailLoader } from '../core/work/detailLoader';
import { Downloader } from '../core/download/engine';
import { PartialDownloadsStore } from '../core/download/partialStore';
import { ExportStateStore } from '../core/work/exportStates';
import { PendingExportsStore } from '../core/work/exportTasks';
import { type RequestGate } from '../core/qianfan/gate';
import { type QianfanClient } from '../core/qianfan/qianfanClient';
import { BusyTracker } from '../core/base/busy';
import { ProfileStore, profileScopedStore } from '../core/state/profiles';
import { Redactor } from '../core/base/redact';
import { type KeyValueStore } from '../core/state/keyValueStore';
import { abortableSleep } from '../core/qianfan/retry';
import { StatusPoller } from '../core/work/statusPoller';
import { TrackedVersionsStore } from '../core/state/trackedVersions';
import { FollowedModelsStore } from '../core/state/followedModels';
import { FollowPoller } from '../core/work/followPoller';
import { VersionDetailsStore } from '../core/state/versionDetails';
import { ViewFilterStore } from '../core/state/viewFilter';
import { ActedFlag } from '../core/state/walkthrough';
import { type Settings, readSettings } from '../platform/config';
import { Logger } from '../platform/logger';
import { useRedactor } from '../platform/errorMessages';
import { type ListFiles, openListFiles } from '../platform/listFiles';
import { mementoStore } from '../platform/memento';
import { NodeDownloadFs } from '../node/nodeDownloadFs';
import { NodeHttpDownload } from '../node/nodeHttpDownload';
import { type Prompts, VsCodePrompts } from '../platform/prompts';
import { SecretCredentialStore } from '../platform/secretCredentialStore';
import { ModelVersionTreeProvider } from '../tree/modelVersionTreeProvider';
import { ClientProvider } from './clientProvider';
import { ExportWatcher, type ExportWatcherDeps } from './exportWatcher';
import { announceStatus } from './announce';
import { announceNewVersion } from './announce';

export interface Services extends ExportWatcherDeps {
  readonly logger: Logger;
  readonly redactor: Redactor;
  readonly credentials: SecretCredentialStore;
  /** The profiles (named key pairs) and the active one. */
  readonly profiles: ProfileStore;
  /**
   * The remembered lists (tracked versions, pending exports, partial downloads, of every profile)
   * in files the windows share, and globalState for the rest; the per-profile stores see it
   * through the active profile's keys.
   */
  readonly store: KeyValueStore;
  /** The files of the lists (undefined when the storage folder could not be used: globalState then). */
  readonly listFiles?: ListFiles;
  /** What of the active profile is under way (a switch waits for none). */
  readonly busy: BusyTracker;
  readonly clients: ClientProvider;
  readonly tracked: TrackedVersionsStore;
  readonly pendingExports: PendingExportsStore;
  readonly exportStates: ExportStateStore;
  /** What was learnt of each version in this window. */
  readonly details: VersionDetailsStore;
  readonly loader: DetailLoader;
  /** What the view is filtered by. */
  readonly filter: ViewFilterStore;
  /** Whether a delete, an export or a download was done once (the walkthrough's last step). */
  readonly acted: ActedFlag;
  readonly poller: StatusPoller;
  /** The models followed in the active profile (every version shown, later ones too). */
  readonly followed: FollowedModelsStore;
  /** Brings the followed models up to date (while the view is visible, and on an expand). */
  readonly followPoller: FollowPoller;
  readonly tree: ModelVersionTreeProvider;
  readonly exports: ExportWatcher;
  readonly partialDownloads: PartialDownloadsStore;
  readonly downloads: Downloader;
  prompts: Prompts;
  client(): QianfanClient;
  settings(): Settings;
}

/** Builds the services; everything that must be disposed goes into `context.subscriptions`. */
export function createServices(context: vscode.ExtensionContext, activatedAt: number): Services {
  const redactor = new Redactor();
  useRedactor(redactor); // every error's wording (notifications, tree, details, chat tools) knows the keys
  const logger = new Logger(redactor);
  const listFiles = openLists(context, logger);
  const store = listFiles?.store ?? mementoStore(context.globalState);
  const profiles = new ProfileStore(store);
  // the tracked versions, pending exports and partial downloads of the active profile
  const profileStore = profileScopedStore(store, profiles);
  const credentials = new SecretCredentialStore(context.secrets, redactor, store, profiles);
  const tracked = new TrackedVersionsStore(profileStore);
  const version = String((context.extension.packageJSON as { version?: unknown }).version);
  const userAgent = `qianfan-vscode/${version} (node/${process.versions.node}; vscode/${vscode.version})`;
  // One object grows into the services: the parts built first get it as their narrower deps,
  // so a test that swaps `prompts` reaches all of them.
  const core = {
    prompts: new VsCodePrompts(redactor) as Prompts,
    redactor,
    logger,
    credentials,
    profiles,
    store,
    listFiles,
    busy: new BusyTracker(),
    tracked,
    pendingExports: new PendingExportsStore(profileStore),
    exportStates: new ExportStateStore(),
    details: new VersionDetailsStore(),
    filter: new ViewFilterStore(),
    acted: new ActedFlag(store),
    client: (): QianfanClient => clients.get(),
    settings: readSettings,
  };
  const clients = new ClientProvider(core, readSettings, credentials, profiles, userAgent);
  const loader = new DetailLoader({
    describe: (id, signal) => core.client().describeModel(id, { signal }),
    presence: (id, signal) => core.client().versionPresence(id, tracked.get(id)?.modelSetId, { signal }),
    // a version starts when the client's limiter has a place for it now: what waits stays in the
    // loader's own queue (the user's order), and a collapse takes it back before it is sent
    reserve: (signal) => {
      let limiter: RequestGate;
      try {
        limiter = core.client().limiter;
      } catch {
        return Promise.resolve(() => undefined); // no client (an invalid endpoint): the first load says why
      }
      return limiter.reserve?.(signal) ?? Promise.resolve(() => undefined);
    },
    sending: (signal) => {
      try {
        return core.client().limiter.sending?.(signal) ?? true;
      } catch {
        return true; // no client: nothing to tell, so nothing is cancelled
      }
    },
    // enough for the limiter's ceiling: the client's adaptive limiter, shared with every other request, sets the pace
    concurrency: () => {
      try {
        return Math.max(readSettings().concurrency, core.client().limiter.ceiling);
      } catch {
        return readSettings().concurrency; // no client (an invalid endpoint): the first load says why
      }
    },
    store: core.details,
    persist: (info) => tracked.updateInfo(info),
    now: Date.now,
    log: (message, error) => logger.error(message, error),
  });
  const followed = new FollowedModelsStore(profileStore);
  const followPoller = new FollowPoller({
    followed,
    tracked,
    api: () => core.client(),
    announce: (v) => announceNewVersion(core, v),
    log: (message, error) => logger.error(message, error),
    profile: () => profiles.active.id, // a look stops once another profile is active
  });
  const tree = new ModelVersionTreeProvider({
    tracked,
    details: core.details,
    exports: core.exportStates,
    loader,
    filter: core.filter,
    hasCredentials: async () => (await credentials.get()) !== undefined,
    now: Date.now,
    follow: {
      isFollowed: (id) => followed.has(id),
      isGone: (id) => followed.has(id) && followPoller.isGone(id), // an unfollowed model is no longer marked
      isNew: (id) => followPoller.isNew(id),
      seen: (ids) => followPoller.seen(ids),
      expanded: (id) => followPoller.expanded(id),
      onDidChange: (listener) => {
        const a = followed.onDidChange(listener);
        const b = followPoller.onDidChange(listener);
        return { dispose: () => (a.dispose(), b.dispose()) };
      },
    },
    onFirstRoot: (models, versions, askedAt) => {
      const now = performance.now();
      logger.info(
        `View drawn: ${models} model(s), ${versions} version(s), ${(now - activatedAt).toFixed(1)} ms after activation started, ${(now - askedAt).toFixed(1)} ms after VS Code asked for it`,
      );
    },
  });
  const poller = new StatusPoller({
    store: core.details,
    loader,
    visible: () => tree.visibleVersions().flatMap((id) => tracked.get(id) ?? []),
    announce: (id, status) => announceStatus(core, id, status),
  });
  const partialDownloads = new PartialDownloadsStore(profileStore);
  const downloads = new Downloader({
    http: new NodeHttpDownload(),
    fs: new NodeDownloadFs(),
    clock: { now: Date.now, sleep: abortableSleep },
    store: partialDownloads,
    log: (line) => logger.info(line),
  });
  const services: Services = Object.assign(core, {
    loader,
    poller,
    followed,
    followPoller,
    tree,
    clients,
    exports: new ExportWatcher(core),
    partialDownloads,
    downloads,
  });
  context.subscriptions.push(
    logger,
    profiles,
    credentials,
    clients,
    tree,
    services.exports,
    poller,
    followPoller,
    { dispose: () => void loader.dispose() },
    downloads,
    core.details,
    core.exportStates,
    core.filter,
  );
  if (listFiles) {
    context.subscriptions.push(listFiles.watching, listFiles.files);
  }
  return services;
}

/**
 * The lists' files under the global storage folder (on the remote machine in a remote window):
 * the first start moves them from globalState; another window's changes come on file events or
 * the poll. Undefined (globalState as before, said in the log) when the folder cannot be used.
 */
function openLists(context: vscode.ExtensionContext, logger: Logger): ListFiles | undefined {
  let lists: ListFiles;
  try {
    lists = openListFiles(context.globalStorageUri.fsPath, context.globalState, {
      onCompromised: (error) => logger.warn(`A lock on the remembered lists was taken over while held here: ${error.message}`),
    });
  } catch (error) {
    logger.error('The remembered lists stay in globalState: their folder cannot be used', error);
    return undefined;
  }
  lists.migrated.then(
    ({ moved, kept }) => {
      if (moved.length + kept.length > 0) {
        logger.info(`Remembered lists moved from globalState to ${context.globalStorageUri.fsPath}: ${moved.length} moved, ${kept.length} kept in globalState`);
      }
    },
    (error: unknown) => logger.error('The remembered lists could not be moved from globalState; they are read from there until they are', error),
  );
  return lists;
}

/** What the extension remembers: globalState, and each list in its files (for tests, "what is stored"). */
export function rememberedState(context: vscode.ExtensionContext, s: Services): Record<string, unknown> {
  const state: Record<string, unknown> = Object.fromEntries(context.globalState.keys().map((k) => [k, context.globalState.get(k)]));
  for (const key of s.listFiles?.files.keys() ?? []) {
    state[key] = s.listFiles?.files.get(key);
  }
  return state;
}
