/**
 * Follows exports until they are done: a cancellable progress notification per export, the
 * task remembered in globalState so that polling resumes after a reload, and the result
 * offered (copy / open the download URL) when it is ready. An export whose version was deleted
 * elsewhere ends there and is forgotten (followExport).
 */
import * as vscode from 'vscode';
import { isCancelled } from '../core/qianfan/errors';
import { type ExportStateStore, exportOf } from '../core/work/exportStates';
import { type ExportFailure, type ExportOutcome, type PendingExport, type PendingExportsStore, followExport, formatBytes } from '../core/work/exportTasks';
import { type QianfanClient } from '../core/qianfan/qianfanClient';
import { type TrackedVersionsStore } from '../core/state/trackedVersions';
import { describeError } from '../platform/logger';
import { type SecretCredentialStore } from '../platform/secretCredentialStore';
import { type Reporter, notify, notifyWithLog, reportError } from './notify';

/** What the watcher works with (the services have all of it). */
export interface ExportWatcherDeps extends Reporter {
  readonly credentials: SecretCredentialStore;
  readonly pendingExports: PendingExportsStore;
  readonly exportStates: ExportStateStore;
  readonly tracked: TrackedVersionsStore;
  client(): QianfanClient;
}

export interface PollTiming {
  intervalMs: number;
  maxIntervalMs: number;
  noRecordGraceMs: number;
}

export function failureText(failure: ExportFailure): string {
  switch (failure) {
    case 'failed':
      return vscode.l10n.t('Qianfan reported the export as failed');
    case 'noRecord':
      return vscode.l10n.t('Qianfan no longer lists it (Qianfan does not list failed exports)');
    case 'versionGone':
      return vscode.l10n.t('the model version no longer exists');
  }
}

/** "model / V1 (amv-…)" as remembered (an older entry has the version's name only). */
function titleOf(p: PendingExport): string {
  return p.label && p.label.includes(p.modelId) ? p.label : p.label && p.label !== p.modelId ? `${p.label} (${p.modelId})` : p.modelId;
}

export const DEFAULT_POLL_TIMING: PollTiming = { intervalMs: 2000, maxIntervalMs: 30_000, noRecordGraceMs: 30_000 };

export class ExportWatcher implements vscode.Disposable {
  private readonly running = new Map<string, { run: Promise<ExportOutcome | undefined>; stop: AbortController }>();
  private controller = new AbortController();
  private waitingForKeys?: vscode.Disposable;
  private readonly subscription: { dispose(): void };
  timing: PollTiming = DEFAULT_POLL_TIMING;

  constructor(private readonly s: ExportWatcherDeps) {
    // An untracked or deleted version's export is no longer followed, remembered or shown.
    this.subscription = s.tracked.onDidChange((change) => void this.forget(change.removed));
  }

  /** Stops following these versions' exports and forgets them (state and remembered task). */
  async forget(modelIds: readonly string[]): Promise<void> {
    if (modelIds.length === 0) {
      return;
    }
    for (const id of modelIds) {
      this.running.get(id)?.stop.abort();
    }
    this.s.exportStates.delete(modelIds);
    await Promise.all(modelIds.map((id) => this.s.pendingExports.remove(id)));
  }

  /** As a new window would start: nothing followed, nothing known (tests of a reload). */
  reset(timing?: PollTiming): void {
    this.controller.abort();
    this.controller = new AbortController();
    this.running.clear();
    this.waitingForKeys?.dispose();
    this.waitingForKeys = undefined;
    this.s.exportStates.clear();
    this.timing = timing ?? DEFAULT_POLL_TIMING;
  }

  /**
   * Resumes every export remembered from an earlier session. Without keys it says which exports
   * wait, offers Set Access Key…, and resumes them as soon as keys are set.
   */
  async resumeAll(): Promise<(ExportOutcome | undefined)[]> {
    const s = this.s;
    const pending = s.pendingExports.list();
    if (pending.length === 0) {
      return [];
    }
    if (!(await s.credentials.get())) {
      const labels = pending.map((p) => titleOf(p)).join(', ');
      s.logger.warn(`${pending.length} remembered export(s) wait for Qianfan keys: ${pending.map((p) => titleOf(p)).join(', ')}`);
      notifyWithLog(s, 'warn', vscode.l10n.t('The export of {0} will resume once Qianfan keys are set.', labels), true);
      this.waitingForKeys ??= s.credentials.onDidChange(() => {
        void s.credentials.get().then((keys) => {
          if (keys && this.waitingForKeys) {
            this.waitingForKeys.dispose();
            this.waitingForKeys = undefined;
            void this.resumeAll();
          }
        });
      });
      return [];
    }
    return Promise.all(pending.map((p) => this.watch(p)));
  }

  /** Follows one export; a second call for the same version joins the first. */
  watch(pending: PendingExport): Promise<ExportOutcome | undefined> {
    const existing = this.running.get(pending.modelId);
    if (existing) {
      return existing.run;
    }
    const stop = new AbortController();
    const run = this.follow(pending, AbortSignal.any([stop.signal, this.controller.signal])).finally(() => {
      if (this.running.get(pending.modelId)?.stop === stop) {
        this.running.delete(pending.modelId);
      }
    });
    this.running.set(pending.modelId, { run, stop });
    return run;
  }

