/** Tells the user, once, that a version they saw being created is ready (or failed), or that a followed model has a new version. */
import * as vscode from 'vscode';
import { type TrackedVersionsStore } from '../core/state/trackedVersions';
import { type NewVersion } from '../core/work/followPoller';
import { statusText, trackedTitle, versionTitle } from '../tree/nodes';
import { type Reporter, notify, notifyWithLog } from './notify';

/** "news-summarizer / V3 (amv-…) is Ready.": once, when a version seen Creating reaches another status. */
export function announceStatus(r: Reporter & { readonly tracked: TrackedVersionsStore }, modelId: string, status: string): void {
  const t = r.tracked.get(modelId);
  if (!t) {
    return;
  }
  const title = trackedTitle(t, modelId);
  r.logger.info(`${title} is now ${status}`);
  if (status === 'Ready') {
    void notify(r, 'info', vscode.l10n.t('{0} is Ready.', title));
  } else if (status === 'Fail') {
    notifyWithLog(r, 'error', vscode.l10n.t('{0} could not be created (status Failed).', title));
  } else {
    void notify(r, 'info', vscode.l10n.t('{0} is now {1}.', title, status));
  }
}

/** "customer-support-zh has a new version: V4 (amv-…), Creating": once, when found. */
export function announceNewVersion(r: Reporter, v: NewVersion): void {
  const version = versionTitle(undefined, v.name, v.modelId);
  r.logger.info(`${v.modelSetName} has a new version: ${version}${v.status ? `, ${v.status}` : ''}`);
  void notify(
    r,
    'info',
    v.status
      ? vscode.l10n.t('{0} has a new version: {1}, {2}', v.modelSetName, version, statusText(v.status))
      : vscode.l10n.t('{0} has a new version: {1}', v.modelSetName, version),
  );
}
