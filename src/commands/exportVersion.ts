/** Export a model version: start (never twice), then follow it to the end. */
import * as vscode from 'vscode';
import { exportOf } from '../core/work/exportStates';
import { type ExportOutcome, formatBytes } from '../core/work/exportTasks';
import { type Target, targetsFor } from './selection';
import { type Services } from './services';
import { markActed } from './walkthrough';

export async function exportVersion(services: Services, node?: unknown): Promise<ExportOutcome | undefined> {
  const [target] =
    (await targetsFor(services, node, undefined, vscode.l10n.t('Choose the version to export'), false, {
      applies: (status) => status === 'Ready',
      noneApplies: vscode.l10n.t('None of your tracked versions is Ready: only a Ready version can be exported.'),
    })) ?? [];
  if (!target) {
    return undefined;
  }
  const client = services.client();
  const finished = await exportOf(services.exportStates, target.modelId, (id) => client.describeModelExportTask(id));
  if (finished?.hasRecord && finished.status === 'Done') {
    // a finished export is there already: its file, or a new export, as the user chooses
    const download = { label: `$(cloud-download) ${vscode.l10n.t('Download the finished export')}`, description: finished.fileName, again: false };
    const fresh = { label: `$(add) ${vscode.l10n.t('Start a new export')}`, description: '', again: true };
    const choice = await services.prompts.pickOne([download, fresh], {
      placeHolder: vscode.l10n.t('{0} has a finished export ({1}, {2})', target.label, finished.fileName ?? '?', formatBytes(finished.fileSize)),
    });
    if (!choice) {
      return undefined;
    }
    if (!choice.again) {
      await vscode.commands.executeCommand('qianfan.downloadExport', target.modelId);
      return undefined;
    }
  }
  const started = await services.prompts.withProgress(vscode.l10n.t('Starting the export of {0}…', target.label), true, (_p, signal) =>
    startExport(services, target, signal),
  );
  return started.following;
}

/** An export started (or the one already running in Qianfan, joined), and its following. */
export interface StartedExport {
  readonly exportId: string;
  readonly resumed: boolean;
  /** Ends when the export is done or failed (undefined: no longer followed). */
  readonly following: Promise<ExportOutcome | undefined>;
}

/**
 * Starts the export of a version once (client.startExport joins the export already running in
 * Qianfan instead of creating a second), logs it (`by` says who asked), and follows it with the watcher.
 */
export async function startExport(services: Services, target: Target, signal?: AbortSignal, by = ''): Promise<StartedExport> {
  const client = services.client();
  // the start (and the task remembered in this profile) counts as busy; following it does not
  const started = await services.busy.during('export', () => client.startExport(target.modelId, { signal }));
  services.logger.info(`${started.resumed ? 'Following the running export' : 'Started export'} ${started.exportId} of ${target.label}${by}`);
  const following = services.exports.watch({ modelId: target.modelId, exportId: started.exportId, startedAt: Date.now(), label: target.label });
  await markActed(services);
  return { exportId: started.exportId, resumed: started.resumed, following };
}