  private async follow(pending: PendingExport, stopped: AbortSignal): Promise<ExportOutcome | undefined> {
    const s = this.s;
    const label = titleOf(pending);
    try {
      const outcome = await s.prompts.withProgress(vscode.l10n.t('Exporting {0}', label), true, (progress, signal) =>
        followExport(s.client(), s.pendingExports, pending, {
          ...this.timing,
          signal: AbortSignal.any([signal, stopped]),
          // shown as running only once remembered: a reload from then on resumes the follow
          onRemembered: () => {
            if (!stopped.aborted) {
              s.exportStates.set(pending.modelId, { status: 'Doing' });
            }
          },
          onStatus: (task) =>
            progress.report(
              task.status === 'Doing'
                ? vscode.l10n.t('packaging… (Cancel stops watching here; the export goes on in Qianfan)')
                : (task.status ?? vscode.l10n.t('waiting for the task…')),
            ),
        }),
      );
      this.report(label, pending, outcome);
      return outcome;
    } catch (error) {
      if (stopped.aborted) {
        return undefined; // the window is closing (the task stays remembered), or the version was untracked
      }
      s.exportStates.delete([pending.modelId]);
      if (isCancelled(error)) {
        s.logger.info(`Stopped watching the export of ${titleOf(pending)}; it goes on in Qianfan. Run Export again to follow it.`);
        await s.pendingExports.remove(pending.modelId);
        this.offerToKeepWatching(label, pending);
        return undefined;
      }
      reportError(s, `Export of ${titleOf(pending)}`, error, vscode.l10n.t('Export of {0}', label));
      return undefined;
    }
  }

  /** Cancel stops only the watching: say so, and offer to watch again. */
  private offerToKeepWatching(label: string, pending: PendingExport): void {
    const keep = vscode.l10n.t('Keep Watching');
    void notify(this.s, 'info', vscode.l10n.t('Stopped watching the export of {0}. The export goes on in Qianfan; Export again follows it.', label), keep).then(
      async (choice) => {
        if (choice === keep) {
          await this.s.pendingExports.put(pending);
          await this.watch(pending);
        }
      },
    );
  }

  private report(label: string, pending: PendingExport, outcome: ExportOutcome): void {
    const s = this.s;
    if (outcome.status === 'Fail') {
      const reason = failureText(outcome.failure);
      s.exportStates.set(pending.modelId, { status: 'Fail', failure: outcome.failure });
      s.logger.error(`Export ${pending.exportId} of ${titleOf(pending)} failed: ${outcome.reason}`);
      const earlier = outcome.earlier
        ? ' ' +
          vscode.l10n.t(
            'Qianfan still shows an earlier export of this version ({0}); it is not this one.',
            outcome.earlier.fileName ?? outcome.earlier.exportId ?? '?',
          )
        : '';
      const again = vscode.l10n.t('Export Again');
      const message = vscode.l10n.t('The export of {0} failed: {1}', label, reason) + earlier;
      if (outcome.failure === 'versionGone') {
        notifyWithLog(s, 'error', message);
        return;
      }
      const showLog = vscode.l10n.t('Show Log');
      void notify(s, 'error', message, again, showLog).then((choice) =>
        choice === again ? vscode.commands.executeCommand('qianfan.exportVersion', pending.modelId) : choice === showLog ? s.logger.show() : undefined,
      );
      return;
    }
    const t = outcome.task;
    s.exportStates.set(pending.modelId, { status: 'Done', task: t });
    s.logger.info(`Export ${t.exportId ?? pending.exportId} of ${titleOf(pending)} done: ${t.fileName} (${t.fileSize} bytes, md5 ${t.md5})`);
    const copy = vscode.l10n.t('Copy Download URL');
    const open = vscode.l10n.t('Open Download URL');
    const download = vscode.l10n.t('Download…');
    void notify(
      s,
      'info',
      vscode.l10n.t('The export of {0} is ready: {1} ({2}, md5 {3}).', label, t.fileName ?? '?', formatBytes(t.fileSize), t.md5 ?? '?'),
      copy,
      open,
      download,
    )
      .then((choice) =>
        choice === copy
          ? this.copyUrl(pending.modelId)
          : choice === open && t.downloadUrl
            ? s.prompts.open(t.downloadUrl)
            : choice === download
              ? vscode.commands.executeCommand('qianfan.downloadExport', pending.modelId)
              : undefined,
      )
      .then(undefined, (error) => s.logger.error('Could not use the download URL', describeError(error)));
  }

  /** Copies the finished export's URL: this session's, or else the one Qianfan gives now (after a reload, from the details page). */
  async copyUrl(modelId: string): Promise<void> {
    const s = this.s;
    const task = await exportOf(
      s.exportStates,
      modelId,
      (id) => s.client().describeModelExportTask(id),
      (error) => s.logger.error(`Could not ask Qianfan for the export of ${modelId}`, error),
    );
    const url = task?.status === 'Done' ? task.downloadUrl : undefined;
    if (!url) {
      void notify(s, 'info', vscode.l10n.t('No finished export of {0} is known to Qianfan. Export it first.', modelId));
      return;
    }
    await s.prompts.copy(url);
    void notify(s, 'info', vscode.l10n.t('Download URL copied.'));
  }

  dispose(): void {
    this.subscription.dispose();
    this.waitingForKeys?.dispose();
    this.controller.abort();
  }
}
